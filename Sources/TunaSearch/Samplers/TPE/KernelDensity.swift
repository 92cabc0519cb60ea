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

  /// A wrong argument, worded for the caller.
  public struct InvalidArgument: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
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
  /// Per kernel: log weight minus the continuous axes' normalizers.
  let constant: [Double]
  let cumulativeWeights: [Double]

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
      throw InvalidArgument(message: "low and high must have the same length, got \(low.count) and \(high.count)")
    }
    try self.init(
      observations: observations, dimensions: zip(low, high).map { .continuous(low: $0, high: $1) },
      weights: weights, priorWeight: priorWeight, considerEndpoints: considerEndpoints)
  }

  /// An estimator over any mix of dimensions. `observations` are points in the internal unit,
  /// one number per dimension; numeric coordinates outside the bounds are clamped to them.
  public init(
    observations: [[Double]], dimensions: [Dimension], weights: [Double]? = nil,
    priorWeight: Double = 1, considerEndpoints: Bool = false
  ) throws(InvalidArgument) {
    guard !dimensions.isEmpty else { throw InvalidArgument(message: "an estimator needs at least one dimension") }
    for (d, dimension) in dimensions.enumerated() { try Self.validate(dimension, index: d) }
    var columns = Array(repeating: [Double](), count: dimensions.count)
    for d in columns.indices { columns[d].reserveCapacity(observations.count) }
    for (i, point) in observations.enumerated() {
      guard point.count == dimensions.count else {
        throw InvalidArgument(message: "observation \(i + 1) has \(point.count) values, expected \(dimensions.count) (one per dimension)")
      }
      for (d, v) in point.enumerated() {
        guard v.isFinite else { throw InvalidArgument(message: "observation \(i + 1) has a non-finite value \(v)") }
        if case .categorical(let count) = dimensions[d] {
          guard v == v.rounded(), v >= 0, v < Double(count) else {
            throw InvalidArgument(message: "observation \(i + 1): \(v) is not a choice index in 0..<\(count)")
          }
        }
        columns[d].append(v)
      }
    }
    if let weights {
      guard weights.count == observations.count else {
        throw InvalidArgument(message: "weights must have one value per observation, got \(weights.count) for \(observations.count)")
      }
      guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
        throw InvalidArgument(message: "weights must be finite and >= 0")
      }
      guard observations.isEmpty || weights.reduce(0, +) > 0 else {
        throw InvalidArgument(message: "weights must not all be 0")
      }
    }
    guard priorWeight.isFinite, priorWeight >= 0 else {
      throw InvalidArgument(message: "prior_weight must be finite and >= 0, got \(priorWeight)")
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
        throw InvalidArgument(message: "\(at): needs finite bounds with low < high, got [\(low), \(high)]")
      }
    case .discrete(let low, let high, let step, let log):
      guard low.isFinite, high.isFinite, low <= high, step.isFinite, step > 0 else {
        throw InvalidArgument(message: "\(at): needs finite low <= high and step > 0, got [\(low), \(high)] step \(step)")
      }
      guard (high - low) / step < 1e15 else { throw InvalidArgument(message: "\(at): has too many grid points") }
      if log, low - step / 2 <= 0 {
        throw InvalidArgument(message: "\(at): a log grid needs low - step/2 > 0, got low \(low), step \(step)")
      }
    case .categorical(let count):
      guard count >= 1 else { throw InvalidArgument(message: "\(at): needs at least one choice") }
    }
  }

  /// Builds from checked input: `columns[d]` holds every observation's coordinate `d`, and
  /// `weights` one non-negative weight per observation (not all 0 unless there are none).
  init(validated dimensions: [Dimension], columns: [[Double]], weights observationWeights: [Double], priorWeight: Double, considerEndpoints: Bool) {
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

    var constant = weights.map { Foundation.log($0) }
    var numeric: [NumericAxis] = []
    var categorical: [CategoricalAxis] = []
    for (d, dimension) in dimensions.enumerated() {
      if case .categorical(let count) = dimension {
        categorical.append(CategoricalAxis(index: d, count: count, observed: columns[d], priorWeight: priorWeight))
      } else {
        let axis = NumericAxis(index: d, dimension: dimension, observed: columns[d], considerEndpoints: considerEndpoints)
        if !axis.isDiscrete {
          for k in 0..<kernels { constant[k] -= axis.logSigma[k] + NormalMath.logSqrt2Pi + axis.logNormalizer[k] }
        }
        numeric.append(axis)
      }
    }
    self.constant = constant
    self.numericAxes = numeric
    self.categoricalAxes = categorical
  }

  // MARK: Queries

  /// The log density at `x` (one internal-unit number per dimension; discrete coordinates are
  /// read as the grid point whose cell holds them, categorical ones as the nearest index), or
  /// −∞ outside the bounds.
  public func logPDF(_ x: [Double]) -> Double {
    precondition(x.count == dimensions.count, "logPDF needs \(dimensions.count) coordinates, got \(x.count)")
    var scratch = [Double](repeating: 0, count: kernelCount)
    return x.withUnsafeBufferPointer { point in
      scratch.withUnsafeMutableBufferPointer { logPDF(point, scratch: $0) }
    }
  }

  /// The log densities of `count` points stored one after another in `points`.
  func logPDFs(_ points: [Double], count: Int) -> [Double] {
    let dims = dimensions.count
    var scratch = [Double](repeating: 0, count: kernelCount)
    var result = [Double](repeating: 0, count: count)
    points.withUnsafeBufferPointer { all in
      scratch.withUnsafeMutableBufferPointer { s in
        for i in 0..<count {
          result[i] = logPDF(UnsafeBufferPointer(rebasing: all[(i * dims)..<((i + 1) * dims)]), scratch: s)
        }
      }
    }
    return result
  }

  /// Kernels whose log term is this far below the largest add less than 1e-17 each: skipped.
  private static let negligible = 40.0

  private func logPDF(_ x: UnsafeBufferPointer<Double>, scratch acc: UnsafeMutableBufferPointer<Double>) -> Double {
    let kernels = kernelCount
    constant.withUnsafeBufferPointer { c in
      for k in 0..<kernels { acc[k] = c[k] }
    }
    var cells: [(axis: Int, left: Double, right: Double)] = []
    for (j, axis) in numericAxes.enumerated() {
      let v = x[axis.index]
      if axis.isDiscrete {
        guard let cell = axis.cell(of: v) else { return -.infinity }
        cells.append((j, cell.left, cell.right))
        continue
      }
      guard v >= axis.low, v <= axis.high else { return -.infinity }
      axis.mu.withUnsafeBufferPointer { mu in
        axis.invSigma.withUnsafeBufferPointer { inv in
          for k in 0..<kernels {
            let z = (v - mu[k]) * inv[k]
            acc[k] -= 0.5 * z * z
          }
        }
      }
    }
    for axis in categoricalAxes {
      let v = x[axis.index].rounded()
      guard v >= 0, v < Double(axis.count) else { return -.infinity }
      let c = Int(v)
      axis.logProbability.withUnsafeBufferPointer { p in
        let row = c * kernels
        for k in 0..<kernels { acc[k] += p[row + k] }
      }
    }
    if !cells.isEmpty {
      // A cell's normalized mass is at most 1, so a kernel already far below the best full
      // term cannot matter: start from the most promising kernel and skip the hopeless ones.
      var first = 0
      for k in 1..<kernels where acc[k] > acc[first] { first = k }
      func full(_ k: Int) -> Double {
        var s = acc[k]
        for cell in cells {
          let axis = numericAxes[cell.axis]
          let mu = axis.mu[k]
          let inv = axis.invSigma[k]
          s += NormalMath.logMass((cell.left - mu) * inv, (cell.right - mu) * inv) - axis.logNormalizer[k]
        }
        return s
      }
      var best = full(first)
      acc[first] = best
      for k in 0..<kernels where k != first {
        if acc[k] < best - Self.negligible {
          acc[k] = -.infinity
        } else {
          acc[k] = full(k)
          best = max(best, acc[k])
        }
      }
    }
    var m = -Double.infinity
    for k in 0..<kernels where acc[k] > m { m = acc[k] }
    guard m > -.infinity else { return -.infinity }
    let floor = m - Self.negligible
    var sum = 0.0
    for k in 0..<kernels where acc[k] > floor { sum += exp(acc[k] - m) }
    return m + Foundation.log(sum)
  }

  /// `count` points drawn from the mixture, in the internal unit (discrete coordinates on the
  /// grid, categorical ones as indices).
  public func sample(count: Int, rng: inout RandomSource) -> [[Double]] {
    let flat = samples(count: count, rng: &rng)
    let dims = dimensions.count
    return (0..<max(0, count)).map { Array(flat[($0 * dims)..<(($0 + 1) * dims)]) }
  }

  /// `count` draws stored one after another.
  func samples(count: Int, rng: inout RandomSource) -> [Double] {
    let dims = dimensions.count
    var out = [Double](repeating: 0, count: max(0, count) * dims)
    for i in 0..<max(0, count) {
      let k = pickKernel(rng.unit())
      for axis in numericAxes {
        out[i * dims + axis.index] = axis.draw(kernel: k, u: rng.unit())
      }
      for axis in categoricalAxes {
        out[i * dims + axis.index] = Double(axis.draw(kernel: k, u: rng.unit()))
      }
    }
    return out
  }

  /// The kernel whose share of the cumulative weights holds `u` in [0, 1).
  private func pickKernel(_ u: Double) -> Int {
    var lo = 0
    var hi = kernelCount - 1
    while lo < hi {
      let mid = (lo + hi) / 2
      if cumulativeWeights[mid] > u { hi = mid } else { lo = mid + 1 }
    }
    // Skip zero-weight kernels that a rounding error at the end could land on.
    while lo > 0, weights[lo] == 0 { lo -= 1 }
    return lo
  }
}
