import Foundation

/// The dense linear algebra CMA-ES needs, on row-major `n × n` arrays of `Double`.
///
/// The eigendecomposition uses cyclic Jacobi rotations (Golub & Van Loan, "Matrix
/// Computations", 4th ed., 2013, §8.5). It is slower than Householder reduction followed by QL,
/// but short, unconditionally stable and accurate to the last bits, and a tuner's covariance
/// matrices are small (tens of dimensions) and decomposed once per generation.
enum JacobiEigen {
  /// The eigenvalues of the symmetric matrix `a` and its eigenvectors as columns:
  /// `vectors[i * n + k]` is component `i` of the eigenvector of `values[k]`. Only the
  /// symmetric part of `a` is used. Values come unsorted.
  static func decompose(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
    precondition(matrix.count == n * n, "decompose needs an n × n matrix")
    var a = matrix
    for i in 0..<n {
      for j in (i + 1)..<n {
        let s = (a[i * n + j] + a[j * n + i]) / 2
        a[i * n + j] = s
        a[j * n + i] = s
      }
    }
    // The eigenvectors as rows while rotating (each rotation then updates two contiguous rows).
    var vt = [Double](repeating: 0, count: n * n)
    for i in 0..<n { vt[i * n + i] = 1 }
    if n > 1 {
      a.withUnsafeMutableBufferPointer { a in
        vt.withUnsafeMutableBufferPointer { vt in sweep(a, vt, n) }
      }
    }
    var vectors = [Double](repeating: 0, count: n * n)
    for k in 0..<n { for i in 0..<n { vectors[i * n + k] = vt[k * n + i] } }
    return ((0..<n).map { a[$0 * n + $0] }, vectors)
  }

  /// Rotates `a` (symmetric, kept symmetric) to diagonal form, accumulating the rotations in
  /// the rows of `vt`.
  private static func sweep(_ a: UnsafeMutableBufferPointer<Double>, _ vt: UnsafeMutableBufferPointer<Double>, _ n: Int) {
    for _ in 0..<64 {
      var off = 0.0
      var diag = 0.0
      for i in 0..<n {
        diag += a[i * n + i] * a[i * n + i]
        for j in (i + 1)..<n { off += a[i * n + j] * a[i * n + j] }
      }
      // Converged when the off-diagonal part is negligible next to the diagonal.
      if off == 0 || off <= 1e-32 * diag { return }
      for p in 0..<(n - 1) {
        for q in (p + 1)..<n {
          let apq = a[p * n + q]
          if apq == 0 { continue }
          let app = a[p * n + p]
          let aqq = a[q * n + q]
          // The rotation that zeroes a[p][q]: t = tan φ is the smaller root of t² + 2θt − 1 = 0
          // with θ = (a_qq − a_pp) / (2 a_pq).
          let theta = (aqq - app) / (2 * apq)
          let t: Double
          if abs(theta) > 1e150 {
            t = 1 / (2 * theta)
          } else {
            t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
          }
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          a[p * n + p] = app - t * apq
          a[q * n + q] = aqq + t * apq
          a[p * n + q] = 0
          a[q * n + p] = 0
          for k in 0..<n where k != p && k != q {  // A ← Jᵀ A J on rows and columns p, q
            let akp = a[p * n + k]
            let akq = a[q * n + k]
            let np = c * akp - s * akq
            let nq = s * akp + c * akq
            a[p * n + k] = np
            a[k * n + p] = np
            a[q * n + k] = nq
            a[k * n + q] = nq
          }
          for k in 0..<n {  // V ← V J, V stored transposed
            let vp = vt[p * n + k]
            let vq = vt[q * n + k]
            vt[p * n + k] = c * vp - s * vq
            vt[q * n + k] = s * vp + c * vq
          }
        }
      }
    }
  }
}

/// The standard normal distribution's CDF and quantile, for CMA-ES with margin.
enum EvolutionNormal {
  /// Φ(x).
  static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

  /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error below 1.2e-9),
  /// then two Newton steps on Φ, which bring it to about machine precision.
  static func quantile(_ p: Double) -> Double {
    if p <= 0 { return -.infinity }
    if p >= 1 { return .infinity }
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
             3.754408661907416e+00]
    let pLow = 0.02425
    var x: Double
    if p < pLow {
      let q = (-2 * log(p)).squareRoot()
      x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - pLow {
      let q = p - 0.5
      let r = q * q
      x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
      let q = (-2 * log(1 - p)).squareRoot()
      x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    for _ in 0..<2 {
      let density = exp(-x * x / 2) / (2 * Double.pi).squareRoot()
      guard density > 0 else { break }
      // Work on the smaller tail so the residual keeps its digits.
      let residual = x < 0 ? cdf(x) - p : (1 - p) - cdf(-x)  // Φ(x) − p either way
      x -= residual / density
    }
    return x
  }
}
