import Foundation
import TunaRandom

/// Draws from the estimator: a kernel by weight, then each axis from that kernel.
extension KernelDensity {
  /// `count` points drawn from the mixture, in the internal unit (discrete coordinates on the
  /// grid, categorical ones as indices).
  public func sample(count: Int, rng: inout RandomSource) -> [[Double]] {
    let flat = samples(count: count, rng: &rng)
    let dims = dimensions.count
    return (0..<max(0, count)).map { Array(flat[($0 * dims)..<(($0 + 1) * dims)]) }
  }

  /// `count` draws stored one after another.
  func samples(count: Int, rng: inout RandomSource) -> [Double] {
    let dims = dimensions.count
    var out = [Double](repeating: 0, count: max(0, count) * dims)
    for i in 0..<max(0, count) {
      let k = pickKernel(rng.unit())
      for axis in numericAxes {
        out[i * dims + axis.index] = axis.draw(mu: mu[axis.offset + k], invSigma: invSigma[axis.offset + k], u: rng.unit())
      }
      for axis in categoricalAxes {
        out[i * dims + axis.index] = Double(axis.draw(kernel: k, u: rng.unit()))
      }
    }
    return out
  }

  /// The kernel whose share of the cumulative weights holds `u` in [0, 1).
  private func pickKernel(_ u: Double) -> Int {
    var lo = 0
    var hi = kernelCount - 1
    while lo < hi {
      let mid = (lo + hi) / 2
      if cumulativeWeights[mid] > u { hi = mid } else { lo = mid + 1 }
    }
    // Skip zero-weight kernels that a rounding error at the end could land on.
    while lo > 0, weights[lo] == 0 { lo -= 1 }
    return lo
  }
}
