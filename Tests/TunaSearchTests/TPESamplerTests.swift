import Foundation
@testable import TunaSearch
import TunaTestSupport
import XCTest

/// The TPE sampler's policy: conformance in every configuration, argument checks, seeding,
/// startup, direction, the below/above split, conditional spaces and the constant liar.
final class TPESamplerTests: XCTestCase {
  /// Runs `n` trials and rethrows the first failure instead of recording it.
  private func strictly(_ study: Study, _ n: Int, _ objective: (Trial) throws -> Double) throws {
    try study.optimize(OptimizeOptions(nTrials: n, catchErrors: false)) { [try objective($0)] }
  }

  // MARK: Conformance

  func testConformanceUnivariate() throws {
    try checkSampler({ try TPESampler(seed: $0, multivariate: false) }, name: "tpe univariate")
  }

  func testConformanceMultivariate() throws {
    try checkSampler({ try TPESampler(seed: $0) }, name: "tpe multivariate")
    try checkSampler({ try TPESampler(seed: $0, nStartupTrials: 2, considerEndpoints: true) }, name: "tpe multivariate, early start")
  }

  func testConformanceGroup() throws {
    try checkSampler({ try TPESampler(seed: $0, nStartupTrials: 4, group: true) }, name: "tpe group")
  }

  func testConformanceConstantLiar() throws {
    try checkSampler({ try TPESampler(seed: $0, constantLiar: true) }, name: "tpe constant liar")
    try checkSampler(
      { try TPESampler(seed: $0, nStartupTrials: 3, multivariate: false, constantLiar: true, priorWeight: 0) },
      name: "tpe univariate liar, no prior")
  }

  // MARK: Arguments and defaults

  func testInvalidArguments() {
    func error(_ body: () throws -> TPESampler) -> InvalidArgument? {
      do {
        _ = try body()
        XCTFail("no error")
      } catch let e as InvalidArgument {
        return e
      } catch {
        XCTFail("unexpected \(error)")
      }
      return nil
    }
    let startup = error { try TPESampler(nStartupTrials: -1) }
    XCTAssertEqual(startup?.argument, "nStartupTrials")
    XCTAssertEqual(startup?.message, "nStartupTrials must be >= 0, got -1")
    XCTAssertEqual(error { try TPESampler(nEICandidates: 0) }?.message, "nEICandidates must be >= 1, got 0")
    XCTAssertEqual(error { try TPESampler(priorWeight: -0.5) }?.message, "priorWeight must be finite and >= 0, got -0.5")
    XCTAssertEqual(error { try TPESampler(priorWeight: .nan) }?.argument, "priorWeight")
    XCTAssertEqual(error { try TPESampler(multivariate: false, group: true) }?.message, "group = true needs multivariate = true")
    XCTAssertNoThrow(try TPESampler(nStartupTrials: 0, nEICandidates: 1, priorWeight: 0))
  }

  func testOptunaDefaults() {
    XCTAssertEqual(TPESampler.defaultGamma(0), 0)
    XCTAssertEqual(TPESampler.defaultGamma(10), 1)
    XCTAssertEqual(TPESampler.defaultGamma(11), 2)
    XCTAssertEqual(TPESampler.defaultGamma(30), 3)
    XCTAssertEqual(TPESampler.defaultGamma(241), 25)
    XCTAssertEqual(TPESampler.defaultGamma(1_000), 25)
    XCTAssertEqual(TPESampler.defaultGammaMultiObjective(1_000), 100)
    XCTAssertEqual(TPESampler.defaultWeights(0), [])
    XCTAssertEqual(TPESampler.defaultWeights(3), [1, 1, 1])
    XCTAssertEqual(TPESampler.defaultWeights(25), Array(repeating: 1, count: 25))
    XCTAssertEqual(TPESampler.defaultWeights(26), [1 / 26] + Array(repeating: 1, count: 25))
    let w = TPESampler.defaultWeights(30)
    XCTAssertEqual(w.count, 30)
    // numpy.linspace(1/30, 1, 5): steps of (1 - 1/30) / 4.
    for i in 0..<5 { XCTAssertEqual(w[i], 1 / 30 + Double(i) * (29 / 30) / 4, accuracy: 1e-15) }
    XCTAssertEqual(Array(w[5...]), Array(repeating: 1, count: 25))
  }

  // MARK: Seeds and startup

  private func mixedObjective(_ t: Trial) throws -> Double {
    let x = try t.suggestFloat("x", -5, 5)
    let lr = try t.suggestFloat("lr", 1e-4, 1, log: true)
    let n = try t.suggestInt("n", 1, 8)
    let c = try t.suggestCategorical("c", [.string("a"), .string("b"), .string("c")])
    return x * x + abs(log10(lr) + 2) + Double(n) + (c == .string("b") ? 0 : 1)
  }

