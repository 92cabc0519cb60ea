import ArgumentParser
import Foundation
import TunaSearch

/// The samplers the sampler benchmarks compare, each made from a seed.
struct SamplerEntry: Sendable {
  let name: String
  /// The largest study this sampler is timed at (GP is cubic in the trials, as Optuna caps it).
  let maxTrials: Int
  let make: @Sendable (UInt64) throws -> any Sampler
}

enum SamplerBench {
  static var entries: [SamplerEntry] {
    [
      SamplerEntry(name: "random", maxTrials: 1_000) { RandomSampler(seed: $0) },
      SamplerEntry(name: "tpe", maxTrials: 1_000) { try TPESampler(seed: $0) },
      SamplerEntry(name: "gp", maxTrials: 1_000) { GPSampler(seed: $0) },
      SamplerEntry(name: "gp-warped", maxTrials: 1_000) { GPSampler(seed: $0, outputWarping: true) },
      SamplerEntry(name: "gp-unwarped", maxTrials: 1_000) { GPSampler(seed: $0, outputWarping: false) },
      SamplerEntry(name: "cmaes", maxTrials: 1_000) { try CMAESSampler(seed: $0) },
      SamplerEntry(name: "qmc", maxTrials: 1_000) { QMCSampler(kind: .sobol, seed: $0) },
      SamplerEntry(name: "ga", maxTrials: 1_000) { try GASampler(seed: $0) },
      SamplerEntry(name: "nsga2", maxTrials: 1_000) { try NSGA2Sampler(seed: $0) },
      SamplerEntry(name: "auto", maxTrials: 1_000) { try AutoSampler(seed: $0) },
    ]
  }

  /// The entries named in `only` (all when nil), in table order; an unknown name is an error.
  static func selected(_ only: [String]?) throws -> [SamplerEntry] {
    guard let only else { return entries }
    let known = entries.map(\.name)
    for name in only where !known.contains(name) {
      throw ValidationError("unknown sampler '\(name)' (known: \(known.joined(separator: ", ")))")
    }
    return entries.filter { only.contains($0.name) }
  }

  // MARK: Cost per suggestion

  struct CostRow: Codable {
    var sampler: String
    var space: String
    var trials: Int
    /// Mean seconds per trial over the last `window` trials (ask, suggest, tell).
    var secondsPerTrial: Double
  }

  /// Space A: 5 floats in [−5, 5]. Space B: 3 floats, 1 int, 1 categorical of 4 (anchors.md).
  static func objective(space: String) -> (Trial) throws -> Double {
    if space == "A" {
      return { t in try (0..<5).reduce(0.0) { s, i in let x = try t.suggestFloat("x\(i)", -5, 5); return s + x * x } }
    }
    return { t in
      var s = 0.0
      for i in 0..<3 { let x = try t.suggestFloat("x\(i)", -5, 5); s += x * x }
      s += Double(try t.suggestInt("n", 1, 10))
      let c = try t.suggestCategorical("c", [.string("a"), .string("b"), .string("c"), .string("d")])
      return s + (c == .string("a") ? 0 : 1)
    }
  }

  /// Seconds per trial over the trials between `from` and `to` completed trials.
  static func cost(_ entry: SamplerEntry, space: String, upTo sizes: [Int], window: Int, seed: UInt64) throws -> [CostRow] {
    let study = try Study.create(direction: .minimize, sampler: try entry.make(seed))
    let f = objective(space: space)
    var rows: [CostRow] = []
    var done = 0
    for size in sizes where size <= entry.maxTrials {
      let warm = max(0, size - window - done)
      if warm > 0 { try study.optimize(nTrials: warm, f) }
      let n = size - done - warm
      let t = measure { try? study.optimize(nTrials: n, f) }
      done = size
      rows.append(CostRow(sampler: entry.name, space: space, trials: size, secondsPerTrial: t.wallSeconds / Double(max(1, n))))
    }
    return rows
  }

  static func runCost(quick: Bool, only: [String]?) throws -> [CostRow] {
    let sizes = quick ? [100, 300] : [100, 300, 1_000]
    var rows: [CostRow] = []
    for entry in try selected(only) {
      for space in ["A", "B"] {
        rows += try cost(entry, space: space, upTo: sizes, window: quick ? 20 : 100, seed: 1)
      }
    }
    return rows
  }

  /// Optuna 5.0's figures from anchors.md, ms per trial over the last 100 (a reference).
  static let optunaCost: [String: [String: Double]] = [
    "random": ["A100": 0.24, "A300": 0.22, "A1000": 0.25, "B1000": 0.27],
    "tpe": ["A100": 1.66, "A300": 3.77, "A1000": 11.2, "B1000": 11.0],
    "gp": ["A100": 62, "A300": 179, "B300": 189],
    "cmaes": ["A300": 0.73, "A1000": 0.96, "B1000": 0.98],
    "qmc": ["A300": 0.39, "A1000": 0.57, "B1000": 0.56],
    "nsga2": ["A100": 0.36, "A300": 0.47, "A1000": 0.71, "B1000": 0.74],
  ]

