import ArgumentParser
import Foundation
import TunaSearch

/// `tuna best STUDY --storage URL`: the best trial, or the Pareto front.
struct BestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "best",
    abstract: "Show a study's best trial, or its Pareto front.",
    discussion: """
      A single-objective study's best complete trial: its number, value and params. A \
      multi-objective study's Pareto front: the complete trials no other complete trial \
      dominates, in number order. --format json gives an object {number, value, params, \
      user_attrs}, or for the Pareto front an array of {number, values, params, user_attrs}. \
      Exits 1 when the study has no complete trial.
      """
  )

  @Argument(help: "The study's name.")
  var study: String

  @OptionGroup var options: StorageOptions

  @Option(help: "How to print the trial: text or json.")
  var format: BestFormat = .text

  func run() throws {
    try reportingFailures {
      let storage = try options.open()
      let record = try options.study(named: study, in: storage)
      func json(_ t: FrozenTrial, _ value: (String, JSONValue)) -> JSONValue {
        .object([
          ("number", .int(t.number)), value,
          ("params", .object(t.params.keys.sorted().map { ($0, JSONValue(t.params[$0]!)) })),
          ("user_attrs", JSONValue(AttrValue.object(t.userAttrs))),
        ])
      }
      if record.directions.count == 1 {
        guard let best = try storage.bestTrial(studyID: record.id), let value = best.value else {
          throw CommandFailure("study '\(record.name)' has no complete trial yet")
        }
        switch format {
        case .text:
          var text = "Best value: \(formatValue(value)) (trial \(best.number))\n"
          if !best.params.isEmpty {
            text += "Best params:\n" + best.params.keys.sorted().map { "  \($0) = \(formatParam(best.params[$0]!))\n" }.joined()
          }
          writeOutput(text)
        case .json:
          writeOutput(json(best, ("value", .double(value))).text + "\n")
        }
      } else {
        let front = paretoFront(completeTrials(try storage.trials(studyID: record.id, states: [.complete]), record), directions: record.directions)
        guard !front.isEmpty else { throw CommandFailure("study '\(record.name)' has no complete trial yet") }
        switch format {
        case .text:
          let directions = record.directions.map(\.rawValue).joined(separator: ", ")
          var text = "Pareto front (\(directions)): \(front.count) trial\(front.count == 1 ? "" : "s")\n"
          for t in front {
            let values = (t.values ?? []).map(formatValue).joined(separator: ", ")
            text += "  trial \(t.number): [\(values)]" + (t.params.isEmpty ? "" : " " + formatParams(t.params)) + "\n"
          }
          writeOutput(text)
        case .json:
          writeOutput(jsonLines(front.map { json($0, ("values", JSONValue($0.values))) }))
        }
      }
    }
  }
}
