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
