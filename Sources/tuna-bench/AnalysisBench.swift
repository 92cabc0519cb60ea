import Foundation
import TunaAnalysis
import TunaReport
import TunaSearch
import TunaStore
import TunaTrain

/// What the analyses cost: PED-ANOVA, functional ANOVA (main effects alone and with every pair)
/// on 1,000 and 10,000 trials of 8 parameters, beside the random-forest fit functional ANOVA
/// starts with (its baseline, measured in the same run); and `tuna report` on a 10,000-trial
/// SQLite study beside reading that study's trials.
enum AnalysisBench: Measurement {
  static let pedAnovaTargetMilliseconds = 20.0
  static let fanovaPairsTargetSeconds = 1.0
  static let reportTargetSeconds = 2.0
  static let reportTargetBytes = 5 * 1024 * 1024

  struct Row: Codable {
    var trials: Int
    var parameters: Int
    var task: String
    /// Wall seconds of each repetition.
    var seconds: [Double]
    var medianSeconds: Double
    /// The median over the forest fit's median (same trials, same forest settings).
    var overForestFit: Double?
  }

  struct ReportRow: Codable {
    var trials: Int
    var readSeconds: Double
    var reportSeconds: Double
    var bytes: Int
    var meetsTargets: Bool
  }

  struct Results: Codable {
    var cores: Int
    var rows: [Row]
    var report: ReportRow
    var pedAnovaMeetsTarget: Bool
    var fanovaPairsMeetsTarget: Bool
  }

  /// `count` uniform trials of 8 float parameters; the objective has main effects, a strong pair
  /// (x0 × x1), a weaker one (x2 × x3) and two parameters that do nothing.
  static func trials(count: Int, seed: UInt64) -> [FrozenTrial] {
    var rng = RandomSource(seed: seed)
    let d = try! Distribution.float(0, 1)
    let names = (0..<8).map { "x\($0)" }
    return (0..<count).map { i in
      let x = names.map { _ in rng.uniform(0, 1) }
      let value = 4 * x[0] + 2 * sin(6 * x[1]) + 3 * x[0] * x[1] + x[2] * x[2] + 2 * x[2] * x[3] + 0.5 * x[4] + 0.2 * x[5]
      return FrozenTrial(
        id: i, number: i, state: .complete, values: [value],
        params: Dictionary(uniqueKeysWithValues: zip(names, x.map(ParamValue.float))),
        distributions: Dictionary(uniqueKeysWithValues: names.map { ($0, d) }))
    }
  }

  static func run(_ settings: BenchSettings) throws -> Results {
    let (quick, repetitions) = (settings.quick, settings.repetitions)
    let sizes = quick ? [1_000] : [1_000, 10_000]
    var rows: [Row] = []
    for n in sizes {
      let study = trials(count: n, seed: 1)
      say("  \(n) trials × 8 parameters")
      func time(_ body: () throws -> Void) rethrows -> [Double] {
        try (0..<repetitions).map { _ in try measure(body).wallSeconds }
      }
      let fit = try time {
        // The forest fANOVA fits, alone: the same trials, encoding and settings.
        let x = Matrix(rows: n, cols: 8, data: study.flatMap { t in (0..<8).map { Float(t.params["x\($0)"]!.number!) } })
        let data = Dataset(x: x, y: study.map { Float($0.values![0]) }, task: .regression)
        let forest = try RandomForest(
          nEstimators: 64, options: TreeOptions(maxDepth: 64, maxFeatures: .count(6)), bootstrap: false, seed: 0)
        try forest.fit(data)
      }
      let fitMedian = median(fit)
      rows.append(Row(trials: n, parameters: 8, task: "random forest fit (64 trees)", seconds: fit, medianSeconds: fitMedian))
      let ped = try time { _ = try parameterImportances(study, directions: [.minimize]) }
      rows.append(Row(trials: n, parameters: 8, task: "PED-ANOVA", seconds: ped, medianSeconds: median(ped), overForestFit: median(ped) / fitMedian))
      // Every trial, not the default sample of 5,000: the cost of the decomposition itself.
      var mainOnly = FanovaOptions()
      mainOnly.pairs = false
      mainOnly.maxTrials = nil
      var withPairs = FanovaOptions()
      withPairs.maxTrials = nil
      let main = try time { _ = try FunctionalANOVA(trials: study, target: .objective(0, of: [.minimize]), options: mainOnly) }
      rows.append(Row(trials: n, parameters: 8, task: "fANOVA, main effects", seconds: main, medianSeconds: median(main), overForestFit: median(main) / fitMedian))
      let pairs = try time { _ = try FunctionalANOVA(trials: study, target: .objective(0, of: [.minimize]), options: withPairs) }
      rows.append(Row(trials: n, parameters: 8, task: "fANOVA, main effects + 28 pairs", seconds: pairs, medianSeconds: median(pairs), overForestFit: median(pairs) / fitMedian))
    }
    say("  report of a 10,000-trial SQLite study")
    let report = try reportRow(trials: quick ? 2_000 : 10_000, repetitions: repetitions)
    let at1000 = rows.filter { $0.trials == 1_000 }
    return Results(
      cores: ProcessInfo.processInfo.activeProcessorCount, rows: rows, report: report,
      pedAnovaMeetsTarget: at1000.first { $0.task == "PED-ANOVA" }!.medianSeconds * 1e3 <= pedAnovaTargetMilliseconds,
      fanovaPairsMeetsTarget: at1000.first { $0.task.hasSuffix("pairs") }!.medianSeconds <= fanovaPairsTargetSeconds)
  }

