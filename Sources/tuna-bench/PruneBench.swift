import Foundation
import TunaSearch
import TunaTrain

/// What pruning saves when TPE tunes the digits MLP: the same study run without a pruner and
/// with each of the median pruner, ASHA and Hyperband, same sampler seed, counting the epochs
/// trained, the wall time and the best validation accuracy reached.
///
/// The search space, the data preparation and the training loop mirror the peer measurement
/// (anchors/e2e_tuning.py, anchors.md "End to end"): Adam on an MLP with two hidden layers of
/// the same width; lr 1e-4…1e-1 (log), batch size 16…256 (log int), weight decay 1e-6…1e-2 (log,
/// PyTorch's L2-coupled), beta1 0.8…0.99, width 32…256 (log int); digits split 80/20
/// (stratified, seed 0) and standardized on the training part; the validation accuracy reported
/// after every epoch; the objective is the accuracy after the last epoch (maximized); weights and
/// shuffling seeded by the trial number.
enum PruneBench {
  /// Pruning must cut the total epochs by at least this share (percent)…
  static let epochsCutTarget = 50.0
  /// …with the best validation accuracy no more than this many percentage points below the
  /// unpruned study's (medians over the seeds of the per-seed differences).
  static let accuracyTolerance = 0.5

  /// The study sizes.
  struct Sizes: Codable {
    var trials: Int
    var epochs: Int
    var seeds: Int
  }

  static func sizes(quick: Bool, seeds: Int?) -> Sizes {
    quick ? Sizes(trials: 8, epochs: 5, seeds: seeds ?? 1) : Sizes(trials: 40, epochs: 20, seeds: seeds ?? 3)
  }

  /// A pruner as a user would set it up; nil = no pruner.
  struct Entry: Sendable {
    let name: String
    let setting: String
    let make: @Sendable (_ epochs: Int) throws -> (any Pruner)?
  }

  static let entries = [
    Entry(name: "none", setting: "no pruner") { _ in nil },
    Entry(name: "median", setting: "PercentilePruner.median(nStartupTrials: 5, nWarmupSteps: 0)") { _ in
      try PercentilePruner.median(nStartupTrials: 5, nWarmupSteps: 0)
    },
    Entry(name: "asha", setting: "SuccessiveHalvingPruner(minResource: .steps(1), reductionFactor: 4)") { _ in
      try SuccessiveHalvingPruner(minResource: .steps(1), reductionFactor: 4)
    },
    Entry(name: "hyperband", setting: "HyperbandPruner(minResource: 1, maxResource: epochs, reductionFactor: 3)") { epochs in
      try HyperbandPruner(minResource: 1, maxResource: epochs, reductionFactor: 3)
    },
  ]

  /// One study: one pruner, one sampler seed.
  struct Run: Codable {
    var pruner: String
    var seed: Int
    var wallSeconds: Double
    /// Epochs trained, summed over all trials.
    var epochs: Int
    var epochsIfUnpruned: Int
    var bestValidAccuracy: Double
    var bestTrial: Int
    var bestParams: [String: Double]
    var pruned: Int
    var complete: Int
    /// Against the unpruned study of the same seed (nil for the unpruned study itself).
    var epochsCutPercent: Double?
    var accuracyDifferencePP: Double?
  }

  /// One pruner over all seeds: medians of the per-seed figures.
  struct Summary: Codable {
    var pruner: String
    var setting: String
    var seeds: Int
    var wallSeconds: Double
    var epochs: Double
    var bestValidAccuracy: Double
    var pruned: Double
    var epochsCutPercent: Double?
    var accuracyDifferencePP: Double?
    var meetsTarget: Bool?
  }

  /// The peer's figures (anchors.md), printed for reference only.
  struct Anchor: Codable {
    var name: String
    var wallSeconds: Double
    var bestValidAccuracy: Double
    var pruned: Int
    var trials: Int
    var epochs: Int
    var epochsIfUnpruned: Int
  }

