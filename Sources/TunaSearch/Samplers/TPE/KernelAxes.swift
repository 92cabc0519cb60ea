import Foundation

/// One numeric dimension of a `KernelDensity`: every kernel's centre and bandwidth, stored
/// kernel by kernel (observations, then the prior) so the density loops run over contiguous
/// arrays.
struct NumericAxis: Sendable {
  /// The dimension's position in the estimator.
  let index: Int
  /// The bounds kernels are truncated to: a continuous dimension's own, a discrete one's
  /// widened by half a step (in log space for a log grid).
  let low: Double
  let high: Double
  let mu: [Double]
  let invSigma: [Double]
  let logSigma: [Double]
  /// log of each kernel's mass inside [low, high].
  let logNormalizer: [Double]
  let grid: Grid?

  /// The points of a discrete dimension, in the parameter's own unit.
  struct Grid: Sendable {
    let low: Double
    let step: Double
    let count: Int
    let log: Bool
  }

  var isDiscrete: Bool { grid != nil }

  init(index: Int, dimension: KernelDensity.Dimension, observed: [Double], considerEndpoints: Bool) {
    self.index = index
    switch dimension {
    case .continuous(let low, let high):
      (self.low, self.high) = (low, high)
      grid = nil
    case .discrete(let low, let high, let step, let log):
      let g = Grid(low: low, step: step, count: Int(((high - low) / step).rounded()) + 1, log: log)
      let top = low + Double(g.count - 1) * step
      if log {
        (self.low, self.high) = (Foundation.log(low - step / 2), Foundation.log(top + step / 2))
      } else {
        (self.low, self.high) = (low - step / 2, top + step / 2)
      }
      grid = g
    case .categorical:
      preconditionFailure("a categorical dimension is not numeric")
    }
    let (lo, hi) = (self.low, self.high)
    var mu = observed.map { min(max($0, lo), hi) }
    var sigma = Self.bandwidths(mu, low: lo, high: hi, considerEndpoints: considerEndpoints)
    mu.append(0.5 * (lo + hi))
    sigma.append(hi - lo)
    self.mu = mu
    invSigma = sigma.map { 1 / $0 }
    logSigma = sigma.map { Foundation.log($0) }
    var normalizer = [Double](repeating: 0, count: mu.count)
    for k in mu.indices {
      // Centres lie inside the bounds, so the interval always straddles the centre.
      normalizer[k] = Foundation.log(NormalMath.centralMass((lo - mu[k]) / sigma[k], (hi - mu[k]) / sigma[k]))
    }
    logNormalizer = normalizer
  }

  /// Optuna's bandwidth rule for observations `mus` in [low, high]: the larger gap to the
  /// neighbours in sorted order (ties broken by position), the bounds acting as the outermost
  /// neighbours — unless `considerEndpoints` is off and there are two or more observations, when
  /// the outermost ones take their inner gap — then clipped to
  /// [(high − low) / min(100, n + 2), high − low] (the "magic clip"; n + 2 is the kernels,
  /// prior included, plus one).
  static func bandwidths(_ mus: [Double], low: Double, high: Double, considerEndpoints: Bool) -> [Double] {
    let n = mus.count
    guard n > 0 else { return [] }
    var order = Array(0..<n)
    order.sort { mus[$0] < mus[$1] || (mus[$0] == mus[$1] && $0 < $1) }
    var sorted = [Double](repeating: 0, count: n + 2)
    sorted[0] = low
    for (i, k) in order.enumerated() { sorted[i + 1] = mus[k] }
    sorted[n + 1] = high
    var sigma = [Double](repeating: 0, count: n)
    let width = high - low
    let minSigma = width / min(100, Double(n + 2))
    for i in 0..<n {
      var s = max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1])
      if !considerEndpoints, n >= 2 {
        if i == 0 { s = sorted[2] - sorted[1] } else if i == n - 1 { s = sorted[n] - sorted[n - 1] }
      }
      sigma[order[i]] = min(max(s, minSigma), width)
    }
    return sigma
  }

  /// The cell (in the internal unit) of the grid point nearest `x`, or nil outside the grid.
  func cell(of x: Double) -> (left: Double, right: Double)? {
    guard let grid, x >= low, x <= high else { return nil }
    let value = grid.log ? exp(x) : x
    let j = min(max(((value - grid.low) / grid.step).rounded(), 0), Double(grid.count - 1))
    let v = grid.low + j * grid.step
    let half = grid.step / 2
    return grid.log ? (Foundation.log(v - half), Foundation.log(v + half)) : (v - half, v + half)
  }

  /// A draw from kernel `k` for the uniform number `u`. For a discrete dimension the inverse CDF
  /// of the kernel over the widened bounds lands in exactly one grid point's cell, so the point
  /// returned is drawn with probability equal to its cell's mass — the discrete kernel itself,
  /// the same law `logPDF` evaluates.
  func draw(kernel k: Int, u: Double) -> Double {
    let s = 1 / invSigma[k]
    let z = NormalMath.truncatedDraw((low - mu[k]) / s, (high - mu[k]) / s, u: u)
    let x = min(max(mu[k] + s * z, low), high)
    guard let grid else { return x }
    let value = grid.log ? exp(x) : x
    let j = min(max(((value - grid.low) / grid.step).rounded(), 0), Double(grid.count - 1))
    let v = grid.low + j * grid.step
    return grid.log ? Foundation.log(v) : v
  }
}

/// One categorical dimension of a `KernelDensity`: each kernel's probabilities over the choices.
struct CategoricalAxis: Sendable {
  let index: Int
  let count: Int
  /// log P(choice c | kernel k) at [c * kernels + k] (choice-major, for the density loop).
  let logProbability: [Double]
  /// Cumulative probabilities of kernel k at [k * count + c] (for draws).
  let cumulative: [Double]

  init(index: Int, count: Int, observed: [Double], priorWeight: Double) {
    self.index = index
    self.count = count
    let n = observed.count
    let kernels = n + 1
    var logP = [Double](repeating: 0, count: count * kernels)
    var cumulative = [Double](repeating: 0, count: count * kernels)
    let base = priorWeight / Double(kernels)
    let observedTotal = 1 + base * Double(count)
    for k in 0..<kernels {
      let chosen = k < n ? Int(observed[k]) : -1
      var running = 0.0
      for c in 0..<count {
        let p: Double
        if k == n {
          p = 1 / Double(count)
        } else {
          p = (base + (c == chosen ? 1 : 0)) / observedTotal
        }
        logP[c * kernels + k] = Foundation.log(p)
        running += p
        cumulative[k * count + c] = running
      }
    }
    logProbability = logP
    self.cumulative = cumulative
  }

  /// The choice kernel `k` gives for the uniform number `u`.
  func draw(kernel k: Int, u: Double) -> Int {
    let row = k * count
    let target = u * cumulative[row + count - 1]
    for c in 0..<count where cumulative[row + c] > target {
      // Never a zero-probability choice: equal cumulative values are skipped by `>`.
      return c
    }
    return count - 1
  }
}
