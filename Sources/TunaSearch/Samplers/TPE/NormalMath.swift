import Foundation

/// The standard normal distribution's functions the Parzen estimator needs: the CDF Φ, its log
/// (accurate far into the left tail), the log of the mass between two points, the inverse CDF,
/// and draws from a truncated normal.
///
/// Tail handling follows the usual practice (as in SciPy's `truncnorm`, which Optuna's TPE
/// reuses): work in the left tail, where Φ keeps its relative precision, and mirror right-tail
/// questions into it.
enum NormalMath {
  static let sqrt2 = 2.0.squareRoot()
  static let logSqrt2Pi = 0.5 * log(2 * Double.pi)

  /// Φ(x).
  @inline(__always)
  static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / sqrt2) }

  /// log Φ(x), finite down to x ≈ −1e154 (where x² overflows).
  static func logCDF(_ x: Double) -> Double {
    if x > 6 { return log1p(-cdf(-x)) }
    if x > -20 { return log(cdf(x)) }
    // Asymptotic series: Φ(x) = φ(x)/(−x) · (1 − 1/x² + 3/x⁴ − 15/x⁶ + …). Ten terms reach
    // full precision for x ≤ −20.
    let inv2 = 1 / (x * x)
    var sum = 1.0
    var term = 1.0
    for k in 1...10 {
      term *= -Double(2 * k - 1) * inv2
      sum += term
    }
    return -0.5 * x * x - logSqrt2Pi + log(sum / -x)
  }

  /// log(Φ(b) − Φ(a)) for a < b; −∞ when a ≥ b.
  static func logMass(_ a: Double, _ b: Double) -> Double {
    guard a < b else { return -.infinity }
    if b <= 0 { return logTailMass(b, a) }
    if a >= 0 { return logTailMass(-a, -b) }
    // Both tails are cut: 1 − Φ(a) − Φ(−b) without cancellation near 1.
    return log1p(-cdf(a) - cdf(-b))
  }

  /// log(Φ(near) − Φ(far)) for far < near ≤ 0. When Φ(far) is below e^−40 of Φ(near) (Mills'
  /// bound Φ(x) < φ(x)/|x| shows it without computing it), it is left out.
  @inline(__always)
  private static func logTailMass(_ near: Double, _ far: Double) -> Double {
    let p = logCDF(near)
    if far < -1, -0.5 * far * far - logSqrt2Pi < p - 40 { return p }
    return logDiff(p, logCDF(far))
  }

  /// log(e^p − e^q) for p ≥ q.
  @inline(__always)
  static func logDiff(_ p: Double, _ q: Double) -> Double {
    if q == -.infinity { return p }
    return p + log(-expm1(q - p))
  }

  /// The mass Φ(b) − Φ(a) of an interval that contains 0 or reaches near it (a ≤ 0 ≤ b): no
  /// tail arithmetic needed. Skips `erfc` where it would return 0 to double precision.
  @inline(__always)
  static func centralMass(_ a: Double, _ b: Double) -> Double {
    let lower = a < -8.5 ? 0 : cdf(a)
    let upper = b > 8.5 ? 0 : cdf(-b)
    return 1 - lower - upper
  }

  /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error 1.2e-9) refined by
  /// one Halley step on Φ, which brings it to full double precision.
  static func quantile(_ p: Double) -> Double {
    if p <= 0 { return -.infinity }
    if p >= 1 { return .infinity }
    let x: Double
    let pLow = 0.02425
    if p < pLow {
      let q = (-2 * log(p)).squareRoot()
      x = (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5)
        / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    } else if p <= 1 - pLow {
      let q = p - 0.5
      let r = q * q
      x = (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q
        / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
    } else {
      let q = (-2 * log1p(-p)).squareRoot()
      x = -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5)
        / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    }
    // Halley's step on f(x) = Φ(x) − p, in the tail where Φ(x) is computed accurately.
    let e = x <= 0 ? cdf(x) - p : (1 - p) - cdf(-x)
    let u = e * (2 * Double.pi).squareRoot() * exp(0.5 * x * x)
    return x - u / (1 + 0.5 * x * u)
  }

  /// A draw from the standard normal truncated to [a, b] (a ≤ 0 ≤ b, as for a kernel centred
  /// inside its bounds), by the inverse CDF at `u` in [0, 1). The lower or upper tail is used,
  /// whichever keeps precision.
  static func truncatedDraw(_ a: Double, _ b: Double, u: Double) -> Double {
    let lowTail = a < -38 ? 0 : cdf(a)
    let highTail = b > 38 ? 0 : cdf(-b)
    let mass = 1 - lowTail - highTail
    let p = lowTail + u * mass
    let x = p < 0.5 ? quantile(p) : -quantile(highTail + (1 - u) * mass)
    return min(max(x, a), b)
  }

  // Acklam's coefficients (central region a/b, tails c/d).
  private static let a0 = -3.969683028665376e+01
  private static let a1 = 2.209460984245205e+02
  private static let a2 = -2.759285104469687e+02
  private static let a3 = 1.383577518672690e+02
  private static let a4 = -3.066479806614716e+01
  private static let a5 = 2.506628277459239e+00
  private static let b0 = -5.447609879822406e+01
  private static let b1 = 1.615858368580409e+02
  private static let b2 = -1.556989798598866e+02
  private static let b3 = 6.680131188771972e+01
  private static let b4 = -1.328068155288572e+01
  private static let c0 = -7.784894002430293e-03
  private static let c1 = -3.223964580411365e-01
  private static let c2 = -2.400758277161838e+00
  private static let c3 = -2.549732539343734e+00
  private static let c4 = 4.374664141464968e+00
  private static let c5 = 2.938163982698783e+00
  private static let d0 = 7.784695709041462e-03
  private static let d1 = 3.224671290700398e-01
  private static let d2 = 2.445134137142996e+00
  private static let d3 = 3.754408661907416e+00
}
