import Foundation

/// CMA-ES: the covariance matrix adaptation evolution strategy (Hansen, "The CMA Evolution
/// Strategy: A Tutorial", arXiv:1604.00772, 2016), as a relative sampler in the manner of
/// Optuna's `CmaEsSampler`.
///
/// It samples the numeric parameters (floats and ints) of the intersection search space jointly,
/// in the unit cube: each parameter's internal form (log for log distributions) scaled by its
/// internal bounds. Categoricals, and every parameter outside that space, go to the independent
/// sampler (uniform random). The search starts at the centre of the cube with step size
/// `sigma0` (1/6 of the cube by default) and population λ = 4 + ⌊3 ln n⌋ unless `popsize` says.
///
/// **Generations.** Each trial sampled by CMA-ES draws its point from the current distribution
/// with its own random stream (derived from the seed and the trial number, so parallel workers
/// never draw the same point), and records in its system attributes the generation it belongs
/// to (`cma:generation`), the search space (`cma:key`), the raw point (`cma:x`), and the
/// population size and restart count (`cma:popsize`, `cma:restart`). A generation is told to the
/// distribution once λ of its trials are complete: the first λ in completion order, which later
/// completions cannot change. More than λ trials can carry one generation's tag when workers run
/// in parallel; the extra ones are not told. The state is thus a function of the stored trials
/// alone, and a resumed study or a worker joining a shared storage rebuilds exactly the same one
/// by replaying the generations. The sampler memoizes it per study (keyed by storage and study)
/// and looks only at the trials that finished since its last call (and those still running), so
/// its work per suggestion does not grow with the study beyond the storage's own read of the
/// trial list, plus one update per finished generation.
///
/// **Bounds.** Continuous axes are resampled until the point lies in the cube (up to 100
/// draws, then clipped, as the `cmaes` library does); the point told is the one used.
///
/// **Integers and steps.** With `withMargin` (the default), integer and stepped axes follow
/// CMA-ES with margin (Hamano et al., GECCO 2022): the point drawn stays continuous and is
/// rounded only for the objective, and after each generation the mean and a per-axis scale are
/// corrected so that each such axis still moves to another value with probability at least
/// 1/(nλ). Without it they are rounded like continuous axes and can freeze once σ is small.
///
/// **Restarts.** With `restart: .ipop`, a run that has stalled (the tutorial's termination rules:
/// TolFun, TolX, NoEffectAxis, NoEffectCoord, ConditionCov, divergence) restarts from a random
/// mean with a population `incPopsize` times larger (Auger & Hansen, "A Restart CMA Evolution
/// Strategy With Increasing Population Size", CEC 2005).
///
/// **Warm start.** Given `sourceTrials` (complete trials of an earlier phase of the study, as the
/// automatic sampler hands them over), a run starts where the best of them are rather than at
/// the centre, after WS-CMA-ES (Nomura et al., "Warm Starting CMA-ES for Hyperparameter
/// Optimization", AAAI 2021): the mean of the best 10% (at least two) in the unit cube, and a
/// step size from their spread plus a prior α = 0.1, σ² = geometric mean over the axes of
/// (α² + variance). WS-CMA-ES also starts the covariance from that spread; here it starts as
/// the identity.
///
/// `separable` runs sep-CMA-ES (diagonal covariance; Ros & Hansen, PPSN 2008). Single-objective
/// studies only.
public final class CMAESSampler: Sampler {
  /// A restart strategy.
  public enum Restart: String, Sendable, CaseIterable {
    /// Restart a stalled run with a larger population.
    case ipop
  }

  public let seed: UInt64
  /// The initial step size in the unit cube; nil for 1/6.
  public let sigma0: Double?
  /// The first run's population size; nil for 4 + ⌊3 ln n⌋.
  public let popsize: Int?
  public let restart: Restart?
  /// The factor IPOP multiplies the population by at each restart.
  public let incPopsize: Int
  public let separable: Bool
  public let withMargin: Bool
  /// Complete trials sampled independently (randomly) before CMA-ES starts.
  public let nStartupTrials: Int
  /// Complete trials a run starts from (see Warm start); empty for a cold start.
  public let sourceTrials: [FrozenTrial]

  private let memo = StudyMemo<Memo>()

  /// System attribute keys.
  enum Key {
    static let generation = "cma:generation"
    static let space = "cma:key"
    static let x = "cma:x"
    static let popsize = "cma:popsize"
    static let restart = "cma:restart"
  }

