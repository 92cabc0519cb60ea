import Foundation
import TunaSearch

/// The grid a parameter's values are binned onto for PED-ANOVA (Watanabe, Bansal & Hutter,
/// "PED-ANOVA: Efficiently Quantifying Hyperparameter Importance in Arbitrary Subspaces",
/// IJCAI 2023), with the bins Optuna 5.0 uses so the figures agree: each choice of a
/// categorical; each value of an integer or stepped range of at most 50 values; otherwise 50
/// evenly spaced points of the range (in log space for log parameters; a log integer range gets
/// ⌈log₂(high − low + 1)⌉ + 1 points). A value goes to its nearest point, a midpoint to the lower.
struct ParameterGrid {
  static let maxPoints = 50

  let size: Int
  let isCategorical: Bool
  private let low: Double
  private let stepWidth: Double
  private let distribution: Distribution

  init(_ distribution: Distribution) {
    self.distribution = distribution
    switch distribution {
    case .categorical(let choices):
      size = choices.count
      isCategorical = true
      low = 0
      stepWidth = 1
      return
    case .float(let lo, let hi, let log, let step):
      isCategorical = false
      if log {
        (low, size) = (Foundation.log(lo), Self.maxPoints)
        stepWidth = (Foundation.log(hi) - low) / Double(size - 1)
      } else {
        size = step.map { Self.pointCount((hi - lo) / $0) } ?? Self.maxPoints
        low = lo
        stepWidth = size > 1 ? (hi - lo) / Double(size - 1) : 1
      }
    case .int(let lo, let hi, let log, let step):
      isCategorical = false
      if log {
        // hi − lo + 1 in Double: an integer range may span all of Int.
        size = min(Int((Foundation.log2(Double(hi) - Double(lo) + 1)).rounded(.up)) + 1, Self.maxPoints)
        low = Foundation.log(Double(lo))
        stepWidth = size > 1 ? (Foundation.log(Double(hi)) - low) / Double(size - 1) : 1
      } else {
        size = Self.pointCount((Double(hi) - Double(lo)) / Double(step))
        low = Double(lo)
        stepWidth = size > 1 ? (Double(hi) - Double(lo)) / Double(size - 1) : 1
      }
    }
  }

  /// One point per step of a range `steps` long, at most `maxPoints` (the count is compared in
  /// Double: a range may hold more points than Int can count).
  static func pointCount(_ steps: Double) -> Int {
    let count = steps.rounded() + 1
    return count.isFinite && count < Double(maxPoints) ? max(Int(count), 1) : maxPoints
  }

  /// The bin of `value` (nil when it is not a value of the distribution's kind).
  func index(of value: ParamValue) -> Int? {
    guard let x = distribution.toInternal(value) else { return nil }
    if isCategorical { return Int(x) }
    guard size > 1 else { return 0 }
    let k = ((x - low) / stepWidth - 0.5).rounded(.up)
    guard k.isFinite else { return k > 0 ? size - 1 : 0 }
    return min(max(Int(k), 0), size - 1)
  }
}

/// A Parzen estimator on a grid's bins, as PED-ANOVA's reference implementation builds it: one
/// kernel per observation and one prior kernel, each weighted 1/(n + 1).
///
/// Numbers: Gaussians on the bin indices, discretized over the bins and truncated to the grid,
/// with one bandwidth for all, h = max(1.059 · min(IQR / 1.34, σ̂) · n^(−1/5), 0.5 / 1.64) — the
/// robust rule of thumb (Silverman 1986, §3.4.2) with a floor of about a third of a bin; the prior
/// kernel is centred on the grid with σ equal to its size. Categoricals: each observation's
/// kernel puts (1 + 1/K) / (1 + C/K) on its choice and (1/K) / (1 + C/K) on each other one, with
/// K the number of distinct choices seen plus one; the prior is uniform.
enum GridParzenEstimator {
  /// The estimator's probability of each bin, given each bin's number of observations.
  static func density(counts: [Int], categorical: Bool) -> [Double] {
    let size = counts.count
    let n = counts.reduce(0, +)
    var out = [Double](repeating: 0, count: size)
    let weight = 1 / Double(n + 1)
    if categorical {
      let distinct = counts.filter { $0 > 0 }.count + 1
      let share = 1 / Double(distinct)
      let norm = 1 + Double(size) * share
      for j in 0..<size {
        // The prior's uniform mass, plus every observation's share on j.
        out[j] = weight / Double(size) + weight * (Double(counts[j]) * (1 + share) + Double(n - counts[j]) * share) / norm
      }
      return out
    }
    let h = bandwidth(counts: counts, n: n)
    for (mu, count) in counts.enumerated() where count > 0 {
      addKernel(center: Double(mu), sigma: h, weight: weight * Double(count), into: &out)
    }
    addKernel(center: Double(size - 1) / 2, sigma: Double(size), weight: weight, into: &out)
    return out
  }

  /// The bandwidth of the number kernels, in bins.
  static func bandwidth(counts: [Int], n: Int) -> Double {
    let floor = 0.5 / 1.64
    guard n > 0 else { return floor }
    var sum = 0.0
    for (g, c) in counts.enumerated() { sum += Double(g * c) }
    let mean = sum / Double(n)
    var squares = 0.0
    for (g, c) in counts.enumerated() { squares += Double(c) * (Double(g) - mean) * (Double(g) - mean) }
    let sigma = (squares / Double(max(1, n - 1))).squareRoot()
    // Quartiles as 1-based order statistics: s_max(1, ⌊n/4⌋) and s_min(n, ⌊3n/4⌋ + 1).
    func orderStatistic(_ k: Int) -> Int {
      var seen = 0
      for (g, c) in counts.enumerated() {
        seen += c
        if seen >= k { return g }
      }
      return counts.count - 1
    }
    let q1 = orderStatistic(max(1, n / 4))
    let q3 = orderStatistic(min(n, 3 * n / 4 + 1))
    let iqr = Double(q3 - q1)
    return max(1.059 * min(iqr / 1.34, sigma) * pow(Double(n), -0.2), floor)
  }

  /// Adds `weight` times a Gaussian's mass on each bin, truncated to [−0.5, size − 0.5].
  private static func addKernel(center mu: Double, sigma: Double, weight: Double, into out: inout [Double]) {
    let size = out.count
    let total = normalMass((-0.5 - mu) / sigma, (Double(size) - 0.5 - mu) / sigma)
    guard total > 0 else { return }
    for g in 0..<size {
      out[g] += weight * normalMass((Double(g) - 0.5 - mu) / sigma, (Double(g) + 0.5 - mu) / sigma) / total
    }
  }

  /// Φ(b) − Φ(a), computed in whichever tail keeps its precision.
  static func normalMass(_ a: Double, _ b: Double) -> Double {
    func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    if b <= 0 { return cdf(b) - cdf(a) }
    if a >= 0 { return cdf(-a) - cdf(-b) }
    return 1 - cdf(a) - cdf(-b)
  }

  /// The Pearson divergence Σ q (p/q − 1)² of two bin densities, each lifted by 1e-12 as the
  /// reference implementation does.
  static func pearsonDivergence(_ p: [Double], _ q: [Double]) -> Double {
    var d = 0.0
    for g in p.indices {
      let pg = p[g] + 1e-12, qg = q[g] + 1e-12
      let r = pg / qg - 1
      d += qg * r * r
    }
    return d
  }
}
