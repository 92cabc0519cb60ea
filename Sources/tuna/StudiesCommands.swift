import ArgumentParser
import Foundation
import TunaSearch

// `tuna studies`, `tuna trials`, `tuna best`, `tuna export`, `tuna delete`: reading (and
// deleting) the studies in a storage that `tuna run` wrote. Exit codes: 0 success, 1 failure
// (an unknown study, an unreadable storage), 2 bad usage.

// MARK: - studies

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

// MARK: - trials

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

/// A trial's intermediate values as a JSON object of step (as text, JSON's keys) to value, in
/// step order.
func intermediateJSON(_ t: FrozenTrial) -> JSONValue {
  .object(t.intermediateValues.keys.sorted().map { (String($0), .double(t.intermediateValues[$0]!)) })
}

/// A duration for people: `0.4ms`, `2.25s`, `3m05s`, `1h02m03s`.
func formatDuration(_ seconds: Double) -> String {
  if seconds < 1 { return String(format: "%.1fms", seconds * 1000) }
  if seconds < 60 { return String(format: "%.2fs", seconds) }
  let whole = Int(seconds.rounded())
  if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
  return String(format: "%dh%02dm%02ds", whole / 3600, whole / 60 % 60, whole % 60)
}

/// A finished trial's duration in whole microseconds, from its start and end as pandas would
/// hold them.
func durationMicroseconds(_ t: FrozenTrial) -> Int64? {
  guard let start = t.datetimeStart, let end = t.datetimeComplete else { return nil }
  return microseconds(end) - microseconds(start)
}

// MARK: - best

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

// MARK: - export

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

// MARK: - delete

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
