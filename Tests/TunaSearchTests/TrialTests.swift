import Foundation
import TunaSearch
import XCTest

final class TrialTests: XCTestCase {
  private func makeStudy(seed: UInt64 = 1, directions: [StudyDirection] = [.minimize]) throws -> Study {
    try Study.create(directions: directions, sampler: RandomSampler(seed: seed))
  }

  func testRepeatedNameReturnsTheStoredValue() throws {
    let study = try makeStudy()
    let trial = try study.ask()
    let x = try trial.suggestFloat("x", 0, 1)
    XCTAssertEqual(try trial.suggestFloat("x", 0, 1), x)
    let n = try trial.suggestInt("n", 0, 1000)
    for _ in 0..<5 { XCTAssertEqual(try trial.suggestInt("n", 0, 1000), n) }
    let c = try trial.suggestCategorical("c", [.string("a"), .string("b"), .string("c"), .string("d")])
    XCTAssertEqual(try trial.suggestCategorical("c", [.string("a"), .string("b"), .string("c"), .string("d")]), c)
    XCTAssertEqual(trial.params, ["x": .float(x), "n": .int(n), "c": c])
    XCTAssertEqual(try trial.frozen().params, trial.params)
    XCTAssertEqual(trial.distributions["n"], try .int(0, 1000))
  }

  func testConflictingDistributionNamesTheParameter() throws {
    let study = try makeStudy()
    let trial = try study.ask()
    let x = try trial.suggestFloat("learning_rate", 1e-4, 1, log: true)
    let conflicts: [() throws -> Any] = [
      { try trial.suggestFloat("learning_rate", 1e-4, 1) },  // log differs
      { try trial.suggestFloat("learning_rate", 1e-4, 0.5, log: true) },  // range differs
      { try trial.suggestInt("learning_rate", 1, 10) },  // kind differs
      { try trial.suggestCategorical("learning_rate", [.float(0.1), .float(0.01)]) },
    ]
    for conflict in conflicts {
      let error = assertThrows(ParameterConflict.self, conflict)
      XCTAssertEqual(error?.name, "learning_rate")
      XCTAssertEqual(error?.existing, try .float(1e-4, 1, log: true))
    }
    let error = assertThrows(ParameterConflict.self, { try trial.suggestInt("learning_rate", 1, 10) })
    XCTAssertEqual(
      error?.description,
      "parameter 'learning_rate' was already suggested in this trial as float [0.0001, 1] log; it cannot be int [1, 10]")
    XCTAssertEqual(trial.params["learning_rate"], .float(x))
    XCTAssertEqual(try trial.frozen().params, ["learning_rate": .float(x)])

    let c = try trial.suggestCategorical("act", [.string("relu"), .string("tanh")])
    let changed = assertThrows(ParameterConflict.self, { try trial.suggestCategorical("act", [.string("relu"), .string("gelu")]) })
    XCTAssertEqual(changed?.name, "act")
    XCTAssertEqual(trial.params["act"], c)
  }

  func testInvalidArgumentsThrowTheDistributionError() throws {
    let trial = try makeStudy().ask()
    XCTAssertEqual(assertThrows(InvalidArgument.self, { try trial.suggestFloat("x", 5, 1) })?.argument, "high")
    XCTAssertEqual(assertThrows(InvalidArgument.self, { try trial.suggestInt("n", 0, 10, step: 0) })?.argument, "step")
    XCTAssertEqual(assertThrows(InvalidArgument.self, { try trial.suggestFloat("x", 0, 1, log: true) })?.argument, "low")
    XCTAssertEqual(assertThrows(InvalidArgument.self, { try trial.suggestCategorical("c", []) })?.argument, "choices")
    XCTAssertEqual(trial.params, [:])
  }

  func testKindsAcrossTrials() throws {
    let study = try makeStudy()
    let t0 = try study.ask()
    _ = try t0.suggestFloat("x", 0, 1)
    _ = try t0.suggestCategorical("c", [.int(1), .int(2)])
    try study.tell(t0, values: [0])
    // A range may change between trials; a kind or the choices may not.
    let t1 = try study.ask()
    let x = try t1.suggestFloat("x", 10, 20)
    XCTAssertTrue((10...20).contains(x))
    guard case .incompatibleDistribution(let name, _, _)? = assertThrows(StorageError.self, { try t1.suggestInt("c", 0, 3) }) else {
      return XCTFail("expected incompatibleDistribution")
    }
    XCTAssertEqual(name, "c")
    assertThrows(StorageError.self, { try t1.suggestCategorical("c", [.int(1), .int(2), .int(3)]) })
    XCTAssertNil(t1.params["c"])
    XCTAssertEqual(try t1.suggestCategorical("c", [.int(1), .int(2)]).number.map { [1, 2].contains($0) }, true)
  }

  func testSingleValuedDistributions() throws {
    let trial = try makeStudy().ask()
    XCTAssertEqual(try trial.suggestFloat("f", 2.5, 2.5), 2.5)
    XCTAssertEqual(try trial.suggestInt("i", 7, 7), 7)
    XCTAssertEqual(try trial.suggestInt("j", 7, 9, step: 5), 7)
    XCTAssertEqual(try trial.suggestCategorical("c", [.bool(true)]), .bool(true))
    XCTAssertEqual(try trial.frozen().params, ["f": .float(2.5), "i": .int(7), "j": .int(7), "c": .bool(true)])
  }