  /// A stored study shaped like a real one — log, int, categorical and conditional parameters,
  /// learning curves, pruned and failed trials — then its report, timed from reading the
  /// trials to the file on disk.
  static func reportRow(trials count: Int, repetitions: Int) throws -> ReportRow {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-bench-report-\(getpid())")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let path = scratch.appendingPathComponent("study.db").path
    let storage = try SQLiteStorage(path: path)
    let study = try Study.create(name: "report", direction: .maximize, sampler: RandomSampler(seed: 3), storage: storage)
    try study.optimize(OptimizeOptions(nTrials: count, catchErrors: true)) { trial in
      let lr = try trial.suggestFloat("lr", 1e-5, 1e-1, log: true)
      let batch = try trial.suggestInt("batch_size", 16, 512, log: true)
      let wd = try trial.suggestFloat("weight_decay", 1e-6, 1e-2, log: true)
      let layers = try trial.suggestInt("layers", 1, 4)
      let act = try trial.suggestCategorical("activation", [.string("relu"), .string("tanh"), .string("gelu")])
      let dropout = act == .string("relu") ? try trial.suggestFloat("dropout", 0, 0.5, step: 0.05) : 0
      let score = 0.95 - 0.02 * pow(log10(lr) + 2.5, 2) - 0.01 * pow(log2(Double(batch)) - 6, 2) * (log10(lr) + 5) / 4
        - 0.005 * Double(layers) * dropout - 0.001 * abs(log10(wd) + 4)
      if trial.number % 97 == 13 { throw BenchError("diverged") }
      for epoch in 1...10 {
        try trial.report(score * (1 - exp(-Double(epoch) / 3)), step: epoch)
        if epoch == 4, score < 0.80 { throw TrialPruned() }
      }
      return [score]
    }
    let record = try storage.study(named: "report")!
    var read: [Double] = []
    var total: [Double] = []
    var bytes = 0
    for _ in 0..<repetitions {
      let output = scratch.appendingPathComponent("report.html").path
      let fresh = try SQLiteStorage(path: path)
      read.append(try measure { _ = try fresh.trials(studyID: record.id, states: nil) }.wallSeconds)
      let again = try SQLiteStorage(path: path)
      total.append(try measure {
        try StudyReport.write([try StudySnapshot(record, in: again)], to: output)
      }.wallSeconds)
      bytes = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
    }
    let seconds = median(total)
    return ReportRow(
      trials: count, readSeconds: median(read), reportSeconds: seconds, bytes: bytes,
      meetsTargets: seconds <= reportTargetSeconds && bytes <= reportTargetBytes)
  }

  static func tables(_ r: Results, _ settings: BenchSettings) -> [Table] {
    var t = Table("Importance and interactions (wall time, median; \(r.cores) cores)", headers: ["trials", "task", "ms", "× forest fit"], leftAligned: [1])
    for row in r.rows {
      t.add(String(row.trials), row.task, String(format: "%.1f", row.medianSeconds * 1e3), row.overForestFit.map { String(format: "%.2f", $0) } ?? "1")
    }
    t.notes.append("targets at 1,000 × 8: PED-ANOVA <= \(Int(pedAnovaTargetMilliseconds)) ms (\(r.pedAnovaMeetsTarget ? "met" : "NOT met")), "
      + "fANOVA with all pairs <= \(Int(fanovaPairsTargetSeconds)) s (\(r.fanovaPairsMeetsTarget ? "met" : "NOT met"))")
    var u = Table("tuna report on a stored study (wall time, median)", headers: ["trials", "read trials s", "report s", "file MB", "targets"])
    u.add(
      String(r.report.trials), String(format: "%.3f", r.report.readSeconds), String(format: "%.3f", r.report.reportSeconds),
      String(format: "%.2f", Double(r.report.bytes) / 1_048_576), r.report.meetsTargets ? "met (<= 2 s, <= 5 MB)" : "NOT met (<= 2 s, <= 5 MB)")
    u.notes.append("report s: reading the study from SQLite, both analyses per objective, every plot, the HTML, the file")
    return [t, u]
  }
}