  func testSeededStudiesRepeat() throws {
    for multivariate in [false, true] {
      func run(_ seed: UInt64) throws -> [[String: ParamValue]] {
        let study = try Study.create(direction: .minimize, sampler: try TPESampler(seed: seed, multivariate: multivariate))
        try strictly(study, 30, mixedObjective)
        return try study.trials().map(\.params)
      }
      let a = try run(42)
      XCTAssertEqual(a, try run(42), "multivariate \(multivariate)")
      let b = try run(43)
      XCTAssertEqual(zip(a, b).filter { $0 == $1 }.count, 0, "multivariate \(multivariate)")
    }
  }

  func testStartupTrialsAreRandom() throws {
    let seed: UInt64 = 2_024
    let tpe = try Study.create(direction: .minimize, sampler: try TPESampler(seed: seed, nStartupTrials: 7))
    let random = try Study.create(direction: .minimize, sampler: RandomSampler(seed: seed))
    try strictly(tpe, 12, mixedObjective)
    try strictly(random, 12, mixedObjective)
    let a = try tpe.trials().map(\.params)
    let b = try random.trials().map(\.params)
    XCTAssertEqual(Array(a.prefix(7)), Array(b.prefix(7)), "the first 7 trials are RandomSampler's")
    XCTAssertNotEqual(Array(a[7...]), Array(b[7...]), "TPE takes over at trial 7")
  }

  func testStartupCountsPrunedButNotFailedTrials() throws {
    let seed: UInt64 = 9
    let study = try Study.create(direction: .minimize, sampler: try TPESampler(seed: seed, nStartupTrials: 4))
    // Two failed and two pruned trials: only the pruned count towards the startup.
    for i in 0..<4 {
      let t = try study.ask()
      let x = try t.suggestFloat("x", 0, 1)
      if i < 2 {
        try study.tell(t, values: nil, state: .fail)
      } else {
        try t.report(x, step: 0)
        try study.tell(t, values: nil, state: .pruned)
      }
    }
    let random = try Study.create(direction: .minimize, sampler: RandomSampler(seed: seed))
    // Trials draw from streams numbered like them: the random study's next trials are 4, 5, 6.
    for _ in 0..<4 { try random.tell(try random.ask(), values: nil, state: .fail) }
    // Trials 4 and 5 are still random (2 + 1, 2 + 2 usable trials before them); trial 6 is not.
    var tpeValues: [Double] = []
    for _ in 0..<3 {
      let t = try study.ask()
      tpeValues.append(try t.suggestFloat("x", 0, 1))
      try study.tell(t, values: [tpeValues.last!])
    }
    var randomValues: [Double] = []
    for _ in 0..<3 {
      let t = try random.ask()
      randomValues.append(try t.suggestFloat("x", 0, 1))
      try random.tell(t, values: [0])
    }
    XCTAssertEqual(Array(tpeValues.prefix(2)), Array(randomValues.prefix(2)))
    XCTAssertNotEqual(tpeValues[2], randomValues[2])
  }

  // MARK: Direction

  func testMaximizeConcentratesAtTheMaximum() throws {
    /// The median over five seeds of the best value and of the late trials' distance to x = 2.
    func lateDistance(_ direction: StudyDirection, multivariate: Bool) throws -> (best: Double, distance: Double) {
      var results: [(best: Double, distance: Double)] = []
      for seed in 1...5 as ClosedRange<UInt64> {
        let study = try Study.create(direction: direction, sampler: try TPESampler(seed: seed, multivariate: multivariate))
        try strictly(study, 60) { t in
          let x = try t.suggestFloat("x", -10, 10)
          let y = try t.suggestInt("y", -10, 10)
          return -(x - 2) * (x - 2) - Double((y + 4) * (y + 4))
        }
        let late = try study.trials().suffix(30)
        let distance = late.map { abs($0.params["x"]!.number! - 2) }.reduce(0, +) / Double(late.count)
        results.append((try study.bestValue, distance))
      }
      return (results.map(\.best).sorted()[2], results.map(\.distance).sorted()[2])
    }
    for multivariate in [false, true] {
      // Uniform draws would average |x − 2| = 5.2; minimizing the same function drives x to −10.
      let up = try lateDistance(.maximize, multivariate: multivariate)
      let down = try lateDistance(.minimize, multivariate: multivariate)
      XCTAssertGreaterThan(up.best, -0.5, "multivariate \(multivariate)")
      XCTAssertLessThan(up.distance, 4, "multivariate \(multivariate)")
      XCTAssertGreaterThan(down.distance, 8, "multivariate \(multivariate)")
      XCTAssertLessThan(down.best, -150, "multivariate \(multivariate)")
    }
  }

  // MARK: The split

