import ArgumentParser
import Foundation
import TunaAnalysis
import TunaReport
import TunaSearch

// `tuna importance` and `tuna report`: what a stored study says about its hyperparameters.

/// `--evaluator` of `importance`.
enum EvaluatorOption: String, CaseIterable, ExpressibleByArgument {
  case pedAnova = "ped_anova"
  case fanova

  var evaluator: ImportanceEvaluator { self == .pedAnova ? .pedAnova : .fanova }
}

// MARK: - importance

/// `tuna importance STUDY --storage URL [--evaluator fanova] [--pairs]`.
struct ImportanceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "importance",
    abstract: "Rank a study's hyperparameters by importance, and their pairs by interaction.",
    discussion: """
      Importances come from the complete trials and are normalized to sum to 1 (--raw gives the \
      evaluator's own figures: for fanova, the fraction of the objective's variance each \
      parameter explains alone). ped_anova (the default) compares how the best 10% of trials \
      chose each parameter with how all trials did; fanova fits a random forest and decomposes \
      its variance. --pairs adds every pair's interaction by fanova: the fraction of the \
      variance the pair explains only together, on the scale of raw main effects. A \
      multi-objective study takes --objective N (from 1); without it ped_anova takes the best \
      trials by Pareto rank.
      """
  )

  @Argument(help: "The study's name.")
  var study: String

  @OptionGroup var options: StorageOptions

  @Option(help: "ped_anova or fanova.")
  var evaluator: EvaluatorOption = .pedAnova

  @Flag(help: "Also rank every pair of parameters by their interaction (fanova).")
  var pairs = false

  @Option(help: ArgumentHelp("Only these parameters, comma-separated.", valueName: "names"))
  var params: String?

  @Option(help: ArgumentHelp("The objective to explain in a multi-objective study, from 1.", valueName: "n"))
  var objective: Int?

  @Option(help: "Seed for fanova's forest.")
  var seed: Int64 = 0

  @Flag(help: "Print the evaluator's raw figures instead of normalizing them to sum to 1.")
  var raw = false

  @Option(help: ArgumentHelp("Print at most this many pairs.", valueName: "n"))
  var top: Int?

  @Option(help: "How to print the figures: table or json.")
  var format: ImportanceFormat = .table

  func validate() throws {
    if let objective, objective < 1 { throw ValidationError("--objective counts from 1, got \(objective)") }
    if let top, top < 0 { throw ValidationError("--top must be >= 0, got \(top)") }
    if top != nil, !pairs { throw ValidationError("--top limits the pairs: add --pairs") }
  }

  func run() throws {
    try reportingFailures {
      let storage = try options.open()
      let record = try options.study(named: study, in: storage)
      let trials = try storage.trials(studyID: record.id, states: nil)
      var settings = ImportanceOptions(evaluator: evaluator.evaluator)
      settings.seed = UInt64(bitPattern: seed)
      settings.normalize = !raw
      settings.params = params.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
      if let objective {
        guard objective <= record.directions.count else {
          throw CommandFailure("--objective \(objective): study '\(record.name)' has \(record.directions.count) objective\(record.directions.count == 1 ? "" : "s")")
        }
        settings.target = try AnalysisTarget.objective(objective - 1, of: record.directions)
      } else if record.directions.count > 1, evaluator == .fanova || pairs {
        throw CommandFailure(
          "study '\(record.name)' has \(record.directions.count) objectives: fanova needs --objective N (1 to \(record.directions.count))")
      }
      let complete = trials.filter { $0.state == .complete }.count
      let ranked = try parameterImportances(trials, directions: record.directions, options: settings)
      var interactions: [PairEffect] = []
      if pairs {
        var fanova = settings.fanova
        fanova.pairs = true
        interactions = try parameterInteractions(
          trials, directions: record.directions, params: settings.params, target: settings.target, options: fanova)
        if let top { interactions = Array(interactions.prefix(top)) }
      }
      switch format {
      case .table:
        var text = "Importance of \(ranked.count) parameter\(ranked.count == 1 ? "" : "s") in study '\(record.name)' "
          + "(\(evaluator.rawValue), \(raw ? "raw" : "normalized"); \(complete) complete trial\(complete == 1 ? "" : "s"))\n"
        if (evaluator == .fanova || pairs), let cap = settings.fanova.maxTrials, complete > cap {
          text += "fanova learned from a random sample of \(cap) of them (seed \(seed))\n"
        }
        let withStd = evaluator == .fanova
        var table = TextTable(header: ["parameter", "importance"] + (withStd ? ["± over trees"] : []), rightAligned: [false, true, true])
        for item in ranked {
          table.rows.append([item.name, String(format: "%.4f", item.importance)] + (withStd ? [String(format: "%.4f", item.std ?? 0)] : []))
        }
        text += table.render()
        if pairs {
          text += "\nInteractions (fanova: fraction of variance beyond the main effects)\n"
          var pairTable = TextTable(header: ["pair", "interaction", "± over trees"], rightAligned: [false, true, true])
          for pair in interactions {
            pairTable.rows.append(["\(pair.first) × \(pair.second)", String(format: "%.4f", pair.effect.fraction), String(format: "%.4f", pair.effect.std)])
          }
          text += interactions.isEmpty ? "  (none: fewer than 2 parameters or 2 complete trials)\n" : pairTable.render()
        }
        writeOutput(text)
      case .json:
        var members: [(String, JSONValue)] = [
          ("study", .string(record.name)), ("evaluator", .string(evaluator.rawValue)), ("normalized", .bool(!raw)),
          ("objective", objective.map { .int($0) } ?? .null), ("complete_trials", .int(complete)),
          ("importances", .array(ranked.map { item in
            .object([("name", .string(item.name)), ("importance", .double(item.importance))]
              + (item.std.map { [("std", JSONValue.double($0))] } ?? []))
          })),
        ]
        if evaluator == .fanova || pairs {
          members.append(("fanova_trials", .int(min(complete, settings.fanova.maxTrials ?? complete))))
        }
        if pairs {
          members.append(("interactions", .array(interactions.map { pair in
            .object([("a", .string(pair.first)), ("b", .string(pair.second)), ("fraction", .double(pair.effect.fraction)), ("std", .double(pair.effect.std))])
          })))
        }
        writeOutput(JSONValue.object(members).text + "\n")
      }
    }
  }
}

