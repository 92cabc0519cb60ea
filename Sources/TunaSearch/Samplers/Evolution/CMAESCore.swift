import Foundation

/// An integer or stepped-float axis of the unit cube: its values split [0, 1] into bins, one
/// per value, as `Distribution.internalBounds` and `fromInternal` do.
struct MarginAxis {
  enum Grid {
    /// `count` values evenly spaced: bin `k` is [k / count, (k + 1) / count].
    case even
    /// A log int from `low`: bins are even in log space around each integer.
    case logInt(low: Int, lo: Double, hi: Double)
  }

  let grid: Grid
  let count: Int

  /// The axis of an int or stepped float; nil for continuous ones, and for grids so fine
  /// (over 10^15 values) that they are continuous in all but name.
  init?(_ distribution: Distribution) {
    switch distribution {
    case .float(let low, let high, _, let step?):
      let steps = ((high - low) / step).rounded()
      guard steps < 1e15 else { return nil }
      grid = .even
      count = Int(steps) + 1
    case .int(let low, let high, let log, let step):
      let steps = Double(high - low) / Double(step)
      guard steps < 1e15 else { return nil }
      count = (high - low) / step + 1
      if log {
        let b = distribution.internalBounds
        grid = .logInt(low: low, lo: b.low, hi: b.high)
      } else {
        grid = .even
      }
    default:
      return nil
    }
    if count < 2 { return nil }
  }

  /// The bin holding position `u` (clamped to the axis).
  func bin(_ u: Double) -> Int {
    let u = u.isNaN ? 0.5 : min(max(u, 0), 1)
    switch grid {
    case .even:
      return min(Int((u * Double(count)).rounded(.down)), count - 1)
    case .logInt(let low, let lo, let hi):
      let v = exp(lo + u * (hi - lo))
      return min(max(Int((v - Double(low)).rounded()), 0), count - 1)
    }
  }

  /// The boundary between bins `k` and `k + 1`.
  func upperThreshold(_ k: Int) -> Double {
    switch grid {
    case .even:
      return Double(k + 1) / Double(count)
    case .logInt(let low, let lo, let hi):
      return (log(Double(low + k) + 0.5) - lo) / (hi - lo)
    }
  }
}

/// One run of CMA-ES between restarts, over the unit cube.
///
/// The update is the one of Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772,
/// 2016): weighted recombination with the active (negative) weights of §A, cumulative step-size
/// adaptation, and the rank-one plus rank-μ covariance update (eqs. 47–58 there). The
/// separable variant keeps only the diagonal and scales both learning rates by (n + 2) / 3 (Ros &
/// Hansen, "A Simple Modification in CMA-ES Achieving Linear Time and Space Complexity", PPSN
/// 2008). Integer and stepped axes get the margin correction of Hamano et al., "CMA-ES with
/// Margin: Lower-Bounding Marginal Probability for Mixed-Integer Black-Box Optimization" (GECCO
/// 2022): after each update the mean and a per-axis scale `A` are adjusted so that every
/// discrete axis leaves its current value with probability at least `margin`.
struct CMAESCore {
  let n: Int
  let lambda: Int
  let mu: Int
  /// Weights of the sorted population: μ positive summing to 1, then the negative ones of
  /// active CMA (zero when separable).
  let weights: [Double]
  let muEff: Double
  let cSigma: Double
  let dSigma: Double
  let cc: Double
  let c1: Double
  let cMu: Double
  let chiN: Double
  let separable: Bool
  let sigma0: Double

  var mean: [Double]
  var sigma: Double
  /// The covariance: `n × n` row-major, or its diagonal when separable.
  var cov: [Double]
  var pSigma: [Double]
  var pc: [Double]
  /// Eigenvectors as columns (`n × n`; empty when separable) and the square roots of the
  /// eigenvalues (of the diagonal when separable).
  var basis: [Double]
  var scales: [Double]
  /// Generations told since this run started.
  var generation = 0
  /// The best and worst value of recent generations, for the TolFun rule.
  var recent: [(best: Double, worst: Double)] = []

  /// The discrete axes (nil for continuous ones), the margin's per-axis scale, the margin.
  let axes: [MarginAxis?]
  var scaleA: [Double]
  let margin: Double

