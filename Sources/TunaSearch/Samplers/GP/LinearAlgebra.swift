import Foundation

/// The small dense linear algebra the Gaussian process needs, on row-major n × n buffers of
/// doubles: a Cholesky factorization that adds jitter until it succeeds, triangular solves, and
/// the inverse from the factor. Every inner loop is a dot product of two contiguous rows, written
/// with SIMD accumulators so it runs at the speed of memory.
enum LinearAlgebra {
  /// Σ a[i] b[i] for i < n.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
      s0 += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
      s1 += ra.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
        * rb.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
      i += 8
    }
    if i + 4 <= n {
      s0 += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
      i += 4
    }
    var s = (s0 + s1).sum()
    while i < n {
      s += a[i] * b[i]
      i += 1
    }
    return s
  }

  /// y[i] += alpha * x[i] for i < n.
  @inline(__always)
  static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
    let a = SIMD4<Double>(repeating: alpha)
    var i = 0
    let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
    while i + 4 <= n {
      let v = ry.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        + a * rx.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
      ry.storeBytes(of: v, toByteOffset: i * 8, as: SIMD4<Double>.self)
      i += 4
    }
    while i < n {
      y[i] += alpha * x[i]
      i += 1
    }
  }

  /// Four dot products of length n at once, (a·c, a·d, b·c, b·d): each load serves two
  /// products, twice the arithmetic per byte of `dot`.
  @inline(__always)
  static func dot2x2(
    _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafePointer<Double>, _ d: UnsafePointer<Double>,
    _ n: Int
  ) -> (ac: Double, ad: Double, bc: Double, bd: Double) {
    var ac = SIMD4<Double>(), ad = SIMD4<Double>(), bc = SIMD4<Double>(), bd = SIMD4<Double>()
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), rc = UnsafeRawPointer(c), rd = UnsafeRawPointer(d)
    var k = 0
    while k + 4 <= n {
      let o = k * 8
      let va = ra.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
      let vb = rb.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
      let vc = rc.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
      let vd = rd.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
      ac += va * vc
      ad += va * vd
      bc += vb * vc
      bd += vb * vd
      k += 4
    }
    var (sac, sad, sbc, sbd) = (ac.sum(), ad.sum(), bc.sum(), bd.sum())
    while k < n {
      sac += a[k] * c[k]
      sad += a[k] * d[k]
      sbc += b[k] * c[k]
      sbd += b[k] * d[k]
      k += 1
    }
    return (sac, sad, sbc, sbd)
  }

  /// Factors the symmetric matrix in the lower triangle of `a` (row-major, n × n) in place as
  /// L Lᵀ, leaving L in the lower triangle (the strict upper triangle is not read or written).
  /// Returns false when a pivot is not positive (the matrix is not numerically positive
  /// definite); `a` is then partly overwritten.
  ///
  /// Rows are computed two at a time against pairs of earlier rows (`dot2x2`).
  static func choleskyInPlace(_ a: UnsafeMutablePointer<Double>, _ n: Int) -> Bool {
    var i = 0
    while i < n {
      let r0 = a + i * n
      if i + 1 < n {
        let r1 = r0 + n
        var j = 0
        while j + 1 < i {
          let c0 = a + j * n, c1 = c0 + n
          let (s00, s01, s10, s11) = dot2x2(r0, r1, c0, c1, j)
          let l00 = (r0[j] - s00) / c0[j]
          let l10 = (r1[j] - s10) / c0[j]
          r0[j] = l00
          r1[j] = l10
          r0[j + 1] = (r0[j + 1] - s01 - l00 * c1[j]) / c1[j + 1]
          r1[j + 1] = (r1[j + 1] - s11 - l10 * c1[j]) / c1[j + 1]
          j += 2
        }
        if j < i {  // i is odd: one column left
          let c0 = a + j * n
          r0[j] = (r0[j] - dot(r0, c0, j)) / c0[j]
          r1[j] = (r1[j] - dot(r1, c0, j)) / c0[j]
        }
        let p0 = r0[i] - dot(r0, r0, i)
        guard p0 > 0, p0.isFinite else { return false }
        r0[i] = p0.squareRoot()
        r1[i] = (r1[i] - dot(r1, r0, i)) / r0[i]
        let p1 = r1[i + 1] - dot(r1, r1, i + 1)
        guard p1 > 0, p1.isFinite else { return false }
        r1[i + 1] = p1.squareRoot()
        i += 2
      } else {
        for j in 0..<i {
          let c0 = a + j * n
          r0[j] = (r0[j] - dot(r0, c0, j)) / c0[j]
        }
        let p0 = r0[i] - dot(r0, r0, i)
        guard p0 > 0, p0.isFinite else { return false }
        r0[i] = p0.squareRoot()
        i += 1
      }
    }
    return true
  }

  /// Solves L x = b in place (L lower triangular, row-major).
  static func solveLower(_ l: UnsafePointer<Double>, _ n: Int, _ b: UnsafeMutablePointer<Double>) {
    for i in 0..<n {
      let row = l + i * n
      b[i] = (b[i] - dot(row, b, i)) / row[i]
    }
  }

  /// Solves Lᵀ x = b in place (L lower triangular, row-major): column-oriented, so each step is
  /// an update with a contiguous row of L.
  static func solveLowerTransposed(_ l: UnsafePointer<Double>, _ n: Int, _ b: UnsafeMutablePointer<Double>) {
    var i = n - 1
    while i >= 0 {
      let row = l + i * n
      b[i] /= row[i]
      axpy(-b[i], row, b, i)
      i -= 1
    }
  }

  /// U = L⁻ᵀ, upper triangular and row-major, from the factor L: row j of U is column j of L⁻¹,
  /// found by forward substitution on e_j. Eight columns are solved at once (their right-hand
  /// sides interleaved), so each row of L is read once per eight. The strict lower triangle of
  /// `u` is set to 0.
  static func invertFactor(_ l: UnsafePointer<Double>, _ n: Int, into u: UnsafeMutablePointer<Double>) {
    let block = UnsafeMutablePointer<Double>.allocate(capacity: n * 8)
    defer { block.deallocate() }
    var j0 = 0
    while j0 < n {
      let width = min(8, n - j0)
      for i in j0..<n {
        for c in 0..<8 { block[i * 8 + c] = i == j0 + c ? 1 : 0 }
      }
      solveLowerBlock8(l, n, block, from: j0)
      for c in 0..<width {
        let row = u + (j0 + c) * n
        for i in 0..<(j0 + c) { row[i] = 0 }
        for i in (j0 + c)..<n { row[i] = block[i * 8 + c] }
      }
      j0 += width
    }
  }

  /// Solves L V = B in place for eight right-hand sides stored interleaved (v[i * 8 + c]),
  /// rows `start ..< n`, where rows before `start` of V are zero (and are not read).
  static func solveLowerBlock8(_ l: UnsafePointer<Double>, _ n: Int, _ v: UnsafeMutablePointer<Double>, from start: Int = 0) {
    let raw = UnsafeMutableRawPointer(v)
    for i in start..<n {
      let row = l + i * n
      var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), b0 = SIMD4<Double>(), b1 = SIMD4<Double>()
      var j = start
      while j + 2 <= i {
        let l0 = SIMD4<Double>(repeating: row[j]), l1 = SIMD4<Double>(repeating: row[j + 1])
        a0 += l0 * raw.loadUnaligned(fromByteOffset: j * 64, as: SIMD4<Double>.self)
        a1 += l0 * raw.loadUnaligned(fromByteOffset: j * 64 + 32, as: SIMD4<Double>.self)
        b0 += l1 * raw.loadUnaligned(fromByteOffset: j * 64 + 64, as: SIMD4<Double>.self)
        b1 += l1 * raw.loadUnaligned(fromByteOffset: j * 64 + 96, as: SIMD4<Double>.self)
        j += 2
      }
      if j < i {
        let l0 = SIMD4<Double>(repeating: row[j])
        a0 += l0 * raw.loadUnaligned(fromByteOffset: j * 64, as: SIMD4<Double>.self)
        a1 += l0 * raw.loadUnaligned(fromByteOffset: j * 64 + 32, as: SIMD4<Double>.self)
      }
      let inv = SIMD4<Double>(repeating: 1 / row[i])
      let r0 = (raw.loadUnaligned(fromByteOffset: i * 64, as: SIMD4<Double>.self) - a0 - b0) * inv
      let r1 = (raw.loadUnaligned(fromByteOffset: i * 64 + 32, as: SIMD4<Double>.self) - a1 - b1) * inv
      raw.storeBytes(of: r0, toByteOffset: i * 64, as: SIMD4<Double>.self)
      raw.storeBytes(of: r1, toByteOffset: i * 64 + 32, as: SIMD4<Double>.self)
    }
  }

  /// The full symmetric inverse A⁻¹ = L⁻ᵀ L⁻¹ = U Uᵀ from U = L⁻ᵀ (with zeros below its
  /// diagonal): A⁻¹[i][j] = Σ_{k ≥ max(i, j)} U[i][k] U[j][k], written to both triangles of
  /// `out`, two rows by two columns at a time.
  static func inverseFromInvertedFactor(_ u: UnsafePointer<Double>, _ n: Int, into out: UnsafeMutablePointer<Double>) {
    func set(_ i: Int, _ j: Int, _ v: Double) {
      out[i * n + j] = v
      out[j * n + i] = v
    }
    var i = 0
    while i < n {
      let ri = u + i * n
      guard i + 1 < n else {
        set(i, i, dot(ri + i, ri + i, n - i))
        break
      }
      let ri1 = ri + n
      // The diagonal block (rows i, i + 1; U[i + 1][i] is 0).
      set(i, i, dot(ri + i, ri + i, n - i))
      set(i, i + 1, dot(ri + i + 1, ri1 + i + 1, n - i - 1))
      set(i + 1, i + 1, dot(ri1 + i + 1, ri1 + i + 1, n - i - 1))
      var j = i + 2
      while j + 1 < n {
        let rj = u + j * n, rj1 = rj + n
        // Over k ≥ j + 1 all four products run; the k = j term misses only row j + 1 (0 there).
        let (s00, s01, s10, s11) = dot2x2(ri + j + 1, ri1 + j + 1, rj + j + 1, rj1 + j + 1, n - j - 1)
        set(i, j, s00 + ri[j] * rj[j])
        set(i + 1, j, s10 + ri1[j] * rj[j])
        set(i, j + 1, s01)
        set(i + 1, j + 1, s11)
        j += 2
      }
      if j < n {
        let rj = u + j * n
        set(i, j, dot(ri + j, rj + j, n - j))
        set(i + 1, j, dot(ri1 + j, rj + j, n - j))
      }
      i += 2
    }
  }
}

