import CBLAS

/// The few dense kernels the network needs, on raw row-major buffers.
///
/// Every matrix product is one `cblas_sgemm`, as in `Matrix.gemm`, but on pointers: the layers'
/// weights are slices of one parameter arena and a batch is the first `rows` rows of a buffer
/// sized for the largest batch, neither of which a `Matrix` value can name without a copy.
/// Transposes are passed to BLAS, never materialized.
enum DenseKernels {
  /// `C = alpha · op(A) · op(B) + beta · C` for row-major `A` (m×k, or k×m when transposed),
  /// `B` (k×n, or n×k) and `C` (m×n); the leading dimensions are the stored row lengths.
  @inline(__always)
  static func gemm(
    _ a: UnsafePointer<Float>, transposeA: Bool = false, _ b: UnsafePointer<Float>, transposeB: Bool = false,
    into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      for i in 0..<(m * n) { c[i] *= beta }
      return
    }
    let lda = transposeA ? m : k
    let ldb = transposeB ? k : n
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(n))
  }

  /// `out[j] = Σ_r x[r, j]` over `rows` rows of `cols` (the bias gradient).
  @inline(__always)
  static func columnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
    out.update(repeating: 0, count: cols)
    for r in 0..<rows {
      let row = x + r * cols
      var j = 0
      while j &+ 8 <= cols {
        out.setLanes(j, out.lanes(j) + row.lanes(j))
        j &+= 8
      }
      while j < cols {
        out[j] += row[j]
        j &+= 1
      }
    }
  }

  /// Copies the rows `indices[start..<start+count]` of `source` (rows of `cols`) to `dest`.
  @inline(__always)
  static func gatherRows(
    _ source: UnsafePointer<Float>, cols: Int, indices: UnsafePointer<Int>, count: Int,
    into dest: UnsafeMutablePointer<Float>
  ) {
    for k in 0..<count {
      (dest + k * cols).update(from: source + indices[k] * cols, count: cols)
    }
  }
}
