import CBLAS

/// A dense row-major matrix of `Float`. Products go through BLAS (`cblas_sgemm`).
public struct Matrix: Equatable, Sendable {
  public var rows: Int
  public var cols: Int
  /// `rows * cols` values, row after row.
  public var data: [Float]

  public init(rows: Int, cols: Int, data: [Float]) {
    precondition(data.count == rows * cols, "Matrix: \(data.count) values for \(rows)x\(cols)")
    self.rows = rows
    self.cols = cols
    self.data = data
  }

  public init(rows: Int, cols: Int, repeating value: Float = 0) {
    self.init(rows: rows, cols: cols, data: [Float](repeating: value, count: rows * cols))
  }

  /// A matrix from rows of equal length.
  public init(_ rows: [[Float]]) {
    let cols = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == cols }, "Matrix: rows of unequal length")
    self.init(rows: rows.count, cols: cols, data: rows.flatMap { $0 })
  }

  public subscript(row: Int, col: Int) -> Float {
    get { data[row * cols + col] }
    set { data[row * cols + col] = newValue }
  }

  /// One row as an array.
  public func row(_ i: Int) -> [Float] { Array(data[(i * cols)..<((i + 1) * cols)]) }

  /// The rows at `indices`, in that order.
  public func rows(_ indices: [Int]) -> Matrix {
    var out = [Float](repeating: 0, count: indices.count * cols)
    data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for (k, i) in indices.enumerated() {
          let from = src.baseAddress! + i * cols
          (dst.baseAddress! + k * cols).update(from: from, count: cols)
        }
      }
    }
    return Matrix(rows: indices.count, cols: cols, data: out)
  }

  public var transposed: Matrix {
    var out = Matrix(rows: cols, cols: rows)
    for i in 0..<rows { for j in 0..<cols { out.data[j * rows + i] = data[i * cols + j] } }
    return out
  }

  /// `alpha * op(a) * op(b) + beta * c`, written into `c` (BLAS sgemm).
  public static func gemm(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
    into c: inout Matrix, alpha: Float = 1, beta: Float = 0
  ) {
    let m = transposeA ? a.cols : a.rows
    let k = transposeA ? a.rows : a.cols
    let n = transposeB ? b.rows : b.cols
    precondition((transposeB ? b.cols : b.rows) == k, "gemm: inner dimensions \(k) and \(transposeB ? b.cols : b.rows) differ")
    precondition(c.rows == m && c.cols == n, "gemm: output is \(c.rows)x\(c.cols), expected \(m)x\(n)")
    guard m > 0, n > 0 else { return }
    if k == 0 {
      for i in c.data.indices { c.data[i] *= beta }
      return
    }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a.data, Int32(a.cols), b.data, Int32(b.cols), beta,
      &c.data, Int32(c.cols))
  }

  /// The matrix product `a * b`.
  public static func * (a: Matrix, b: Matrix) -> Matrix {
    var c = Matrix(rows: a.rows, cols: b.cols)
    gemm(a, b, into: &c)
    return c
  }
}

/// BLAS threads: one per worker when several run in parallel, else OpenBLAS's default.
public enum BLAS {
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
  public static var threads: Int { Int(openblas_get_num_threads()) }
}
