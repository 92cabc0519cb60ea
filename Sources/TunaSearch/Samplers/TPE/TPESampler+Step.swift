import Foundation
import TunaRandom

/// One TPE step (Bergstra et al. 2011, §4; Watanabe 2023, Algorithm 1): split the trials, fit
/// l(x) to the good ones and g(x) to the rest, draw candidates from l and keep the one with
/// the largest log l(x) − log g(x).
extension TPESampler {
  /// A running trial that counts as "above" under the constant liar.
  struct Pending {
    let number: Int
    let params: [String: ParamValue]
  }

  /// One TPE step over `space` (names sorted): split, fit l and g, pick the best candidate.
  func sample(
    _ context: SamplingContext, cache: TPEStudyCache, trials: [FrozenTrial], space: [(name: String, distribution: Distribution)]
  ) -> [ParamValue] {
    let directions = context.history.directions
    let n = cache.records.count
    let wanted: Int
    if let gamma {
      wanted = gamma(n)
    } else {
      wanted = directions.count > 1 ? Self.defaultGammaMultiObjective(n) : Self.defaultGamma(n)
    }
    let split = cache.split(directions: directions, nBelow: min(max(wanted, 0), n))

    var pending: [Pending] = []
    if constantLiar {
      for trial in trials[cache.firstUnread...] where trial.state == .running && trial.id != context.trialID {
        var params = trial.params
        if case .object(let relative)? = trial.systemAttrs[Self.relativeParamsKey] {
          for (name, attr) in relative where params[name] == nil { params[name] = ParamValue(attr: attr) }
        }
        pending.append(Pending(number: trial.number, params: params))
      }
    }

    let dimensions = space.map { KernelDensity.Dimension($0.distribution) }
    // Equal values take their bandwidths in an order drawn for this trial (see `NumericAxis`).
    let ties = context.rng.next()
    let below = estimator(
      split.below, pending: [], cache: cache, space: space, dimensions: dimensions,
      uniformWeights: directions.count > 1, tieSeed: ties)
    let above = estimator(
      split.above, pending: pending, cache: cache, space: space, dimensions: dimensions, uniformWeights: false,
      tieSeed: ~ties)

    let count = nEICandidates
    let dims = space.count
    let candidates = below.samples(count: count, rng: &context.rng)
    let unique = Self.uniqueRows(candidates, count: count, dims: dims)
    let lBelow = below.logPDFs(unique.points, count: unique.count)
    let lAbove = above.logPDFs(unique.points, count: unique.count)
    var best = 0
    var bestScore = -Double.infinity
    for i in 0..<unique.count {
      let score = lBelow[i] - lAbove[i]
      if score > bestScore {
        bestScore = score
        best = i
      }
    }
    return space.indices.map { d in space[d].distribution.fromInternal(unique.points[best * dims + d]) }
  }

  /// The distinct rows of `count` points stored one after another, in first-seen order: integer
  /// and categorical spaces repeat candidates often, and each costs a pass over the kernels.
  private static func uniqueRows(_ points: [Double], count: Int, dims: Int) -> (points: [Double], count: Int) {
    var out: [Double] = []
    out.reserveCapacity(points.count)
    var kept = 0
    for i in 0..<count {
      let row = points[(i * dims)..<((i + 1) * dims)]
      var seen = false
      for j in 0..<kept where out[(j * dims)..<((j + 1) * dims)].elementsEqual(row) {
        seen = true
        break
      }
      if !seen {
        out.append(contentsOf: row)
        kept += 1
      }
    }
    return (out, kept)
  }

