import Foundation

/// The reading of intermediate values every pruner shares: steps in order whatever order they
/// were reported in, NaN as "no usable value", the direction's notion of better.
enum IntermediateValues {
  /// The best non-NaN value a trial reported, or nil when it reported none.
  static func best(_ values: [Int: Double], direction: StudyDirection) -> Double? {
    var best: Double?
    for v in values.values where !v.isNaN {
      if let b = best { if direction.isBetter(v, than: b) { best = v } } else { best = v }
    }
    return best
  }

  /// A trial's value at `step`: the one reported there, else the straight line between the
  /// nearest reported steps on either side (trials may report at different steps), else nil.
  /// NaN neighbours give nil.
  static func value(at step: Int, in values: [Int: Double]) -> Double? {
    if let v = values[step] { return v.isNaN ? nil : v }
    var below: (step: Int, value: Double)?
    var above: (step: Int, value: Double)?
    for (s, v) in values {
      if s < step, below.map({ s > $0.step }) ?? true { below = (s, v) }
      if s > step, above.map({ s < $0.step }) ?? true { above = (s, v) }
    }
    guard let b = below, let a = above, !b.value.isNaN, !a.value.isNaN else { return nil }
    let t = Double(step - b.step) / Double(a.step - b.step)
    return b.value + (a.value - b.value) * t
  }

  /// Whether a pruner that looks every `interval` steps after `warmup` should look now: the
  /// trial's latest step is the first it reported at or past a checkpoint (warmup + k·interval),
  /// so a trial that skips steps is still checked once per interval.
  static func isCheckpoint(latest step: Int, steps: some Collection<Int>, warmup: Int, interval: Int) -> Bool {
    guard step >= warmup else { return false }
    let checkpoint = warmup + (step - warmup) / interval * interval
    let previous = steps.filter { $0 < step }.max() ?? -1
    return previous < checkpoint
  }

  /// The `q`-th percentile (0…100) of sorted values, interpolating between order statistics.
  static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q / 100 * Double(sorted.count - 1)
    let lo = Int(position.rounded(.down))
    let hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - Double(lo))
  }
}