  static let anchor = Anchor(
    name: "Optuna TPE + MedianPruner, PyTorch 1 thread", wallSeconds: 7.1, bestValidAccuracy: 0.978, pruned: 29, trials: 40,
    epochs: 280, epochsIfUnpruned: 800)

  struct Results: Codable {
    var sizes: Sizes
    var trainRows: Int
    var validRows: Int
    var blasThreads: Int
    var runs: [Run]
    var summaries: [Summary]
    var anchor: Anchor
    var timer = "wall time of each study's optimize call (sampling and training), median over the seeds"
  }

  // MARK: Running

  static func run(quick: Bool, seeds: Int?) throws -> Results {
    let sizes = sizes(quick: quick, seeds: seeds)
    let digits = try Dataset.load("digits")
    let (train, valid) = try digits.split(testSize: 0.2, stratify: true, seed: 0)
    let scaled = try standardize(train, valid)
    let data = (train: scaled[0], valid: scaled[1])

    // One BLAS thread, as the peer (torch.set_num_threads(1)) and the tuna CLI run trials.
    let defaultThreads = BLAS.threads
    BLAS.setThreads(1)
    defer { BLAS.setThreads(defaultThreads) }

    var runs: [Run] = []
    // Seed by seed, every pruner in turn, so that a noisy spell hits all of them alike.
    for seed in 0..<sizes.seeds {
      var baseline: Run?
      for entry in entries {
        var run = try study(entry, seed: seed, sizes: sizes, data: data)
        if let baseline {
          run.epochsCutPercent = 100 * (1 - Double(run.epochs) / Double(baseline.epochs))
          run.accuracyDifferencePP = 100 * (run.bestValidAccuracy - baseline.bestValidAccuracy)
        } else {
          baseline = run
        }
        say(
          "  seed \(seed) \(entry.name): \(run.epochs) epochs, \(fixed(run.wallSeconds, 2)) s, best \(fixed(run.bestValidAccuracy, 4)),"
            + " \(run.pruned) pruned")
        runs.append(run)
      }
    }
    let summaries = entries.map { entry in
      let mine = runs.filter { $0.pruner == entry.name }
      let cut = mine.compactMap(\.epochsCutPercent)
      let diff = mine.compactMap(\.accuracyDifferencePP)
      let medianCut = cut.isEmpty ? nil : median(cut)
      let medianDiff = diff.isEmpty ? nil : median(diff)
      var meets: Bool?
      if let medianCut, let medianDiff { meets = medianCut >= epochsCutTarget && medianDiff >= -accuracyTolerance }
      return Summary(
        pruner: entry.name, setting: entry.setting, seeds: mine.count, wallSeconds: median(mine.map(\.wallSeconds)),
        epochs: median(mine.map { Double($0.epochs) }), bestValidAccuracy: median(mine.map(\.bestValidAccuracy)),
        pruned: median(mine.map { Double($0.pruned) }), epochsCutPercent: medianCut, accuracyDifferencePP: medianDiff,
        meetsTarget: meets)
    }
    return Results(
      sizes: sizes, trainRows: data.train.nSamples, validRows: data.valid.nSamples, blasThreads: 1, runs: runs,
      summaries: summaries, anchor: anchor)
  }