  /// A run from `mean` with step size `sigma0`; `axes` marks the discrete axes that get the
  /// margin (all nil for none).
  init(mean: [Double], sigma0: Double, lambda: Int, separable: Bool, axes: [MarginAxis?]) {
    let n = mean.count
    precondition(n >= 1 && lambda >= 2 && axes.count == n)
    self.n = n
    self.lambda = lambda
    self.separable = separable
    self.sigma0 = sigma0
    let mu = lambda / 2
    self.mu = mu

    let raw = (1...lambda).map { log(Double(lambda + 1) / 2) - log(Double($0)) }
    let positive = raw[..<mu]
    let negative = raw[mu...]
    let sumPos = positive.reduce(0, +)
    let muEff = sumPos * sumPos / positive.reduce(0) { $0 + $1 * $1 }
    self.muEff = muEff
    let nd = Double(n)

    let alphaCov = 2.0
    var c1 = alphaCov / ((nd + 1.3) * (nd + 1.3) + muEff)
    var cMu = min(1 - c1, alphaCov * (muEff - 2 + 1 / muEff) / ((nd + 2) * (nd + 2) + alphaCov * muEff / 2))
    if separable {
      c1 *= (nd + 2) / 3
      cMu = min(1 - c1, cMu * (nd + 2) / 3)
    }
    self.c1 = c1
    self.cMu = cMu
    cSigma = (muEff + 2) / (nd + muEff + 5)
    dSigma = 1 + 2 * max(0, ((muEff - 1) / (nd + 1)).squareRoot() - 1) + cSigma
    cc = (4 + muEff / nd) / (nd + 4 + 2 * muEff / nd)
    chiN = nd.squareRoot() * (1 - 1 / (4 * nd) + 1 / (21 * nd * nd))

    var weights = positive.map { $0 / sumPos }
    let sumNeg = negative.reduce(0) { $0 + abs($1) }
    if !separable, sumNeg > 0, cMu > 0 {
      let muEffNeg = sumNeg * sumNeg / negative.reduce(0) { $0 + $1 * $1 }
      let alphaMu = 1 + c1 / cMu
      let alphaMuEff = 1 + 2 * muEffNeg / (muEff + 2)
      let alphaPosDef = (1 - c1 - cMu) / (nd * cMu)
      let scale = min(alphaMu, alphaMuEff, alphaPosDef) / sumNeg
      weights += negative.map { $0 * scale }
    } else {
      weights += Array(repeating: 0, count: negative.count)
    }
    self.weights = weights

    self.mean = mean
    sigma = sigma0
    pSigma = Array(repeating: 0, count: n)
    pc = Array(repeating: 0, count: n)
    scales = Array(repeating: 1, count: n)
    if separable {
      cov = Array(repeating: 1, count: n)
      basis = []
    } else {
      cov = Array(repeating: 0, count: n * n)
      for i in 0..<n { cov[i * n + i] = 1 }
      basis = cov
    }
    self.axes = axes
    scaleA = Array(repeating: 1, count: n)
    margin = axes.contains { $0 != nil } ? 1 / (nd * Double(lambda)) : 0
  }

  /// Whether axis `i` is discrete with the margin (it may then leave the unit interval: its
  /// values are clamped when encoded, and no resampling is needed).
  func hasMargin(_ i: Int) -> Bool { margin > 0 && axes[i] != nil }

  /// The diagonal of the covariance.
  func covDiagonal(_ i: Int) -> Double { separable ? cov[i] : cov[i * n + i] }

  // MARK: Sampling

  /// A point of N(m, σ²C), drawn from `rng`.
  func sample(using rng: inout RandomSource) -> [Double] {
    let z = (0..<n).map { _ in rng.normal() }
    var x = mean
    if separable {
      for i in 0..<n { x[i] += sigma * scales[i] * z[i] }
    } else {
      for k in 0..<n {
        let dz = scales[k] * z[k]
        for i in 0..<n { x[i] += sigma * basis[i * n + k] * dz }
      }
    }
    return x
  }

  /// A raw point as the objective sees it: discrete axes with the margin are stretched by `A`
  /// around the mean before they are rounded to a value (Hamano et al.'s encoding).
  func encode(_ x: [Double]) -> [Double] {
    guard margin > 0 else { return x }
    var e = x
    for i in 0..<n where axes[i] != nil { e[i] = mean[i] + scaleA[i] * (x[i] - mean[i]) }
    return e
  }

