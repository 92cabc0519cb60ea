import Foundation
import Synchronization

/// Asynchronous successive halving, ASHA (Li et al., "A System for Massively Parallel
/// Hyperparameter Tuning", MLSys 2020).
///
/// Rung k sits at step `minResource · reductionFactor^(minEarlyStoppingRate + k)`. When a trial
/// first reports at or past a rung, the value it brought there is recorded on the trial (system
/// attribute `sha:rung_<k>`) and compared with every value recorded at that rung so far, by any
/// trial: the trial goes on only if it is among the best `1/reductionFactor` of them (at least
/// the single best), and is pruned otherwise. Decisions are never revisited — a trial promoted
/// early stays promoted, as in ASHA — and a pruned decision is recorded too, so asking again
/// gives the same answer. A NaN value at a rung is pruned.
///
/// With `bootstrapCount` > 0 a rung must hold that many values before anything passes it.
/// `minResource` may be left to the study (`.auto`): a hundredth of the steps of the first
/// trial to complete, and no pruning before one does.
public final class SuccessiveHalvingPruner: Pruner {
  public enum Resource: Sendable, Equatable {
    case auto
    case steps(Int)
  }

  public let minResource: Resource
  public let reductionFactor: Int
  public let minEarlyStoppingRate: Int
  public let bootstrapCount: Int
  /// Prefixes the attribute keys, so Hyperband's brackets keep separate rungs.
  let keyPrefix: String
  private let estimatedMinResource = Mutex<Int?>(nil)

  public convenience init(
    minResource: Resource = .steps(1), reductionFactor: Int = 4, minEarlyStoppingRate: Int = 0, bootstrapCount: Int = 0
  ) throws {
    try self.init(
      minResource: minResource, reductionFactor: reductionFactor, minEarlyStoppingRate: minEarlyStoppingRate,
      bootstrapCount: bootstrapCount, keyPrefix: "sha:")
  }

  init(minResource: Resource, reductionFactor: Int, minEarlyStoppingRate: Int, bootstrapCount: Int, keyPrefix: String) throws {
    if case .steps(let r) = minResource, r < 1 {
      throw InvalidArgument("minResource", "minResource must be >= 1 or \"auto\", got \(r)")
    }
    try InvalidArgument.require("reductionFactor", reductionFactor, atLeast: 2)
    try InvalidArgument.require("minEarlyStoppingRate", minEarlyStoppingRate, atLeast: 0)
    try InvalidArgument.require("bootstrapCount", bootstrapCount, atLeast: 0)
    self.minResource = minResource
    self.reductionFactor = reductionFactor
    self.minEarlyStoppingRate = minEarlyStoppingRate
    self.bootstrapCount = bootstrapCount
    self.keyPrefix = keyPrefix
  }

  /// The step rung `rung` sits at, or nil when it lies beyond any step (overflow).
  static func rungStep(minResource: Int, reductionFactor: Int, rate: Int) -> Int? {
    var step = minResource
    for _ in 0..<rate {
      let (next, overflow) = step.multipliedReportingOverflow(by: reductionFactor)
      if overflow { return nil }
      step = next
    }
    return step
  }

  func rungKey(_ rung: Int) -> String { "\(keyPrefix)rung_\(rung)" }
  var stoppedKey: String { "\(keyPrefix)stopped" }

  public func shouldPrune(_ context: PrunerContext) throws -> Bool {
    let history = context.history
    // The stored trial: its rung records may be newer than the snapshot handed in.
    let trial = try context.currentTrial()
    if trial.systemAttrs[stoppedKey] != nil { return true }
    guard let (step, value) = trial.lastStep else { return false }
    var all: [FrozenTrial]?
    guard let minSteps = try resolvedMinResource({
      if all == nil { all = try history.trials() }
      return all!
    }) else { return false }

    var rung = 0
    while trial.systemAttrs[rungKey(rung)] != nil { rung += 1 }
    while true {
      guard let rungStep = Self.rungStep(
        minResource: minSteps, reductionFactor: reductionFactor, rate: minEarlyStoppingRate + rung),
        step >= rungStep
      else { return false }
      if value.isNaN { return try stop(context) }
      if all == nil { all = try history.trials() }
      let key = rungKey(rung)
      try context.setSystemAttr(key, .double(value))
      var competing = [value]
      for other in all! where other.id != trial.id {
        if case .double(let v)? = other.systemAttrs[key] { competing.append(v) }
      }
      if competing.count <= bootstrapCount { return try stop(context) }
      if !isPromotable(value, among: competing, direction: history.direction) { return try stop(context) }
      rung += 1
    }
  }

  /// Whether `value` is among the best `1/reductionFactor` of `competing` (at least the best).
  func isPromotable(_ value: Double, among competing: [Double], direction: StudyDirection) -> Bool {
    let keep = max(competing.count / reductionFactor, 1)
    // Best first; NaN last.
    let ordered = competing.sorted { a, b in
      if a.isNaN { return false }
      if b.isNaN { return true }
      return direction.isBetter(a, than: b)
    }
    let bar = ordered[keep - 1]
    return !direction.isBetter(bar, than: value)
  }

  private func stop(_ context: PrunerContext) throws -> Bool {
    try context.setSystemAttr(stoppedKey, .bool(true))
    return true
  }

  /// The configured minimum resource, or the estimate from the first complete trial.
  private func resolvedMinResource(_ trials: () throws -> [FrozenTrial]) throws -> Int? {
    if case .steps(let r) = minResource { return r }
    if let known = estimatedMinResource.withLock({ $0 }) { return known }
    let lastSteps = try trials().filter { $0.state == .complete }.compactMap { $0.lastStep?.step }
    guard let longest = lastSteps.max() else { return nil }
    let estimate = max(longest / 100, 1)
    return estimatedMinResource.withLock { stored in
      if stored == nil { stored = estimate }
      return stored!
    }
  }
}
