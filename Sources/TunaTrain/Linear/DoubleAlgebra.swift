import CBLAS

/// Dense Double-precision helpers for the linear models: vectors, `dgemm`, and solvers for small
/// symmetric systems. Matrices are row-major `[Double]`.
enum DoubleAlgebra {
  static func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
  }

  /// `y += alpha * x`.
  static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    for i in y.indices { y[i] += alpha * x[i] }
  }

  static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

  static func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }

  /// `c = alpha * op(a) * op(b)` with op(a) m×k and op(b) k×n (BLAS dgemm).
  static func gemm(
    _ a: [Double], transposeA: Bool = false, _ b: [Double], transposeB: Bool = false,
    m: Int, n: Int, k: Int, alpha: Double = 1, into c: inout [Double]
  ) {
    precondition(a.count == m * k && b.count == k * n && c.count == m * n, "DoubleAlgebra.gemm: sizes")
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      for i in c.indices { c[i] = 0 }
      return
    }
    cblas_dgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b,
      Int32(transposeB ? k : n), 0, &c, Int32(n))
  }

  /// Solves `A x = b` for a symmetric positive definite n×n `A` by its Cholesky factorisation
  /// `A = L Lᵀ` (Golub & Van Loan, *Matrix Computations*, 4th ed., Algorithm 4.2.1), or nil when
  /// a pivot falls below `relativePivot` times the largest diagonal entry (A singular or not
  /// positive definite, as far as Double can tell).
  static func choleskySolve(_ a: [Double], _ b: [Double], n: Int, relativePivot: Double = 1e-12) -> [Double]? {
    var l = a
    let largest = (0..<n).reduce(0.0) { max($0, a[$1 * n + $1]) }
    let threshold = relativePivot * largest
    for j in 0..<n {
      var pivot = l[j * n + j]
      for k in 0..<j { pivot -= l[j * n + k] * l[j * n + k] }
      guard pivot > threshold, pivot > 0 else { return nil }
      let root = pivot.squareRoot()
      l[j * n + j] = root
      for i in (j + 1)..<max(n, j + 1) {
        var v = l[i * n + j]
        for k in 0..<j { v -= l[i * n + k] * l[j * n + k] }
        l[i * n + j] = v / root
      }
    }
    // L z = b, then Lᵀ x = z.
    var x = b
    for i in 0..<n {
      var v = x[i]
      for k in 0..<i { v -= l[i * n + k] * x[k] }
      x[i] = v / l[i * n + i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      var v = x[i]
      for k in (i + 1)..<max(n, i + 1) { v -= l[k * n + i] * x[k] }
      x[i] = v / l[i * n + i]
    }
    return x
  }

  /// Eigenvalues and eigenvectors (the columns of `vectors`) of a symmetric n×n matrix by the
  /// cyclic Jacobi method (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5, Algorithm
  /// 8.5.3 with the rotations of 8.5.2).
  static func symmetricEigen(_ a: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
    var a = a
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    let total = a.reduce(0) { $0 + $1 * $1 }
    for _ in 0..<100 {
      var off = 0.0
      for p in 0..<n { for q in 0..<n where p != q { off += a[p * n + q] * a[p * n + q] } }
      if off <= 1e-30 * total || off == 0 { break }
      for p in 0..<n {
        for q in (p + 1)..<max(n, p + 1) where a[p * n + q] != 0 {
          // The rotation that zeroes a[p][q].
          let tau = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
          let t = (tau >= 0 ? 1 : -1) / (abs(tau) + (1 + tau * tau).squareRoot())
          let c = 1 / (1 + t * t).squareRoot(), s = t * c
          for k in 0..<n {  // columns p and q
            let akp = a[k * n + p], akq = a[k * n + q]
            a[k * n + p] = c * akp - s * akq
            a[k * n + q] = s * akp + c * akq
          }
          for k in 0..<n {  // rows p and q
            let apk = a[p * n + k], aqk = a[q * n + k]
            a[p * n + k] = c * apk - s * aqk
            a[q * n + k] = s * apk + c * aqk
          }
          for k in 0..<n {
            let vkp = v[k * n + p], vkq = v[k * n + q]
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
          }
        }
      }
    }
    return ((0..<n).map { a[$0 * n + $0] }, v)
  }

  /// The minimum-norm least-squares solution of `A x = b` for a symmetric positive semidefinite
  /// `A`, through its eigendecomposition, dropping eigenvalues below `relativeCutoff` times the
  /// largest (the pseudo-inverse, as `numpy.linalg.lstsq` gives for a rank-deficient system).
  static func pseudoInverseSolve(_ a: [Double], _ b: [Double], n: Int, relativeCutoff: Double = 1e-12)
    -> [Double]
  {
    let (values, vectors) = symmetricEigen(a, n: n)
    let largest = values.reduce(0) { max($0, abs($1)) }
    var x = [Double](repeating: 0, count: n)
    for k in 0..<n where values[k] > relativeCutoff * largest && values[k] > 0 {
      var projection = 0.0
      for i in 0..<n { projection += vectors[i * n + k] * b[i] }
      let scale = projection / values[k]
      for i in 0..<n { x[i] += scale * vectors[i * n + k] }
    }
    return x
  }
}