  /// One study of `sizes.trials` trials with `entry`'s pruner and TPE seeded with `seed`.
  static func study(_ entry: Entry, seed: Int, sizes: Sizes, data: (train: Dataset, valid: Dataset)) throws -> Run {
    // A fixed name: Hyperband assigns brackets from the study's name and the trial number.
    let study = try Study.create(
      name: "prune-\(entry.name)-seed\(seed)", direction: .maximize, sampler: try TPESampler(seed: UInt64(seed)),
      pruner: try entry.make(sizes.epochs))
    var epochsTrained = 0
    let epochs = sizes.epochs
    let timing = try measure {
      // A failed trial would mean the figures measured something else: stop at the first.
      try study.optimize(OptimizeOptions(nTrials: sizes.trials, catchErrors: false)) { trial in
        let lr = try trial.suggestFloat("lr", 1e-4, 1e-1, log: true)
        let batchSize = try trial.suggestInt("batch_size", 16, 256, log: true)
        let weightDecay = try trial.suggestFloat("weight_decay", 1e-6, 1e-2, log: true)
        let beta1 = try trial.suggestFloat("beta1", 0.8, 0.99)
        let width = try trial.suggestInt("hidden", 32, 256, log: true)
        let net = try MLP(MLPConfig(hidden: [width, width], activation: .relu))
        let options = FitOptions(
          epochs: epochs, batchSize: batchSize, seed: UInt64(trial.number),
          optimizer: OptimizerConfig(
            kind: .adam, lr: Float(lr), beta1: Float(beta1), beta2: 0.999, weightDecay: Float(weightDecay)))
        var accuracy = Double.nan
        var pruned = false
        _ = try fit(net, data.train, valid: data.valid, options: options) { metrics in
          epochsTrained += 1
          accuracy = metrics.validAccuracy ?? .nan
          // The step is the number of epochs trained so far: the resource ASHA and Hyperband
          // count (1…epochs, so Hyperband's maxResource is the full training).
          try trial.report(accuracy, step: metrics.epoch)
          if try trial.shouldPrune() {
            pruned = true
            return .stop
          }
          return .proceed
        }
        if pruned { throw TrialPruned() }
        return [accuracy]
      }
    }
    let trials = try study.trials()
    let pruned = trials.filter { $0.state == .pruned }.count
    let complete = trials.filter { $0.state == .complete }.count
    let reported = trials.reduce(0) { $0 + $1.intermediateValues.count }
    guard trials.count == sizes.trials, pruned + complete == trials.count, reported == epochsTrained else {
      throw BenchError(
        "prune \(entry.name) seed \(seed): \(trials.count) trials, \(pruned) pruned + \(complete) complete;"
          + " \(reported) epochs reported, \(epochsTrained) trained")
    }
    let best = try study.bestTrial
    return Run(
      pruner: entry.name, seed: seed, wallSeconds: timing.wallSeconds, epochs: epochsTrained,
      epochsIfUnpruned: sizes.trials * sizes.epochs, bestValidAccuracy: best.value ?? .nan, bestTrial: best.number,
      bestParams: best.params.compactMapValues(\.number), pruned: pruned, complete: complete)
  }


  // MARK: Tables

