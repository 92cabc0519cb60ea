import Foundation

/// Independent sampling: uniform, log-uniform for log distributions, uniform over the grid
/// points of stepped ones, and uniform over categorical choices.
public final class RandomSampler: Sampler {
  public let seed: UInt64

  public init(seed: UInt64? = nil) { self.seed = seed ?? randomSeed() }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    Self.sample(distribution, using: &context.rng)
  }

  /// One value drawn from `distribution`.
  public static func sample(_ distribution: Distribution, using rng: inout RandomSource) -> ParamValue {
    switch distribution {
    case .float(let low, let high, let log, let step):
      if let step {
        let n = Int(((high - low) / step).rounded())
        return .float(min(low + Double(rng.integer(0, n)) * step, high))
      }
      if log { return .float(min(max(exp(rng.uniform(Foundation.log(low), Foundation.log(high))), low), high)) }
      return .float(rng.uniform(low, high))
    case .int(let low, let high, let log, let step):
      if log { return distribution.fromInternal(rng.uniform(distribution.internalBounds.low, distribution.internalBounds.high)) }
      return .int(low + rng.integer(0, (high - low) / step) * step)
    case .categorical(let choices):
      return choices[rng.integer(0, choices.count - 1)]
    }
  }
}