/// A Cholesky factor L Lᵀ = A + jitter·I of a symmetric positive (semi)definite matrix.
struct CholeskyFactor {
  let n: Int
  /// L, row-major n × n (zeros above the diagonal).
  private(set) var l: [Double]
  /// What was added to the diagonal to make the factorization succeed (0 when nothing was).
  let jitter: Double

  struct NotPositiveDefinite: Error, CustomStringConvertible {
    var description: String { "the matrix is not positive definite, even with jitter" }
  }

  /// Factors the row-major n × n symmetric matrix `a` (only its lower triangle is read). When a
  /// pivot fails, retries with jitter on the diagonal, starting at `initialJitter` × the mean
  /// diagonal and growing tenfold, up to `maxJitter` × the mean diagonal.
  init(_ a: [Double], n: Int, initialJitter: Double = 1e-10, maxJitter: Double = 1e-2) throws(NotPositiveDefinite) {
    precondition(a.count == n * n, "a \(n) × \(n) matrix needs \(n * n) entries, got \(a.count)")
    self.n = n
    var m = a
    var jitter = 0.0
    var meanDiagonal = 0.0
    for i in 0..<n { meanDiagonal += a[i * n + i] }
    meanDiagonal = n > 0 ? max(meanDiagonal / Double(n), Double.leastNormalMagnitude) : 1
    while true {
      let ok = m.withUnsafeMutableBufferPointer { LinearAlgebra.choleskyInPlace($0.baseAddress!, n) }
      if ok && m.allSatisfy(\.isFinite) { break }
      jitter = jitter == 0 ? initialJitter * meanDiagonal : jitter * 10
      guard jitter <= maxJitter * meanDiagonal, meanDiagonal.isFinite else { throw NotPositiveDefinite() }
      m = a
      for i in 0..<n { m[i * n + i] += jitter }
    }
    for i in 0..<n { for j in (i + 1)..<n { m[i * n + j] = 0 } }
    l = m
    self.jitter = jitter
  }

