import Foundation

/// Quasi-random search: trial n takes point n of a Sobol or Halton sequence, so the trials of a
/// study cover its space more evenly than random ones (Optuna's QMCSampler).
///
/// As in Optuna, the space is fixed by the first finished trial (complete or pruned) that has
/// parameters: its parameters become the sequence's dimensions, in name order, and stay so for
/// the whole study. Until then, and for any parameter outside that space (or asked with another
/// distribution), values are drawn at random. Each point is mapped through the parameter's
/// internal unit: log-uniform for log distributions, an equal share for each step of an integer
/// or stepped float, and, unlike Optuna (which draws categoricals at random), an equal share for
/// each choice of a categorical.
///
/// Unscrambled sequences ignore the seed (only the random fallback uses it); scrambled ones are
/// randomized by it, so workers that share a seed share the sequence.
public final class QMCSampler: Sampler {
  public let seed: UInt64
  public let kind: QMC.Kind
  public let scramble: Bool

  /// The space, once the first finished trial fixed it, with its parameters in name order.
  private var space: [(name: String, distribution: Distribution)]?
  private var sobol: SobolSequence?
  private var halton: HaltonSequence?

  public init(kind: QMC.Kind = .sobol, scramble: Bool = true, seed: UInt64? = nil) {
    self.kind = kind
    self.scramble = scramble
    self.seed = seed ?? randomSeed()
  }

  public func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    if let space { return Dictionary(uniqueKeysWithValues: space.map { ($0.name, $0.distribution) }) }
    for trial in try context.history.trials(states: [.complete, .pruned]) {
      let params = trial.distributions.filter { !$0.value.isSingle }
      guard !params.isEmpty else { continue }
      let ordered = params.sorted { $0.key < $1.key }.map { (name: $0.key, distribution: $0.value) }
      space = ordered
      switch kind {
      case .sobol:
        guard ordered.count <= QMC.maxSobolDimensions else {
          throw StudyError(
            "the Sobol sequence has direction numbers for at most \(QMC.maxSobolDimensions) parameters, "
              + "the study has \(ordered.count); use the Halton kind")
        }
        sobol = SobolSequence(dimensions: ordered.count, scrambleSeed: scramble ? seed : nil)
      case .halton:
        halton = HaltonSequence(dimensions: ordered.count, scrambleSeed: scramble ? seed : nil)
      }
      return params
    }
    return [:]
  }

  public func sampleRelative(_ context: SamplingContext, space requested: [String: Distribution]) throws -> [String: ParamValue] {
    guard let space, !requested.isEmpty else { return [:] }
    let index = try context.trial().number
    var point = [Double](repeating: 0, count: space.count)
    point.withUnsafeMutableBufferPointer { buffer in
      if let sobol {
        sobol.fill(start: index, count: 1, into: buffer.baseAddress!)
      } else if let halton {
        halton.fill(start: index, count: 1, into: buffer.baseAddress!)
      }
    }
    var result: [String: ParamValue] = [:]
    for (k, param) in space.enumerated() {
      let (low, high) = param.distribution.internalBounds
      result[param.name] = param.distribution.fromInternal(low + point[k] * (high - low))
    }
    return result
  }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    RandomSampler.sample(distribution, using: &context.rng)
  }
}
