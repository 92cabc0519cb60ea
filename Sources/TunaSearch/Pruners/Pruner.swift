/// Decides from a running trial's intermediate values whether to stop it early.
///
/// A pruner decides from what is stored: the trial's intermediate values and the study's
/// trials (`history`). Pruners that must remember a decision (successive halving records the
/// value a trial brought to each rung) keep it as a system attribute of the trial, so that any
/// worker asking again gets the same answer.
public protocol Pruner: AnyObject {
  /// Whether `trial` (running, as last stored) should stop now.
  func shouldPrune(history: TrialHistory, trial: FrozenTrial) throws -> Bool

  /// The part of the study a sampler should learn from when it samples trial `trialNumber`;
  /// nil (the default) for all of it. Hyperband answers with the trial's bracket.
  func samplerPartition(trialNumber: Int, history: TrialHistory) -> HistoryPartition?
}

extension Pruner {
  public func samplerPartition(trialNumber: Int, history: TrialHistory) -> HistoryPartition? { nil }
}

/// Never prunes: the default.
public final class NopPruner: Pruner {
  public init() {}
  public func shouldPrune(history: TrialHistory, trial: FrozenTrial) throws -> Bool { false }
}

/// A pruner's setting out of range, named as the scripts spell it.
public struct PrunerArgumentError: Error, CustomStringConvertible, Sendable, Equatable {
  public let argument: String
  public let message: String
  public init(_ argument: String, _ message: String) {
    self.argument = argument
    self.message = message
  }
  public var description: String { message }
}
