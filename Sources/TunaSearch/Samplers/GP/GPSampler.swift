import Foundation

/// Gaussian-process Bayesian optimization (Optuna's GPSampler, natively).
///
/// Once `nStartupTrials` trials are complete, each trial fits a Gaussian process to the
/// complete trials over their intersection search space and takes the point that maximizes log
/// expected improvement:
///
/// - **Inputs**: one coordinate per parameter in [0, 1] through the internal unit (log-space for
///   log parameters; integers and stepped floats on their grid, each grid point an equal share).
///   Categoricals enter the kernel by a Hamming distance (same choice or not), as in Optuna.
/// - **Outputs**: standardized (mean 0, standard deviation 1), negated when minimizing, infinite
///   values clipped to the finite range.
/// - **Model**: Matérn 5/2 kernel with a lengthscale per parameter, a signal variance and a noise
///   variance (at least 10⁻⁶; held there with `deterministicObjective`), fitted by maximizing the
///   marginal likelihood with Optuna's weak priors, by bounded L-BFGS on the log-parameters with
///   analytic gradients, warm-started from the previous trial's fit.
/// - **Acquisition**: log EI (numerically stable where EI underflows), maximized over 2,048
///   scrambled Sobol candidates followed by local searches (L-BFGS on continuous coordinates,
///   rounding for large integer grids, every value for small grids and categoricals) from the
///   best candidates and the best trial (`AcquisitionOptimizer`).
///
/// The first trial is drawn at random; the startup trials after it take the points of a
/// scrambled Sobol sequence (trial n, point n) over the space the complete trials share. Optuna
/// draws all startup trials at random; the Sobol design covers the space more evenly, which
/// measurably helps the model find the right basin of multimodal functions (Hartmann6).
/// Parameters outside the intersection space (conditional ones) and multi-objective studies are
/// sampled at random.
///
/// The model's cost grows as n³ in the number of complete trials; past 100 trials the work per
/// suggestion is bounded (see `effort(forTrials:)`), and past 300 the model is fitted to 300 of
/// them (`modelSubset`), so a suggestion costs about the same at 1,000 trials as at 300.
public final class GPSampler: Sampler {
  public let seed: UInt64
  public let nStartupTrials: Int
  public let deterministicObjective: Bool
  /// Whether the values are power-transformed before the fit (`OutputWarp`); nil: on spaces of
  /// up to `maxWarpedDimensions` parameters.
  public let outputWarping: Bool?
  /// Up to this many parameters the values are warped by default: warping helps most of the
  /// regret benchmark's problems several-fold and ruins the 30-d sphere (`OutputWarp`).
  public static let maxWarpedDimensions = 16

  /// A fit's parameters, the space they were fitted on and the number of trials they were
  /// fitted to: where the next fit starts.
  struct WarmStart: Equatable {
    var names: [String]
    var parameters: KernelParameters
    var trials: Int

    /// The system attribute a deterministic study keeps it in, on the trial it was made for.
    static let key = "gp:fit"

    var attr: AttrValue {
      .object([
        "names": .array(names.map(AttrValue.string)), "trials": .int(trials),
        "parameters": .array(
          (parameters.inverseSquaredLengthscales + [parameters.signalVariance, parameters.noiseVariance])
            .map(AttrValue.double)),
      ])
    }

    init(names: [String], parameters: KernelParameters, trials: Int) {
      self.names = names
      self.parameters = parameters
      self.trials = trials
    }

    init?(attr: AttrValue?) {
      guard case .object(let o)? = attr, case .array(let n)? = o["names"], case .int(let trials)? = o["trials"],
        case .array(let p)? = o["parameters"]
      else { return nil }
      let names = n.compactMap { if case .string(let s) = $0 { s } else { nil } }
      let values = p.compactMap { if case .double(let d) = $0 { d } else { nil } }
      guard names.count == n.count, values.count == p.count, values.count == names.count + 2 else { return nil }
      self.init(
        names: names,
        parameters: KernelParameters(
          inverseSquaredLengthscales: Array(values.prefix(names.count)), signalVariance: values[names.count],
          noiseVariance: values[names.count + 1]),
        trials: trials)
    }
  }

  /// The last fit (the next one starts there). A deterministic study keeps it in the trials
  /// instead (`WarmStart.key`): each trial starts from the latest fit among the trials it sees,
  /// whichever worker made it.
  private var warmStart: WarmStart?
  /// The complete trials read by `inferRelativeSearchSpace`, for the `sampleRelative` that
  /// follows in the same trial.
  private var fetched: (context: ObjectIdentifier, trialID: Int, trials: [FrozenTrial])?