  /// C^(-1/2) y.
  private func whiten(_ y: [Double]) -> [Double] {
    if separable { return (0..<n).map { y[$0] / scales[$0] } }
    var t = [Double](repeating: 0, count: n)
    for k in 0..<n {
      var s = 0.0
      for i in 0..<n { s += basis[i * n + k] * y[i] }
      t[k] = s / scales[k]
    }
    var out = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var s = 0.0
      for k in 0..<n { s += basis[i * n + k] * t[k] }
      out[i] = s
    }
    return out
  }

  // MARK: Update

  /// Updates the distribution from one generation: λ raw points and their values (smaller is
  /// better).
  mutating func tell(_ solutions: [(x: [Double], value: Double)]) {
    precondition(solutions.count == lambda)
    let order = solutions.indices.sorted {
      solutions[$0].value != solutions[$1].value ? solutions[$0].value < solutions[$1].value : $0 < $1
    }
    let ys = order.map { k in (0..<n).map { (solutions[k].x[$0] - mean[$0]) / sigma } }
    let finite = solutions.map(\.value).filter(\.isFinite)
    if let best = finite.min(), let worst = finite.max() {
      recent.append((best, worst))
      let keep = historyLength
      if recent.count > keep { recent.removeFirst(recent.count - keep) }
    }

    var yw = [Double](repeating: 0, count: n)
    for r in 0..<mu { for i in 0..<n { yw[i] += weights[r] * ys[r][i] } }
    for i in 0..<n { mean[i] += sigma * yw[i] }

    let white = whiten(yw)
    let cs = (cSigma * (2 - cSigma) * muEff).squareRoot()
    for i in 0..<n { pSigma[i] = (1 - cSigma) * pSigma[i] + cs * white[i] }
    let normPs = pSigma.reduce(0) { $0 + $1 * $1 }.squareRoot()
    generation += 1
    let hSigmaBound = (1.4 + 2 / Double(n + 1)) * chiN
    let hSigma = normPs / (1 - pow(1 - cSigma, 2 * Double(generation))).squareRoot() < hSigmaBound
    let ccs = (cc * (2 - cc) * muEff).squareRoot()
    for i in 0..<n { pc[i] = (1 - cc) * pc[i] + (hSigma ? ccs * yw[i] : 0) }

    // Weights for the rank-μ update: negative ones are rescaled by the Mahalanobis length
    // (with the covariance before this update).
    var w = weights
    for r in mu..<lambda where w[r] < 0 {
      let wy = whiten(ys[r])
      let norm2 = wy.reduce(0) { $0 + $1 * $1 }
      w[r] = norm2 > 1e-300 ? w[r] * Double(n) / norm2 : 0
    }
    let delta = (hSigma ? 0 : 1) * cc * (2 - cc)
    let decay = 1 + c1 * delta - c1 - cMu * weights.reduce(0, +)
    if separable {
      for i in 0..<n {
        var rankMu = 0.0
        for r in 0..<lambda where w[r] != 0 { rankMu += w[r] * ys[r][i] * ys[r][i] }
        cov[i] = decay * cov[i] + c1 * pc[i] * pc[i] + cMu * rankMu
      }
    } else {
      for i in 0..<n {
        for j in i..<n {
          var rankMu = 0.0
          for r in 0..<lambda where w[r] != 0 { rankMu += w[r] * ys[r][i] * ys[r][j] }
          let v = decay * cov[i * n + j] + c1 * pc[i] * pc[j] + cMu * rankMu
          cov[i * n + j] = v
          cov[j * n + i] = v
        }
      }
    }

    // Step size, with the change capped at a factor e per generation.
    sigma *= exp(min(1, (cSigma / dSigma) * (normPs / chiN - 1)))

    decompose()
    applyMargin()
  }

  /// Refreshes `basis` and `scales` from `cov`, lifting eigenvalues that rounding pushed to or
  /// below zero.
  private mutating func decompose() {
    if separable {
      for i in 0..<n {
        if !(cov[i] > 1e-300) { cov[i] = 1e-300 }
        scales[i] = cov[i].squareRoot()
      }
      return
    }
    var (values, vectors) = JacobiEigen.decompose(cov, n: n)
    let top = values.max() ?? 1
    let floor = max(top * 1e-20, 1e-300)
    if values.contains(where: { !($0 > floor) }) {
      values = values.map { $0 > floor ? $0 : floor }
      for i in 0..<n {
        for j in 0..<n {
          var s = 0.0
          for k in 0..<n { s += vectors[i * n + k] * values[k] * vectors[j * n + k] }
          cov[i * n + j] = s
        }
      }
    }
    basis = vectors
    scales = values.map { $0.squareRoot() }
  }

  /// Hamano et al.'s margin correction on every discrete axis.
  private mutating func applyMargin() {
    guard margin > 0 else { return }
    let zMargin = -EvolutionNormal.quantile(margin)  // Φ⁻¹(1 − α)
    for i in 0..<n {
      guard let axis = axes[i] else { continue }
      let sd = covDiagonal(i).squareRoot()
      let s = sigma * scaleA[i] * sd
      guard s > 0, s.isFinite else { continue }
      let k = axis.bin(mean[i])
      let low = k > 0 ? axis.upperThreshold(k - 1) : nil
      let up = k < axis.count - 1 ? axis.upperThreshold(k) : nil
      switch (low, up) {
      case (nil, let up?):
        // The lowest value: keep the chance of rising above it at least α.
        if EvolutionNormal.cdf((mean[i] - up) / s) < margin { mean[i] = up - s * zMargin }
      case (let low?, nil):
        if EvolutionNormal.cdf((low - mean[i]) / s) < margin { mean[i] = low + s * zMargin }
      case (let low?, let up?):
        // An inner value: each side keeps at least α / 2; the excess is taken from the
        // probabilities above their floors, then m and A are solved for those tails.
        let pLow = EvolutionNormal.cdf((low - mean[i]) / s)
        let pUp = EvolutionNormal.cdf((mean[i] - up) / s)
        let floorP = margin / 2
        guard pLow < floorP || pUp < floorP else { continue }
        let l = max(pLow, floorP)
        let u = max(pUp, floorP)
        let mid = max(0, 1 - pLow - pUp)
        let shrink = (1 - margin) / (l + u + mid - margin)
        let l2 = min(max(floorP + (l - floorP) * shrink, 1e-10), 0.5 - 1e-10)
        let u2 = min(max(floorP + (u - floorP) * shrink, 1e-10), 0.5 - 1e-10)
        let zLow = -EvolutionNormal.quantile(l2)
        let zUp = -EvolutionNormal.quantile(u2)
        let newS = (up - low) / (zLow + zUp)
        mean[i] = low + zLow * newS
        scaleA[i] = newS / (sigma * sd)
      case (nil, nil):
        continue
      }
    }
  }

  // MARK: Termination

  /// Generations the TolFun rule looks back over: 10 + ⌈30 n / λ⌉.
  var historyLength: Int { 10 + Int((30 * Double(n) / Double(lambda)).rounded(.up)) }

  /// Whether the run has stalled, by the rules of the tutorial's Appendix B.3 (as the `cmaes`
  /// library applies them): TolFun (values of the last 10 + ⌈30n/λ⌉ generations within 1e-12),
  /// TolX (every σ√C_ii and σ·p_c,i below 1e-12 σ₀), divergence (σ·√λ_max above 1e4 σ₀),
  /// NoEffectAxis, NoEffectCoord, and ConditionCov (condition number of C above 1e14).
  func shouldStop() -> Bool {
    if generation > historyLength, recent.count >= historyLength {
      let best = recent.map(\.best).min()!
      let worst = recent.map(\.worst).max()!
      if worst - best < 1e-12 { return true }
    }
    let tolX = 1e-12 * sigma0
    if (0..<n).allSatisfy({ sigma * covDiagonal($0).squareRoot() < tolX && sigma * abs(pc[$0]) < tolX }) {
      return true
    }
    let maxScale = scales.max()!
    let minScale = scales.min()!
    if sigma * maxScale > 1e4 * sigma0 { return true }
    if (0..<n).contains(where: { mean[$0] == mean[$0] + 0.2 * sigma * covDiagonal($0).squareRoot() }) { return true }
    let axis = generation % n
    let noEffectAxis = (0..<n).allSatisfy { i in
      let step = separable ? (i == axis ? scales[axis] : 0) : scales[axis] * basis[i * n + axis]
      return mean[i] == mean[i] + 0.1 * sigma * step
    }
    if noEffectAxis { return true }
    if minScale <= 0 || (maxScale / minScale) * (maxScale / minScale) > 1e14 { return true }
    return false
  }
}
