import Foundation

/// Acquisition functions: how much a point with a given posterior is worth evaluating.
public enum Acquisition {
  /// The logarithm of the expected improvement over `best` of a normal posterior with `mean` and
  /// `variance`, computed so that it stays finite and accurate where the improvement itself
  /// underflows to 0 (LogEI, Ament et al. 2023, "Unexpected improvements to expected
  /// improvement for Bayesian optimization").
  ///
  /// EI = σ h(z) with σ = √variance, z = (best − mean) / σ when minimizing ((mean − best) / σ
  /// when maximizing) and h(z) = φ(z) + z Φ(z).
  ///
  /// - Returns: log EI; with zero variance, log(max(improvement, 0)) (−∞ when there is none).
  public static func logEI(mean: Double, variance: Double, best: Double, minimize: Bool = true) -> Double {
    let improvement = minimize ? best - mean : mean - best
    guard variance > 0 else { return improvement > 0 ? log(improvement) : -.infinity }
    let sigma = variance.squareRoot()
    return log(sigma) + logH(improvement / sigma).value
  }

  /// log EI for a maximization, with its partial derivatives in the mean and in the variance
  /// (the variance must be positive).
  @inline(__always)
  static func logEIWithDerivatives(
    mean: Double, variance: Double, best: Double
  ) -> (value: Double, dMean: Double, dVariance: Double) {
    let sigma = variance.squareRoot()
    let (value, cdfRatio, pdfRatio) = logH((mean - best) / sigma)
    // d log h / dz = Φ/h, dz/dmean = 1/σ; d log EI / dσ = 1/σ − z Φ/(h σ) = φ/(h σ).
    return (log(sigma) + value, cdfRatio / sigma, pdfRatio / (2 * variance))
  }

  static let logSqrt2Pi = 0.5 * log(2 * Double.pi)
  static let sqrtHalfPi = (0.5 * Double.pi).squareRoot()

  /// log h(z) with h(z) = φ(z) + z Φ(z), and the ratios Φ(z)/h(z) and φ(z)/h(z).
  ///
  /// For z > −1 the sum is direct. Below, h = φ(z) (1 − |z| Φ(z)/φ(z)), where Φ(z)/φ(z) =
  /// √(π/2) erfcx(|z|/√2) keeps every factor in range; past z = −30 the bracket, which
  /// cancels to about 1/z², comes from its asymptotic series instead.
  @inline(__always)
  static func logH(_ z: Double) -> (value: Double, cdfRatio: Double, pdfRatio: Double) {
    if z > -1 {
      let cdf = 0.5 * erfc(-z * 0.5.squareRoot())
      let pdf = exp(-0.5 * z * z - logSqrt2Pi)
      let h = pdf + z * cdf
      return (log(h), cdf / h, pdf / h)
    }
    let a = -z
    let millsRatio = sqrtHalfPi * erfcx(a * 0.5.squareRoot())  // Φ(z) / φ(z)
    let bracket: Double
    if a < 30 {
      bracket = 1 - a * millsRatio
    } else {
      let u = 1 / (a * a)
      bracket = u * (1 - u * (3 - u * (15 - u * (105 - u * (945 - u * 10395)))))
    }
    return (-0.5 * z * z - logSqrt2Pi + log(bracket), millsRatio / bracket, 1 / bracket)
  }

  /// The scaled complementary error function exp(x²) erfc(x), for x ≥ 0 without overflow.
  static func erfcx(_ x: Double) -> Double {
    if x < 25 { return exp(x * x) * erfc(x) }
    // Asymptotic series 1/(x√π) Σ (−1)^k (2k−1)!! / (2x²)^k; at x ≥ 25 eight terms are exact.
    let u = 1 / (2 * x * x)
    var term = 1.0, sum = 1.0
    for k in 1...8 {
      term *= -Double(2 * k - 1) * u
      sum += term
    }
    return sum / (x * Double.pi.squareRoot())
  }
}
