import Foundation
@testable import TunaSearch
import TunaTestSupport
import XCTest

/// Test problems and helpers the evolutionary samplers' tests share.
enum EvolutionTestProblems {
  /// Runs `nTrials` of a single-objective `objective` and returns the study.
  static func run(
    _ sampler: any Sampler, nTrials: Int, direction: StudyDirection = .minimize,
    _ objective: @escaping (Trial) throws -> Double
  ) throws -> Study {
    let study = try Study.create(direction: direction, sampler: sampler)
    try study.optimize(OptimizeOptions(nTrials: nTrials, catchErrors: false)) { [try objective($0)] }
    return study
  }

  static func sphere(_ trial: Trial, dims: Int, low: Double = -5, high: Double = 5) throws -> Double {
    var sum = 0.0
    for i in 0..<dims {
      let x = try trial.suggestFloat("x\(i)", low, high)
      sum += x * x
    }
    return sum
  }

  static func rosenbrock(_ trial: Trial, dims: Int) throws -> Double {
    let xs = try (0..<dims).map { try trial.suggestFloat("x\($0)", -5, 10) }
    var sum = 0.0
    for i in 0..<(dims - 1) {
      let a = xs[i + 1] - xs[i] * xs[i]
      let b = 1 - xs[i]
      sum += 100 * a * a + b * b
    }
    return sum
  }

  /// 30 rounds of: ask three trials, finish them in the order 2, 0, 1 (the first of each round
  /// fails every fifth round). Returns the params, once with one sampler kept throughout and
  /// once with a new sampler (a new `Study` on the same storage) for every trial.
  static func outOfOrderRun(
    directions: [StudyDirection] = [.minimize], _ makeSampler: () throws -> any Sampler
  ) throws -> (kept: [[String: ParamValue]], rebuilt: [[String: ParamValue]]) {
    func run(fresh: Bool) throws -> [[String: ParamValue]] {
      let storage = InMemoryStorage()
      var study = try Study.create(name: "s", directions: directions, sampler: try makeSampler(), storage: storage)
      func objective(_ t: Trial) throws -> [Double] {
        let v = try rosenbrock(t, dims: 3) + Double(try t.suggestInt("k", 0, 4))
        return directions.count == 1 ? [v] : [v, -v + Double(t.number % 7)]
      }
      for round in 0..<30 {
        var trials: [Trial] = []
        for _ in 0..<3 {
          if fresh {
            study = try Study.create(
              name: "s", directions: directions, sampler: try makeSampler(), storage: storage, loadIfExists: true)
          }
          let trial = try study.ask()
          _ = try objective(trial)
          trials.append(trial)
        }
        for i in [2, 0, 1] {
          let values = try objective(trials[i])
          if i == 0, round % 5 == 4 {
            try trials[i].study.tell(trials[i], values: nil, state: .fail)
          } else {
            try trials[i].study.tell(trials[i], values: values)
          }
        }
      }
      return try storage.trials(studyID: 0, states: nil).map(\.params)
    }
    return (try run(fresh: false), try run(fresh: true))
  }

  static func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  static func intAttr(_ t: FrozenTrial, _ key: String) -> Int? {
    if case .int(let v)? = t.systemAttrs[key] { return v }
    return nil
  }
}

final class CMAESSamplerTests: XCTestCase {
  typealias P = EvolutionTestProblems

  // MARK: Conformance

  func testConformance() throws {
    try checkSampler({ try CMAESSampler(seed: $0) }, name: "cmaes")
  }

  func testConformanceSeparable() throws {
    try checkSampler({ try CMAESSampler(seed: $0, separable: true) }, name: "cmaes separable")
  }

  func testConformanceIPOP() throws {
    try checkSampler({ try CMAESSampler(seed: $0, popsize: 4, restart: .ipop) }, name: "cmaes ipop")
  }

  func testConformanceWithoutMarginAndWithStartupTrials() throws {
    try checkSampler({ try CMAESSampler(seed: $0, withMargin: false, nStartupTrials: 5) }, name: "cmaes no margin")
  }