  public init(
    seed: UInt64? = nil, sigma0: Double? = nil, popsize: Int? = nil, restart: Restart? = nil,
    incPopsize: Int = 2, separable: Bool = false, withMargin: Bool = true, nStartupTrials: Int = 0,
    sourceTrials: [FrozenTrial] = []
  ) throws {
    if let sigma0, !(sigma0 > 0 && sigma0.isFinite) {
      throw InvalidArgument("sigma0", "sigma0 must be a positive number, got \(sigma0)")
    }
    if let popsize, popsize < 2 {
      throw InvalidArgument("popsize", "popsize must be at least 2, got \(popsize)")
    }
    try InvalidArgument.require("incPopsize", incPopsize, atLeast: 1)
    try InvalidArgument.require("nStartupTrials", nStartupTrials, atLeast: 0)
    self.seed = seed ?? randomSeed()
    self.sigma0 = sigma0
    self.popsize = popsize
    self.restart = restart
    self.incPopsize = incPopsize
    self.separable = separable
    self.withMargin = withMargin
    self.nStartupTrials = nStartupTrials
    self.sourceTrials = sourceTrials
  }

  // MARK: Sampler

  public func beforeTrial(_ context: SamplingContext) throws {
    guard context.history.directions.count == 1 else {
      throw StudyError("CMAESSampler supports single-objective studies only; use NSGA2Sampler for several directions")
    }
  }

