import TunaSearch
import XCTest

/// A sampler hook that throws fails its own trial, never leaves a trial running, and stops the
/// study only when `catchErrors` is false.
final class SamplerHookFailureTests: XCTestCase {
  /// Throws from `beforeTrial` or `afterTrial` on the trials listed.
  private final class FlakySampler: Sampler {
    let seed: UInt64 = 1
    let failBefore: Set<Int>
    let failAfter: Set<Int>
    var afterStates: [Int: TrialState] = [:]
    init(failBefore: Set<Int> = [], failAfter: Set<Int> = []) {
      self.failBefore = failBefore
      self.failAfter = failAfter
    }
    func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
      RandomSampler.sample(distribution, using: &context.rng)
    }
    func beforeTrial(_ context: SamplingContext) throws {
      let n = try context.trial().number
      if failBefore.contains(n) { throw TestError("before \(n)") }
    }
    func afterTrial(_ context: SamplingContext, state: TrialState, values: [Double]?) throws {
      let trial = try context.trial()
      XCTAssertEqual(trial.state, .running, "after-trial hooks run before the outcome is stored")
      afterStates[trial.number] = state
      if failAfter.contains(trial.number) { throw TestError("after \(trial.number)") }
    }
  }

  private func objective(_ trial: Trial) throws -> [Double] { [try trial.suggestFloat("x", 0, 1)] }

  func testBeforeTrialFailureFailsOnlyThatTrial() throws {
    let study = try Study.create(direction: .minimize, sampler: FlakySampler(failBefore: [1]))
    try study.optimize(OptimizeOptions(nTrials: 3), objective)
    let trials = try study.trials()
    XCTAssertEqual(trials.map(\.state), [.complete, .fail, .complete])
    XCTAssertEqual(trials[1].failReason, "before 1")
    XCTAssertTrue(trials[1].params.isEmpty, "the objective did not run")
  }

  func testAfterTrialFailureFailsThatTrialWithTheHooksReason() throws {
    let sampler = FlakySampler(failAfter: [0])
    let study = try Study.create(direction: .minimize, sampler: sampler)
    try study.optimize(OptimizeOptions(nTrials: 2), objective)
    let trials = try study.trials()
    XCTAssertEqual(trials.map(\.state), [.fail, .complete])
    XCTAssertEqual(trials[0].failReason, "after 0")
    XCTAssertNil(trials[0].values)
    XCTAssertEqual(sampler.afterStates, [0: .complete, 1: .complete], "the hook saw the outcome it was told")
  }

  func testAfterTrialFailureKeepsAnEarlierFailReason() throws {
    let study = try Study.create(direction: .minimize, sampler: FlakySampler(failAfter: [0]))
    try study.optimize(OptimizeOptions(nTrials: 1)) { _ in throw TestError("objective broke") }
    XCTAssertEqual(try study.trials()[0].failReason, "objective broke")
  }

  func testHookFailuresRethrowWithCatchErrorsFalse() throws {
    for sampler in [FlakySampler(failBefore: [1]), FlakySampler(failAfter: [1])] {
      let study = try Study.create(direction: .minimize, sampler: sampler)
      let error = assertThrows(TrialFailed.self) { try study.optimize(OptimizeOptions(nTrials: 5, catchErrors: false), objective) }
      XCTAssertEqual(error?.trial.number, 1)
      XCTAssertEqual(try study.trials().map(\.state), [.complete, .fail], "no trial is left running")
    }
  }

  func testAskAndTellReportHookFailuresAsTrialFailed() throws {
    let study = try Study.create(direction: .minimize, sampler: FlakySampler(failBefore: [0], failAfter: [1]))
    let before = assertThrows(TrialFailed.self) { try study.ask() }
    XCTAssertEqual(before?.trial.state, .fail)
    let trial = try study.ask()
    let after = assertThrows(TrialFailed.self) { try study.tell(trial, values: [1]) }
    XCTAssertEqual(after?.trial.state, .fail)
    XCTAssertTrue(trial.isFinished)
    XCTAssertEqual(try study.trials(states: [.running]).count, 0)
  }

  func testAroundTrialWrapsEveryWholeTrial() throws {
    let study = try Study.create(direction: .minimize, sampler: FlakySampler())
    var log: [String] = []
    var options = OptimizeOptions(nTrials: 2)
    options.aroundTrial = { body in
      log.append("enter")
      let frozen = try body()
      log.append("exit \(frozen.number)")
      return frozen
    }
    try study.optimize(options) { trial in
      log.append("objective \(trial.number)")
      return [0]
    }
    XCTAssertEqual(log, ["enter", "objective 0", "exit 0", "enter", "objective 1", "exit 1"])
  }
}