  func testInvalidArguments() {
    assertThrows(InvalidArgument.self) { try CMAESSampler(sigma0: 0) }
    assertThrows(InvalidArgument.self) { try CMAESSampler(sigma0: .nan) }
    assertThrows(InvalidArgument.self) { try CMAESSampler(popsize: 1) }
    assertThrows(InvalidArgument.self) { try CMAESSampler(incPopsize: 0) }
    let error = assertThrows(InvalidArgument.self) { try CMAESSampler(nStartupTrials: -1) }
    XCTAssertEqual(error?.argument, "nStartupTrials")
  }

  // MARK: Search quality

  func testSphere5DReachesOneMillionth() throws {
    let study = try P.run(try CMAESSampler(seed: 11), nTrials: 1_500) { try P.sphere($0, dims: 5) }
    XCTAssertLessThan(try study.bestValue, 1e-6)
  }

  func testSeparableSphere5DReachesOneMillionth() throws {
    let study = try P.run(try CMAESSampler(seed: 12, separable: true), nTrials: 1_500) { try P.sphere($0, dims: 5) }
    XCTAssertLessThan(try study.bestValue, 1e-6)
  }

  func testMaximize() throws {
    let study = try P.run(try CMAESSampler(seed: 13), nTrials: 600, direction: .maximize) { -(try P.sphere($0, dims: 3)) }
    XCTAssertGreaterThan(try study.bestValue, -1e-4)
  }

  func testRosenbrock2DBeatsRandom() throws {
    var cma: [Double] = []
    var random: [Double] = []
    for seed in UInt64(1)...5 {
      cma.append(try P.run(try CMAESSampler(seed: seed), nTrials: 300) { try P.rosenbrock($0, dims: 2) }.bestValue)
      random.append(try P.run(RandomSampler(seed: seed), nTrials: 300) { try P.rosenbrock($0, dims: 2) }.bestValue)
    }
    // Random search's best of 300 is typically around 1; CMA-ES's is far below.
    XCTAssertLessThan(P.median(cma) * 100, P.median(random), "CMA-ES \(cma) vs random \(random)")
  }

  func testLogAndIntegerParameters() throws {
    // Optimum at lr = 1e-3 (log scale), n = 17.
    let study = try P.run(try CMAESSampler(seed: 5), nTrials: 400) { t in
      let lr = try t.suggestFloat("lr", 1e-6, 1, log: true)
      let n = try t.suggestInt("n", 1, 64)
      return pow(log10(lr) + 3, 2) + pow(Double(n - 17) / 10, 2)
    }
    let best = try study.bestTrial
    XCTAssertEqual(best.params["n"], .int(17))
    XCTAssertEqual(log10(best.params["lr"]!.number!), -3, accuracy: 0.05)
  }

  func testExtremeRanges() throws {
    for withMargin in [true, false] {
      let study = try P.run(try CMAESSampler(seed: 6, withMargin: withMargin), nTrials: 60) { t in
        let big = try t.suggestInt("big", 0, Int.max)
        let fine = try t.suggestFloat("fine", 0, 1, step: 1e-18)
        let wide = try t.suggestFloat("wide", 1e-300, 1e300, log: true)
        let pair = try t.suggestInt("pair", 0, 1)
        return log(Double(big) + 1) + fine + log(wide) * log(wide) + Double(pair)
      }
      for t in try study.trials() {
        XCTAssertEqual(t.state, .complete)
        XCTAssertTrue(t.distributions.allSatisfy { name, d in d.contains(t.params[name]!) }, "\(t.params)")
      }
    }
  }

  // MARK: Generations and restarts

  func testGenerationsAreRecordedAndToldWhenComplete() throws {
    let study = try P.run(try CMAESSampler(seed: 3, popsize: 5), nTrials: 40) { try P.sphere($0, dims: 2) }
    let trials = try study.trials()
    // Trial 0 has no search space to sample jointly yet: it is random and untagged.
    XCTAssertNil(trials[0].systemAttrs["cma:generation"])
    for t in trials.dropFirst() {
      XCTAssertEqual(P.intAttr(t, "cma:generation"), (t.number - 1) / 5, "trial \(t.number)")
      XCTAssertEqual(P.intAttr(t, "cma:popsize"), 5)
      guard case .array(let x)? = t.systemAttrs["cma:x"] else { return XCTFail("no cma:x on \(t.number)") }
      XCTAssertEqual(x.count, 2)
    }
  }

