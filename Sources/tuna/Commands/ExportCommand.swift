import ArgumentParser
import Foundation
import TunaSearch

/// `tuna export STUDY --storage URL --format csv|json`: the columns of Optuna's
/// `trials_dataframe()`.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a study's trials as CSV or JSON, in the columns of Optuna's trials_dataframe().",
    discussion: """
      Columns, as Optuna's study.trials_dataframe().to_csv(index=False) writes them: number, \
      value (values_0, values_1, … for a multi-objective study), datetime_start, \
      datetime_complete, duration, params_NAME…, user_attrs_NAME…, state. Datetimes are ISO \
      8601 in UTC with microseconds (2026-11-30T16:01:02.123456Z: pandas reads them as \
      time-zone-aware times, where Optuna writes naive local ones); duration is pandas \
      Timedelta text (0 days 00:00:01.234567), empty for unfinished trials. State \
      is COMPLETE, PRUNED, FAIL, RUNNING or WAITING. Numbers are Python reprs (3.0, 1e-05; integers as floats in a \
      column pandas holds as floats: one with a missing value or a float), \
      booleans True and False, a missing value or NaN an empty field, list and table user \
      attributes JSON text. CSV follows RFC 4180 (fields with commas, quotes or line breaks \
      are quoted) with newline line ends. json gives an array of objects with the same keys, \
      the same texts for datetimes and duration, and null for missing values, plus each \
      trial's intermediate_values (an object of step to value).
      """
  )

  @Argument(help: "The study's name.")
  var study: String

  @OptionGroup var options: StorageOptions

  @Option(help: "csv or json.")
  var format: ExportFormat = .csv

  @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
  var output: String?

  @Option(help: "Only trials in these states, comma-separated: complete, pruned, fail, running, waiting.")
  var states: String?

  func validate() throws { _ = try parseStates(states) }

  func run() throws {
    try reportingFailures {
      let storage = try options.open()
      let record = try options.study(named: study, in: storage)
      let trials = try storage.trials(studyID: record.id, states: try parseStates(states))
      let (header, columns) = exportColumns(trials, objectives: record.directions.count)
      let text: String
      switch format {
      case .csv:
        let asFloat = columns.map(isFloatColumn)
        let rows = trials.indices.map { i in columns.indices.map { columns[$0][i].csvText(asFloat: asFloat[$0]) } }
        text = csvText(header: header, rows: rows)
      case .json:
        text = jsonLines(trials.indices.map { i in
          .object(header.indices.map { (header[$0], columns[$0][i].json) } + [("intermediate_values", intermediateJSON(trials[i]))])
        })
      }
      if let output {
        do {
          try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
          throw CommandFailure("cannot write \(output): \(error.localizedDescription)")
        }
      } else {
        writeOutput(text)
      }
    }
  }
}

/// The export's column names and, per column, one cell per trial.
func exportColumns(_ trials: [FrozenTrial], objectives: Int) -> (header: [String], columns: [[Cell]]) {
  var header: [String] = ["number"]
  var columns: [[Cell]] = [trials.map { .int($0.number) }]
  for i in 0..<objectives {
    header.append(objectives == 1 ? "value" : "values_\(i)")
    columns.append(trials.map { t in t.values.flatMap { $0.count == objectives ? Cell.float($0[i]) : nil } ?? .missing })
  }
  header += ["datetime_start", "datetime_complete", "duration"]
  for texts in [exportDatetimes(trials.map(\.datetimeStart)), exportDatetimes(trials.map(\.datetimeComplete)),
                pandasTimedeltas(trials.map(durationMicroseconds))] {
    columns.append(texts.map { $0.map(Cell.string) ?? .missing })
  }
  for name in Set(trials.flatMap(\.params.keys)).sorted() {
    header.append("params_" + name)
    columns.append(trials.map { t in t.params[name].map(Cell.init) ?? .missing })
  }
  for key in Set(trials.flatMap(\.userAttrs.keys)).sorted() {
    header.append("user_attrs_" + key)
    columns.append(trials.map { t in t.userAttrs[key].map(Cell.init) ?? .missing })
  }
  header.append("state")
  columns.append(trials.map { .string($0.state.rawValue.uppercased()) })
  return (header, columns)
}