  /// x with A x = b.
  func solve(_ b: [Double]) -> [Double] {
    precondition(b.count == n, "solve needs \(n) entries, got \(b.count)")
    var x = b
    l.withUnsafeBufferPointer { lp in
      x.withUnsafeMutableBufferPointer { xp in
        LinearAlgebra.solveLower(lp.baseAddress!, n, xp.baseAddress!)
        LinearAlgebra.solveLowerTransposed(lp.baseAddress!, n, xp.baseAddress!)
      }
    }
    return x
  }

  /// x with L x = b.
  func solveLower(_ b: [Double]) -> [Double] {
    var x = b
    l.withUnsafeBufferPointer { lp in
      x.withUnsafeMutableBufferPointer { LinearAlgebra.solveLower(lp.baseAddress!, n, $0.baseAddress!) }
    }
    return x
  }

  /// log det A (of the jittered matrix) = 2 Σ log L[i][i].
  var logDeterminant: Double {
    (0..<n).reduce(0) { $0 + 2 * log(l[$1 * n + $1]) }
  }

  /// A⁻¹, row-major.
  func inverse() -> [Double] {
    var u = [Double](repeating: 0, count: n * n)
    var out = [Double](repeating: 0, count: n * n)
    l.withUnsafeBufferPointer { lp in
      u.withUnsafeMutableBufferPointer { up in
        LinearAlgebra.invertFactor(lp.baseAddress!, n, into: up.baseAddress!)
        out.withUnsafeMutableBufferPointer {
          LinearAlgebra.inverseFromInvertedFactor(up.baseAddress!, n, into: $0.baseAddress!)
        }
      }
    }
    return out
  }
}
