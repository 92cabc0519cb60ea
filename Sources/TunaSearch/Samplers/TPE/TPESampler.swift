import Foundation
import TunaRandom

/// The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kégl, "Algorithms for
/// Hyper-Parameter Optimization", NeurIPS 2011), with the components and defaults of Optuna's
/// `TPESampler` as analysed by Watanabe ("Tree-Structured Parzen Estimator: Understanding Its
/// Algorithm Components and Their Roles for Better Empirical Performance", 2023).
///
/// Each suggestion splits the finished trials into the best `gamma(n)` ("below") and the rest
/// ("above", see `TPESplit`), fits a Parzen estimator to each (`KernelDensity`: l(x) and g(x)),
/// draws `nEICandidates` points from l and keeps the one with the largest log l(x) − log g(x),
/// which maximizes expected improvement under TPE's model.
///
/// - **Multivariate** (the default, as in Optuna 5): the relative path models the parameters of
///   the intersection search space (those every complete or pruned trial has, with one
///   distribution) jointly, with product kernels. Parameters outside it fall back to the
///   independent path, which models one parameter at a time (`multivariate: false` uses only
///   that path, as Optuna 4 did).
/// - **Group**: the relative path models each group of parameters that always appear together
///   separately, so conditional (define-by-run) spaces are modelled jointly too.
/// - **Constant liar**: running trials count as "above" (the worst), so parallel workers are
///   pushed away from each other's pending points. The relative sample is recorded on the trial
///   (system attribute `tpe:relative_params`) so other workers see it before it is asked.
///
/// Until `nStartupTrials` trials are complete or pruned, values are drawn as `RandomSampler`
/// draws them. All randomness comes from the trial's own stream, so a seeded study repeats.
///
/// One instance keeps a cache of the finished trials of the study it last served (they never
/// change), with each parameter's values kept sorted: a suggestion after n trials costs O(n) per
/// parameter to fit the estimators (no sorting, no per-trial dictionary work) and
/// O(n · candidates · parameters) for the density ratio. Use one instance per worker.
public final class TPESampler: Sampler {
  public let seed: UInt64
  public let nStartupTrials: Int
  public let nEICandidates: Int
  public let multivariate: Bool
  public let group: Bool
  public let constantLiar: Bool
  public let priorWeight: Double
  public let considerEndpoints: Bool
  let gamma: ((Int) -> Int)?
  fileprivate var cache: TPEStudyCache?
  /// Caches of the other partitions of the same study (Hyperband's brackets), by key.
  private var partitionCaches: [Int?: TPEStudyCache] = [:]

  /// - Parameters:
  ///   - seed: the study's random streams derive from it; random when nil.
  ///   - nStartupTrials: trials sampled at random before TPE starts (≥ 0).
  ///   - nEICandidates: points drawn from l(x) per suggestion (≥ 1).
  ///   - multivariate: model the intersection search space jointly.
  ///   - group: model each group of co-occurring parameters jointly (needs `multivariate`).
  ///   - constantLiar: count running trials as the worst.
  ///   - priorWeight: the prior kernel's weight against each observation's (≥ 0).
  ///   - considerEndpoints: let the bounds widen the outermost observations' kernels.
  ///   - gamma: how many of n trials are "below"; Optuna's `min(ceil(0.1 n), 25)` when nil
  ///     (`ceil(0.1 n)` for several objectives). Results outside 0...n are clamped.
  public init(
    seed: UInt64? = nil, nStartupTrials: Int = 10, nEICandidates: Int = 24, multivariate: Bool = true,
    group: Bool = false, constantLiar: Bool = false, priorWeight: Double = 1.0, considerEndpoints: Bool = false,
    gamma: ((Int) -> Int)? = nil
  ) throws(InvalidArgument) {
    try InvalidArgument.require("nStartupTrials", nStartupTrials, atLeast: 0)
    try InvalidArgument.require("nEICandidates", nEICandidates, atLeast: 1)
    guard priorWeight.isFinite, priorWeight >= 0 else {
      throw InvalidArgument("priorWeight", "priorWeight must be finite and >= 0, got \(formatDouble(priorWeight))")
    }
    guard multivariate || !group else {
      throw InvalidArgument("group", "group = true needs multivariate = true")
    }
    self.seed = seed ?? randomSeed()
    self.nStartupTrials = nStartupTrials
    self.nEICandidates = nEICandidates
    self.multivariate = multivariate
    self.group = group
    self.constantLiar = constantLiar
    self.priorWeight = priorWeight
    self.considerEndpoints = considerEndpoints
    self.gamma = gamma
  }

