import Foundation

/// A real-coded genetic algorithm for single-objective studies.
///
/// Generational, after Optuna's `NSGAIISampler` bookkeeping: each trial records its generation in
/// its system attributes (`ga:generation`), and a generation is complete when `populationSize` of
/// its trials are. The first generation is random; each later trial is a child of two parents
/// picked by binary tournament from the current population, crossed over (SBX by default — Deb &
/// Agrawal, 1995 — or uniform, or BLX-α) with probability `crossoverProb`, and mutated gene by gene
/// with probability `mutationProb` (1/number of parameters by default): polynomial mutation (Deb &
/// Goyal, 1996) on numeric genes, a random reset on categorical ones, which are crossed uniformly.
/// Numeric genes live in the unit interval of each parameter's internal form (log scale for log
/// parameters, half a step past each end for ints and steps), so children respect the bounds. The
/// next population keeps the `elitism` best parents and fills up with the best children of the
/// generation (the first `populationSize` complete, in completion order). The populations are a
/// function of the stored trials, so a resumed study or another worker rebuilds them; the sampler
/// memoizes them per study. Parameters outside the intersection search space are sampled
/// independently (uniformly).
public final class GASampler: Sampler {
  public let seed: UInt64
  public let populationSize: Int
  /// Crossover and mutation.
  public let operators: GeneticOperators
  /// Parents carried into the next population: ⌈populationSize / 10⌉ unless given.
  public let elitism: Int
  private let engine: PopulationEngine

  public init(
    seed: UInt64? = nil, populationSize: Int = 50, operators: GeneticOperators = .standard, elitism: Int? = nil
  ) throws {
    try InvalidArgument.require("populationSize", populationSize, atLeast: 2)
    let elitism = elitism ?? (populationSize - 1) / 10 + 1  // a tenth, rounded up, without overflow
    guard elitism >= 0, elitism < populationSize else {
      throw InvalidArgument(
        "elitism", "elitism must be in [0, populationSize - 1] = [0, \(populationSize - 1)], got \(elitism)")
    }
    self.seed = seed ?? randomSeed()
    self.populationSize = populationSize
    self.operators = operators
    self.elitism = elitism
    engine = PopulationEngine(prefix: "ga", populationSize: populationSize, operators: operators) { parents, offspring, size in
      Self.survivors(parents: parents, offspring: offspring, size: size, elitism: elitism)
    }
  }

  /// The next population: the `elitism` best parents, then the best offspring, ranked by value.
  static func survivors(
    parents: [PopulationEngine.Individual], offspring: [PopulationEngine.Individual], size: Int, elitism: Int
  ) -> [PopulationEngine.Individual] {
    func byValue(_ a: PopulationEngine.Individual, _ b: PopulationEngine.Individual) -> Bool {
      a.objectives[0] != b.objectives[0] ? a.objectives[0] < b.objectives[0] : a.number < b.number
    }
    let elites = parents.sorted(by: byValue).prefix(elitism)
    var next = Array(elites) + offspring.sorted(by: byValue).prefix(size - elites.count)
    next.sort(by: byValue)
    for i in next.indices {
      next[i].rank = i > 0 && next[i].objectives[0] == next[i - 1].objectives[0] ? next[i - 1].rank : i
    }
    return next
  }

  public func beforeTrial(_ context: SamplingContext) throws {
    guard context.history.directions.count == 1 else {
      throw StudyError("GASampler supports single-objective studies only; use NSGA2Sampler for several directions")
    }
    try engine.beforeTrial(context)
  }

  public func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    try engine.inferRelativeSearchSpace(context)
  }

  public func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    try engine.sampleRelative(context, space: space)
  }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    RandomSampler.sample(distribution, using: &context.rng)
  }
}
