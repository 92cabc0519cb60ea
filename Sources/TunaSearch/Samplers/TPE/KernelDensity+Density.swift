import Foundation

/// Densities: the estimator's log density at points, for one point or a batch (the TPE sampler
/// scores its candidates in one call).
extension KernelDensity {
  /// The log density at `x` (one internal-unit number per dimension; discrete coordinates are
  /// read as the grid point whose cell holds them, categorical ones as the nearest index), or
  /// −∞ outside the bounds. NaN when `x` does not have one number per dimension (callers that
  /// take points from users should check `dimensions.count` and say so).
  public func logPDF(_ x: [Double]) -> Double {
    guard x.count == dimensions.count, !x.contains(where: \.isNaN) else { return .nan }
    return logPDFs(x, count: 1)[0]
  }

  /// Kernels whose log term is this far below the largest add less than 1e-17 each: skipped.
  private static let negligible = 40.0
  /// Kernels per block in `logPDFs`: a block's centres and bandwidths stay in the L1 cache
  /// while every point visits them.
  private static let block = 256

  /// The log densities of `count` points stored one after another in `points`.
  ///
  /// Each point's log term per kernel — the kernel's constant, −z²/2 per continuous axis, the
  /// log probability of the choice per categorical axis and of the cell per discrete axis — is
  /// built block by block of kernels, then reduced by a log-sum-exp.
  func logPDFs(_ points: [Double], count: Int) -> [Double] {
    // Groups of points small enough that their kernel terms stay under ~50 KB, in one buffer.
    let group = max(1, min(count, 6_000 / kernelCount))
    // Every term is written before it is read.
    var terms = [Double](unsafeUninitializedCapacity: group * kernelCount) { _, n in n = group * kernelCount }
    guard count > group else { return logPDFGroup(points, count: count, terms: &terms) }
    let dims = dimensions.count
    var result: [Double] = []
    result.reserveCapacity(count)
    var start = 0
    while start < count {
      let end = min(start + group, count)
      result += logPDFGroup(Array(points[(start * dims)..<(end * dims)]), count: end - start, terms: &terms)
      start = end
    }
    return result
  }

