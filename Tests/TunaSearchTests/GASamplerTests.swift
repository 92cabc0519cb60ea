import Foundation
@testable import TunaSearch
import TunaTestSupport
import XCTest

final class GASamplerTests: XCTestCase {
  typealias P = EvolutionTestProblems

  func testConformance() throws {
    try checkSampler({ try GASampler(seed: $0, populationSize: 6) }, name: "ga")
  }

  func testConformanceOtherCrossovers() throws {
    try checkSampler({ try GASampler(seed: $0, populationSize: 5, operators: try GeneticOperators(crossover: .uniform)) }, name: "ga uniform")
    try checkSampler({ try GASampler(seed: $0, populationSize: 5, operators: try GeneticOperators(crossover: .blxAlpha), elitism: 0) }, name: "ga blx-alpha")
  }

  func testInvalidArguments() {
    XCTAssertEqual(assertThrows(InvalidArgument.self) { try GASampler(populationSize: 1) }?.argument, "populationSize")
    XCTAssertEqual(assertThrows(InvalidArgument.self) { try GeneticOperators(mutationProb: 1.5) }?.argument, "mutationProb")
    XCTAssertEqual(assertThrows(InvalidArgument.self) { try GeneticOperators(crossoverProb: -0.1) }?.argument, "crossoverProb")
    XCTAssertEqual(assertThrows(InvalidArgument.self) { try GeneticOperators(swappingProb: .nan) }?.argument, "swappingProb")
    XCTAssertEqual(assertThrows(InvalidArgument.self) { try GeneticOperators(etaCrossover: -1) }?.argument, "etaCrossover")
    XCTAssertEqual(assertThrows(InvalidArgument.self) { try GASampler(populationSize: 10, elitism: 10) }?.argument, "elitism")
    XCTAssertEqual(try GASampler().elitism, 5)
    XCTAssertEqual(Crossover(rawValue: "blx_alpha"), .blxAlpha)
  }

  func testImprovesOverRandom() throws {
    var ga: [Double] = []
    var random: [Double] = []
    for seed in UInt64(1)...5 {
      ga.append(try P.run(try GASampler(seed: seed, populationSize: 20), nTrials: 300) { try P.sphere($0, dims: 4) }.bestValue)
      random.append(try P.run(RandomSampler(seed: seed), nTrials: 300) { try P.sphere($0, dims: 4) }.bestValue)
    }
    XCTAssertLessThan(P.median(ga) * 5, P.median(random), "GA \(ga) vs random \(random)")
  }

  func testGenerationsFollowThePopulationSize() throws {
    let study = try Study.create(direction: .minimize, sampler: try GASampler(seed: 2, populationSize: 8))
    try study.optimize(OptimizeOptions(nTrials: 40)) { trial in
      let v = try P.sphere(trial, dims: 2)
      if trial.number == 3 { throw TestError("a failed trial does not count") }
      return [v]
    }
    let generations = try study.trials().map { P.intAttr($0, "ga:generation") }
    XCTAssertEqual(generations, Array(repeating: 0, count: 9) + (8..<39).map { $0 / 8 })
  }

  func testCategoricalsAreCrossedAndMutated() throws {
    let study = try P.run(try GASampler(seed: 4, populationSize: 16, operators: try GeneticOperators(mutationProb: 0.1)), nTrials: 240) { t in
      let c = try t.suggestCategorical("c", [.string("a"), .string("b"), .string("c"), .string("d")])
      let x = try t.suggestFloat("x", -1, 1)
      return (c == .string("c") ? 0 : 1) + x * x
    }
    let last = try study.trials().suffix(48)
    let chosen = last.filter { $0.params["c"] == .string("c") }.count
    XCTAssertGreaterThan(chosen, 36, "the best choice dominates the late generations")
    XCTAssertGreaterThan(Set(try study.trials().compactMap { $0.params["c"] }).count, 3)
  }

