import Foundation
import TunaRandom

/// A Parzen estimator: a weighted mixture of product kernels, one per observation, plus a broad
/// prior kernel. It is the density model of the Tree-structured Parzen Estimator (Bergstra et
/// al., "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011), built as Optuna builds it
/// (Watanabe, "Tree-Structured Parzen Estimator: Understanding Its Algorithm Components and
/// Their Roles for Better Empirical Performance", 2023), and a building block for samplers
/// written in Lua (`tuna.stats.kde`).
///
/// Every number is in the samplers' internal unit (`Distribution.toInternal`): the log of the
/// value for log dimensions, the choice's index for categoricals. Per dimension, a kernel is
///
/// - **continuous**: a Gaussian truncated to [low, high];
/// - **discrete** (integers, stepped floats): the same Gaussian over the bounds widened by half
///   a step, giving each grid point the probability mass of its cell — so a draw is a grid
///   point with exactly that probability, and `logPDF` is the log of that mass;
/// - **categorical**: the observed choice with weight 1 plus `priorWeight / kernels` on every
///   choice, normalized.
///
/// The prior kernel is centred on the bounds with a standard deviation of their width (uniform
/// for categoricals) and weighs `priorWeight` against the observations' weights. Bandwidths
/// follow Optuna's rule: each observation's σ is the larger gap to its neighbours in sorted
/// order (the bounds count as neighbours; without `considerEndpoints`, the extreme observations
/// use their inner gap only), clipped to [width / min(100, kernels + 1), width].
public struct KernelDensity: Sendable {
  /// One axis of the estimator.
  public enum Dimension: Sendable, Hashable {
    /// Real numbers in [low, high] (already in log space for a log parameter).
    case continuous(low: Double, high: Double)
    /// The grid low, low + step, …, high in the parameter's own unit; with `log`, positions
    /// are the logs of the grid values and cells are [log(v − step/2), log(v + step/2)].
    case discrete(low: Double, high: Double, step: Double, log: Bool)
    /// Choice indices 0..<count.
    case categorical(count: Int)

    /// The dimension a TPE sampler models for `distribution`.
    public init(_ distribution: Distribution) {
      switch distribution {
      case .float(let low, let high, let log, let step):
        if let step {
          self = .discrete(low: low, high: high, step: step, log: false)
        } else {
          self = log ? .continuous(low: Foundation.log(low), high: Foundation.log(high)) : .continuous(low: low, high: high)
        }
      case .int(let low, let high, let log, let step):
        self = .discrete(low: Double(low), high: Double(high), step: Double(step), log: log)
      case .categorical(let choices):
        self = .categorical(count: choices.count)
      }
    }
  }

  public let dimensions: [Dimension]
  /// The number of observations the estimator was built from.
  public let observationCount: Int
  /// The mixture weights, normalized: one per observation, then the prior's.
  public let weights: [Double]

  /// Kernels: observations, then the prior.
  let kernelCount: Int
  let numericAxes: [NumericAxis]
  let categoricalAxes: [CategoricalAxis]
  /// Per kernel: its log weight, minus log σ + log(mass inside the bounds) + ½ log 2π for each
  /// continuous axis — the part of its log density that does not depend on the point.
  let constant: [Double]
  let cumulativeWeights: [Double]
  /// The numeric axes' kernel centres and inverse bandwidths, axis after axis
  /// (`numericAxes[j].offset` = j · kernels).
  let mu: [Double]
  let invSigma: [Double]
  /// Positions in `numericAxes` of the continuous and of the discrete axes.
  let continuousAxes: [Int]
  let discreteAxes: [Int]

  // MARK: Construction

