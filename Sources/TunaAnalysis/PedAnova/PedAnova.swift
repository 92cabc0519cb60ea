import Foundation
import TunaSearch

/// Settings of ``PedAnova``: Optuna 5.0's defaults.
public struct PedAnovaOptions: Sendable {
  /// The share of the trials, the best ones, whose distribution is compared (γ′).
  public var targetQuantile = 0.1
  /// The share of the trials, the best ones, that make the region compared against (γ); 1 is
  /// the whole study.
  public var regionQuantile = 1.0
  /// Compare against the region's own distribution (true) or a uniform one over the grid.
  public var evaluateOnLocal = true

  public init() {}
}

/// PED-ANOVA (Watanabe, Bansal & Hutter, "PED-ANOVA: Efficiently Quantifying Hyperparameter
/// Importance in Arbitrary Subspaces", IJCAI 2023): a parameter matters as much as the
/// distribution of its values in the best trials differs from their distribution in the region
/// (all trials, by default). The difference is the Pearson divergence between two Parzen
/// estimators on the parameter's grid, which the paper shows equals the local variance that
/// the parameter explains in the top quantile; it needs no model, so it costs about as much as
/// sorting the trials.
///
/// A conditional parameter is measured over the trials that have it: the region's trials are
/// grouped by the distribution they asked the parameter with (a range that changed makes
/// several groups, a trial without the parameter belongs to none), groups of fewer than two
/// trials are dropped, and each group's divergence counts with weight α²/β (its share α of the
/// top trials, β of the region's).
public enum PedAnova {
  /// Each parameter's raw importance: (|T| / |R|)² · Σ over its groups of α²/β · D.
  static func importances(
    trials: [FrozenTrial], target: AnalysisTarget?, directions: [StudyDirection], params: [String]?,
    options: PedAnovaOptions
  ) throws -> [(name: String, value: Double)] {
    guard options.targetQuantile > 0, options.targetQuantile < options.regionQuantile, options.regionQuantile <= 1 else {
      throw AnalysisError(
        "PED-ANOVA needs 0 < target quantile < region quantile <= 1, got \(options.targetQuantile) and \(options.regionQuantile)")
    }
    let complete = trials.filter { $0.state == .complete }
    var seen = Set<String>()
    for t in complete { seen.formUnion(t.distributions.keys) }
    let names: [String]
    if let params {
      let missing = params.filter { !seen.contains($0) }
      guard missing.isEmpty else {
        throw AnalysisError("no complete trial has the parameter\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", "))")
      }
      var unique = Set<String>()
      names = params.filter { unique.insert($0).inserted }
    } else {
      names = seen.sorted()
    }

    // The trials with a finite target, and their losses (lower is better).
    var kept: [FrozenTrial] = []
    var losses: [[Double]] = []
    for t in complete {
      if let target {
        guard let v = try target.value(t), v.isFinite else { continue }
        kept.append(t)
        losses.append([target.direction == .minimize ? v : -v])
      } else {
        guard let values = t.values, values.count == directions.count, values.allSatisfy(\.isFinite) else { continue }
        kept.append(t)
        losses.append(zip(values, directions).map { $1 == .minimize ? $0 : -$0 })
      }
    }
    guard kept.count >= 2 else { return names.map { ($0, 0) } }

    let region = topIndices(losses, quantile: options.regionQuantile)
    let top = Set(topIndices(losses, quantile: options.targetQuantile))
    let scale = Double(top.count) / Double(region.count)
    return names.map { name in
      // Group the region's trials by the distribution they asked the parameter with.
      var groups: [Distribution: (region: [ParamValue], top: [ParamValue])] = [:]
      for i in region {
        guard let d = kept[i].distributions[name], let v = kept[i].params[name] else { continue }
        groups[d, default: ([], [])].region.append(v)
        if top.contains(i) { groups[d, default: ([], [])].top.append(v) }
      }
      var sum = 0.0
      for (d, group) in groups where group.region.count >= 2 && !group.top.isEmpty && !d.isSingle {
        let alpha = Double(group.top.count) / Double(top.count)
        let beta = Double(group.region.count) / Double(region.count)
        sum += alpha * alpha / beta * divergence(d, top: group.top, region: group.region, local: options.evaluateOnLocal)
      }
      return (name, scale * scale * sum)
    }
  }

  /// The Pearson divergence of the top values' estimator from the region's (or from the
  /// uniform distribution on the grid).
  static func divergence(_ d: Distribution, top: [ParamValue], region: [ParamValue], local: Bool) -> Double {
    let grid = ParameterGrid(d)
    func counts(_ values: [ParamValue]) -> [Int] {
      var c = [Int](repeating: 0, count: grid.size)
      for v in values { if let k = grid.index(of: v) { c[k] += 1 } }
      return c
    }
    let p = GridParzenEstimator.density(counts: counts(top), categorical: grid.isCategorical)
    if local {
      let q = GridParzenEstimator.density(counts: counts(region), categorical: grid.isCategorical)
      return GridParzenEstimator.pearsonDivergence(p, q)
    }
    let uniform = 1 / Double(grid.size)
    var d = 0.0
    for pg in p {
      let r = (pg + 1e-12) / uniform - 1
      d += uniform * r * r
    }
    return d
  }

  /// The indices of the best `quantile` of the trials. One loss each: every trial whose loss is
  /// at most the ⌈quantile · n⌉-th smallest (ties all kept). Several: whole fronts of the
  /// non-dominated sorting, the last one cut to size by crowding distance.
  static func topIndices(_ losses: [[Double]], quantile: Double) -> [Int] {
    let n = losses.count
    if quantile >= 1 { return Array(0..<n) }
    let count = max(1, Int((quantile * Double(n)).rounded(.up)))
    if losses.first?.count == 1 {
      let cutoff = losses.map { $0[0] }.sorted()[count - 1]
      return (0..<n).filter { losses[$0][0] <= cutoff }
    }
    var chosen: [Int] = []
    for front in NSGA2Sampler.nonDominatedSort(losses) {
      if chosen.count + front.count <= count {
        chosen += front
        continue
      }
      let crowding = NSGA2Sampler.crowdingDistance(front.map { losses[$0] })
      let order = front.indices.sorted { crowding[$0] != crowding[$1] ? crowding[$0] > crowding[$1] : front[$0] < front[$1] }
      chosen += order.prefix(count - chosen.count).map { front[$0] }
      break
    }
    return chosen.sorted()
  }
}