  static func tables(_ results: Results, quick: Bool) -> [Table] {
    let sizes = results.sizes
    let budget = sizes.trials * sizes.epochs
    let seedText = sizes.seeds == 1 ? "seed 0" : "median over seeds 0…\(sizes.seeds - 1)"
    var summary = Table(
      "Pruning: TPE tuning the digits MLP, \(sizes.trials) trials × ≤ \(sizes.epochs) epochs, \(seedText)",
      headers: [
        "pruner", "epochs (of \(grouped(budget)))", "epochs cut", "wall s", "best valid acc", "Δ acc pp",
        "pruned / \(sizes.trials)", "target / reference",
      ],
      leftAligned: [0, 7])
    for s in results.summaries {
      var note = "baseline"
      if let met = s.meetsTarget, let cut = s.epochsCutPercent, let diff = s.accuracyDifferencePP {
        var misses: [String] = []
        if cut < epochsCutTarget { misses.append("cut \(fixed(cut, 1))% < \(fixed(epochsCutTarget, 0))%") }
        if diff < -accuracyTolerance { misses.append("Δ \(signed(diff)) pp < −\(fixed(accuracyTolerance, 1))") }
        note = "cut ≥ \(fixed(epochsCutTarget, 0))%, Δ ≥ −\(fixed(accuracyTolerance, 1)) pp: \(verdict(met))"
        if !misses.isEmpty { note += " (" + misses.joined(separator: "; ") + ")" }
      }
      summary.add(
        s.pruner, fixed(s.epochs, s.seeds % 2 == 0 ? 1 : 0), s.epochsCutPercent.map { fixed($0, 1) + "%" } ?? "—",
        fixed(s.wallSeconds, 2), fixed(s.bestValidAccuracy, 4), s.accuracyDifferencePP.map(signed) ?? "—",
        fixed(s.pruned, s.seeds % 2 == 0 ? 1 : 0), note)
    }
    let a = results.anchor
    summary.add(
      "\(a.name) [reference]", "~\(a.epochs) of \(a.epochsIfUnpruned)",
      "~" + fixed(100 * (1 - Double(a.epochs) / Double(a.epochsIfUnpruned)), 0) + "%", fixed(a.wallSeconds, 1),
      fixed(a.bestValidAccuracy, 3), "", "\(a.pruned) / \(a.trials)",
      "anchors.md \"End to end\", measured elsewhere, not here")
    summary.notes = [
      "epochs = epochs trained, summed over the trials; epochs cut and Δ acc (best valid acc − the unpruned study's, in",
      "percentage points) are taken per seed against the unpruned study of the same seed, then their median; each column is",
      "its own median. wall s = the study's optimize call (sampling + training), wall time. best valid acc = best complete",
      "trial, accuracy after its last epoch on \(results.validRows) rows (1 row = \(fixed(100 / Double(results.validRows), 2)) pp).",
      "Target: pruning cuts total epochs by ≥ \(fixed(epochsCutTarget, 0))% with best valid acc no more than"
        + " \(fixed(accuracyTolerance, 1)) pp below the unpruned study's.",
      "TPESampler(seed: s) (multivariate, Optuna's defaults). Pruners with their defaults except as set:",
      "median nStartupTrials 5, nWarmupSteps 0 (as the peer's Optuna MedianPruner());",
      "ASHA minResource 1, reductionFactor 4 (rungs after epochs \(rungs(reductionFactor: 4, upTo: sizes.epochs)));"
        + " Hyperband minResource 1, maxResource \(sizes.epochs), reductionFactor 3 (brackets' rungs within"
        + " \(rungs(reductionFactor: 3, upTo: sizes.epochs))).",
      "The step reported is the number of epochs trained (1-based), the resource ASHA and Hyperband count.",
      "Space (as the peer's): lr 1e-4…1e-1 log, batch size 16…256 log int, weight decay 1e-6…1e-2 log,",
      "Adam beta1 0.8…0.99, width 32…256 log int (two hidden layers of that width), ReLU.",
      "Data: digits \(results.trainRows)/\(results.validRows) rows (80/20 stratified split, seed 0, standardized on train);"
        + " weights and shuffling seeded by the trial number.",
      "OpenBLAS set to 1 thread for this benchmark (fit's default is OpenBLAS's own; the peer ran PyTorch with 1 thread).",
      "The reference row was measured on another machine of this kind (±30%) with Optuna + PyTorch, not here.",
    ]
    if quick { summary.notes.append("--quick: a smoke run, far smaller than the measurement; its verdicts mean little.") }

    var perSeed = Table(
      "Pruning per seed (against the unpruned study of the same seed)",
      headers: ["seed", "pruner", "epochs", "cut", "wall s", "best valid acc", "Δ acc pp", "pruned", "complete", "best trial"],
      leftAligned: [0, 1])
    for r in results.runs {
      perSeed.add(
        String(r.seed), r.pruner, grouped(r.epochs), r.epochsCutPercent.map { fixed($0, 1) + "%" } ?? "—",
        fixed(r.wallSeconds, 2), fixed(r.bestValidAccuracy, 4), r.accuracyDifferencePP.map(signed) ?? "—",
        String(r.pruned), String(r.complete), "#\(r.bestTrial)")
    }
    return [summary, perSeed]
  }

  /// Rung steps minResource 1 · η^k up to `epochs`: "1, 4, 16".
  static func rungs(reductionFactor: Int, upTo epochs: Int) -> String {
    var steps: [Int] = []
    var step = 1
    while step <= epochs {
      steps.append(step)
      step *= reductionFactor
    }
    return steps.map(String.init).joined(separator: ", ")
  }

  /// A difference with its sign: +0.28, −0.56, 0.00.
  static func signed(_ value: Double) -> String {
    let text = fixed(abs(value), 2)
    if text == fixed(0, 2) { return text }
    return (value < 0 ? "−" : "+") + text
  }
}