  /// An estimator over boxes of continuous dimensions: `observations` are points (one array of
  /// `low.count` numbers each) in [low, high] (points outside are clamped to it).
  /// - Parameters:
  ///   - weights: one non-negative weight per observation; all 1 when nil
  ///     (`TPESampler.defaultWeights` gives Optuna's recency weighting).
  ///   - priorWeight: the prior kernel's weight, ≥ 0.
  public init(
    observations: [[Double]], low: [Double], high: [Double], weights: [Double]? = nil,
    priorWeight: Double = 1, considerEndpoints: Bool = false
  ) throws(InvalidArgument) {
    guard low.count == high.count else {
      throw InvalidArgument("low", "low and high must have the same length, got \(low.count) and \(high.count)")
    }
    try self.init(
      observations: observations, dimensions: zip(low, high).map { .continuous(low: $0, high: $1) },
      weights: weights, priorWeight: priorWeight, considerEndpoints: considerEndpoints)
  }

  /// A one-dimensional estimator over [low, high] from single numbers.
  public init(
    values: [Double], low: Double, high: Double, weights: [Double]? = nil, priorWeight: Double = 1,
    considerEndpoints: Bool = false
  ) throws(InvalidArgument) {
    try self.init(
      observations: values.map { [$0] }, dimensions: [.continuous(low: low, high: high)], weights: weights,
      priorWeight: priorWeight, considerEndpoints: considerEndpoints)
  }