  private func record(_ number: Int, _ state: TrialState, _ values: [Double]? = nil, step: (Int, Double)? = nil) -> (TPEStudyCache.Record, [Double]?) {
    (TPEStudyCache.Record(number: number, state: state, values: values, lastStep: step.map { (step: $0.0, value: $0.1) }), values)
  }

  func testSplitRanksCompleteThenPrunedTrials() {
    let rows = [
      record(0, .complete, [5]), record(1, .pruned, step: (3, 1)), record(2, .complete, [3]),
      record(3, .pruned, step: (5, 10)), record(4, .complete, [9]), record(5, .pruned),
      record(6, .pruned, step: (5, 2)), record(7, .complete, [3]),
    ]
    let records = rows.map(\.0)
    let values = rows.map(\.1)
    let slots = Array(records.indices)
    func split(_ n: Int, _ direction: StudyDirection = .minimize) -> ([Int], [Int]) {
      let s = TPESplit(records: records, values: values, slotsByNumber: slots, directions: [direction], nBelow: n)
      return (s.below, s.above)
    }
    XCTAssertEqual(split(0).0, [])
    XCTAssertEqual(split(0).1, slots)
    // Ties keep the earlier trial.
    XCTAssertEqual(split(1).0, [2])
    XCTAssertEqual(split(2).0, [2, 7])
    // Every complete trial first; then pruned ones by the last step reached (5 before 3), then
    // by value (2 before 10); a pruned trial without steps comes last.
    XCTAssertEqual(split(5).0, [0, 2, 4, 6, 7])
    XCTAssertEqual(split(6).0, [0, 2, 3, 4, 6, 7])
    XCTAssertEqual(split(7).0, [0, 1, 2, 3, 4, 6, 7])
    XCTAssertEqual(split(7).1, [5])
    // Maximizing: the largest values are best, and for pruned ones at equal steps the larger value.
    XCTAssertEqual(split(1, .maximize).0, [4])
    XCTAssertEqual(split(5, .maximize).0, [0, 2, 3, 4, 7])
  }

  func testMultiObjectiveSplitUsesNonDomination() {
    // Minimize both: (1, 5), (2, 2), (5, 1) form the first front; (3, 3) and (6, 6) follow.
    let rows = [
      record(0, .complete, [3, 3]), record(1, .complete, [1, 5]), record(2, .complete, [6, 6]),
      record(3, .complete, [2, 2]), record(4, .complete, [5, 1]),
    ]
    let directions: [StudyDirection] = [.minimize, .minimize]
    let records = rows.map(\.0)
    let values = rows.map(\.1)
    let three = TPESplit(records: records, values: values, slotsByNumber: Array(0..<5), directions: directions, nBelow: 3)
    XCTAssertEqual(three.below, [1, 3, 4])
    XCTAssertEqual(three.above, [0, 2])
    let four = TPESplit(records: records, values: values, slotsByNumber: Array(0..<5), directions: directions, nBelow: 4)
    XCTAssertEqual(four.below, [0, 1, 3, 4])
    // Two of the first front: its extremes have infinite crowding distance.
    let two = TPESplit(records: records, values: values, slotsByNumber: Array(0..<5), directions: directions, nBelow: 2)
    XCTAssertEqual(two.below, [1, 4])
  }

  func testMultiObjectiveStudyRuns() throws {
    let study = try Study.create(directions: [.minimize, .maximize], sampler: try TPESampler(seed: 3))
    try study.optimize(OptimizeOptions(nTrials: 40, catchErrors: false)) { t in
      let x = try t.suggestFloat("x", 0, 1)
      let k = try t.suggestInt("k", 0, 4)
      return [x * x + Double(k), x - Double(k)]
    }
    XCTAssertEqual(try study.trials(states: [.complete]).count, 40)
    XCTAssertFalse(try study.bestTrials.isEmpty)
  }

  // MARK: Conditional spaces

  private func conditional(_ t: Trial) throws -> Double {
    let kind = try t.suggestCategorical("kind", [.string("a"), .string("b")])
    if kind == .string("a") {
      let x = try t.suggestFloat("x", -5, 5)
      let k = try t.suggestInt("k", 0, 10)
      return (x - 1) * (x - 1) + Double(abs(k - 3))
    }
    let y = try t.suggestFloat("y", 0, 10)
    return (y - 8) * (y - 8) + 0.5
  }

