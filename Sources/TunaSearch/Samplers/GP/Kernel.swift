import Foundation

/// The Matérn 5/2 kernel with automatic relevance determination (one lengthscale per input),
/// as a function of the scaled squared distance
///
///     r² = Σ_d δ_d² / ℓ_d²,   k(r²) = σ² (1 + √5 r + 5/3 r²) exp(−√5 r),
///
/// where δ_d = x_d − x'_d for a continuous input and, for a categorical one, δ_d² is 1 when the
/// choices differ and 0 when they are the same (a Hamming distance, as Optuna's GP does).
struct KernelParameters: Equatable, Sendable {
  /// 1 / ℓ_d², one per input.
  var inverseSquaredLengthscales: [Double]
  /// σ², the prior variance of the function.
  var signalVariance: Double
  /// The variance of the observation noise.
  var noiseVariance: Double

  /// Unit lengthscales and signal variance, and noise of 1 % of it: where fits start.
  static func initial(dimensions: Int) -> KernelParameters {
    KernelParameters(
      inverseSquaredLengthscales: Array(repeating: 1, count: dimensions), signalVariance: 1, noiseVariance: 1)
  }
}

/// The kernel's arithmetic, vectorized: distances accumulate one input at a time over
/// contiguous columns of the (column-major) inputs, and k(r²) runs four values at a time with a
/// polynomial exp, so a kernel value costs a few nanoseconds instead of a libm call.
///
/// Unoptimized (DEBUG) builds take plain scalar loops instead: generic SIMD code runs about a
/// hundred times slower there, and would make debug test runs crawl.
enum Matern52 {
  /// The unit-variance kernel at squared distance r² (scalar reference).
  static func value(_ r2: Double) -> Double {
    let s = (5 * r2).squareRoot()
    return (1 + s + 5.0 / 3.0 * r2) * Foundation.exp(-s)
  }