/// `--format` of `importance`.
enum ImportanceFormat: String, CaseIterable, ExpressibleByArgument {
  case table, json
}

// MARK: - report

/// `tuna report STUDY --storage URL -o report.html`.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a study's report: one self-contained HTML file.",
    discussion: """
      The report holds the study's summary and best trial, which hyperparameters mattered and \
      which interacted (fanova and ped_anova), the optimization history, slices of the most \
      important parameters, a contour of the strongest interaction, parallel coordinates, \
      intermediate values, the Pareto front of a multi-objective study, a timeline and the \
      trials table. It opens from disk in any browser, with no network and no script. Several \
      studies make one page with a section each.
      """
  )

  @Argument(help: "The studies' names.")
  var studies: [String]

  @OptionGroup var options: StorageOptions

  @Option(name: [.short, .long], help: ArgumentHelp("The HTML file to write.", valueName: "file"))
  var output: String = "report.html"

  @Option(help: "Seed for the analyses and for the samples big studies draw.")
  var seed: Int64 = 0

  func validate() throws {
    guard !studies.isEmpty else { throw ValidationError("name at least one study") }
  }

  func run() throws {
    try reportingFailures {
      let storage = try options.open()
      let snapshots = try studies.map { name in try StudySnapshot(try options.study(named: name, in: storage), in: storage) }
      var settings = ReportOptions()
      settings.seed = UInt64(bitPattern: seed)
      try StudyReport.write(snapshots, to: output, options: settings)
      let count = snapshots.reduce(0) { $0 + $1.trials.count }
      writeOutput("Wrote \(output) (\(count) trial\(count == 1 ? "" : "s")).\n")
    }
  }
}