  func testGroupModelsConditionalParametersJointly() throws {
    let sampler = try TPESampler(seed: 5, group: true)
    let study = try Study.create(direction: .minimize, sampler: sampler)
    try strictly(study, 60, conditional)
    let trials = try study.trials()
    XCTAssertEqual(trials.filter { $0.state == .complete }.count, 60)
    XCTAssertLessThan(try study.bestValue, 0.3)

    // The relative space holds every group: kind alone, {x, k} and {y}.
    let trial = try study.ask()
    let space = try sampler.inferRelativeSearchSpace(trial.context)
    XCTAssertEqual(Set(space.keys), ["kind", "x", "k", "y"])
    XCTAssertEqual(Set(try sampler.sampleRelative(trial.context, space: space).keys), ["kind", "x", "k", "y"])
    let groups = Set(sampler.cacheForTesting!.groups.map { Set($0.keys) })
    XCTAssertEqual(groups, [["kind"], ["x", "k"], ["y"]])

    // Without groups only `kind` is in every trial.
    let plain = try TPESampler(seed: 5)
    let other = try Study.create(direction: .minimize, sampler: plain)
    try strictly(other, 20, conditional)
    XCTAssertEqual(Set(try plain.inferRelativeSearchSpace(try other.ask().context).keys), ["kind"])
  }

  // MARK: Constant liar

  /// Runs 20 trials, then asks 6 trials without telling any: their params (the first asks only
  /// `x` of x and y), and the first trial.
  private func pendingTrials(liar: Bool, multivariate: Bool) throws -> (first: Trial, params: [[String: ParamValue]]) {
    let study = try Study.create(
      direction: .minimize, sampler: try TPESampler(seed: 77, multivariate: multivariate, constantLiar: liar))
    try strictly(study, 20) { t in
      let x = try t.suggestFloat("x", -5, 5)
      let y = try t.suggestFloat("y", -5, 5)
      return (x - 1) * (x - 1) + y * y
    }
    let first = try study.ask()
    _ = try first.suggestFloat("x", -5, 5)  // y is not asked yet
    var params = [first.params]
    for _ in 0..<5 {
      let t = try study.ask()
      _ = try t.suggestFloat("x", -5, 5)
      _ = try t.suggestFloat("y", -5, 5)
      params.append(t.params)
    }
    return (first, params)
  }

  func testConstantLiarChangesTheSuggestionWhileTrialsRun() throws {
    for multivariate in [false, true] {
      let without = try pendingTrials(liar: false, multivariate: multivariate)
      let with = try pendingTrials(liar: true, multivariate: multivariate)
      XCTAssertEqual(without.params[0], with.params[0], "the first pending trial sees no other")
      let changed = zip(without.params, with.params).dropFirst().filter { $0 != $1 }.count
      XCTAssertGreaterThan(changed, 0, "multivariate \(multivariate): the liar changed none of the later pending trials")
      // The relative sample is recorded for other workers only under the liar.
      let attr = try with.first.frozen().systemAttrs[TPESampler.relativeParamsKey]
      if multivariate {
        guard case .object(let params)? = attr else { return XCTFail("no relative params recorded") }
        XCTAssertEqual(Set(params.keys), ["x", "y"])
      } else {
        XCTAssertNil(attr)
      }
      XCTAssertNil(try without.first.frozen().systemAttrs[TPESampler.relativeParamsKey])
    }
  }

  func testChangedRangesIgnoreValuesOutsideTheNewOne() throws {
    let study = try Study.create(direction: .minimize, sampler: try TPESampler(seed: 1, nStartupTrials: 5, multivariate: false))
    try strictly(study, 15) { t in abs(try t.suggestFloat("x", 0, 10) - 9) }
    try strictly(study, 15) { t in abs(try t.suggestFloat("x", 0, 5) - 1) }
    let late = try study.trials().suffix(15).map { $0.params["x"]!.number! }
    XCTAssertTrue(late.allSatisfy { $0 >= 0 && $0 <= 5 })
    XCTAssertLessThan(try study.bestValue, 0.5)
  }

  func testASamplerMovesToANewStudy() throws {
    let sampler = try TPESampler(seed: 4, nStartupTrials: 3)
    for shift in [2.0, -3.0] {
      let study = try Study.create(direction: .minimize, sampler: sampler)
      try strictly(study, 30) { t in abs(try t.suggestFloat("x", -5, 5) - shift) }
      XCTAssertLessThan(try study.bestValue, 0.5, "study with optimum at \(shift)")
    }
  }

  /// An integer range up to Int.max: the kernels' grid has more points than an Int counts in
  /// steps of one, and sampling must neither trap nor leave the range (found by the fuzzer).
  func testIntegerRangeUpToIntMax() throws {
    for multivariate in [false, true] {
      let study = try Study.create(direction: .minimize, sampler: try TPESampler(seed: 3, nStartupTrials: 2, multivariate: multivariate))
      try study.optimize(nTrials: 8) { t in
        let x = try t.suggestInt("x", 0, .max)
        XCTAssertTrue(x >= 0)
        return Double(t.number)
      }
      XCTAssertEqual(try study.trials(states: [.complete]).count, 8)
    }
  }
}
