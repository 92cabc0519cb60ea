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

/// Picks parameter values for trials.
///
/// Two paths, as in Optuna: the *relative* path samples several parameters jointly over a search
/// space inferred from past trials (GP, CMA-ES, multivariate TPE); the *independent* path picks
/// one parameter at a time and is the fallback for anything outside that space. A sampler only
/// needs `sampleIndependent`; the rest defaults to nothing.
public protocol Sampler: AnyObject {
  /// The seed every trial's stream derives from.
  var seed: UInt64 { get }

  /// The space the relative path will sample; empty means "independent only".
  func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution]
  /// Values for the parameters of `space`, chosen jointly.
  func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue]
  /// A value for one parameter.
  func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue
  /// Called when a trial starts, before any parameter is asked.
  func beforeTrial(_ context: SamplingContext) throws
  /// Called when a trial has finished, with its state and values.
  func afterTrial(_ context: SamplingContext, state: TrialState, values: [Double]?) throws
}

// MARK: - Default implementations

extension Sampler {
  public func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] { [:] }
  public func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] { [:] }
  public func beforeTrial(_ context: SamplingContext) throws {}
  public func afterTrial(_ context: SamplingContext, state: TrialState, values: [Double]?) throws {}
}

/// A seed for samplers created without one.
public func randomSeed() -> UInt64 {
  var g = SystemRandomNumberGenerator()
  return g.next()
}
