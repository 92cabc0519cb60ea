import Foundation

/// The generational bookkeeping the GA and NSGA-II share, after Optuna's `NSGAIISampler`.
///
/// Each trial records its generation in its system attributes (`<prefix>:generation`, set in
/// `beforeTrial`): the first generation whose complete trials number fewer than the population
/// size. Generation 0 is sampled at random. The parents of generation g + 1 are chosen by the
/// sampler's survival rule from the parents of generation g and the first `populationSize`
/// complete trials of generation g in completion order (`TrialHistory.finishedBefore`); a child
/// is two binary tournaments, a crossover and a mutation. Like CMA-ES's, this state is a
/// function of the stored trials (a resumed study or another worker rebuilds it), memoized per
/// study.
final class PopulationEngine {
  /// A complete trial in a population, with the place survival gave it.
  struct Individual {
    let number: Int
    let params: [String: ParamValue]
    /// Objective values, each turned so that smaller is better.
    let objectives: [Double]
    /// The non-domination rank (0 is best); for one objective, the position among distinct values.
    var rank = 0
    /// The crowding distance in its front (larger is preferred among equal ranks).
    var crowding = 0.0
  }

  typealias Survival = (_ parents: [Individual], _ offspring: [Individual], _ size: Int) -> [Individual]

  let generationKey: String
  let populationSize: Int
  let operators: GeneticOperators
  let survive: Survival
  private let memo = StudyMemo<Memo>()

  init(prefix: String, populationSize: Int, operators: GeneticOperators, survive: @escaping Survival) {
    generationKey = prefix + ":generation"
    self.populationSize = populationSize
    self.operators = operators
    self.survive = survive
  }

  /// What the engine keeps per study.
  struct Memo {
    var ledger = FinishedPrefix()
    /// Complete trials of the prefix per generation.
    var completeByGeneration: [Int: Int] = [:]
    /// Complete trials of the prefix from generations whose successors' parents are not chosen yet.
    var pending: [Int: [FrozenTrial]] = [:]
    /// Parent populations by generation: `[0]` is empty (generation 0 is random).
    var populations: [[Individual]] = [[]]
  }

  /// Reads newly finished trials into `memo`; returns the trials after the finished prefix.
  private func absorb(_ memo: inout Memo, _ trials: [FrozenTrial]) -> ArraySlice<FrozenTrial> {
    let (added, tail) = memo.ledger.absorb(trials)
    for t in added where t.state == .complete {
      guard let g = Evolution.intAttr(t, generationKey) else { continue }
      memo.completeByGeneration[g, default: 0] += 1
      if g >= memo.populations.count - 1 { memo.pending[g, default: []].append(t) }
    }
    return tail
  }

  /// Tags the trial with the generation it belongs to: the first with fewer complete trials
  /// than the population size.
  func beforeTrial(_ context: SamplingContext) throws {
    let trials = try context.history.trials()
    let g = try memo.with(context.history, initial: { Memo() }) { memo in
      let tail = absorb(&memo, trials)
      var complete = memo.completeByGeneration
      for t in tail where t.state == .complete {
        if let g = Evolution.intAttr(t, generationKey) { complete[g, default: 0] += 1 }
      }
      var g = 0
      while complete[g, default: 0] >= populationSize { g += 1 }
      return g
    }
    try context.setSystemAttr(generationKey, .int(g))
  }

  /// The intersection search space (without single-valued parameters), from generation 1 on.
  func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    guard let g = Evolution.intAttr(try context.trial(), generationKey), g > 0 else { return [:] }
    let trials = try context.history.trials()
    return try memo.with(context.history, initial: { Memo() }) { memo in
      memo.ledger.intersection(with: absorb(&memo, trials)).filter { !$0.value.isSingle }
    }
  }

  /// A child of two parents of the trial's generation.
  func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    guard !space.isEmpty, let g = Evolution.intAttr(try context.trial(), generationKey), g > 0 else { return [:] }
    let directions = context.history.directions
    let trials = try context.history.trials()
    let parents = try memo.with(context.history, initial: { Memo() }) { memo in
      let tail = absorb(&memo, trials)
      extend(&memo, to: g, tail: tail, directions: directions, order: context.history.finishedBefore)
      return memo.populations[min(g, memo.populations.count - 1)]
    }
    guard parents.count >= 2 else { return [:] }
    let first = tournament(parents, using: &context.rng)
    var second = tournament(parents, using: &context.rng)
    for _ in 0..<4 where second == first { second = tournament(parents, using: &context.rng) }
    let names = space.keys.sorted()
    return operators.child(parents[first].params, parents[second].params, names: names, space: space, using: &context.rng)
  }

  /// Chooses the parent populations up to generation `g`.
  private func extend(
    _ memo: inout Memo, to g: Int, tail: ArraySlice<FrozenTrial>, directions: [StudyDirection],
    order: (FrozenTrial, FrozenTrial) -> Bool
  ) {
    while memo.populations.count <= g {
      let h = memo.populations.count - 1
      let fresh = tail.filter { $0.state == .complete && Evolution.intAttr($0, generationKey) == h }
      let group = (memo.pending[h, default: []] + fresh)
        .filter { t in t.values.map { $0.count == directions.count && !$0.contains(where: \.isNaN) } ?? false }
      guard group.count >= populationSize else { return }
      let offspring = group.sorted(by: order).prefix(populationSize).map {
        Individual(number: $0.number, params: $0.params, objectives: Evolution.minimized($0.values!, directions))
      }
      memo.populations.append(survive(memo.populations[h], offspring, populationSize))
      memo.pending[h] = nil
    }
  }

  /// Binary tournament: the index of the better of two distinct random members (lower rank,
  /// then larger crowding distance, then a coin).
  private func tournament(_ population: [Individual], using rng: inout RandomSource) -> Int {
    let i = rng.integer(0, population.count - 1)
    var j = rng.integer(0, population.count - 2)
    if j >= i { j += 1 }
    let (a, b) = (population[i], population[j])
    if a.rank != b.rank { return a.rank < b.rank ? i : j }
    if a.crowding != b.crowding { return a.crowding > b.crowding ? i : j }
    return rng.unit() < 0.5 ? i : j
  }
}
