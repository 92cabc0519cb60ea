import Foundation
import TunaTrain

/// The seed's example as a benchmark: scikit-learn's `GridSearchCV(RandomForestClassifier(
/// random_state=42))` over n_estimators {50, 100, 200} × max_depth {5, 10, 15} ×
/// min_samples_split {2, 5, 10} with 5-fold stratified CV (135 forest fits, 15,750 trees on
/// 640-row folds), plus the refit of the best configuration, on the anchor's
/// `make_classification(1000, 10, random_state=42)` data (replayed exactly, see
/// ``SklearnReplica``). The anchor: 24.1 s with n_jobs=1, 13.2 s with n_jobs=2, best CV 0.910.
///
/// Forests run one after another, each growing its trees on every core. Times are wall time
/// (the forests are parallel), best of N; the CV scores are the same in every repetition.
enum ForestBench: Measurement {
  struct Configuration: Codable, Hashable {
    var nEstimators: Int
    var maxDepth: Int
    var minSamplesSplit: Int
  }

  struct GridResult: Codable {
    var configuration: Configuration
    var foldScores: [Double]
    var meanScore: Double
  }

  struct DatasetResults: Codable {
    var dataset: String
    var wallSeconds: [Double]
    /// CPU time of the whole process (all threads) for each run.
    var cpuSeconds: [Double]
    var medianWallSeconds: Double
    var bestWallSeconds: Double
    var grid: [GridResult]
    var best: GridResult
    var testAccuracy: Double
  }

  struct Results: Codable {
    var quick: Bool
    var configurations: Int
    var threads: Int
    var repetitions: Int
    var trees: Int
    var anchor: DatasetResults
    /// The same search on TunaTrain's own `makeClassification` (same recipe, other random
    /// numbers), as a check that the scores are not tuned to one draw.
    var tunaData: DatasetResults?
    /// scikit-learn's wall time for the same search (the anchor), n_jobs = 2.
    var sklearnSeconds = 13.2
    var sklearnBestScore = 0.910
  }

  /// The grid in scikit-learn's `ParameterGrid` order (keys sorted, the last varying fastest);
  /// `quick` keeps only n_estimators 50.
  static func grid(quick: Bool) -> [Configuration] {
    var out: [Configuration] = []
    for depth in [5, 10, 15] {
      for split in [2, 5, 10] {
        for trees in quick ? [50] : [50, 100, 200] {
          out.append(Configuration(nEstimators: trees, maxDepth: depth, minSamplesSplit: split))
        }
      }
    }
    return out
  }

  static func run(_ settings: BenchSettings) throws -> Results {
    let (quick, repetitions) = (settings.quick, settings.repetitions)
    let configurations = grid(quick: quick)
    let anchorData = SklearnReplica.makeClassification()
    let anchor = try search(
      "make_classification(1000, 10, random_state=42), exact", anchorData, configurations,
      repetitions: repetitions)
    var tuna: DatasetResults?
    if !quick {
      let data = try Dataset.makeClassification(nSamples: 1000, nFeatures: 10, seed: 42)
      tuna = try search("Dataset.makeClassification(1000, 10, seed: 42)", data, configurations, repetitions: 1)
    }
    return Results(
      quick: quick, configurations: configurations.count, threads: ProcessInfo.processInfo.activeProcessorCount, repetitions: repetitions,
      trees: configurations.map(\.nEstimators).reduce(0, +) * 5, anchor: anchor, tunaData: tuna)
  }

  /// The grid search on `data` split as the anchor splits it, timed `repetitions` times.
  static func search(
    _ name: String, _ data: Dataset, _ configurations: [Configuration], repetitions: Int
  ) throws -> DatasetResults {
    let (train, test) = SklearnReplica.trainTestSplit(data)
    let folds = SklearnReplica.stratifiedKFold(train.labels).map { (train.subset($0.train), train.subset($0.valid)) }
    var times: [Double] = []
    var cpu: [Double] = []
    var grid: [GridResult] = []
    var testAccuracy = 0.0
    for _ in 0..<max(1, repetitions) {
      var results: [GridResult] = []
      let start = DispatchTime.now().uptimeNanoseconds
      let cpuStart = processCPUSeconds()
      for c in configurations {
        var scores: [Double] = []
        for (foldTrain, foldValid) in folds {
          let forest = try makeForest(c)
          try forest.fit(foldTrain)
          scores.append(try forest.score(foldValid))
        }
        results.append(GridResult(configuration: c, foldScores: scores, meanScore: scores.reduce(0, +) / Double(scores.count)))
      }
      let best = bestResult(results)
      let refit = try makeForest(best.configuration)
      try refit.fit(train)
      testAccuracy = try refit.score(test)
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
      cpu.append(processCPUSeconds() - cpuStart)
      if !grid.isEmpty, grid.map(\.meanScore) != results.map(\.meanScore) {
        throw BenchError("forest grid search: the CV scores changed between repetitions")
      }
      grid = results
    }
    return DatasetResults(
      dataset: name, wallSeconds: times, cpuSeconds: cpu, medianWallSeconds: median(times), bestWallSeconds: times.min() ?? .infinity, grid: grid,
      best: bestResult(grid), testAccuracy: testAccuracy)
  }

  static func makeForest(_ c: Configuration) throws -> RandomForest {
    try RandomForest(
      nEstimators: c.nEstimators, options: TreeOptions(maxDepth: c.maxDepth, minSamplesSplit: c.minSamplesSplit),
      seed: 42)
  }

  /// The highest mean score, the first in grid order among ties (GridSearchCV's rank 1).
  static func bestResult(_ results: [GridResult]) -> GridResult {
    var best = results[0]
    for r in results.dropFirst() where r.meanScore > best.meanScore { best = r }
    return best
  }

  static func tables(_ results: Results, _ settings: BenchSettings) -> [Table] {
    var summary = Table(
      "Random forest grid search (\(results.configurations) configs x 5-fold CV + refit; \(results.trees) CV trees, \(results.threads) threads)",
      headers: ["dataset", "wall s (median)", "best", "cpu s", "vs sklearn n_jobs=2", "best CV", "best params", "CV range", "test acc"],
      leftAligned: [0, 6])
    for d in [results.anchor] + (results.tunaData.map { [$0] } ?? []) {
      let scores = d.grid.map(\.meanScore)
      let c = d.best.configuration
      summary.add(
        d.dataset, fixed(d.medianWallSeconds, 3), fixed(d.bestWallSeconds, 3), fixed(median(d.cpuSeconds), 3),
        results.quick ? "-" : String(format: "%.1fx", results.sklearnSeconds / d.medianWallSeconds),
        fixed(d.best.meanScore, 4), "depth \(c.maxDepth), split \(c.minSamplesSplit), trees \(c.nEstimators)",
        "\(fixed(scores.min() ?? 0, 4))-\(fixed(scores.max() ?? 0, 4))", fixed(d.testAccuracy, 4))
    }
    summary.notes = [
      "anchor (scikit-learn 1.9.1): 24.1 s n_jobs=1, 13.2 s n_jobs=2; best CV 0.910 (depth 10, split 5, trees 50), range 0.8925-0.910, test 0.88",
      "wall times of the \(results.repetitions) runs: " + results.anchor.wallSeconds.map { fixed($0, 3) }.joined(separator: ", "),
    ]
    return [summary]
  }

  /// The CPU time of the process so far, all threads.
  static func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

}
