#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
  import _Builtin_intrinsics.intel
#endif

/// Eight Floats at a time, for the elementwise loops of the hot path (activations, optimizer
/// updates, bias gradients). The compiler does not vectorize those loops over raw pointers by
/// itself, so they are written over `SIMD8<Float>`: in whole lanes over `FloatBuffer`s (whose
/// allocations are padded to whole lanes), else with a scalar tail. Plain loops, no closures:
/// the compiler does not reliably inline a per-chunk closure into its loop.
typealias Lanes = SIMD8<Float>

extension UnsafeMutablePointer where Pointee == Float {
  /// The 8 values from `i`.
  @inline(__always)
  func lanes(_ i: Int) -> Lanes { UnsafeRawPointer(self + i).loadUnaligned(as: Lanes.self) }

  /// Writes `v` at `i…i+7`.
  @inline(__always)
  func setLanes(_ i: Int, _ v: Lanes) { UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: Lanes.self) }
}

extension UnsafePointer where Pointee == Float {
  @inline(__always)
  func lanes(_ i: Int) -> Lanes { UnsafeRawPointer(self + i).loadUnaligned(as: Lanes.self) }
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
