import Foundation
import TunaTrain

/// Training throughput of the neural-network core: the two cases of anchors.md, measured as
/// samples per second of the training loop (wall time of `fit` without validation data; the
/// accuracy is measured after, untimed), with OpenBLAS's default thread count.
enum TrainBench: Measurement {
  /// The digits MLP must train at ≥ 2× scikit-learn's MLPClassifier (OpenBLAS 1 thread).
  static let digitsTarget = 2 * 127_700.0
  static let digitsAccuracyTarget = 0.95
  /// The wide MLP must train at ≥ 0.8× PyTorch with one thread.
  static let wideTarget = 0.8 * 63_800.0

  struct Case: Codable {
    var name: String
    /// OpenBLAS threads during the run: its default, or 1 for the comparison row.
    var blasThreads: Int
    var layers: [Int]
    var trainRows: Int
    var validRows: Int
    var epochs: Int
    var batchSize: Int
    /// Wall seconds of each run's `fit`, in run order.
    var seconds: [Double]
    /// Process CPU seconds (all threads) of each run's `fit`.
    var cpuSeconds: [Double]
    /// trainRows · epochs / the median (and the best) of `seconds`.
    var samplesPerSecond: Double
    var bestSamplesPerSecond: Double
    /// trainRows · epochs / the median of `cpuSeconds`: steadier than wall time on a shared
    /// machine; lower than the wall figure when BLAS threads run in parallel (or spin).
    var cpuSamplesPerSecond: Double
    /// Validation accuracy of each run (seeds 0, 1, …).
    var validAccuracies: [Double]
    var targetSamplesPerSecond: Double
    var meetsTarget: Bool
    var accuracyTarget: Double?
    var meetsAccuracyTarget: Bool?
  }

  /// A figure measured elsewhere (anchors.md), printed for reference only.
  struct Anchor: Codable {
    var name: String
    var caseName: String
    var samplesPerSecond: Double
    var validAccuracy: Double?
    /// Threads it ran with: shown under the Tuna row of the same kind (1, or the default).
    var threads: Int
  }

  struct Results: Codable {
    var cases: [Case]
    var anchors: [Anchor]
    var blasThreads: Int
    var timer = "wall time of fit (training loop only), median of N runs with seeds 0..N-1"
  }

  static let anchors = [
    Anchor(name: "scikit-learn MLPClassifier, OpenBLAS 1 thread", caseName: "digits", samplesPerSecond: 127_700, validAccuracy: 0.978, threads: 1),
    Anchor(name: "scikit-learn MLPClassifier, default threads", caseName: "digits", samplesPerSecond: 118_500, validAccuracy: 0.978, threads: 2),
    Anchor(name: "PyTorch, 1 thread, hand-rolled batches", caseName: "digits", samplesPerSecond: 98_000, validAccuracy: 0.978, threads: 1),
    Anchor(name: "PyTorch, 1 thread", caseName: "wide", samplesPerSecond: 63_800, threads: 1),
    Anchor(name: "PyTorch, 2 threads", caseName: "wide", samplesPerSecond: 82_800, threads: 2),
  ]

  static func run(_ settings: BenchSettings) throws -> Results {
    let (quick, repetitions) = (settings.quick, settings.repetitions)
    let digits = try standardizedSplit(Dataset.load("digits"))
    let wideData = try Dataset.makeClassification(
      nSamples: quick ? 5_000 : 20_000, nFeatures: 256, nInformative: 32, nClasses: 10, seed: 0)
    let wide = try standardizedSplit(wideData)
    func both() throws -> [Case] {
      [
        try measure(
          "digits", digits, hidden: [128, 128], batchSize: 64, epochs: 50, repetitions: repetitions,
          target: digitsTarget, accuracyTarget: digitsAccuracyTarget),
        try measure(
          "wide", wide, hidden: [256, 256], batchSize: 128, epochs: quick ? 2 : 5, repetitions: repetitions,
          target: wideTarget, accuracyTarget: nil),
      ]
    }
    // OpenBLAS's default first (what `fit` runs with), then one thread for comparison: on a
    // small shared machine the default's second thread can cost more than it brings.
    let defaultThreads = BLAS.threads
    var cases = try both()
    if defaultThreads > 1 {
      BLAS.setThreads(1)
      defer { BLAS.setThreads(defaultThreads) }
      cases += try both()
    }
    return Results(cases: cases, anchors: anchors, blasThreads: defaultThreads)
  }

  /// 80/20 stratified split (seed 0), standardized on the training part, as anchors.md.
  private static func standardizedSplit(_ data: Dataset) throws -> (train: Dataset, valid: Dataset) {
    let (train, valid) = try data.split(testSize: 0.2, stratify: true, seed: 0)
    let scaled = try standardize(train, valid)
    return (scaled[0], scaled[1])
  }

