/// What a sampler sees while it picks one trial's parameters.
///
/// One context lives for one trial: its `rng` is that trial's own stream, derived from the
/// sampler's seed and the trial's number, so a seeded study reproduces its trials exactly.
public final class SamplingContext {
  /// The study's trials (read-only).
  public let history: TrialHistory
  /// This trial's random stream.
  public var rng: RandomSource
  let trialID: Int
  let onStop: () -> Void

  init(history: TrialHistory, trialID: Int, rng: RandomSource, onStop: @escaping () -> Void) {
    self.history = history
    self.trialID = trialID
    self.rng = rng
    self.onStop = onStop
  }

  /// The trial being sampled, as it stands now.
  public func trial() throws -> FrozenTrial { try history.storage.trial(id: trialID) }

  /// Records an attribute on this trial for the sampler's own bookkeeping.
  public func setSystemAttr(_ key: String, _ value: AttrValue) throws {
    try history.storage.setTrialSystemAttr(trialID: trialID, key: key, value: value)
  }

  /// Asks the study to start no more trials (the grid sampler does when its grid is done).
  public func stopStudy() { onStop() }
}