  /// An estimator over any mix of dimensions. `observations` are points in the internal unit,
  /// one number per dimension; numeric coordinates outside the bounds are clamped to them.
  public init(
    observations: [[Double]], dimensions: [Dimension], weights: [Double]? = nil,
    priorWeight: Double = 1, considerEndpoints: Bool = false
  ) throws(InvalidArgument) {
    guard !dimensions.isEmpty else { throw InvalidArgument("dimensions", "an estimator needs at least one dimension") }
    for (d, dimension) in dimensions.enumerated() { try Self.validate(dimension, index: d) }
    var columns = Array(repeating: [Double](), count: dimensions.count)
    for d in columns.indices { columns[d].reserveCapacity(observations.count) }
    for (i, point) in observations.enumerated() {
      guard point.count == dimensions.count else {
        throw InvalidArgument("observations", "observation \(i + 1) has \(point.count) values, expected \(dimensions.count) (one per dimension)")
      }
      for (d, v) in point.enumerated() {
        guard v.isFinite else { throw InvalidArgument("observations", "observation \(i + 1) has a non-finite value \(v)") }
        if case .categorical(let count) = dimensions[d] {
          guard v == v.rounded(), v >= 0, v < Double(count) else {
            throw InvalidArgument("observations", "observation \(i + 1): \(v) is not a choice index in 0..<\(count)")
          }
        }
        columns[d].append(v)
      }
    }
    if let weights {
      guard weights.count == observations.count else {
        throw InvalidArgument("weights", "weights must have one value per observation, got \(weights.count) for \(observations.count)")
      }
      guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
        throw InvalidArgument("weights", "weights must be finite and >= 0")
      }
      guard observations.isEmpty || weights.reduce(0, +) > 0 else {
        throw InvalidArgument("weights", "weights must not all be 0")
      }
    }
    guard priorWeight.isFinite, priorWeight >= 0 else {
      throw InvalidArgument("priorWeight", "priorWeight must be finite and >= 0, got \(priorWeight)")
    }
    self.init(
      validated: dimensions, columns: columns, weights: weights ?? Array(repeating: 1, count: observations.count),
      priorWeight: priorWeight, considerEndpoints: considerEndpoints)
  }

  private static func validate(_ dimension: Dimension, index d: Int) throws(InvalidArgument) {
    let at = "dimension \(d + 1)"
    switch dimension {
    case .continuous(let low, let high):
      guard low.isFinite, high.isFinite, low < high else {
        throw InvalidArgument("dimensions", "\(at): needs finite bounds with low < high, got [\(low), \(high)]")
      }
    case .discrete(let low, let high, let step, let log):
      guard low.isFinite, high.isFinite, low <= high, step.isFinite, step > 0 else {
        throw InvalidArgument("dimensions", "\(at): needs finite low <= high and step > 0, got [\(low), \(high)] step \(step)")
      }
      guard (high - low) / step < 1e15 else { throw InvalidArgument("dimensions", "\(at): has too many grid points") }
      if log, low - step / 2 <= 0 {
        throw InvalidArgument("dimensions", "\(at): a log grid needs low - step/2 > 0, got low \(low), step \(step)")
      }
    case .categorical(let count):
      guard count >= 1 else { throw InvalidArgument("dimensions", "\(at): needs at least one choice") }
    }
  }

  /// Builds from checked input: `columns[d]` holds every observation's coordinate `d`, and
  /// `weights` one non-negative weight per observation (not all 0 unless there are none).
  /// `orders[d]`, when given, lists the observations by their coordinate `d` (ties by index).
  /// With `tieSeed`, observations of equal value share out their bandwidths in a random order
  /// drawn from it (`NumericAxis`); without, by index.
  init(
    validated dimensions: [Dimension], columns: [[Double]], orders: [[Int]?]? = nil, weights observationWeights: [Double],
    priorWeight: Double, considerEndpoints: Bool, tieSeed: UInt64? = nil
  ) {
    let n = observationWeights.count
    let kernels = n + 1
    self.dimensions = dimensions
    self.observationCount = n
    self.kernelCount = kernels

    var weights = observationWeights
    weights.append(n == 0 ? 1 : priorWeight)
    let total = weights.reduce(0, +)
    for k in weights.indices { weights[k] /= total }
    self.weights = weights
    var cumulative = [Double](repeating: 0, count: kernels)
    var running = 0.0
    for k in 0..<kernels {
      running += weights[k]
      cumulative[k] = running
    }
    self.cumulativeWeights = cumulative

    let numericDimensions = dimensions.indices.filter {
      if case .categorical = dimensions[$0] { return false }
      return true
    }
    var numeric: [NumericAxis] = []
    var categorical: [CategoricalAxis] = []
    // Π σ·mass over the continuous axes, per kernel.
    var factor = [Double](repeating: 1, count: kernels)
    var logFactor = [Double](repeating: 0, count: kernels)
    var mu = [Double](repeating: 0, count: numericDimensions.count * kernels)
    var invSigma = [Double](repeating: 0, count: numericDimensions.count * kernels)
    mu.withUnsafeMutableBufferPointer { mu in
      invSigma.withUnsafeMutableBufferPointer { inv in
        for (j, d) in numericDimensions.enumerated() {
          let range = (j * kernels)..<((j + 1) * kernels)
          numeric.append(NumericAxis(
            index: d, offset: j * kernels, dimension: dimensions[d], observed: columns[d], order: orders?[d],
            considerEndpoints: considerEndpoints, tieSeed: tieSeed, mu: UnsafeMutableBufferPointer(rebasing: mu[range]),
            invSigma: UnsafeMutableBufferPointer(rebasing: inv[range]), factor: &factor, logFactor: &logFactor))
        }
      }
    }
    for (d, dimension) in dimensions.enumerated() {
      if case .categorical(let count) = dimension {
        categorical.append(CategoricalAxis(index: d, count: count, observed: columns[d], priorWeight: priorWeight))
      }
    }
    continuousAxes = numeric.indices.filter { !numeric[$0].isDiscrete }
    discreteAxes = numeric.indices.filter { numeric[$0].isDiscrete }
    // log(w / Π σ·mass) − ½ log 2π per continuous axis: one log per kernel.
    let shift = Double(continuousAxes.count) * NormalMath.logSqrt2Pi
    constant = (0..<kernels).map { k in Foundation.log(weights[k] / factor[k]) - logFactor[k] - shift }
    self.mu = mu
    self.invSigma = invSigma
    self.numericAxes = numeric
    self.categoricalAxes = categorical
  }
}
