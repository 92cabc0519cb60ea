/// What a pruner sees while it judges one trial, and the one write it may make.
public struct PrunerContext {
  /// The study's trials (read-only).
  public let history: TrialHistory
  /// The trial judged, as stored when it was asked about.
  public let trial: FrozenTrial

  public init(history: TrialHistory, trial: FrozenTrial) {
    self.history = history
    self.trial = trial
  }

  /// The trial as stored now: another worker may have recorded a decision since it was read.
  public func currentTrial() throws -> FrozenTrial { try history.storage.trial(id: trial.id) }

  /// Records a decision with the trial, for every worker that asks again.
  public func setSystemAttr(_ key: String, _ value: AttrValue) throws {
    try history.storage.setTrialSystemAttr(trialID: trial.id, key: key, value: value)
  }
}
