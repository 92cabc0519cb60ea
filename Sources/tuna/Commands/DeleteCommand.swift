import ArgumentParser
import Foundation
import TunaSearch

/// `tuna delete STUDY --storage URL [--yes]`.
struct DeleteCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "delete",
    abstract: "Delete a study and all its trials.",
    discussion: """
      Asks for confirmation when standard input is a terminal; elsewhere --yes is required \
      (exit 2 without it). Answering anything but y or yes keeps the study (exit 1).
      """
  )

  @Argument(help: "The study's name.")
  var study: String

  @OptionGroup var options: StorageOptions

  @Flag(name: [.short, .long], help: "Delete without asking.")
  var yes = false

  func validate() throws {
    if !yes, isatty(STDIN_FILENO) != 1 {
      throw ValidationError("standard input is not a terminal, so nobody can confirm: pass --yes to delete study '\(study)'")
    }
  }

  func run() throws {
    try reportingFailures {
      let storage = try options.open()
      let record = try options.study(named: study, in: storage)
      let trials = try storage.trials(studyID: record.id, states: nil)
      let counts = stateCounts(trials)
      let summary = "\(trials.count) trial\(trials.count == 1 ? "" : "s")"
        + (trials.isEmpty ? "" : " (" + stateOrder.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ") + ")")
      if !yes {
        FileHandle.standardError.write(Data("Delete study '\(record.name)' and its \(summary) from \(options.shown)? [y/N] ".utf8))
        let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else { throw CommandFailure("kept study '\(record.name)'") }
      }
      try storage.deleteStudy(studyID: record.id)
      writeOutput("Deleted study '\(record.name)' and its \(summary).\n")
    }
  }
}