  static func costTable(_ rows: [CostRow]) -> Table {
    var t = Table(
      "Cost per trial: ask + suggest + tell, mean over the last 100 trials (trivial objective, in memory)",
      headers: ["sampler", "space", "trials", "ms/trial", "Optuna ms/trial [reference]", "Optuna ÷ Tuna"])
    for r in rows {
      let ms = r.secondsPerTrial * 1000
      let ref = optunaCost[r.sampler]?["\(r.space)\(r.trials)"]
      t.add(r.sampler, r.space, String(r.trials), String(format: "%.4f", ms),
            ref.map { String(format: "%.2f", $0) } ?? "", ref.map { String(format: "%.0f×", $0 / ms) } ?? "")
    }
    t.notes = [
      "Space A: 5 floats in [-5, 5]; space B: 3 floats, 1 int in [1, 10], 1 categorical of 4.",
      "Optuna figures: anchors.md (Optuna 5.0.0 on another machine of this kind, ±30%), not measured here.",
    ]
    return t
  }

  // MARK: Regret

  struct RegretRow: Codable {
    var sampler: String
    var function: String
    var budget: Int
    var median: Double
    var q25: Double
    var q75: Double
    /// Every seed's regret, seed 0 first (for tests of the difference between samplers).
    var seeds: [Double]?
  }

  /// Regret of `entry` on `problem` after each budget, for one seed: the noiseless value of the
  /// trial with the best observed value, less the optimum.
  static func regrets(_ entry: SamplerEntry, _ problem: RegretProblem, budgets: [Int], seed: UInt64) throws -> [Double] {
    let study = try Study.create(direction: .minimize, sampler: try entry.make(seed))
    var noise = RandomSource(seed: seed &+ 0x5EED)
    var bestSeen = Double.infinity, bestTruth = Double.infinity
    var out: [Double] = []
    var done = 0
    for budget in budgets {
      try study.optimize(nTrials: budget - done) { t in
        let truth = try problem.value(t)
        let seen = problem.noise > 0 ? truth + noise.normal(0, problem.noise) : truth
        if seen < bestSeen { (bestSeen, bestTruth) = (seen, truth) }
        return seen
      }
      done = budget
      out.append(bestTruth - problem.optimum)
    }
    return out
  }

  static func runRegret(seeds: Int, only: [String]?, problems names: [String]?) throws -> [RegretRow] {
    let budgets = [50, 200]
    var rows: [RegretRow] = []
    let problems = try RegretProblem.all.filter { p in try names.map { list in
      let known = RegretProblem.all.map(\.name)
      for n in list where !known.contains(n) {
        throw ValidationError("unknown problem '\(n)' (known: \(known.joined(separator: ", ")))")
      }
      return list.contains(p.name)
    } ?? true }
    for problem in problems {
      for entry in try selected(only) {
        var perBudget = Array(repeating: [Double](), count: budgets.count)
        for seed in 0..<seeds {
          let r = try regrets(entry, problem, budgets: budgets, seed: UInt64(seed))
          for i in budgets.indices { perBudget[i].append(r[i]) }
        }
        for (i, budget) in budgets.enumerated() {
          let s = perBudget[i].sorted()
          rows.append(RegretRow(
            sampler: entry.name, function: problem.name, budget: budget,
            median: quantile(s, 0.5), q25: quantile(s, 0.25), q75: quantile(s, 0.75), seeds: perBudget[i]))
        }
      }
    }
    return rows
  }

  /// Linear interpolation between order statistics (numpy's default).
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let pos = q * Double(sorted.count - 1)
    let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
  }

  /// Optuna's median regrets from anchors.md (function, budget) → sampler → median.
  static let optunaRegret: [String: [String: Double]] = [
    "Branin50": ["random": 0.88, "tpe": 0.067, "gp": 3.6e-5, "cmaes": 1.13],
    "Branin200": ["random": 0.10, "tpe": 0.0033, "gp": 8.3e-6, "cmaes": 8.3e-6],
    "Hartmann650": ["random": 1.74, "tpe": 0.24, "gp": 0.0062, "cmaes": 0.92],
    "Hartmann6200": ["random": 1.18, "tpe": 0.031, "gp": 1.1e-4, "cmaes": 0.076],
    "Rosenbrock-4D50": ["random": 2796, "tpe": 259, "gp": 263, "cmaes": 123],
    "Rosenbrock-4D200": ["random": 695, "tpe": 8.4, "gp": 3.3, "cmaes": 4.8],
    "Ackley-5D50": ["random": 17.2, "tpe": 11.7, "gp": 6.97, "cmaes": 9.93],
    "Ackley-5D200": ["random": 16.4, "tpe": 4.32, "gp": 5.00, "cmaes": 2.59],
  ]

  static func regretTable(_ rows: [RegretRow], seeds: Int) -> Table {
    var t = Table(
      "Simple regret (best found − optimum), median [q25, q75] over \(seeds) seeds, minimization",
      headers: ["function", "budget", "sampler", "median", "[q25, q75]", "Optuna median [reference]"])
    for r in rows {
      let ref = optunaRegret["\(r.function)\(r.budget)"]?[r.sampler]
      t.add(r.function, String(r.budget), r.sampler, fmt(r.median), "[\(fmt(r.q25)), \(fmt(r.q75))]", ref.map(fmt) ?? "")
    }
    t.notes = ["Optuna figures: anchors.md (Optuna 5.0.0, 10 seeds, another run), not measured here."]
    return t
  }

  static func fmt(_ v: Double) -> String {
    if v == 0 { return "0" }
    return abs(v) >= 0.01 && abs(v) < 10_000 ? String(format: "%.4g", v) : String(format: "%.2e", v)
  }
}
