#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
  import _Builtin_intrinsics.intel
#endif

/// Eight Floats at a time, for the elementwise loops of the hot path (activations, optimizer
/// updates, bias gradients). The compiler does not vectorize those loops over raw pointers by
/// itself, so they are written over `SIMD8<Float>`, with a partial chunk at the end.
typealias Lanes = SIMD8<Float>

extension UnsafeMutablePointer where Pointee == Float {
  /// The `n` ≤ 8 values from `i`, zero-padded.
  @inline(__always)
  func lanes(_ i: Int, _ n: Int = 8) -> Lanes {
    if _fastPath(n == 8) { return UnsafeRawPointer(self + i).loadUnaligned(as: Lanes.self) }
    return partialLanes(i, n)
  }

  /// Writes the first `n` ≤ 8 values of `v` from `i`.
  @inline(__always)
  func setLanes(_ i: Int, _ v: Lanes, _ n: Int = 8) {
    if _fastPath(n == 8) {
      UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: Lanes.self)
    } else {
      setPartialLanes(i, v, n)
    }
  }

  // The last, partial chunk of a loop, out of line so that loop bodies stay small enough to
  // inline.
  @inline(never)
  func partialLanes(_ i: Int, _ n: Int) -> Lanes {
    var v = Lanes()
    for k in 0..<n { v[k] = self[i + k] }
    return v
  }

  @inline(never)
  func setPartialLanes(_ i: Int, _ v: Lanes, _ n: Int) {
    for k in 0..<n { self[i + k] = v[k] }
  }
}

extension UnsafePointer where Pointee == Float {
  @inline(__always)
  func lanes(_ i: Int, _ n: Int = 8) -> Lanes { UnsafeMutablePointer(mutating: self).lanes(i, n) }
}

/// Calls `body(i, n)` for i = 0, 8, 16, … < count with n = min(8, count − i). (One call site,
/// so that the closure is inlined into the loop.)
@inline(__always)
func forEachLanes(_ count: Int, _ body: (_ i: Int, _ n: Int) -> Void) {
  var i = 0
  while i < count {
    body(i, Swift.min(8, count &- i))
    i &+= 8
  }
}

/// √v lane by lane, as SSE's `sqrtps` where it can be named: `SIMD8.squareRoot()` and even
/// `Float.squareRoot()` go through libm's `sqrtf` one lane at a time (with its errno branch),
/// which cost the Adam update more than its arithmetic.
@inline(__always)
func squareRoot(_ v: Lanes) -> Lanes {
  #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
    return Lanes(lowHalf: _mm_sqrt_ps(v.lowHalf), highHalf: _mm_sqrt_ps(v.highHalf))
  #else
    return Lanes(
      v[0].squareRoot(), v[1].squareRoot(), v[2].squareRoot(), v[3].squareRoot(),
      v[4].squareRoot(), v[5].squareRoot(), v[6].squareRoot(), v[7].squareRoot())
  #endif
}
