import ArgumentParser
import Foundation
import TunaSearch
import TunaStore

/// `tuna copy STUDY --from URL --to URL [--as NAME]`: a study and all its trials into another
/// storage (Optuna's `copy_study`).
struct CopyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "copy",
    abstract: "Copy a study and all its trials to another storage.",
    discussion: """
      Copies the study's directions, user attributes and every trial whole (parameters, values, \
      intermediate values, attributes, times) between SQLite files and PostgreSQL databases, \
      in either direction; a new SQLite file is created. Running trials are copied as running. \
      Exit codes: 0 copied, 1 no such study or one of that name in the target, 2 bad usage.
      """
  )

  @Argument(help: "The study's name.")
  var study: String

  @Option(help: ArgumentHelp("The storage holding the study: \(storageURLForms).", valueName: "url"))
  var from: String

  @Option(help: ArgumentHelp("The storage to copy it to (the same forms; a SQLite file is created).", valueName: "url"))
  var to: String

  @Option(name: .customLong("as"), help: ArgumentHelp("The copy's name (default: the study's).", valueName: "name"))
  var newName: String?

  func validate() throws {
    if let path = try sharedStorageLocation(from).filePath, !FileManager.default.fileExists(atPath: path) {
      throw ValidationError("--from: no such file '\(path)'")
    }
    _ = try sharedStorageLocation(to)
    if from == to && (newName ?? study) == study {
      throw ValidationError("--from and --to are the same storage: give the copy another name with --as")
    }
  }

  func run() throws {
    try reportingFailures {
      let source: any Storage
      let target: any Storage
      do { source = try openStorage(from) } catch { throw CommandFailure("cannot open storage \(redactedStorageURL(from)): \(error)") }
      do { target = try openStorage(to) } catch { throw CommandFailure("cannot open storage \(redactedStorageURL(to)): \(error)") }
      let copied: (study: StudyRecord, trials: Int)
      do {
        copied = try copyStudy(named: study, from: source, to: target, as: newName)
      } catch StorageError.noSuchStudy {
        let names = try source.allStudies().map { "'\($0.name)'" }
        let known = names.isEmpty ? "it holds no studies" : "its studies: " + names.joined(separator: ", ")
        throw CommandFailure("no study named '\(study)' in \(redactedStorageURL(from)): \(known)")
      } catch StorageError.studyExists(let name) {
        throw CommandFailure(
          "\(redactedStorageURL(to)) already has a study named '\(name)': delete it first, or name the copy with --as")
      }
      writeOutput(
        "Copied study '\(study)' (\(copied.trials) trial\(copied.trials == 1 ? "" : "s")) from \(redactedStorageURL(from)) "
          + "to \(redactedStorageURL(to))\(copied.study.name == study ? "" : " as '\(copied.study.name)'").\n")
    }
  }
}
