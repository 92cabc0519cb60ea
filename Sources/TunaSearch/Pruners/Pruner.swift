/// Decides from a running trial's intermediate values whether to stop it early.
/// Pure: the decision depends only on the trial and the study's history.
public protocol Pruner: AnyObject {
  func shouldPrune(history: TrialHistory, trial: FrozenTrial) throws -> Bool
}

/// Never prunes: the default.
public final class NopPruner: Pruner {
  public init() {}
  public func shouldPrune(history: TrialHistory, trial: FrozenTrial) throws -> Bool { false }
}