  func testSeededRunsAreIdenticalAndResumable() throws {
    let objective: (Trial) throws -> Double = { t in
      let n = try t.suggestInt("n", 1, 100, log: true)
      let c = try t.suggestCategorical("c", [.bool(true), .bool(false)])
      return try P.sphere(t, dims: 2) + Double(n) + (c == .bool(true) ? 1 : 0)
    }
    let a = try P.run(try GASampler(seed: 9, populationSize: 10), nTrials: 60, objective).trials().map(\.params)
    let b = try P.run(try GASampler(seed: 9, populationSize: 10), nTrials: 60, objective).trials().map(\.params)
    XCTAssertEqual(a, b)
    let storage = InMemoryStorage()
    for _ in 0..<4 {
      let study = try Study.create(
        name: "ga", direction: .minimize, sampler: try GASampler(seed: 9, populationSize: 10), storage: storage,
        loadIfExists: true)
      try study.optimize(nTrials: 15, objective)
    }
    XCTAssertEqual(try storage.trials(studyID: 0, states: nil).map(\.params), a)
  }

  func testOutOfOrderCompletionsGiveTheSameStateWhenRebuilt() throws {
    let rounds = try P.outOfOrderRun { try GASampler(seed: 52, populationSize: 6) }
    XCTAssertEqual(rounds.rebuilt, rounds.kept)
  }

  func testMultiObjectiveIsRefused() throws {
    let study = try Study.create(directions: [.minimize, .maximize], sampler: try GASampler(seed: 1))
    XCTAssertThrowsError(try study.ask()) { error in
      XCTAssertTrue(String(describing: error).contains("NSGA2Sampler"), "\(error)")
    }
  }

  // MARK: Operators

  func testSBXStaysInBoundsAndBracketsTheParentsMean() {
    var rng = RandomSource(seed: 1)
    for _ in 0..<2_000 {
      let a = rng.unit()
      let b = rng.unit()
      let (c1, c2) = GeneticOperators.sbx(a, b, eta: 15, using: &rng)
      XCTAssertTrue((0...1).contains(c1) && (0...1).contains(c2))
      XCTAssertLessThanOrEqual(c1, (a + b) / 2 + 1e-12)
      XCTAssertGreaterThanOrEqual(c2, (a + b) / 2 - 1e-12)
    }
    // With a large distribution index the children stay near the parents.
    var offsets: [Double] = []
    for _ in 0..<1_000 {
      let (c1, c2) = GeneticOperators.sbx(0.4, 0.6, eta: 15, using: &rng)
      offsets.append(abs(c1 - 0.4))
      offsets.append(abs(c2 - 0.6))
    }
    XCTAssertLessThan(P.median(offsets), 0.03)
    XCTAssertEqual(GeneticOperators.sbx(0.3, 0.3, eta: 15, using: &rng).0, 0.3)
  }

  func testPolynomialMutationStaysInBoundsAndIsLocal() {
    var rng = RandomSource(seed: 2)
    var moves: [Double] = []
    for _ in 0..<5_000 {
      let u = rng.unit()
      let m = GeneticOperators.polynomialMutation(u, eta: 20, using: &rng)
      XCTAssertTrue((0...1).contains(m))
      moves.append(abs(m - u))
    }
    XCTAssertLessThan(P.median(moves), 0.05)
    for u in [0.0, 1.0] {
      XCTAssertTrue((0...1).contains(GeneticOperators.polynomialMutation(u, eta: 20, using: &rng)))
    }
  }

  func testElitistSurvivalKeepsTheBestParents() {
    typealias I = PopulationEngine.Individual
    let parents = [I(number: 0, params: [:], objectives: [1]), I(number: 1, params: [:], objectives: [5])]
    let offspring = [I(number: 2, params: [:], objectives: [3]), I(number: 3, params: [:], objectives: [2])]
    let next = GASampler.survivors(parents: parents, offspring: offspring, size: 2, elitism: 1)
    XCTAssertEqual(next.map(\.number), [0, 3])
    XCTAssertEqual(next.map(\.rank), [0, 1])
  }
}