  public init(seed: UInt64? = nil, nStartupTrials: Int = 10, deterministicObjective: Bool = false, outputWarping: Bool? = nil) {
    self.seed = seed ?? randomSeed()
    self.nStartupTrials = nStartupTrials
    self.deterministicObjective = deterministicObjective
    self.outputWarping = outputWarping
  }

  public func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    fetched = nil
    guard context.history.directions.count == 1 else { return [:] }
    let complete = try context.history.trials(states: [.complete]).filter { $0.value != nil }
    guard !complete.isEmpty else { return [:] }
    fetched = (ObjectIdentifier(context), context.trialID, complete)
    return Self.intersection(complete).filter { !$0.value.isSingle }
  }

  public func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    guard !space.isEmpty else { return [:] }
    let trials: [FrozenTrial]
    if let fetched, fetched.context == ObjectIdentifier(context), fetched.trialID == context.trialID {
      trials = fetched.trials
    } else {
      trials = try context.history.trials(states: [.complete]).filter { $0.value != nil }
    }
    fetched = nil
    guard !trials.isEmpty else { return [:] }
    let encoded = GPSearchSpace(space)
    let point: [Double]
    if trials.count < nStartupTrials {
      let index = try context.trial().number
      guard encoded.count <= QMC.maxSobolDimensions, index < 1 << 32 else { return [:] }
      var u = [Double](repeating: 0, count: encoded.count)
      let sobol = SobolSequence(dimensions: encoded.count, scrambleSeed: seed)
      u.withUnsafeMutableBufferPointer { sobol.fill(start: index, count: 1, into: $0.baseAddress!) }
      point = u
    } else {
      let maximize = context.history.direction == .maximize
      let deterministic = context.history.horizon != nil
      var warm = deterministic ? try Self.latestFit(context.history) : warmStart
      guard let p = suggest(space: encoded, trials: trials, maximize: maximize, warm: &warm, rng: &context.rng) else {
        return [:]
      }
      if deterministic {
        if let warm { try context.setSystemAttr(WarmStart.key, warm.attr) }
      } else {
        warmStart = warm
      }
      point = p
    }
    var result: [String: ParamValue] = [:]
    for (d, dim) in encoded.dimensions.enumerated() { result[dim.name] = encoded.value(point[d], d) }
    return result
  }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    RandomSampler.sample(distribution, using: &context.rng)
  }

  /// How hard one suggestion works with `n` complete trials.
  ///
  /// The first fit on a space runs to convergence from unit lengthscales; later ones take
  /// `fitIterations` quasi-Newton steps from the previous fit, so the hyperparameters track the
  /// data as it grows rather than jump between optima of the likelihood. Up to 100 trials,
  /// Optuna's acquisition settings: 2,048 candidates and 10 local searches. Past that, the
  /// candidates and local searches (whose cost grows as n²) shrink so their work stays near that
  /// of 100 trials, and the hyperparameters (an O(n³) fit that barely moves once there are this
  /// many trials) are refitted every ⌈(n/100)²⌉ trials; the trials between are conditioned on
  /// the last fit's parameters.
  static func effort(forTrials n: Int) -> (candidates: Int, localSearches: Int, fitIterations: Int, refitInterval: Int) {
    let ratio = Double(100 * 100) / Double(max(n, 1) * max(n, 1))
    let candidates = min(2_048, max(256, Int(2_048 * ratio)))
    let localSearches = min(10, max(3, Int((10 * ratio).rounded(.up))))
    let refitInterval = n <= 100 ? 1 : Int((1 / ratio).rounded(.up))
    return (candidates, localSearches, 5, refitInterval)
  }

  /// The coordinates of the next point; nil when no model could be fitted (the trial then
  /// falls back to random values).
  func suggest(
    space: GPSearchSpace, trials: [FrozenTrial], maximize: Bool, warm: inout WarmStart?, rng: inout RandomSource
  ) -> [Double]? {
    let dims = space.count
    var x: [Double] = []
    x.reserveCapacity(trials.count * dims)
    var values: [Double] = []
    for trial in trials {
      var row: [Double] = []
      for (d, dim) in space.dimensions.enumerated() {
        guard let value = trial.params[dim.name], let u = space.normalize(value, d) else { break }
        row.append(u)
      }
      guard row.count == dims, let v = trial.value else { continue }
      x += row
      values.append(maximize ? v : -v)
    }
    guard !values.isEmpty else { return nil }
    let total = values.count
    if total > Self.maxModelTrials {
      // Past the cap, the model sees a subset (`modelSubset`): its cost stays that of the cap.
      let keep = Self.modelSubset(x: x, values: values, dimensions: dims, size: Self.maxModelTrials)
      x = keep.flatMap { x[$0 * dims..<($0 + 1) * dims] }
      values = keep.map { values[$0] }
    }
    let clipped = Self.clipInfinities(values)
    let warp = outputWarping ?? (dims <= Self.maxWarpedDimensions)
    let (y, _, _) = GaussianProcess.standardize(warp ? OutputWarp.yeoJohnson(clipped) : clipped)

    let names = space.dimensions.map(\.name)
    let n = y.count
    let effort = Self.effort(forTrials: n)
    let categorical = space.categoricalMask
    let posterior: GPPosterior
    if let last = warm, last.names == names {
      if total - last.trials < effort.refitInterval,
        let conditioned = GPPosterior(x: x, y: y, categorical: categorical, parameters: last.parameters)
      {
        // Between refits: the last fit's parameters, conditioned on all the data.
        posterior = conditioned
      } else {
        // Track the hyperparameters: a few quasi-Newton steps from the last fit.
        guard
          let fitted = GPFit.fit(
            x: x, y: y, categorical: categorical, starts: [last.parameters], deterministic: deterministicObjective,
            maxEvaluations: 4 * effort.fitIterations, maxIterations: effort.fitIterations)
        else { return nil }
        posterior = fitted
        warm = WarmStart(names: names, parameters: posterior.parameters, trials: total)
      }
    } else {
      guard
        let fitted = GPFit.fit(
          x: x, y: y, categorical: categorical, starts: [.initial(dimensions: dims)], deterministic: deterministicObjective)
      else { return nil }
      posterior = fitted
      warm = WarmStart(names: names, parameters: posterior.parameters, trials: total)
    }

    var bestIndex = 0
    for i in y.indices where y[i] > y[bestIndex] { bestIndex = i }
    var optimizer = AcquisitionOptimizer(posterior: posterior, space: space, best: y[bestIndex])
    optimizer.candidates = effort.candidates
    optimizer.localSearches = effort.localSearches
    let bestPoint = Array(x[bestIndex * dims..<(bestIndex + 1) * dims])
    return optimizer.maximize(rng: &rng, warmStarts: [bestPoint])
  }

  /// The fit recorded by the latest trial `history` shows that has one.
  static func latestFit(_ history: TrialHistory) throws -> WarmStart? {
    for t in try history.trials().reversed() {
      if let fit = WarmStart(attr: t.systemAttrs[WarmStart.key]) { return fit }
    }
    return nil
  }

  /// The most complete trials one model is fitted to: past it, each suggestion costs about what
  /// it costs at this many (`tuna-bench samplers`, 1,000 trials: 9.7–10.5 ms per trial against
  /// 113–127 ms for the full model).
  static let maxModelTrials = 300

  /// The trials a model of `size` keeps out of more, by index, in their order: a third the
  /// best values (the model must be right where the optimum is likely), a third the trials
  /// nearest the best one (a local model around it, as in trust-region BO, TuRBO), and a third
  /// spread evenly over the rest in trial order, so that the model still knows the regions
  /// already explored and does not send EI back to them. `values` are to be maximized.
  static func modelSubset(x: [Double], values: [Double], dimensions dims: Int, size: Int) -> [Int] {
    let n = values.count
    guard n > size else { return Array(0..<n) }
    // NaN never reaches here (complete trials); infinities sort to the ends.
    let byValue = (0..<n).sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
    var kept = [Bool](repeating: false, count: n)
    let best = byValue[0]
    for i in byValue.prefix(size / 3) { kept[i] = true }
    func distance(_ i: Int) -> Double {
      var d = 0.0
      for k in 0..<dims {
        let diff = x[i * dims + k] - x[best * dims + k]
        d += diff * diff
      }
      return d
    }
    let distances = (0..<n).map(distance)
    let near = (0..<n).filter { !kept[$0] }.sorted { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
    for i in near.prefix(size / 3) { kept[i] = true }
    let rest = (0..<n).filter { !kept[$0] }
    let spread = size - kept.lazy.filter { $0 }.count
    for j in 0..<min(spread, rest.count) { kept[rest[j * rest.count / spread]] = true }
    return (0..<n).filter { kept[$0] }
  }

  /// Infinite values replaced by the largest and smallest finite ones (0 when none is finite).
  static func clipInfinities(_ values: [Double]) -> [Double] {
    let finite = values.filter(\.isFinite)
    let low = finite.min() ?? 0, high = finite.max() ?? 0
    return values.map { $0.isFinite ? $0 : ($0 > 0 ? high : low) }
  }

  /// The parameters every trial has, each with the distribution all of them used.
  static func intersection(_ trials: [FrozenTrial]) -> [String: Distribution] {
    guard var space = trials.first?.distributions else { return [:] }
    for trial in trials.dropFirst() {
      for (name, distribution) in space where trial.distributions[name] != distribution { space[name] = nil }
      if space.isEmpty { break }
    }
    return space
  }
}