  func testParallelTrialsShareAGenerationAndExtrasAreNotTold() throws {
    let study = try Study.create(direction: .minimize, sampler: try CMAESSampler(seed: 4, popsize: 4))
    // Seven trials asked before any finishes (as parallel workers would): all generation 0
    // (after one trial has completed, so that there is a search space).
    let first = try study.ask()
    try study.tell(first, values: [try P.sphere(first, dims: 2)])
    let running = try (0..<7).map { _ in try study.ask() }
    for t in running { _ = try P.sphere(t, dims: 2) }
    for t in running.reversed() { try study.tell(t, values: [try P.sphere(t, dims: 2)]) }
    let next = try study.ask()
    _ = try P.sphere(next, dims: 2)
    let tags = try study.trials().map { P.intAttr($0, "cma:generation") }
    XCTAssertEqual(tags, [nil] + Array(repeating: 0, count: 7) + [1])
  }

  func testIPOPRestartsWithALargerPopulation() throws {
    // A flat objective stalls every run (TolFun), so IPOP restarts with λ = 6, 12, 24, ...
    let study = try P.run(try CMAESSampler(seed: 8, restart: .ipop), nTrials: 700) { t in
      _ = try t.suggestFloat("x", -1, 1)
      _ = try t.suggestFloat("y", -1, 1)
      return 1
    }
    let trials = try study.trials().filter { $0.systemAttrs["cma:popsize"] != nil }
    let sizes = trials.compactMap { P.intAttr($0, "cma:popsize") }
    let restarts = trials.compactMap { P.intAttr($0, "cma:restart") }
    XCTAssertEqual(sizes.first, 6)
    XCTAssertGreaterThanOrEqual(restarts.last ?? 0, 2)
    for (size, restart) in zip(sizes, restarts) { XCTAssertEqual(size, 6 << restart) }
    XCTAssertEqual(sizes, sizes.sorted(), "the population only grows")

    // Without a restart strategy the population stays.
    let plain = try P.run(try CMAESSampler(seed: 8), nTrials: 300) { t in
      _ = try t.suggestFloat("x", -1, 1)
      _ = try t.suggestFloat("y", -1, 1)
      return 1
    }
    XCTAssertEqual(Set(try plain.trials().compactMap { P.intAttr($0, "cma:popsize") }), [6])
  }

  func testMarginKeepsIntegersExploring() throws {
    func lateMoves(withMargin: Bool) throws -> Int {
      let study = try P.run(try CMAESSampler(seed: 21, withMargin: withMargin), nTrials: 500) { t in
        let x = try t.suggestFloat("x", -1, 1)
        let y = try t.suggestFloat("y", -1, 1)
        let k = try t.suggestInt("k", 0, 10)
        return x * x + y * y + Double((k - 3) * (k - 3))
      }
      return try study.trials().suffix(200).filter { $0.params["k"] != .int(3) }.count
    }
    let with = try lateMoves(withMargin: true)
    let without = try lateMoves(withMargin: false)
    // The margin keeps P(k ≠ 3) at least 1/(nλ) = 1/18 per trial.
    XCTAssertGreaterThanOrEqual(with, 4, "with margin: \(with) of 200 late trials left k = 3")
    XCTAssertLessThan(without, with, "without margin: \(without), with: \(with)")
  }

  // MARK: Reproducibility

  func testSeededRunsAreIdentical() throws {
    func params(_ seed: UInt64) throws -> [[String: ParamValue]] {
      try P.run(try CMAESSampler(seed: seed), nTrials: 60) { try P.rosenbrock($0, dims: 3) }.trials().map(\.params)
    }
    XCTAssertEqual(try params(7), try params(7))
    XCTAssertNotEqual(try params(7), try params(8))
  }

