/// Prunes a trial that is significantly worse than the best trial on the same instances: for
/// objectives that average a score over folds or problem instances, each reported at its own
/// step (the fold or instance index). At every report the trial's values are paired with the
/// best complete trial's values at the same steps, and Wilcoxon's signed-rank test asks whether
/// the trial is worse; it is pruned when the one-sided p-value falls below `pThreshold` (after
/// Optuna's `WilcoxonPruner`, which follows the instance-wise racing of F-Race and irace).
///
/// - No pruning before `nStartupSteps` pairs exist, or while no trial is complete.
/// - A trial whose mean over the paired steps is at least as good as the best trial's is never
///   pruned, whatever the ranks say.
/// - A NaN the trial reported counts as worse than any value; a step where the best trial has
///   NaN is left out. Steps need not be reported in order.
public final class WilcoxonPruner: Pruner {
  public let pThreshold: Double
  public let nStartupSteps: Int

  public init(pThreshold: Double = 0.1, nStartupSteps: Int = 2) throws {
    guard pThreshold >= 0, pThreshold <= 1 else {
      throw InvalidArgument("pThreshold", "pThreshold must be between 0 and 1, got \(formatDouble(pThreshold))")
    }
    try InvalidArgument.require("nStartupSteps", nStartupSteps, atLeast: 0)
    self.pThreshold = pThreshold
    self.nStartupSteps = nStartupSteps
  }

  public func shouldPrune(_ context: PrunerContext) throws -> Bool {
    let (history, trial) = (context.history, context.trial)
    guard !trial.intermediateValues.isEmpty, let best = try history.bestTrial(), best.id != trial.id else { return false }
    // Differences oriented so that positive means "this trial is worse".
    let sign = history.direction == .minimize ? 1.0 : -1.0
    var differences: [Double] = []
    var sumMine = 0.0
    var sumBest = 0.0
    for (step, mine) in trial.intermediateValues {
      guard let theirs = best.intermediateValues[step], !theirs.isNaN else { continue }
      let m = mine.isNaN ? sign * Double.infinity : mine
      differences.append(sign * (m - theirs))
      sumMine += m
      sumBest += theirs
    }
    guard differences.count >= max(nStartupSteps, 1) else { return false }
    // At least as good on average: keep it.
    if !(sign * (sumMine - sumBest) > 0) { return false }
    return SignedRankTest.pValueGreater(differences) < pThreshold
  }
}
