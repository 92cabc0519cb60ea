import Foundation

/// Maximizes log expected improvement over a GP search space, the way Optuna's GP sampler does:
/// score a scrambled Sobol set of candidates (discrete coordinates snapped to their grids), then
/// run a local search from the best candidate, from the given warm starts (the best trial so
/// far) and from a few more candidates drawn with probability proportional to their EI. The
/// local search alternates bounded L-BFGS on the continuous coordinates (in units of each
/// coordinate's lengthscale, which makes the problem well conditioned) with a search along each
/// discrete coordinate: every value when it has at most 16, else steps of 1, 2, 4, … grid points.
struct AcquisitionOptimizer {
  let posterior: GPPosterior
  let space: GPSearchSpace
  /// The best standardized value so far (the acquisition maximizes).
  let best: Double
  var candidates = 2_048
  var localSearches = 10
  /// Added to the posterior variance so that log EI stays smooth where the model is certain.
  var stabilizingNoise = 1e-12
  /// L-BFGS evaluations allowed per continuous phase of a local search.
  var maxGradientEvaluations = 100

  private let continuous: [Int]
  private let discrete: [Int]
  private let workspace: GPPosterior.Workspace

  init(posterior: GPPosterior, space: GPSearchSpace, best: Double) {
    self.posterior = posterior
    self.space = space
    self.best = best
    continuous = space.dimensions.indices.filter { space.dimensions[$0].kind == .continuous }
    discrete = space.dimensions.indices.filter { space.dimensions[$0].kind != .continuous }
    workspace = GPPosterior.Workspace(n: posterior.n)
  }

  nonisolated(unsafe) static var evaluations = 0
  /// log EI at `point` (the posterior is the standardized, maximizing one).
  func value(_ point: [Double]) -> Double {
    Self.evaluations += 1
    return point.withUnsafeBufferPointer { p in
      posterior.valueAndGradient(p.baseAddress!, gradient: nil, workspace: workspace) { mean, variance in
        Acquisition.logEIWithDerivatives(mean: mean, variance: variance + stabilizingNoise, best: best)
      }
    }
  }

  /// The coordinates of the best point found.
  func maximize(rng: inout RandomSource, warmStarts: [[Double]]) -> [Double] {
    let dims = space.count
    let count = max(1, candidates)
    var points = [Double](repeating: 0, count: count * dims)
    let sobol = SobolSequence(dimensions: dims, scrambleSeed: rng.next())
    points.withUnsafeMutableBufferPointer { sobol.fill(start: 0, count: count, into: $0.baseAddress!) }
    for d in discrete {
      for i in 0..<count { points[i * dims + d] = space.snap(points[i * dims + d], d) }
    }
    var means = [Double](repeating: 0, count: count), variances = [Double](repeating: 0, count: count)
    points.withUnsafeBufferPointer { p in
      means.withUnsafeMutableBufferPointer { m in
        variances.withUnsafeMutableBufferPointer { v in
          posterior.predictBatch(p.baseAddress!, count: count, means: m.baseAddress!, variances: v.baseAddress!)
        }
      }
    }
    var scores = [Double](repeating: 0, count: count)
    var top = 0
    for i in 0..<count {
      let s = Acquisition.logEIWithDerivatives(mean: means[i], variance: variances[i] + stabilizingNoise, best: best).value
      scores[i] = s.isNaN ? -.infinity : s
      if scores[i] > scores[top] { top = i }
    }
    func candidate(_ i: Int) -> [Double] { Array(points[i * dims..<(i + 1) * dims]) }

    // Starts: the best candidate, the warm starts, and more drawn in proportion to EI.
    var starts = [candidate(top)] + warmStarts
    let extra = localSearches - starts.count
    if extra > 0 {
      var weights = scores.map { $0.isFinite ? exp($0 - scores[top]) : 0 }
      weights[top] = 0
      for _ in 0..<extra {
        let total = weights.reduce(0, +)
        guard total > 0, total.isFinite else { break }
        var r = rng.unit() * total
        var pick = weights.count - 1
        for (i, w) in weights.enumerated() where w > 0 {
          r -= w
          if r < 0 {
            pick = i
            break
          }
        }
        starts.append(candidate(pick))
        weights[pick] = 0
      }
    }

    var bestPoint = candidate(top)
    var bestValue = scores[top]
    for start in starts {
      let (x, f) = localSearch(start)
      if f > bestValue {
        bestPoint = x
        bestValue = f
      }
    }
    return bestPoint
  }

