import ArgumentParser
import Foundation
import TunaSearch
import TunaStore

// What the study-reading commands (`studies`, `trials`, `best`, `export`, `delete`, one file
// each) share: the storage options, opening the storage, finding a study, failing stale trials,
// and reporting failures with the right exit code (0 success, 1 failure — an unknown study, an
// unreadable storage — 2 bad usage).

/// The `--storage` forms these commands accept, for messages and help texts.
let storageURLForms =
  "'sqlite:PATH' or 'sqlite:///PATH' (a Tuna SQLite file; sqlite:////abs/path for an absolute path), "
  + "or 'postgresql://USER:PASSWORD@HOST:PORT/DATABASE' (what the URL leaves out comes from the PG* environment variables)"

/// `--storage URL` and `--grace SECONDS`, taken by every study-reading command.
struct StorageOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The storage holding the studies: \(storageURLForms).", valueName: "url"))
  var storage: String

  @Option(help: ArgumentHelp(
    "Before reading, mark failed (reason: stale heartbeat) the running trials whose last heartbeat "
      + "is older than this many seconds, whose worker died; inf leaves every trial as it is.",
    valueName: "seconds"))
  var grace: Double = 60

  func validate() throws {
    guard grace >= 0 else { throw ValidationError("--grace must be a number of seconds >= 0 (or inf), got \(grace)") }
    guard let path = try sharedStorageLocation(storage).filePath else { return }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
      throw ValidationError("cannot open storage \(storage): no such file '\(path)'")
    }
  }

  /// The storage as messages show it (a password hidden).
  var shown: String { redactedStorageURL(storage) }

  /// The storage `--storage` names (`validate` made sure it is a shared storage's URL, and an
  /// existing file's for SQLite).
  func open() throws -> any Storage {
    do {
      return try openStorage(storage)
    } catch {
      throw CommandFailure("cannot open storage \(shown): \(error)")
    }
  }

  /// Marks the study's running trials whose worker stopped beating as failed, saying so on
  /// standard error.
  func failStaleTrials(of study: StudyRecord, in storage: any Storage) throws {
    guard grace.isFinite else { return }
    for trial in try storage.failStaleTrials(studyID: study.id, olderThan: grace) {
      printError(
        "tuna: study '\(study.name)': trial \(trial.number) was running without a heartbeat for over "
          + "\(formatValue(grace)) s: marked failed (\(staleTrialFailReason))")
    }
  }

  /// The study named `name`, with its stale trials failed; `CommandFailure` naming the known
  /// studies when there is none.
  func study(named name: String, in storage: any Storage) throws -> StudyRecord {
    guard let study = try storage.study(named: name) else {
      let names = try storage.allStudies().map { "'\($0.name)'" }
      let known = names.isEmpty ? "it holds no studies" : "its studies: " + names.joined(separator: ", ")
      throw CommandFailure("no study named '\(name)' in \(shown): \(known)")
    }
    try failStaleTrials(of: study, in: storage)
    return study
  }
}

/// Where a `--storage` URL points, or a `ValidationError` listing the accepted forms. Refuses
/// in-memory storages, empty in every new process.
func sharedStorageLocation(_ url: String) throws -> StorageLocation {
  let location: StorageLocation
  do { location = try StorageLocation(url) } catch { throw ValidationError("--storage: \(error.description)") }
  guard location.isShared else {
    throw ValidationError(
      "--storage '\(url)' is an in-memory storage, empty in every new process: use \(storageURLForms)")
  }
  return location
}

/// A failure to report on standard error, prefixed with `tuna: `, exiting with `code`.
struct CommandFailure: Error {
  let message: String
  let code: Int32

  init(_ message: String, code: Int32 = 1) {
    self.message = message
    self.code = code
  }
}

/// Runs a command's body: a `CommandFailure` or any other error (a storage's) is printed and
/// becomes exit code 1 (or the failure's own code).
func reportingFailures(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let code as ExitCode {
    throw code
  } catch let failure as CommandFailure {
    printError("tuna: " + failure.message)
    throw ExitCode(failure.code)
  } catch {
    printError("tuna: \(error)")
    throw ExitCode(1)
  }
}

/// Trial states from `complete,pruned` (any case, `failed` for `fail`); nil for all states.
func parseStates(_ text: String?) throws -> Set<TrialState>? {
  guard let text else { return nil }
  var states = Set<TrialState>()
  for part in text.split(separator: ",") {
    var name = part.trimmingCharacters(in: .whitespaces).lowercased()
    if name == "failed" { name = "fail" }
    guard let state = TrialState(rawValue: name) else {
      throw ValidationError(
        "--states takes a comma-separated list of complete, pruned, fail, running, waiting; got '\(part)'")
    }
    states.insert(state)
  }
  guard !states.isEmpty else {
    throw ValidationError("--states takes a comma-separated list of complete, pruned, fail, running, waiting")
  }
  return states
}

/// Writes `text` to standard output.
func writeOutput(_ text: String) {
  FileHandle.standardOutput.write(Data(text.utf8))
}

/// Trial counts by state, in the order tables show them.
let stateOrder: [TrialState] = [.complete, .pruned, .fail, .running, .waiting]

func stateCounts(_ trials: [FrozenTrial]) -> [TrialState: Int] {
  var counts: [TrialState: Int] = [:]
  for t in trials { counts[t.state, default: 0] += 1 }
  return counts
}