  private static func measure(
    _ name: String, _ data: (train: Dataset, valid: Dataset), hidden: [Int], batchSize: Int, epochs: Int,
    repetitions: Int, target: Double, accuracyTarget: Double?
  ) throws -> Case {
    var seconds: [Double] = []
    var cpuSeconds: [Double] = []
    var accuracies: [Double] = []
    for rep in 0..<max(1, repetitions) {
      let net = try MLP(MLPConfig(hidden: hidden, activation: .relu))
      let options = FitOptions(
        epochs: epochs, batchSize: batchSize, seed: UInt64(rep), optimizer: OptimizerConfig(kind: .adam, lr: 1e-3))
      let start = DispatchTime.now().uptimeNanoseconds
      let cpuStart = processCPUSeconds()
      let result = try fit(net, data.train, options: options)
      cpuSeconds.append(processCPUSeconds() - cpuStart)
      seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
      guard result.epochs == epochs, result.trainLoss.isFinite else {
        throw BenchError("\(name): \(result.epochs) epochs, train loss \(result.trainLoss)")
      }
      accuracies.append(try net.evaluate(data.valid)["accuracy"] ?? .nan)
    }
    let samples = Double(data.train.nSamples * epochs)
    let rate = samples / median(seconds)
    let cpuMedian = median(cpuSeconds)
    let worstAccuracy = accuracies.min() ?? .nan
    return Case(
      name: name, blasThreads: BLAS.threads, layers: [data.train.nFeatures] + hidden + [data.train.nClasses], trainRows: data.train.nSamples,
      validRows: data.valid.nSamples, epochs: epochs, batchSize: batchSize, seconds: seconds, cpuSeconds: cpuSeconds,
      samplesPerSecond: rate, bestSamplesPerSecond: samples / (seconds.min() ?? .infinity),
      cpuSamplesPerSecond: samples / cpuMedian,
      validAccuracies: accuracies, targetSamplesPerSecond: target, meetsTarget: rate >= target,
      accuracyTarget: accuracyTarget, meetsAccuracyTarget: accuracyTarget.map { worstAccuracy >= $0 })
  }

  private static func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  // MARK: Tables

  static func tables(_ results: Results, _ settings: BenchSettings) -> [Table] {
    var table = Table(
      "Training throughput: MLP, ReLU, softmax cross-entropy, Adam lr 1e-3 (samples/s of the training loop)",
      headers: ["case", "layers", "batch × epochs", "samples/s", "best", "per CPU s", "valid acc", "target / reference"],
      leftAligned: [0, 1, 7])
    for c in results.cases.sorted(by: { ($0.name, -$0.blasThreads) < ($1.name, -$1.blasThreads) }) {
      let accuracy = c.validAccuracies.min().map { fixed($0, 3) } ?? "—"
      var note = "target ≥ \(grouped(Int(c.targetSamplesPerSecond))): \(verdict(c.meetsTarget))"
      if let t = c.accuracyTarget, let met = c.meetsAccuracyTarget { note += "; acc ≥ \(fixed(t, 2)): \(verdict(met))" }
      table.add(
        "\(c.name) (Tuna, BLAS \(c.blasThreads) thread\(c.blasThreads == 1 ? "" : "s"))", c.layers.map(String.init).joined(separator: "→"), "\(c.batchSize) × \(c.epochs)",
        grouped(Int(c.samplesPerSecond.rounded())), grouped(Int(c.bestSamplesPerSecond.rounded())),
        grouped(Int(c.cpuSamplesPerSecond.rounded())), accuracy, note)
      for a in results.anchors where a.caseName == c.name && (a.threads == 1) == (c.blasThreads == 1) {
        table.add(
          "\(c.name): \(a.name) [reference]", "", "", grouped(Int(a.samplesPerSecond)), "", "",
          a.validAccuracy.map { fixed($0, 3) } ?? "",
          "anchors.md, not measured here; Tuna ÷ it = \(fixed(c.samplesPerSecond / a.samplesPerSecond, 2))")
      }
    }
    let digits = results.cases.first { $0.name == "digits" }
    table.notes = [
      "samples/s = training rows × epochs / median wall time of fit (no validation inside), \(settings.repetitions) runs, seeds 0…\(settings.repetitions - 1);",
      "best = the fastest run; per CPU s = the same per second of process CPU time (all threads), steadier on a shared machine.",
      "valid acc = the lowest of those runs, measured after training. BLAS \(results.blasThreads) threads = OpenBLAS's default, what fit uses;",
      "the 1-thread rows set OpenBLAS to one thread for the comparison. Each reference sits under the Tuna row with like threads.",
      "Data: digits \(digits.map { "\($0.trainRows)/\($0.validRows)" } ?? "") rows (80/20 stratified split, seed 0, standardized on train);"
        + " wide = makeClassification(256 features, 32 informative, 10 classes, seed 0), same split.",
      "Targets: digits ≥ 2 × scikit-learn's 127,700 (OpenBLAS 1 thread) with accuracy ≥ 0.95; wide ≥ 0.8 × PyTorch 1 thread's 63,800.",
      "Reference figures were measured on another machine of this kind (±30%).",
    ]
    return [table]
  }
}