  func testResumedStudyRebuildsTheSameState() throws {
    let objective: (Trial) throws -> Double = { try P.rosenbrock($0, dims: 3) }
    let reference = try P.run(try CMAESSampler(seed: 31, restart: .ipop), nTrials: 120, objective)

    let storage = InMemoryStorage()
    for _ in 0..<3 {  // three sessions of 40 trials, each with a new sampler
      let study = try Study.create(
        name: "resumed", direction: .minimize, sampler: try CMAESSampler(seed: 31, restart: .ipop),
        storage: storage, loadIfExists: true)
      try study.optimize(nTrials: 40, objective)
    }
    let resumed = try storage.trials(studyID: 0, states: nil)
    XCTAssertEqual(resumed.count, 120)
    XCTAssertEqual(resumed.map(\.params), try reference.trials().map(\.params))
  }

  func testOutOfOrderCompletionsGiveTheSameStateWhenRebuilt() throws {
    // Trials finish out of order, as with parallel workers. A sampler that saw everything as it
    // happened and a fresh sampler for every trial (rebuilding its state from storage) must
    // agree at every step.
    let rounds = try EvolutionTestProblems.outOfOrderRun { try CMAESSampler(seed: 51, popsize: 4, restart: .ipop) }
    XCTAssertEqual(rounds.rebuilt, rounds.kept)
    XCTAssertEqual(rounds.kept.count, 90)
  }

  func testOneSamplerServesTwoStudies() throws {
    let sampler = try CMAESSampler(seed: 41)
    let storage = InMemoryStorage()
    let a = try Study.create(name: "a", direction: .minimize, sampler: sampler, storage: storage)
    let b = try Study.create(name: "b", direction: .minimize, sampler: sampler, storage: storage)
    for _ in 0..<30 {
      try a.optimize(nTrials: 1) { try P.sphere($0, dims: 2) }
      try b.optimize(nTrials: 1) { try P.sphere($0, dims: 3) }
    }
    let alone = try P.run(try CMAESSampler(seed: 41), nTrials: 30) { try P.sphere($0, dims: 2) }
    XCTAssertEqual(try a.trials().map(\.params), try alone.trials().map(\.params))
  }

  func testMultiObjectiveIsRefused() throws {
    let study = try Study.create(directions: [.minimize, .minimize], sampler: try CMAESSampler(seed: 1))
    XCTAssertThrowsError(try study.ask()) { error in
      XCTAssertTrue(String(describing: error).contains("single-objective"), "\(error)")
    }
  }

  // MARK: Numerics

  func testJacobiEigendecomposition() {
    var rng = RandomSource(seed: 99)
    for n in [1, 2, 5, 12] {
      var m = [Double](repeating: 0, count: n * n)
      for i in 0..<n { for j in i..<n { m[i * n + j] = rng.normal(); m[j * n + i] = m[i * n + j] } }
      let (values, vectors) = JacobiEigen.decompose(m, n: n)
      for k in 0..<n {
        for i in 0..<n {
          var mv = 0.0
          for j in 0..<n { mv += m[i * n + j] * vectors[j * n + k] }
          XCTAssertEqual(mv, values[k] * vectors[i * n + k], accuracy: 1e-12, "n \(n) A v = λ v")
        }
        for l in 0..<n {
          let dot = (0..<n).reduce(0.0) { $0 + vectors[$1 * n + k] * vectors[$1 * n + l] }
          XCTAssertEqual(dot, k == l ? 1 : 0, accuracy: 1e-12, "n \(n) orthonormal")
        }
      }
    }
  }

  func testNormalQuantile() {
    XCTAssertEqual(EvolutionNormal.quantile(0.975), 1.959963984540054, accuracy: 1e-13)
    XCTAssertEqual(EvolutionNormal.quantile(0.5), 0, accuracy: 1e-15)
    for p in [1e-12, 1e-6, 0.01, 0.02425, 0.3, 0.7, 0.99, 1 - 1e-9] {
      XCTAssertEqual(EvolutionNormal.cdf(EvolutionNormal.quantile(p)), p, accuracy: 1e-14 + 1e-12 * p, "p \(p)")
    }
  }
}