  /// Densities of up to `terms.count / kernelCount` points, with `terms` as scratch space.
  private func logPDFGroup(_ points: [Double], count: Int, terms: inout [Double]) -> [Double] {
    let dims = dimensions.count
    let kernels = kernelCount
    var result = [Double](repeating: 0, count: count)
    guard count > 0 else { return result }
    var outside = [Bool](repeating: false, count: count)

    // Coordinates checked once: continuous ones inside the bounds, categorical ones as indices.
    var choice = [Int](repeating: 0, count: count * max(1, categoricalAxes.count))
    for i in 0..<count {
      for axis in numericAxes where !axis.isDiscrete {
        let v = points[i * dims + axis.index]
        if !(v >= axis.low && v <= axis.high) { outside[i] = true }
      }
      for (j, axis) in categoricalAxes.enumerated() {
        let v = points[i * dims + axis.index].rounded()
        if v >= 0, v < Double(axis.count) { choice[i * categoricalAxes.count + j] = Int(v) } else { outside[i] = true }
      }
    }
    // Discrete axes: each distinct grid point among the points gets its kernels' log cell
    // masses once, then adds like a categorical table.
    var cellTables: [[Double]] = []
    var cellTable = [Int](repeating: 0, count: count * max(1, discreteAxes.count))
    for (j, a) in discreteAxes.enumerated() {
      var tableOfPoint: [Int: Int] = [:]
      for i in 0..<count where !outside[i] {
        guard let g = numericAxes[a].gridIndex(of: points[i * dims + numericAxes[a].index]) else {
          outside[i] = true
          continue
        }
        if let t = tableOfPoint[g] {
          cellTable[i * discreteAxes.count + j] = t
        } else {
          tableOfPoint[g] = cellTables.count
          cellTable[i * discreteAxes.count + j] = cellTables.count
          cellTables.append(numericAxes[a].logCellMasses(g))
        }
      }
    }

    let offsets = continuousAxes.map { numericAxes[$0].offset }
    let indices = continuousAxes.map { numericAxes[$0].index }
    terms.withUnsafeMutableBufferPointer { acc in
      withTermInputs { muBuffer, invBuffer, c in
        var start = 0
        while start < kernels {
          let end = min(start + Self.block, kernels)
          for i in 0..<count where !outside[i] {
            let a = acc.baseAddress! + i * kernels
            for k in start..<end { a[k] = c[k] }
            // Two continuous axes per pass: −(y² + z²)/2 with y, z the standardized distances.
            var j = 0
            while j < offsets.count {
              let m1 = UnsafeBufferPointer(rebasing: muBuffer[offsets[j]...])
              let s1 = UnsafeBufferPointer(rebasing: invBuffer[offsets[j]...])
              let u = points[i * dims + indices[j]]
              if j + 1 < offsets.count {
                let m2 = UnsafeBufferPointer(rebasing: muBuffer[offsets[j + 1]...])
                let s2 = UnsafeBufferPointer(rebasing: invBuffer[offsets[j + 1]...])
                let v = points[i * dims + indices[j + 1]]
                for k in start..<end {
                  let y = (u - m1[k]) * s1[k]
                  let z = (v - m2[k]) * s2[k]
                  a[k] -= 0.5 * (y * y + z * z)
                }
                j += 2
              } else {
                for k in start..<end {
                  let y = (u - m1[k]) * s1[k]
                  a[k] -= 0.5 * y * y
                }
                j += 1
              }
            }
            for (j, axis) in categoricalAxes.enumerated() {
              axis.logProbability.withUnsafeBufferPointer { p in
                let q = p.baseAddress! + choice[i * categoricalAxes.count + j] * kernels
                for k in start..<end { a[k] += q[k] }
              }
            }
            for j in discreteAxes.indices {
              cellTables[cellTable[i * discreteAxes.count + j]].withUnsafeBufferPointer { q in
                for k in start..<end { a[k] += q[k] }
              }
            }
          }
          start = end
        }
      }

      for i in 0..<count {
        if outside[i] {
          result[i] = -.infinity
          continue
        }
        let row = UnsafeMutableBufferPointer(rebasing: acc[(i * kernels)..<((i + 1) * kernels)])
        result[i] = Self.logSumExp(row)
      }
    }
    return result
  }

  /// Calls `body` with the kernels' centres, inverse bandwidths and constants.
  private func withTermInputs(
    _ body: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Void
  ) {
    mu.withUnsafeBufferPointer { mu in
      invSigma.withUnsafeBufferPointer { inv in
        constant.withUnsafeBufferPointer { c in body(mu, inv, c) }
      }
    }
  }

  /// log Σ exp(acc[k]).
  private static func logSumExp(_ acc: UnsafeMutableBufferPointer<Double>) -> Double {
    let kernels = acc.count
    // The largest term, four lanes at a time.
    var lanes = SIMD4<Double>(repeating: -.infinity)
    var k = 0
    while k + 4 <= kernels {
      let v = SIMD4(acc[k], acc[k + 1], acc[k + 2], acc[k + 3])
      lanes.replace(with: v, where: v .> lanes)
      k += 4
    }
    var m = lanes.max()
    while k < kernels {
      if acc[k] > m { m = acc[k] }
      k += 1
    }
    guard m > -.infinity else { return -.infinity }
    // Most kernels lie far from any one point: terms below e^−40 of the largest cannot change
    // the sum.
    let floor = m - Self.negligible
    var sum = 0.0
    for k in 0..<kernels where acc[k] > floor { sum += exp(acc[k] - m) }
    return m + Foundation.log(sum)
  }
}
