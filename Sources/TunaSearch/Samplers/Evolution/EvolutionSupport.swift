import Foundation

/// Helpers the evolutionary samplers share.
enum Evolution {
  /// The numeric parameters of `space` a continuous sampler can model (floats and ints holding
  /// more than one value), sorted by name.
  static func numericNames(_ space: [String: Distribution]) -> [String] {
    space.filter { _, d in
      switch d {
      case .float, .int: !d.isSingle
      case .categorical: false
      }
    }.keys.sorted()
  }

  /// A key naming a search space: its names and distributions, hashed.
  static func spaceKey(_ names: [String], _ space: [String: Distribution]) -> Int {
    Int(bitPattern: UInt(stableHash(names.map { "\($0)=\(space[$0]!)" }.joined(separator: ";"))))
  }

  /// Narrows `space` to the parameters complete trial `trial` has with the same distribution
  /// (Optuna's intersection search space, one trial at a time; nil before the first trial).
  static func intersect(_ space: inout [String: Distribution]?, with trial: FrozenTrial) {
    guard var current = space else {
      space = trial.distributions
      return
    }
    guard !current.isEmpty else { return }
    for (name, dist) in current where trial.distributions[name] != dist { current[name] = nil }
    space = current
  }

  /// A trial's objective values turned so that smaller is better in each.
  static func minimized(_ values: [Double], _ directions: [StudyDirection]) -> [Double] {
    zip(values, directions).map { v, d in d == .minimize ? v : -v }
  }

  /// The system attribute `key` of `trial` as an integer.
  static func intAttr(_ trial: FrozenTrial, _ key: String) -> Int? {
    if case .int(let v)? = trial.systemAttrs[key] { return v }
    return nil
  }

  // MARK: The unit cube

  /// `value`'s position in [0, 1]: its internal form (log for log distributions) scaled by the
  /// internal bounds, which are half a step wider than the range for ints and stepped floats.
  static func unit(_ value: ParamValue, in distribution: Distribution) -> Double? {
    guard let x = distribution.toInternal(value) else { return nil }
    let b = distribution.internalBounds
    return b.high > b.low ? (x - b.low) / (b.high - b.low) : 0.5
  }

  /// The distribution's value nearest to position `u` of the unit interval.
  static func value(atUnit u: Double, in distribution: Distribution) -> ParamValue {
    let b = distribution.internalBounds
    return distribution.fromInternal(b.low + u * (b.high - b.low))
  }
}

/// What a sampler has learned from the finished trials at the front of a study's trial list.
///
/// A finished trial never changes, so the trials before the first unfinished one are read once
/// and summed up here; each call only looks again at the trials after them (in a sequential
/// study, the one running). A trial that never finishes (a worker killed mid-trial) keeps the
/// trials after it in that tail: still correct, just read on every call.
struct FinishedPrefix {
  /// `trials[0..<count]` are finished and summed up.
  private(set) var count = 0
  /// Their complete trials: how many, and the parameters all of them share.
  private(set) var completeCount = 0
  private(set) var space: [String: Distribution]?

  /// Sums up the trials that finished at the front since the last call. Returns those trials
  /// and the ones after the prefix.
  mutating func absorb(_ trials: [FrozenTrial]) -> (added: ArraySlice<FrozenTrial>, tail: ArraySlice<FrozenTrial>) {
    if trials.count < count { self = FinishedPrefix() }
    let start = count
    while count < trials.count, trials[count].state.isFinished {
      if trials[count].state == .complete {
        completeCount += 1
        Evolution.intersect(&space, with: trials[count])
      }
      count += 1
    }
    return (trials[start..<count], trials[count...])
  }

  /// The intersection search space of every complete trial: the prefix's narrowed by the
  /// complete trials of `tail`.
  func intersection(with tail: ArraySlice<FrozenTrial>) -> [String: Distribution] {
    var result = space
    for t in tail where t.state == .complete { Evolution.intersect(&result, with: t) }
    return result ?? [:]
  }
}

/// What a sampler remembers about each study it serves, so that its state is brought up to
/// date from the trials that finished since the last call instead of rebuilt from all of them.
///
/// The memo is only an accelerator: the state is a function of the stored trials, and an entry
/// is dropped when its storage is (a new storage that happens to reuse the old address or study
/// id never inherits it). Hyperband's brackets each keep their own population.
final class StudyMemo<State> {
  private var entries: [StudyIdentity: State] = [:]
  private let lock = NSLock()

  /// Runs `body` on the state kept for `history`'s study, `initial()` the first time.
  func with<R>(_ history: TrialHistory, initial: () throws -> State, _ body: (inout State) throws -> R) throws -> R {
    lock.lock()
    defer { lock.unlock() }
    if entries.keys.contains(where: { !$0.isAlive }) {
      entries = entries.filter { $0.key.isAlive }
    }
    let key = history.identity
    // Taken out while in use, so the state's arrays are mutated in place, not copied.
    var state = try entries.removeValue(forKey: key) ?? initial()
    defer { entries[key] = state }
    return try body(&state)
  }
}
