import ArgumentParser
import Foundation
import TunaSearch

/// `tuna studies --storage URL`: one line per study.
struct StudiesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "studies",
    abstract: "List the studies in a storage.",
    discussion: """
      One line per study: its name, direction(s), trial counts by state, and its best value \
      (the size of its Pareto front for a multi-objective study). --format json gives an \
      array of objects with the same facts and the studies' user attributes.
      """
  )

  @OptionGroup var options: StorageOptions

  @Option(help: "How to print the list: table, csv or json.")
  var format: ListFormat = .table

  func run() throws {
    try reportingFailures {
      let storage = try options.open()
      var header = ["name", "directions", "trials"] + stateOrder.map(\.rawValue)
      var table = TextTable(header: header + ["best"], rightAligned: [false, false] + Array(repeating: true, count: 6) + [false])
      var csvRows: [[String]] = []
      var items: [JSONValue] = []
      for study in try storage.allStudies() {
        try options.failStaleTrials(of: study, in: storage)
        let trials = try storage.trials(studyID: study.id, states: nil)
        let counts = stateCounts(trials)
        let directions = study.directions.map(\.rawValue)
        var best: FrozenTrial?
        var front: [FrozenTrial]?
        if study.directions.count == 1 {
          best = try storage.bestTrial(studyID: study.id)
        } else {
          front = paretoFront(completeTrials(trials, study), directions: study.directions)
        }
        let bestText =
          if let best, let value = best.value { "\(formatValue(value)) (trial \(best.number))" }
          else if let front, !front.isEmpty { "Pareto front of \(front.count)" }
          else { "-" }
        table.rows.append(
          [study.name, directions.joined(separator: ", "), String(trials.count)]
            + stateOrder.map { String(counts[$0] ?? 0) } + [bestText])
        csvRows.append(
          [study.name, directions.joined(separator: ","), String(trials.count)]
            + stateOrder.map { String(counts[$0] ?? 0) }
            + [best.map { String($0.number) } ?? "", best?.value.map(pythonFloat) ?? "", front.map { String($0.count) } ?? ""])
        let attrs = try storage.studyUserAttrs(studyID: study.id)
        items.append(.object(
          [("name", .string(study.name)), ("directions", .array(directions.map(JSONValue.string))),
           ("trials", .int(trials.count))]
            + stateOrder.map { ($0.rawValue, .int(counts[$0] ?? 0)) }
            + [("best_trial", best.map { .int($0.number) } ?? .null),
               ("best_value", best?.value.map(JSONValue.double) ?? .null),
               ("pareto_front_size", front.map { .int($0.count) } ?? .null),
               ("user_attrs", JSONValue(AttrValue.object(attrs)))]))
      }
      switch format {
      case .table: writeOutput(table.render())
      case .csv:
        header += ["best_trial", "best_value", "pareto_front_size"]
        writeOutput(csvText(header: header, rows: csvRows))
      case .json: writeOutput(jsonLines(items))
      }
    }
  }
}

/// The complete trials with one value per objective: those the Pareto front is made of.
func completeTrials(_ trials: [FrozenTrial], _ study: StudyRecord) -> [FrozenTrial] {
  trials.filter { $0.state == .complete && $0.values?.count == study.directions.count }
}