  /// A Parzen estimator over `space` from the trials at `slots` (by number) and the pending
  /// trials, keeping those that have every parameter of the space inside its bounds.
  private func estimator(
    _ slots: [Int], pending: [Pending], cache: TPEStudyCache, space: [(name: String, distribution: Distribution)],
    dimensions: [KernelDensity.Dimension], uniformWeights: Bool, tieSeed: UInt64
  ) -> KernelDensity {
    let dims = space.count
    let columns = space.map { cache.columns[$0.name] }

    // The sources in trial-number order: a record's slot, or −1 − i for pending trial i.
    var sources: [Int] = []
    sources.reserveCapacity(slots.count + pending.count)
    var p = 0
    for slot in slots {
      let number = cache.records[slot].number
      while p < pending.count, pending[p].number < number {
        sources.append(-1 - p)
        p += 1
      }
      sources.append(slot)
    }
    while p < pending.count {
      sources.append(-1 - p)
      p += 1
    }

    // Which sources have every parameter inside its bounds (column by column: tight loops, no
    // dictionary lookups per trial), then their coordinates.
    let m = sources.count
    let stored: [[Double]] = space.indices.map { d in
      guard let column = columns[d] else { return [] }
      switch space[d].distribution {
      case .float(_, _, let log, _), .int(_, _, let log, _): return log ? column.logRaw : column.raw
      case .categorical: return column.raw
      }
    }
    let pendingValues: [[Double]] = space.map { name, distribution in
      pending.map { p in p.params[name].flatMap { distribution.toInternal($0) } ?? .nan }
    }
    var keep = [Bool](repeating: true, count: m)
    for d in 0..<dims {
      let (low, high) = space[d].distribution.internalBounds
      stored[d].withUnsafeBufferPointer { column in
        for i in 0..<m {
          let s = sources[i]
          // A column no finished trial has yet is empty.
          let x = s >= 0 ? (column.isEmpty ? .nan : column[s]) : pendingValues[d][-1 - s]
          // NaN (absent) fails both comparisons.
          if !(x >= low && x <= high) { keep[i] = false }
        }
      }
    }

    var kernelOfSlot = [Int](repeating: -1, count: cache.records.count)
    var pendingKernels: [Int] = []
    var kept: [Int] = []
    kept.reserveCapacity(m)
    for i in 0..<m where keep[i] {
      if sources[i] >= 0 { kernelOfSlot[sources[i]] = kept.count } else { pendingKernels.append(kept.count) }
      kept.append(sources[i])
    }
    let n = kept.count
    let observed: [[Double]] = (0..<dims).map { d in
      [Double](unsafeUninitializedCapacity: n) { out, initialized in
        stored[d].withUnsafeBufferPointer { column in
          for (j, s) in kept.enumerated() { out[j] = s >= 0 ? column[s] : pendingValues[d][-1 - s] }
        }
        initialized = n
      }
    }

    // Each numeric coordinate's order, read off the cache's sorted columns, with the few
    // pending observations merged in.
    var orders: [[Int]?] = Array(repeating: nil, count: dims)
    for d in 0..<dims {
      if case .categorical = space[d].distribution { continue }
      let x = observed[d]
      func before(_ a: Int, _ b: Int) -> Bool { x[a] < x[b] || (x[a] == x[b] && a < b) }
      let extra = pendingKernels.sorted(by: before)
      var order: [Int] = []
      order.reserveCapacity(n)
      let sortedSlots = columns[d]?.sortedSlots ?? []
      if extra.isEmpty {
        kernelOfSlot.withUnsafeBufferPointer { kernelOf in
          for slot in sortedSlots where kernelOf[slot] >= 0 { order.append(kernelOf[slot]) }
        }
      } else {
        var e = 0
        for slot in sortedSlots {
          let k = kernelOfSlot[slot]
          guard k >= 0 else { continue }
          while e < extra.count, before(extra[e], k) {
            order.append(extra[e])
            e += 1
          }
          order.append(k)
        }
        order.append(contentsOf: extra[e...])
      }
      orders[d] = order
    }

    let weights = uniformWeights ? Array(repeating: 1.0, count: n) : Self.defaultWeights(n)
    return KernelDensity(
      validated: dimensions, columns: observed, orders: orders, weights: weights, priorWeight: priorWeight,
      considerEndpoints: considerEndpoints, tieSeed: tieSeed)
  }
}
