/// Prunes a trial whose latest intermediate value leaves [lower, upper] or is NaN (Optuna's
/// `ThresholdPruner`): a guard against diverging runs. The bounds are absolute, so the study's
/// direction does not enter. Checked once per `intervalSteps` from step `nWarmupSteps` on.
public final class ThresholdPruner: Pruner {
  public let lower: Double?
  public let upper: Double?
  public let nWarmupSteps: Int
  public let intervalSteps: Int

  public init(lower: Double? = nil, upper: Double? = nil, nWarmupSteps: Int = 0, intervalSteps: Int = 1) throws {
    guard lower != nil || upper != nil else {
      throw InvalidArgument("lower", "threshold needs lower, upper or both")
    }
    if let lower, lower.isNaN { throw InvalidArgument("lower", "lower must be a number, got nan") }
    if let upper, upper.isNaN { throw InvalidArgument("upper", "upper must be a number, got nan") }
    if let lower, let upper, lower > upper {
      throw InvalidArgument("lower", "lower must be <= upper, got \(formatDouble(lower)) > \(formatDouble(upper))")
    }
    try InvalidArgument.require("nWarmupSteps", nWarmupSteps, atLeast: 0)
    try InvalidArgument.require("intervalSteps", intervalSteps, atLeast: 1)
    self.lower = lower
    self.upper = upper
    self.nWarmupSteps = nWarmupSteps
    self.intervalSteps = intervalSteps
  }

  public func shouldPrune(_ context: PrunerContext) throws -> Bool {
    let trial = context.trial
    guard let (step, value) = trial.lastStep else { return false }
    guard IntermediateValues.isCheckpoint(
      latest: step, steps: trial.intermediateValues.keys, warmup: nWarmupSteps, interval: intervalSteps)
    else { return false }
    if value.isNaN { return true }
    if let lower, value < lower { return true }
    if let upper, value > upper { return true }
    return false
  }
}
