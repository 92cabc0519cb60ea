import TunaSearch
import XCTest

final class TrialHistoryTests: XCTestCase {
  /// Records what a sampler sees through its context.
  private final class Spy: Sampler {
    let seed: UInt64 = 1
    var spaces: [[String: Distribution]] = []
    var seenTrials: [FrozenTrial] = []
    func beforeTrial(_ context: SamplingContext) throws {
      spaces.append(try context.history.intersectionSearchSpace())
      try context.setSystemAttr("spy", .int(try context.history.trialCount()))
      seenTrials.append(try context.trial())
    }
    func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
      if name == "stop" { context.stopStudy() }
      return RandomSampler.sample(distribution, using: &context.rng)
    }
  }

  func testIntersectionSearchSpaceOfCompleteTrials() throws {
    let spy = Spy()
    let study = try Study.create(direction: .minimize, sampler: spy)
    let x = try Distribution.float(0, 1)
    let c = try Distribution.categorical(choices: [.string("a"), .string("b")])
    func run(_ params: [String: Distribution], _ state: TrialState) throws {
      let t = try study.ask()
      for (name, d) in params.sorted(by: { $0.key < $1.key }) { _ = try t.suggest(name, d) }
      try study.tell(t, values: state == .complete ? [1] : nil, state: state)
    }
    try run(["x": x, "n": try .int(0, 5), "c": c], .fail)  // ignored: not complete
    try run(["x": x, "n": try .int(0, 5), "c": c], .complete)
    try run(["x": x, "n": try .int(0, 6), "c": c, "extra": x], .complete)  // n's range differs
    try run(["x": x], .pruned)  // ignored
    _ = try study.ask()
    XCTAssertEqual(spy.spaces, [[:], [:], ["x": x, "n": try .int(0, 5), "c": c], ["x": x, "c": c], ["x": x, "c": c]])
    XCTAssertEqual(spy.seenTrials.map(\.number), [0, 1, 2, 3, 4])
    XCTAssertEqual(try study.trials().map { $0.systemAttrs["spy"] }, [.int(1), .int(2), .int(3), .int(4), .int(5)])
  }

  func testHistoryReadsTheStudy() throws {
    let study = try Study.create(name: "h", direction: .maximize, sampler: RandomSampler(seed: 3))
    try study.optimize(OptimizeOptions(nTrials: 4)) { trial in
      if trial.number == 2 { throw TestError() }
      return [Double(trial.number)]
    }
    let history = TrialHistory(storage: study.storage, study: study.record)
    XCTAssertEqual(history.studyName, "h")
    XCTAssertEqual(history.direction, .maximize)
    XCTAssertEqual(try history.trialCount(), 4)
    XCTAssertEqual(try history.trialCount(states: [.fail]), 1)
    XCTAssertEqual(try history.trials(states: [.complete]).map(\.number), [0, 1, 3])
    XCTAssertEqual(try history.bestTrial()?.number, 3)
    let multi = try Study.create(directions: [.minimize, .minimize])
    XCTAssertNil(try TrialHistory(storage: multi.storage, study: multi.record).bestTrial())
  }

  func testStopStudyFromASampler() throws {
    let study = try Study.create(direction: .minimize, sampler: Spy())
    try study.optimize(nTrials: 10) { trial in
      let x = try trial.suggestFloat("x", 0, 1)
      if trial.number == 3 { _ = try trial.suggestFloat("stop", 0, 1) }
      return x
    }
    XCTAssertEqual(try study.trials().count, 4)
  }
}