  // MARK: Optuna's defaults

  /// Optuna's default split size: `min(ceil(0.1 n), 25)`.
  public static func defaultGamma(_ n: Int) -> Int { min(Int((0.1 * Double(n)).rounded(.up)), 25) }

  /// Optuna's split size for several objectives: `ceil(0.1 n)`.
  public static func defaultGammaMultiObjective(_ n: Int) -> Int { Int((0.1 * Double(n)).rounded(.up)) }

  /// Optuna's observation weights for n trials in number order: all 1 below 25; from 25 on, the
  /// newest 25 weigh 1 and the older ones ramp linearly from 1/n up towards 1.
  public static func defaultWeights(_ n: Int) -> [Double] {
    guard n >= 25 else { return Array(repeating: 1, count: max(0, n)) }
    let ramp = n - 25
    var w = [Double](repeating: 1, count: n)
    let start = 1 / Double(n)
    if ramp == 1 {
      w[0] = start
    } else if ramp > 1 {
      let step = (1 - start) / Double(ramp - 1)
      for i in 0..<(ramp - 1) { w[i] = start + Double(i) * step }
      w[ramp - 1] = 1
    }
    return w
  }

  // MARK: Sampler

  public func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    guard multivariate else { return [:] }
    let (cache, _) = try refresh(context)
    var space: [String: Distribution] = [:]
    if group {
      for g in cache.groups {
        for (name, distribution) in g where !distribution.isSingle { space[name] = distribution }
      }
    } else {
      for (name, distribution) in cache.intersection ?? [:] where !distribution.isSingle { space[name] = distribution }
    }
    return space
  }

  public func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    guard !space.isEmpty else { return [:] }
    let (cache, trials) = try refresh(context)
    guard cache.records.count >= nStartupTrials else { return [:] }
    var params: [String: ParamValue] = [:]
    if group {
      for g in cache.groups {
        let names = g.keys.filter { name in space[name].map { $0 == g[name] && !$0.isSingle } ?? false }.sorted()
        guard !names.isEmpty else { continue }
        let values = sample(context, cache: cache, trials: trials, space: names.map { ($0, g[$0]!) })
        for (name, value) in zip(names, values) { params[name] = value }
      }
    } else {
      let names = space.keys.sorted()
      let values = sample(context, cache: cache, trials: trials, space: names.map { ($0, space[$0]!) })
      for (name, value) in zip(names, values) { params[name] = value }
    }
    if constantLiar, !params.isEmpty {
      try context.setSystemAttr(Self.relativeParamsKey, .object(params.mapValues(\.attr)))
    }
    return params
  }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    let (cache, trials) = try refresh(context)
    guard cache.records.count >= nStartupTrials else { return RandomSampler.sample(distribution, using: &context.rng) }
    return sample(context, cache: cache, trials: trials, space: [(name, distribution)])[0]
  }

  /// Where a trial's relative sample is recorded under the constant liar.
  static let relativeParamsKey = "tpe:relative_params"

  // MARK: The policy

  /// The study's trials, with the cache brought up to date.
  private func refresh(_ context: SamplingContext) throws -> (TPEStudyCache, [FrozenTrial]) {
    let trials = try context.history.trials()
    let history = context.history
    let cache: TPEStudyCache
    if let existing = self.cache, existing.describes(history) {
      cache = existing
    } else if let kept = partitionCaches[history.partition?.key], kept.describes(history) {
      cache = kept
      self.cache = kept
    } else {
      cache = TPEStudyCache(history.identity)
      self.cache = cache
    }
    if history.partition != nil || !partitionCaches.isEmpty {
      // Keep only this study's partitions.
      partitionCaches = partitionCaches.filter { $0.value.identity.isAlive && $0.value.identity.sameStudy(as: history.identity) }
      partitionCaches[history.partition?.key] = cache
    }
    cache.update(with: trials)
    return (cache, trials)
  }
}

extension TPESampler {
  /// The cache of the study served last (for tests).
  var cacheForTesting: TPEStudyCache? { cache }
}
