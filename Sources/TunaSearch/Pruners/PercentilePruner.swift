/// Prunes a trial whose best intermediate value so far is worse than the given percentile of
/// the complete trials' values at the same step — the median stopping rule of Google Vizier
/// (Golovin et al., "Google Vizier: A Service for Black-Box Optimization", KDD 2017) at
/// percentile 50, generalised as Optuna's `PercentilePruner`.
///
/// - Nothing is pruned until `nStartupTrials` trials are complete, before step `nWarmupSteps`,
///   or at a step fewer than `nMinTrials` complete trials have a value for.
/// - The check runs once per `intervalSteps` steps (the first report at or past each checkpoint).
/// - "Worse than the p-th percentile" is direction-aware: for a maximized objective the trial
///   is compared with the (100 − p)-th percentile and pruned when below it.
/// - A complete trial that did not report at the step counts with the value on the straight line
///   between its neighbouring reports (trials may report at different steps); NaN values are
///   ignored; a trial whose every value is NaN is pruned.
public final class PercentilePruner: Pruner {
  public let percentile: Double
  public let nStartupTrials: Int
  public let nWarmupSteps: Int
  public let intervalSteps: Int
  public let nMinTrials: Int

  public init(
    percentile: Double, nStartupTrials: Int = 5, nWarmupSteps: Int = 0, intervalSteps: Int = 1, nMinTrials: Int = 1
  ) throws {
    guard percentile >= 0, percentile <= 100 else {
      throw InvalidArgument("percentile", "percentile must be between 0 and 100, got \(formatDouble(percentile))")
    }
    try InvalidArgument.require("nStartupTrials", nStartupTrials, atLeast: 0)
    try InvalidArgument.require("nWarmupSteps", nWarmupSteps, atLeast: 0)
    try InvalidArgument.require("intervalSteps", intervalSteps, atLeast: 1)
    try InvalidArgument.require("nMinTrials", nMinTrials, atLeast: 1)
    self.percentile = percentile
    self.nStartupTrials = nStartupTrials
    self.nWarmupSteps = nWarmupSteps
    self.intervalSteps = intervalSteps
    self.nMinTrials = nMinTrials
  }

  /// The median stopping rule: percentile 50.
  public static func median(
    nStartupTrials: Int = 5, nWarmupSteps: Int = 0, intervalSteps: Int = 1, nMinTrials: Int = 1
  ) throws -> PercentilePruner {
    try PercentilePruner(
      percentile: 50, nStartupTrials: nStartupTrials, nWarmupSteps: nWarmupSteps, intervalSteps: intervalSteps,
      nMinTrials: nMinTrials)
  }

  public func shouldPrune(_ context: PrunerContext) throws -> Bool {
    let (history, trial) = (context.history, context.trial)
    guard let step = trial.lastStep?.step else { return false }
    guard IntermediateValues.isCheckpoint(
      latest: step, steps: trial.intermediateValues.keys, warmup: nWarmupSteps, interval: intervalSteps)
    else { return false }
    let complete = try history.trials(states: [.complete])
    guard complete.count >= nStartupTrials, !complete.isEmpty else { return false }
    let direction = history.direction
    guard let best = IntermediateValues.best(trial.intermediateValues, direction: direction) else { return true }

    let others = complete.compactMap { IntermediateValues.value(at: step, in: $0.intermediateValues) }.sorted()
    guard others.count >= nMinTrials else { return false }
    let q = direction == .maximize ? 100 - percentile : percentile
    let bar = IntermediateValues.percentile(others, q)
    return direction.isBetter(bar, than: best)
  }
}
