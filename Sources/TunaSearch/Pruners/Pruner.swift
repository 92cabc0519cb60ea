/// Decides from a running trial's intermediate values whether to stop it early.
///
/// A pruner decides from what is stored: the trial's intermediate values and the study's
/// trials (`context.history`). It reaches neither the study nor its storage; the one thing it
/// may write is a decision it must remember, as a system attribute of the trial
/// (`context.setSystemAttr`: successive halving records the value a trial brought to each rung),
/// so that any worker asking again gets the same answer.
public protocol Pruner: AnyObject {
  /// Whether `context.trial` (running, as last stored) should stop now.
  func shouldPrune(_ context: PrunerContext) throws -> Bool
}

/// A pruner that splits the study for the sampler: the trials a sampler learns from when it
/// samples trial `trialNumber` are the partition's (Hyperband's bracket); nil for all of them.
public protocol PartitioningPruner: Pruner {
  func samplerPartition(trialNumber: Int, history: TrialHistory) -> HistoryPartition?
}

/// Never prunes: the default.
public final class NopPruner: Pruner {
  public init() {}
  public func shouldPrune(_ context: PrunerContext) throws -> Bool { false }
}

