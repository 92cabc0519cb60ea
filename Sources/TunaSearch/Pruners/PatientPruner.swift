/// Waits for a trial to stop improving before pruning (Optuna's `PatientPruner`): a trial is a
/// candidate when the best of its last `patience` + 1 reports is worse than the best before
/// them less `minDelta` (so with `minDelta` 0 a trial that merely holds its best is left alone;
/// with `minDelta` > 0 it must improve by that much). A candidate is pruned — or, when a pruner
/// is wrapped, handed to it for the decision. Reports are read in step order; a window of only
/// NaN counts as no improvement.
public final class PatientPruner: PartitioningPruner {
  public let wrapped: (any Pruner)?
  public let patience: Int
  public let minDelta: Double
  /// The wrapped pruner when it splits the study (Hyperband), cast once.
  private let partitioning: (any PartitioningPruner)?

  public init(wrapped: (any Pruner)?, patience: Int, minDelta: Double = 0) throws {
    try InvalidArgument.require("patience", patience, atLeast: 0)
    guard minDelta >= 0 else {
      throw InvalidArgument("minDelta", "minDelta must be >= 0, got \(formatDouble(minDelta))")
    }
    self.wrapped = wrapped
    self.patience = patience
    self.minDelta = minDelta
    partitioning = wrapped as? any PartitioningPruner
  }

  public func shouldPrune(_ context: PrunerContext) throws -> Bool {
    let (history, trial) = (context.history, context.trial)
    let ordered = trial.intermediateValues.sorted { $0.key < $1.key }.map(\.value)
    guard ordered.count > patience + 1 else { return false }
    let direction = history.direction
    let split = ordered.count - patience - 1
    let before = ordered[..<split].filter { !$0.isNaN }
    guard let bestBefore = direction == .minimize ? before.min() : before.max() else { return false }
    let window = ordered[split...].filter { !$0.isNaN }
    let stalled: Bool
    if let bestInWindow = direction == .minimize ? window.min() : window.max() {
      stalled = direction == .minimize ? bestInWindow > bestBefore - minDelta : bestInWindow < bestBefore + minDelta
    } else {
      stalled = true
    }
    guard stalled else { return false }
    return try wrapped?.shouldPrune(context) ?? true
  }

  public func samplerPartition(trialNumber: Int, history: TrialHistory) -> HistoryPartition? {
    partitioning?.samplerPartition(trialNumber: trialNumber, history: history)
  }
}
