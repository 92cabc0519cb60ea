import ArgumentParser
import Foundation
import TunaSearch

/// `tuna trials STUDY --storage URL`: the study's trials in number order.
struct TrialsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trials",
    abstract: "List a study's trials.",
    discussion: """
      The trials in number order: number, state, value (values_0, values_1, … for a \
      multi-objective study), duration, and one column per parameter. csv names the \
      parameter columns params_NAME and writes full-precision numbers and durations in \
      seconds; json gives an array \
      of objects that also hold the start and end times (ISO 8601, UTC), the intermediate \
      values, the user and system attributes and a failed trial's fail_reason. \
      --intermediate lists the intermediate values instead: one row per trial and step.
      """
  )

  @Argument(help: "The study's name.")
  var study: String

  @OptionGroup var options: StorageOptions

  @Option(help: "Only trials in these states, comma-separated: complete, pruned, fail, running, waiting.")
  var states: String?

  @Option(help: "How to print the trials: table, csv or json.")
  var format: ListFormat = .table

  @Flag(help: "List the intermediate values (learning curves) instead: one row per trial and step.")
  var intermediate = false

  func validate() throws { _ = try parseStates(states) }

  func run() throws {
    try reportingFailures {
      let storage = try options.open()
      let record = try options.study(named: study, in: storage)
      let trials = try storage.trials(studyID: record.id, states: try parseStates(states))
      if intermediate { return writeOutput(intermediateText(trials)) }
      let objectives = record.directions.count
      let valueNames = objectives == 1 ? ["value"] : (0..<objectives).map { "values_\($0)" }
      let paramNames = Set(trials.flatMap(\.params.keys)).sorted()
      func values(_ t: FrozenTrial) -> [Double?] {
        guard let v = t.values, v.count == objectives else { return Array(repeating: nil, count: objectives) }
        return v
      }
      func seconds(_ t: FrozenTrial) -> Double? { durationMicroseconds(t).map { Double($0) / 1e6 } }

      switch format {
      case .table:
        let numericParams = paramNames.map { name in trials.allSatisfy { $0.params[name].map { $0.number != nil } ?? true } }
        var table = TextTable(
          header: ["number", "state"] + valueNames + ["duration"] + paramNames,
          rightAligned: [true, false] + valueNames.map { _ in true } + [true] + numericParams)
        for t in trials {
          table.rows.append(
            [String(t.number), t.state.rawValue] + values(t).map { $0.map(formatValue) ?? "-" }
              + [seconds(t).map(formatDuration) ?? "-"]
              + paramNames.map { t.params[$0].map(formatParam) ?? "-" })
        }
        writeOutput(table.render())
      case .csv:
        let columns = paramNames.map { name in trials.map { t in t.params[name].map(Cell.init) ?? .missing } }
        let asFloat = columns.map(isFloatColumn)
        let rows = trials.enumerated().map { i, t in
          [String(t.number), t.state.rawValue] + values(t).map { $0.map { Cell.float($0).csvText(asFloat: true) } ?? "" }
            + [seconds(t).map { String(format: "%.6f", $0) } ?? ""]
            + columns.indices.map { columns[$0][i].csvText(asFloat: asFloat[$0]) }
        }
        writeOutput(csvText(header: ["number", "state"] + valueNames + ["duration"] + paramNames.map { "params_" + $0 }, rows: rows))
      case .json:
        writeOutput(jsonLines(trials.map { t in
          let value: (String, JSONValue) =
            objectives == 1 ? ("value", t.values?.count == 1 ? .double(t.values![0]) : .null) : ("values", JSONValue(t.values))
          return .object([
            ("number", .int(t.number)), ("state", .string(t.state.rawValue)), value,
            ("datetime_start", t.datetimeStart.map { .string($0.isoTimestamp) } ?? .null),
            ("datetime_complete", t.datetimeComplete.map { .string($0.isoTimestamp) } ?? .null),
            ("duration", seconds(t).map(JSONValue.double) ?? .null),
            ("params", .object(t.params.keys.sorted().map { ($0, JSONValue(t.params[$0]!)) })),
            ("intermediate_values", intermediateJSON(t)),
            ("user_attrs", JSONValue(AttrValue.object(t.userAttrs))),
            ("system_attrs", JSONValue(AttrValue.object(t.systemAttrs))),
            ("fail_reason", t.failReason.map(JSONValue.string) ?? .null),
          ])
        }))
      }
    }
  }

  /// The trials' intermediate values, one row per trial and step, in the chosen format.
  private func intermediateText(_ trials: [FrozenTrial]) -> String {
    let rows = trials.flatMap { t in t.intermediateValues.keys.sorted().map { (t, $0, t.intermediateValues[$0]!) } }
    switch format {
    case .table:
      var table = TextTable(header: ["number", "state", "step", "value"], rightAligned: [true, false, true, true])
      for (t, step, value) in rows { table.rows.append([String(t.number), t.state.rawValue, String(step), formatValue(value)]) }
      return table.render()
    case .csv:
      return csvText(
        header: ["number", "state", "step", "value"],
        rows: rows.map { t, step, value in [String(t.number), t.state.rawValue, String(step), Cell.float(value).csvText(asFloat: true)] })
    case .json:
      return jsonLines(rows.map { t, step, value in
        .object([("number", .int(t.number)), ("state", .string(t.state.rawValue)), ("step", .int(step)), ("value", .double(value))])
      })
    }
  }
}