  public func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    let trials = try context.history.trials()
    let space = try memo.with(context.history, initial: { Memo() }) { memo -> [String: Distribution]? in
      let tail = memo.absorb(trials)
      let complete = memo.ledger.completeCount + tail.lazy.filter { $0.state == .complete }.count
      return complete < max(nStartupTrials, 1) ? nil : memo.ledger.intersection(with: tail)
    }
    guard let space else { return [:] }
    return Dictionary(uniqueKeysWithValues: Evolution.numericNames(space).map { ($0, space[$0]!) })
  }

  public func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    let names = Evolution.numericNames(space)
    guard !names.isEmpty else { return [:] }
    let distributions = names.map { space[$0]! }
    let key = Evolution.spaceKey(names, space)
    let trials = try context.history.trials()
    let sign = context.history.direction == .minimize ? 1.0 : -1.0

    let (raw, encoded, run) = try memo.with(context.history, initial: { Memo() }) { memo in
      let tail = memo.absorb(trials)
      if memo.run?.key != key {
        memo.start(initialState(key: key, names: names, distributions: distributions, sign: sign), trials: trials)
      }
      advance(&memo, tail: tail, names: names, distributions: distributions, sign: sign, order: context.history.finishedBefore)
      let run = memo.run!
      let (raw, encoded) = draw(run.core, using: &context.rng)
      return (raw, encoded, run)
    }

    try context.setSystemAttr(Key.generation, .int(run.generation))
    try context.setSystemAttr(Key.space, .int(key))
    try context.setSystemAttr(Key.x, .array(raw.map { .double($0) }))
    try context.setSystemAttr(Key.popsize, .int(run.core.lambda))
    try context.setSystemAttr(Key.restart, .int(run.restarts))
    var params: [String: ParamValue] = [:]
    for (i, name) in names.enumerated() {
      params[name] = Evolution.value(atUnit: encoded[i], in: distributions[i])
    }
    return params
  }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    RandomSampler.sample(distribution, using: &context.rng)
  }

  // MARK: State

  /// The distribution of one search space, with the generation it samples next (counted across
  /// restarts) and the restarts so far.
  struct RunState {
    let key: Int
    var core: CMAESCore
    var generation: Int
    var restarts: Int
  }

  /// What the sampler keeps per study.
  struct Memo {
    var ledger = FinishedPrefix()
    var run: RunState?
    /// Complete trials of the ledger's prefix sampled by `run` in generations not yet told.
    var pending: [Int: [FrozenTrial]] = [:]

    /// Whether `t` is a complete trial of `run` from a generation not yet told.
    func awaits(_ t: FrozenTrial) -> Int? {
      guard let run, t.state == .complete, let g = Evolution.intAttr(t, Key.generation), g >= run.generation,
        Evolution.intAttr(t, Key.space) == run.key, let v = t.values?.first, !v.isNaN
      else { return nil }
      return g
    }

    /// Reads newly finished trials; returns the trials after the finished prefix.
    mutating func absorb(_ trials: [FrozenTrial]) -> ArraySlice<FrozenTrial> {
      let (added, tail) = ledger.absorb(trials)
      for t in added { if let g = awaits(t) { pending[g, default: []].append(t) } }
      return tail
    }

    /// Starts over with `run` (a new search space), collecting its trials from the prefix.
    mutating func start(_ run: RunState, trials: [FrozenTrial]) {
      self.run = run
      pending = [:]
      for t in trials[..<ledger.count] { if let g = awaits(t) { pending[g, default: []].append(t) } }
    }
  }

  private func initialState(key: Int, names: [String], distributions: [Distribution], sign: Double) -> RunState {
    let n = distributions.count
    let lambda = popsize ?? 4 + Int((3 * log(Double(n))).rounded(.down))
    let warm = Self.warmStart(sourceTrials, names: names, distributions: distributions, sign: sign)
    let core = makeCore(
      mean: warm?.mean ?? Array(repeating: 0.5, count: n), lambda: lambda, distributions: distributions,
      sigma: sigma0 ?? warm?.sigma)
    return RunState(key: key, core: core, generation: 0, restarts: 0)
  }

  private func makeCore(mean: [Double], lambda: Int, distributions: [Distribution], sigma: Double? = nil) -> CMAESCore {
    let axes = distributions.map { withMargin ? MarginAxis($0) : nil }
    return CMAESCore(mean: mean, sigma0: sigma ?? sigma0 ?? 1.0 / 6, lambda: lambda, separable: separable, axes: axes)
  }

  /// The warm start from `trials` over the space of `names` (see the type's Warm start), or nil
  /// when fewer than two of them are complete trials of that space.
  static func warmStart(
    _ trials: [FrozenTrial], names: [String], distributions: [Distribution], sign: Double
  ) -> (mean: [Double], sigma: Double)? {
    let points: [(x: [Double], value: Double)] = trials.compactMap { t in
      guard t.state == .complete, let v = t.values?.first, !v.isNaN else { return nil }
      var x: [Double] = []
      for (name, d) in zip(names, distributions) {
        guard let value = t.params[name], let u = Evolution.unit(value, in: d) else { return nil }
        x.append(min(max(u, 0), 1))
      }
      return (x, sign * v)
    }
    guard points.count >= 2 else { return nil }
    let best = points.sorted { $0.value < $1.value }.prefix(max(2, points.count / 10))
    let k = Double(best.count), n = names.count
    let mean = (0..<n).map { i in best.reduce(0) { $0 + $1.x[i] } / k }
    let alpha = 0.1
    var logVariance = 0.0
    for i in 0..<n {
      let variance = best.reduce(0) { $0 + ($1.x[i] - mean[i]) * ($1.x[i] - mean[i]) } / k
      logVariance += log(alpha * alpha + variance)
    }
    return (mean, exp(logVariance / Double(2 * n)))
  }

  /// Tells the run every generation that has λ complete trials, restarting stalled runs.
  private func advance(
    _ memo: inout Memo, tail: ArraySlice<FrozenTrial>, names: [String], distributions: [Distribution], sign: Double,
    order: (FrozenTrial, FrozenTrial) -> Bool
  ) {
    var fresh: [Int: [FrozenTrial]] = [:]
    for t in tail { if let g = memo.awaits(t) { fresh[g, default: []].append(t) } }
    while var state = memo.run {
      let group = memo.pending[state.generation, default: []] + fresh[state.generation, default: []]
      guard group.count >= state.core.lambda else { return }
      let chosen = group.sorted(by: order).prefix(state.core.lambda)
      let solutions = chosen.map { t in
        (x: toldPoint(t, core: state.core, names: names, distributions: distributions), value: sign * t.values![0])
      }
      state.core.tell(solutions)
      memo.pending[state.generation] = nil
      state.generation += 1
      if restart == .ipop, state.core.shouldStop() {
        state.restarts += 1
        var rng = RandomSource(seed: seed ^ UInt64(bitPattern: Int64(state.key)), stream: -state.restarts)
        let mean = (0..<names.count).map { _ in rng.unit() }
        let grown = state.core.lambda.multipliedReportingOverflow(by: incPopsize)
        let lambda = grown.overflow ? state.core.lambda : grown.partialValue
        state.core = makeCore(mean: mean, lambda: lambda, distributions: distributions)
      }
      memo.run = state
    }
  }

  /// The raw point trial `t` stands for: the one recorded when it was sampled, except on axes
  /// where the trial holds another value (one fixed by `enqueueTrial`), which take that value's
  /// position.
  private func toldPoint(_ t: FrozenTrial, core: CMAESCore, names: [String], distributions: [Distribution]) -> [Double] {
    var x: [Double] = []
    if case .array(let items)? = t.systemAttrs[Key.x], items.count == names.count {
      x = items.compactMap { if case .double(let d) = $0 { d } else { nil } }
    }
    let recorded = x.count == names.count
    if !recorded { x = Array(repeating: 0.5, count: names.count) }
    let encoded = core.encode(x)
    for (i, name) in names.enumerated() {
      guard let actual = t.params[name] else { continue }
      if recorded, Evolution.value(atUnit: encoded[i], in: distributions[i]) == actual { continue }
      if let u = Evolution.unit(actual, in: distributions[i]) { x[i] = u }
    }
    return x
  }

  /// One point of the current distribution: the raw point (told later) and the encoded one
  /// (rounded to values). Axes without the margin are resampled into [0, 1], then clipped.
  private func draw(_ core: CMAESCore, using rng: inout RandomSource) -> (raw: [Double], encoded: [Double]) {
    let bounded = (0..<core.n).filter { !core.hasMargin($0) }
    var x = core.sample(using: &rng)
    var tries = 1
    while tries < 100, bounded.contains(where: { !(x[$0] >= 0 && x[$0] <= 1) }) {
      x = core.sample(using: &rng)
      tries += 1
    }
    for i in bounded { x[i] = x[i].isNaN ? 0.5 : min(max(x[i], 0), 1) }
    return (x, core.encode(x))
  }
}