  func testReportKeepsTheFirstValueOfAStep() throws {
    let study = try makeStudy()
    let trial = try study.ask()
    try trial.report(0.5, step: 0)
    try trial.report(0.9, step: 0)
    try trial.report(0.25, step: 3)
    try trial.report(0.75, step: 3)
    XCTAssertEqual(trial.intermediateValues, [0: 0.5, 3: 0.25])
    XCTAssertEqual(try trial.frozen().intermediateValues, [0: 0.5, 3: 0.25])
    XCTAssertEqual(try trial.frozen().lastStep?.step, 3)
    XCTAssertEqual(try trial.frozen().lastStep?.value, 0.25)
  }

  func testNegativeStepThrows() throws {
    let trial = try makeStudy().ask()
    let error = assertThrows(StudyError.self, { try trial.report(1, step: -1) })
    XCTAssertEqual(error?.message, "step must be >= 0, got -1")
    XCTAssertEqual(trial.intermediateValues, [:])
  }

  func testReportAndShouldPruneRejectMultiObjective() throws {
    let trial = try makeStudy(directions: [.minimize, .maximize]).ask()
    XCTAssertEqual(
      assertThrows(StudyError.self, { try trial.report(1, step: 0) })?.message,
      "report is not supported for multi-objective studies")
    XCTAssertEqual(
      assertThrows(StudyError.self, { try trial.shouldPrune() })?.message,
      "shouldPrune is not supported for multi-objective studies")
  }

  func testShouldPruneWithNopPrunerIsFalse() throws {
    let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 1), pruner: NopPruner())
    let trial = try study.ask()
    XCTAssertFalse(try trial.shouldPrune())
    for step in 0..<20 {
      try trial.report(Double(1000 - step), step: step)
      XCTAssertFalse(try trial.shouldPrune())
    }
  }

  func testShouldPruneAsksTheStudysPruner() throws {
    final class EveryThirdStep: Pruner {
      var seen: [Int] = []
      func shouldPrune(_ context: PrunerContext) throws -> Bool {
        seen.append(context.trial.lastStep?.step ?? -1)
        return (context.trial.lastStep?.step ?? 1) % 3 == 0
      }
    }
    let pruner = EveryThirdStep()
    let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 1), pruner: pruner)
    let trial = try study.ask()
    XCTAssertFalse(try trial.shouldPrune())
    try trial.report(1, step: 1)
    XCTAssertFalse(try trial.shouldPrune())
    try trial.report(1, step: 3)
    XCTAssertTrue(try trial.shouldPrune())
    XCTAssertEqual(pruner.seen, [-1, 1, 3])
  }

  func testOperationsAfterFinishThrow() throws {
    let study = try makeStudy()
    let trial = try study.ask()
    let x = try trial.suggestFloat("x", 0, 1)
    try study.tell(trial, values: [x])
    XCTAssertTrue(trial.isFinished)
    let finished = StorageError.trialFinished(number: 0)
    assertThrows(finished, { try trial.suggestFloat("x", 0, 1) })
    assertThrows(finished, { try trial.suggestFloat("y", 0, 1) })
    assertThrows(finished, { try trial.suggestInt("n", 0, 1) })
    assertThrows(finished, { try trial.suggestCategorical("c", [.int(1), .int(2)]) })
    assertThrows(finished, { try trial.report(1, step: 0) })
    assertThrows(finished, { try trial.shouldPrune() })
    assertThrows(finished, { try trial.setUserAttr("k", .int(1)) })
    XCTAssertEqual(finished.description, "trial 0 has already finished")
    let frozen = try trial.frozen()
    XCTAssertEqual(frozen.params, ["x": .float(x)])
    XCTAssertEqual(frozen.userAttrs, [:])
    XCTAssertEqual(frozen.state, .complete)
  }

  func testUserAttrs() throws {
    let study = try makeStudy()
    let trial = try study.ask()
    try trial.setUserAttr("note", .string("first"))
    try trial.setUserAttr("note", .string("second"))
    try trial.setUserAttr("shape", .array([.int(3), .int(4)]))
    XCTAssertEqual(try trial.frozen().userAttrs, ["note": .string("second"), "shape": .array([.int(3), .int(4)])])
    let done = try study.tell(trial, values: [1])
    XCTAssertEqual(done.userAttrs["note"], .string("second"))
  }

  func testNumbersAndIdentity() throws {
    let study = try makeStudy()
    let trials = try (0..<4).map { _ in try study.ask() }
    XCTAssertEqual(trials.map(\.number), [0, 1, 2, 3])
    XCTAssertEqual(Set(trials.map(\.id)).count, 4)
    XCTAssertTrue(trials[2].study === study)
    XCTAssertEqual(try trials[2].frozen().state, .running)
    XCTAssertNil(trials[2].deadline)
  }
}