  /// Alternates the continuous and discrete phases until a whole round changes nothing.
  func localSearch(_ start: [Double]) -> (point: [Double], value: Double) {
    var x = start
    var f = value(x)
    for _ in 0..<20 {
      var improved = false
      if !continuous.isEmpty, gradientAscent(&x, &f) { improved = true }
      for d in discrete where discreteSearch(&x, &f, d) { improved = true }
      if !improved { break }
    }
    return (x, f)
  }

  /// Bounded L-BFGS on the continuous coordinates, scaled by their inverse lengthscales.
  private func gradientAscent(_ x: inout [Double], _ f: inout Double) -> Bool {
    let ls = posterior.parameters.inverseSquaredLengthscales
    let scale = continuous.map { ls[$0].squareRoot() }  // z = x / ℓ = x · √(1/ℓ²)
    let lower = [Double](repeating: 0, count: continuous.count)
    let upper = scale
    let z0 = continuous.indices.map { x[continuous[$0]] * scale[$0] }
    var point = x
    var full = [Double](repeating: 0, count: space.count)
    var optimizer = BoundedLBFGS()
    optimizer.maxEvaluations = maxGradientEvaluations
    optimizer.gradientTolerance = 1e-2
    optimizer.valueTolerance = 1e-9
    let result = optimizer.minimize(from: z0, lower: lower, upper: upper) { z, gradient in
      Self.evaluations += 1
      for (k, d) in continuous.enumerated() { point[d] = min(max(z[k] / scale[k], 0), 1) }
      let v = point.withUnsafeBufferPointer { p in
        full.withUnsafeMutableBufferPointer { g in
          posterior.valueAndGradient(p.baseAddress!, gradient: gradient == nil ? nil : g.baseAddress!, workspace: workspace) { mean, variance in
            Acquisition.logEIWithDerivatives(mean: mean, variance: variance + stabilizingNoise, best: best)
          }
        }
      }
      if gradient != nil {
        for (k, d) in continuous.enumerated() { gradient![k] = -full[d] / scale[k] }
      }
      return v.isFinite ? -v : .infinity
    }
    guard -result.value > f, result.iterations > 0 else { return false }
    for (k, d) in continuous.enumerated() { x[d] = min(max(result.x[k] / scale[k], 0), 1) }
    f = -result.value
    return true
  }

  /// Moves coordinate `d` to a better grid point, if one is found.
  private func discreteSearch(_ x: inout [Double], _ f: inout Double, _ d: Int) -> Bool {
    let gridCount: Int
    switch space.dimensions[d].kind {
    case .discrete(let c), .categorical(let c): gridCount = c
    case .continuous: return false
    }
    guard gridCount > 1 else { return false }
    var current = space.gridIndex(x[d], d)
    var trial = x
    func score(_ k: Int) -> Double {
      trial[d] = space.gridPoint(k, d)
      return value(trial)
    }
    var improved = false
    if gridCount <= 16 || space.dimensions[d].kind != .discrete(count: gridCount) {
      var bestK = current, bestF = f
      for k in 0..<gridCount where k != current {
        let v = score(k)
        if v > bestF {
          bestF = v
          bestK = k
        }
      }
      if bestK != current {
        x[d] = space.gridPoint(bestK, d)
        f = bestF
        improved = true
      }
      return improved
    }
    for _ in 0..<32 {
      var bestK = current, bestF = f
      var step = 1
      while step < gridCount {
        for k in [current - step, current + step] where k >= 0 && k < gridCount {
          let v = score(k)
          if v > bestF {
            bestF = v
            bestK = k
          }
        }
        step *= 2
      }
      guard bestK != current else { break }
      current = bestK
      x[d] = space.gridPoint(bestK, d)
      f = bestF
      improved = true
    }
    return improved
  }
}