  /// Adds to `r2[j]` (j < count) the scaled squared distances from `point` to the inputs whose
  /// coordinates lie in the columns of `xT` (input d of point j at xT[d * stride + j]).
  @inline(__always)
  static func accumulateSquaredDistances(
    from point: UnsafePointer<Double>, to xT: UnsafePointer<Double>, stride: Int, count: Int,
    inverseSquaredLengthscales ls: UnsafePointer<Double>, categorical: UnsafePointer<Bool>, dimensions: Int,
    into r2: UnsafeMutablePointer<Double>
  ) {
    #if DEBUG
      for d in 0..<dimensions {
        let column = xT + d * stride
        let p = point[d], l = ls[d]
        for j in 0..<count {
          if categorical[d] {
            if column[j] != p { r2[j] += l }
          } else {
            r2[j] += l * (p - column[j]) * (p - column[j])
          }
        }
      }
    #else
      let out = UnsafeMutableRawPointer(r2)
      for d in 0..<dimensions {
        let column = xT + d * stride
        let raw = UnsafeRawPointer(column)
        let p = point[d], l = ls[d]
        let pv = SIMD4<Double>(repeating: p), lv = SIMD4<Double>(repeating: l)
        var j = 0
        if categorical[d] {
          let zero = SIMD4<Double>()
          while j + 4 <= count {
            let differs = raw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) .!= pv
            let add = zero.replacing(with: lv, where: differs)
            let sum = out.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) + add
            out.storeBytes(of: sum, toByteOffset: j * 8, as: SIMD4<Double>.self)
            j += 4
          }
          while j < count {
            if column[j] != p { r2[j] += l }
            j += 1
          }
        } else {
          while j + 4 <= count {
            let delta = pv - raw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
            out.storeBytes(
              of: out.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) + lv * delta * delta,
              toByteOffset: j * 8, as: SIMD4<Double>.self)
            j += 4
          }
          while j < count {
            let delta = p - column[j]
            r2[j] += l * delta * delta
            j += 1
          }
        }
      }
    #endif
  }

  /// Adds to `sums[d]` the weighted squared coordinate distances Σ_j w[j] δ_d(point, x_j)²
  /// (δ² being 1 or 0 for a categorical input), over the `count` inputs in the columns of `xT`.
  @inline(__always)
  static func accumulateWeightedSquaredDifferences(
    from point: UnsafePointer<Double>, to xT: UnsafePointer<Double>, stride: Int, count: Int,
    weights w: UnsafePointer<Double>, categorical: UnsafePointer<Bool>, dimensions: Int,
    into sums: UnsafeMutablePointer<Double>
  ) {
    #if DEBUG
      for d in 0..<dimensions {
        let column = xT + d * stride
        let p = point[d]
        var sum = 0.0
        for j in 0..<count {
          if categorical[d] {
            if column[j] != p { sum += w[j] }
          } else {
            sum += w[j] * (p - column[j]) * (p - column[j])
          }
        }
        sums[d] += sum
      }
    #else
      let wRaw = UnsafeRawPointer(w)
      for d in 0..<dimensions {
        let column = xT + d * stride
        let raw = UnsafeRawPointer(column)
        let p = point[d]
        let pv = SIMD4<Double>(repeating: p)
        var acc = SIMD4<Double>()
        var tail = 0.0
        var j = 0
        if categorical[d] {
          let zero = SIMD4<Double>()
          while j + 4 <= count {
            let differs = raw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) .!= pv
            acc += zero.replacing(with: wRaw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self), where: differs)
            j += 4
          }
          while j < count {
            if column[j] != p { tail += w[j] }
            j += 1
          }
        } else {
          while j + 4 <= count {
            let delta = pv - raw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
            acc += wRaw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self) * delta * delta
            j += 4
          }
          while j < count {
            let delta = p - column[j]
            tail += w[j] * delta * delta
            j += 1
          }
        }
        sums[d] += acc.sum() + tail
      }
    #endif
  }

  /// Replaces r² by the unit-variance kernel k(r²) in `values[0 ..< count]`; with `derivatives`,
  /// also writes dk/dr² = −5/6 (1 + √5 r) exp(−√5 r) there (finite at r = 0).
  @inline(__always)
  static func evaluate(_ values: UnsafeMutablePointer<Double>, derivatives: UnsafeMutablePointer<Double>?, count: Int) {
    #if DEBUG
      for j in 0..<count {
        let s = (5 * values[j]).squareRoot()
        let e = Foundation.exp(-s)
        values[j] = (1 + s + s * s / 3) * e
        derivatives?[j] = -5.0 / 6.0 * (1 + s) * e
      }
    #else
      let raw = UnsafeMutableRawPointer(values)
      let dRaw = derivatives.map { UnsafeMutableRawPointer($0) }
      let five = SIMD4<Double>(repeating: 5), one = SIMD4<Double>(repeating: 1)
      let third = SIMD4<Double>(repeating: 1.0 / 3.0), fiveSixths = SIMD4<Double>(repeating: -5.0 / 6.0)
      var j = 0
      while j < count {
        let width = min(4, count - j)
        var r2 = SIMD4<Double>()
        if width == 4 {
          r2 = raw.loadUnaligned(fromByteOffset: j * 8, as: SIMD4<Double>.self)
        } else {
          for c in 0..<width { r2[c] = values[j + c] }
        }
        let s = (five * r2).squareRoot()
        let e = negativeExp(-s)
        let k = (one + s + third * s * s) * e
        if width == 4 {
          raw.storeBytes(of: k, toByteOffset: j * 8, as: SIMD4<Double>.self)
          if let dRaw { dRaw.storeBytes(of: fiveSixths * (one + s) * e, toByteOffset: j * 8, as: SIMD4<Double>.self) }
        } else {
          let dk = fiveSixths * (one + s) * e
          for c in 0..<width {
            values[j + c] = k[c]
            derivatives?[j + c] = dk[c]
          }
        }
        j += 4
      }
    #endif
  }

  /// exp(x) for x ≤ 0, four at a time, to within a few ulps: x = k ln 2 + f with |f| ≤ ln 2 / 2
  /// (Cody and Waite's two-part ln 2), exp(f) by its Taylor polynomial to degree 13, and 2^k
  /// built in the exponent bits. Arguments below −700 are taken as −700 (a result of 10⁻³⁰⁴).
  @inline(__always)
  static func negativeExp(_ x: SIMD4<Double>) -> SIMD4<Double> {
    let clamped = x.replacing(with: SIMD4<Double>(repeating: -700), where: x .< -700)
    // Rounding to an integer by adding 1.5 · 2^52: the sum's low mantissa bits hold k.
    let shifter = SIMD4<Double>(repeating: 0x1.8p52)
    let t = clamped * SIMD4<Double>(repeating: 1.4426950408889634) + shifter
    let k = t - shifter
    let f = clamped - k * SIMD4<Double>(repeating: 6.93147180369123816490e-01)
      - k * SIMD4<Double>(repeating: 1.90821492927058770002e-10)
    var p = SIMD4<Double>(repeating: 1.0 / 6_227_020_800)  // 1/13!
    p = p * f + SIMD4<Double>(repeating: 1.0 / 479_001_600)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 39_916_800)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 3_628_800)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 362_880)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 40_320)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 5_040)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 720)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 120)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 24)
    p = p * f + SIMD4<Double>(repeating: 1.0 / 6)
    p = p * f + SIMD4<Double>(repeating: 0.5)
    p = p * f + SIMD4<Double>(repeating: 1)
    p = p * f + SIMD4<Double>(repeating: 1)
    let bits = unsafeBitCast(t, to: SIMD4<UInt64>.self)
    let scale = unsafeBitCast((bits &<< 52) &+ SIMD4<UInt64>(repeating: 1023 << 52), to: SIMD4<Double>.self)
    return p * scale
  }
}
