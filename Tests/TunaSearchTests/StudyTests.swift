import Foundation
import TunaSearch
import TunaTestSupport
import XCTest

final class StudyTests: XCTestCase {
  private func makeStudy(
    _ direction: StudyDirection = .minimize, seed: UInt64 = 1, storage: any Storage = InMemoryStorage(), name: String? = nil
  ) throws -> Study {
    try Study.create(name: name, direction: direction, sampler: RandomSampler(seed: seed), storage: storage)
  }

  // MARK: Ask and tell

  func testAskAndTell() throws {
    let study = try makeStudy(name: "ask-tell")
    XCTAssertEqual(study.name, "ask-tell")
    XCTAssertEqual(study.direction, .minimize)
    let t0 = try study.ask()
    let t1 = try study.ask()
    XCTAssertEqual([t0.number, t1.number], [0, 1])
    let x = try t1.suggestFloat("x", -1, 1)
    let done = try study.tell(t1, values: [x * x])
    XCTAssertEqual(done.state, .complete)
    XCTAssertEqual(done.values, [x * x])
    XCTAssertEqual(done.value, x * x)
    XCTAssertEqual(done.params, ["x": .float(x)])
    XCTAssertNotNil(done.duration)
    XCTAssertEqual(try study.trials().map(\.state), [.running, .complete])
    XCTAssertEqual(try study.trials(states: [.complete]).map(\.number), [1])
    try study.tell(t0, values: [5])
    XCTAssertEqual(try study.bestTrial.number, 1)
  }

  func testTellNaNFails() throws {
    let study = try makeStudy()
    let done = try study.tell(try study.ask(), values: [.nan])
    XCTAssertEqual(done.state, .fail)
    XCTAssertNil(done.values)
    XCTAssertEqual(done.failReason, "the objective returned nan")
  }

  func testTellInfinityCompletes() throws {
    let study = try makeStudy()
    let done = try study.tell(try study.ask(), values: [.infinity])
    XCTAssertEqual(done.state, .complete)
    XCTAssertEqual(done.values, [.infinity])
  }

  func testTellWrongNumberOfValuesFails() throws {
    let study = try makeStudy()
    let two = try study.tell(try study.ask(), values: [1, 2])
    XCTAssertEqual(two.state, .fail)
    XCTAssertEqual(two.failReason, "the objective returned 2 values for a study with 1 objective")
    let none = try study.tell(try study.ask(), values: nil)
    XCTAssertEqual(none.state, .fail)
    XCTAssertEqual(none.failReason, "the objective returned no value")

    let multi = try Study.create(directions: [.minimize, .maximize], sampler: RandomSampler(seed: 1))
    let one = try multi.tell(try multi.ask(), values: [1])
    XCTAssertEqual(one.state, .fail)
    XCTAssertEqual(one.failReason, "the objective returned 1 value for a study with 2 objectives")
    let ok = try multi.tell(try multi.ask(), values: [1, 2])
    XCTAssertEqual(ok.state, .complete)
    XCTAssertEqual(ok.values, [1, 2])
  }

  func testPrunedTakesTheLastIntermediateValue() throws {
    let study = try makeStudy()
    let trial = try study.ask()
    try trial.report(5, step: 0)
    try trial.report(2, step: 3)
    try trial.report(7, step: 1)
    let pruned = try study.tell(trial, values: [100], state: .pruned)
    XCTAssertEqual(pruned.state, .pruned)
    XCTAssertEqual(pruned.values, [2])
    let bare = try study.tell(try study.ask(), values: nil, state: .pruned)
    XCTAssertEqual(bare.state, .pruned)
    XCTAssertNil(bare.values)
    // A pruned trial is never the best one.
    XCTAssertThrowsError(try study.bestTrial)
  }

  func testTellFailRecordsTheReason() throws {
    let study = try makeStudy()
    let done = try study.tell(try study.ask(), values: [1], state: .fail, failReason: "diverged")
    XCTAssertEqual(done.state, .fail)
    XCTAssertNil(done.values)
    XCTAssertEqual(done.failReason, "diverged")
  }

  func testTellTwiceThrows() throws {
    let study = try makeStudy()
    _ = try study.ask()
    let trial = try study.ask()
    try study.tell(trial, values: [1])
    assertThrows(StorageError.trialFinished(number: 1), { try study.tell(trial, values: [0]) })
    assertThrows(StorageError.trialFinished(number: 1), { try study.tell(trial, values: nil, state: .fail) })
    XCTAssertEqual(try study.trials()[1].values, [1])
  }

  /// A worker whose heartbeats stopped reaching the storage (a cut link, a paused process) comes
  /// back to find its trial failed as stale by another: telling it returns the stored outcome,
  /// and the worker goes on with the study; any other finished trial still refuses.
  func testTellingATrialAnotherWorkerFailedAsStaleReturnsTheStoredOutcome() throws {
    let storage = InMemoryStorage()
    let study = try makeStudy(storage: storage, name: "stale")
    let trial = try study.ask()
    try storage.recordHeartbeat(trialID: trial.id)
    Thread.sleep(forTimeInterval: 0.05)
    let failed = try study.recoverStaleTrials(olderThan: 0.01, retry: 1)
    XCTAssertEqual(failed.map(\.number), [trial.number])
    let told = try study.tell(trial, values: [1])
    XCTAssertEqual(told.state, .fail)
    XCTAssertEqual(told.failReason, staleTrialFailReason)
    XCTAssertTrue(trial.isFinished)
    // The retry runs next, with the same parameters.
    let retry = try study.ask()
    XCTAssertEqual(retry.number, 1)
    try study.tell(retry, values: [2])
    try study.optimize(OptimizeOptions(nTrials: 2)) { t in [try t.suggestFloat("x", 0, 1)] }
    XCTAssertEqual(try study.trials().map(\.state), [.fail, .complete, .complete, .complete])
  }

  func testTellWithAnUnfinishedStateThrows() throws {
    let study = try makeStudy()
    let trial = try study.ask()
    XCTAssertEqual(
      assertThrows(StudyError.self, { try study.tell(trial, values: [1], state: .running) })?.message,
      "tell needs a finished state (complete, pruned or fail), got running")
    assertThrows(StudyError.self, { try study.tell(trial, values: [1], state: .waiting) })
    XCTAssertFalse(trial.isFinished)
    XCTAssertEqual(try study.tell(trial, values: [1]).state, .complete)
  }

  // MARK: Optimize

  func testOptimizeRunsNTrials() throws {
    let study = try makeStudy()
    var calls = 0
    try study.optimize(nTrials: 7) { trial in
      calls += 1
      let x = try trial.suggestFloat("x", -10, 10)
      return (x - 2) * (x - 2)
    }
    XCTAssertEqual(calls, 7)
    XCTAssertEqual(try study.trials().map(\.number), Array(0..<7))
    XCTAssertTrue(try study.trials().allSatisfy { $0.state == .complete })
    // A second call adds to the study.
    try study.optimize(nTrials: 3) { try $0.suggestFloat("x", -10, 10) }
    XCTAssertEqual(try study.trials().count, 10)
  }

  func testOptimizeTimeout() throws {
    let study = try makeStudy()
    let start = ContinuousClock.now
    try study.optimize(OptimizeOptions(timeout: 0.15)) { trial in
      Thread.sleep(forTimeInterval: 0.02)
      return [try trial.suggestFloat("x", 0, 1)]
    }
    let elapsed = ContinuousClock.now - start
    let count = try study.trials().count
    XCTAssertTrue((2...9).contains(count), "\(count) trials in 0.15 s of 0.02 s trials")
    XCTAssertLessThan(elapsed, .seconds(2))
    XCTAssertGreaterThanOrEqual(elapsed, .seconds(0.15))
    // nTrials still caps a call with a timeout.
    let capped = try makeStudy()
    try capped.optimize(nTrials: 2, timeout: 60) { try $0.suggestFloat("x", 0, 1) }
    XCTAssertEqual(try capped.trials().count, 2)
  }

  func testCatchErrorsTrueRecordsFailuresAndGoesOn() throws {
    let study = try makeStudy()
    try study.optimize(OptimizeOptions(nTrials: 6, catchErrors: true)) { trial in
      let x = try trial.suggestFloat("x", 0, 1)
      switch trial.number {
      case 1: throw TestError("exploded at trial 1")
      case 3: return [.nan]
      case 4: throw TrialPruned()
      default: return [x]
      }
    }
    let trials = try study.trials()
    XCTAssertEqual(trials.map(\.state), [.complete, .fail, .complete, .fail, .pruned, .complete])
    XCTAssertEqual(trials[1].failReason, "exploded at trial 1")
    XCTAssertEqual(trials[3].failReason, "the objective returned nan")
    XCTAssertNotNil(trials[1].params["x"])
  }

  func testCatchErrorsFalseRethrowsAfterRecordingFail() throws {
    let study = try makeStudy()
    var calls = 0
    let error = assertThrows(TrialFailed.self, {
      try study.optimize(OptimizeOptions(nTrials: 10, catchErrors: false)) { trial in
        calls += 1
        if trial.number == 2 { throw TestError("bad batch") }
        return [try trial.suggestFloat("x", 0, 1)]
      }
    })
    XCTAssertEqual(calls, 3)
    XCTAssertEqual(error?.trial.number, 2)
    XCTAssertEqual(error?.trial.state, .fail)
    XCTAssertEqual((error?.underlying as? TestError)?.message, "bad batch")
    XCTAssertEqual(error?.description, "bad batch")
    let trials = try study.trials()
    XCTAssertEqual(trials.map(\.state), [.complete, .complete, .fail])
    XCTAssertEqual(trials[2].failReason, "bad batch")

    // A NaN is a failure too.
    let nan = try makeStudy()
    let nanError = assertThrows(TrialFailed.self, {
      try nan.optimize(OptimizeOptions(nTrials: 10, catchErrors: false)) { _ in [.nan] }
    })
    XCTAssertEqual(nanError?.trial.failReason, "the objective returned nan")
    XCTAssertEqual(try nan.trials().map(\.state), [.fail])

    // Pruning is not a failure.
    let pruned = try makeStudy()
    try pruned.optimize(OptimizeOptions(nTrials: 3, catchErrors: false)) { _ in throw TrialPruned() }
    XCTAssertEqual(try pruned.trials().map(\.state), [.pruned, .pruned, .pruned])
  }

  func testCallbacksRunInOrderAfterEachTrial() throws {
    let study = try makeStudy()
    var log: [String] = []
    let options = OptimizeOptions(
      nTrials: 3,
      callbacks: [
        { study, trial in
          log.append("a\(trial.number):\(trial.state.rawValue)")
          XCTAssertEqual(try study.trials(states: [.running]).count, 0)
        },
        { _, trial in log.append("b\(trial.number):\(trial.state.rawValue)") },
      ])
    try study.optimize(options) { trial in
      log.append("objective\(trial.number)")
      if trial.number == 1 { throw TestError() }
      return [1]
    }
    XCTAssertEqual(log, [
      "objective0", "a0:complete", "b0:complete",
      "objective1", "a1:fail", "b1:fail",
      "objective2", "a2:complete", "b2:complete",
    ])
  }

  func testStopFromACallback() throws {
    let study = try makeStudy()
    let options = OptimizeOptions(nTrials: 100, callbacks: [{ study, trial in if trial.number == 2 { study.stop() } }])
    try study.optimize(options) { [try $0.suggestFloat("x", 0, 1)] }
    XCTAssertEqual(try study.trials().count, 3)
    // The next call starts afresh.
    try study.optimize(nTrials: 2) { try $0.suggestFloat("x", 0, 1) }
    XCTAssertEqual(try study.trials().count, 5)
  }

  func testStopFromTheObjectiveFinishesTheRunningTrial() throws {
    let study = try makeStudy()
    try study.optimize(nTrials: 100) { trial in
      if trial.number == 4 { trial.study.stop() }
      return try trial.suggestFloat("x", 0, 1)
    }
    XCTAssertEqual(try study.trials().map(\.state), Array(repeating: .complete, count: 5))
  }

  func testTrialTimeoutFailsASlowObjective() throws {
    let study = try makeStudy()
    var deadlines: [Bool] = []
    try study.optimize(OptimizeOptions(nTrials: 3, trialTimeout: 0.2)) { trial in
      deadlines.append(trial.deadline != nil)
      if trial.number == 1 { Thread.sleep(forTimeInterval: 0.3) }
      return [try trial.suggestFloat("x", 0, 1)]
    }
    let trials = try study.trials()
    XCTAssertEqual(deadlines, [true, true, true])
    XCTAssertEqual(trials.map(\.state), [.complete, .fail, .complete])
    XCTAssertEqual(trials[1].failReason, "trial exceeded its time limit of 0.2 s")
    XCTAssertNil(trials[1].values)
    XCTAssertNotNil(trials[1].params["x"])
  }

  func testTrialTimeoutWithCatchErrorsFalseRethrows() throws {
    let study = try makeStudy()
    let error = assertThrows(TrialFailed.self, {
      try study.optimize(OptimizeOptions(nTrials: 3, catchErrors: false, trialTimeout: 0.03)) { trial in
        Thread.sleep(forTimeInterval: 0.06)
        return [1]
      }
    })
    XCTAssertEqual(error?.description, "trial exceeded its time limit of 0.03 s")
    XCTAssertEqual(error?.trial.state, .fail)
    XCTAssertEqual(try study.trials().map(\.state), [.fail])
  }

  // MARK: Enqueue

  func testEnqueuedParamsAreUsedThenTheSamplerForTheRest() throws {
    let study = try makeStudy(seed: 8)
    try study.enqueueTrial(["x": .float(0.25), "n": .int(3)], userAttrs: ["origin": .string("manual")])
    try study.enqueueTrial(["x": .int(1)])  // an integer for a float parameter
    XCTAssertEqual(try study.trials(states: [.waiting]).count, 2)
    try study.optimize(nTrials: 3) { trial in
      let x = try trial.suggestFloat("x", 0, 1)
      let n = try trial.suggestInt("n", 0, 100)
      let y = try trial.suggestFloat("y", -5, 5)
      return x + Double(n) + y
    }
    let trials = try study.trials()
    XCTAssertEqual(trials.count, 3)
    XCTAssertEqual(trials[0].params["x"], .float(0.25))
    XCTAssertEqual(trials[0].params["n"], .int(3))
    XCTAssertEqual(trials[0].userAttrs, ["origin": .string("manual")])
    XCTAssertEqual(trials[1].params["x"], .float(1))
    // The parameters not enqueued come from the sampler: the same values a study with the same
    // seed draws for a trial of that number that asks only them.
    let reference = try makeStudy(seed: 8)
    for number in 0..<2 {
      let t = try reference.ask()
      XCTAssertEqual(t.number, number)
      if number == 1 { _ = try t.suggestInt("n", 0, 100) }
      XCTAssertEqual(trials[number].params["y"], .float(try t.suggestFloat("y", -5, 5)))
    }
    XCTAssertEqual(Set(trials.compactMap { $0.params["x"] }).count, 3)
    XCTAssertTrue(trials.allSatisfy { $0.state == .complete })
  }

  func testEnqueuedTrialsRunOldestFirstBeforeNewOnes() throws {
    let study = try makeStudy()
    for i in 0..<3 { try study.enqueueTrial(["i": .int(i)]) }
    let a = try study.ask()
    XCTAssertEqual(try a.suggestInt("i", 0, 100), 0)
    let b = try study.ask()
    XCTAssertEqual(try b.suggestInt("i", 0, 100), 1)
    let c = try study.ask()
    XCTAssertEqual(try c.suggestInt("i", 0, 100), 2)
    let d = try study.ask()
    XCTAssertEqual(d.number, 3)
    XCTAssertEqual(try d.frozen().fixedParams, [:])
  }

  func testEnqueueSkipIfExists() throws {
    let study = try makeStudy()
    try study.enqueueTrial(["x": .float(0.5)], skipIfExists: true)
    try study.enqueueTrial(["x": .float(0.5)], skipIfExists: true)
    try study.enqueueTrial(["x": .int(0)], skipIfExists: true)
    XCTAssertEqual(try study.trials(states: [.waiting]).count, 2)
    try study.optimize(nTrials: 2) { try $0.suggestFloat("x", 0, 1) }
    XCTAssertEqual(try study.trials().map { $0.params["x"] }, [.float(0.5), .float(0)])
    // Also against trials that already ran; 0 and 0.0 are the same value.
    try study.enqueueTrial(["x": .float(0.5)], skipIfExists: true)
    try study.enqueueTrial(["x": .float(0)], skipIfExists: true)
    XCTAssertEqual(try study.trials(states: [.waiting]).count, 0)
    try study.enqueueTrial(["x": .float(0.75)], skipIfExists: true)
    try study.enqueueTrial(["x": .float(0.5)])  // without skipping
    XCTAssertEqual(try study.trials(states: [.waiting]).count, 2)
  }

  // MARK: Loading

  func testLoadIfExistsResumes() throws {
    let storage = InMemoryStorage()
    let first = try makeStudy(seed: 1, storage: storage, name: "resumable")
    try first.optimize(nTrials: 3) { try $0.suggestFloat("x", 0, 1) }
    try first.setUserAttr("owner", .string("me"))
    let again = try Study.create(
      name: "resumable", direction: .minimize, sampler: RandomSampler(seed: 1), storage: storage, loadIfExists: true)
    XCTAssertEqual(again.record, first.record)
    XCTAssertEqual(try again.trials().count, 3)
    XCTAssertEqual(try again.userAttrs, ["owner": .string("me")])
    XCTAssertEqual(try again.ask().number, 3)
    // A new name with loadIfExists creates the study.
    let fresh = try Study.create(name: "new", direction: .maximize, storage: storage, loadIfExists: true)
    XCTAssertEqual(try fresh.trials().count, 0)
    XCTAssertEqual(Set(try storage.allStudies().map(\.name)), ["resumable", "new"])
  }

  func testDuplicateNameWithoutLoadIfExistsThrows() throws {
    let storage = InMemoryStorage()
    _ = try makeStudy(storage: storage, name: "taken")
    assertThrows(StorageError.studyExists("taken"), { try Study.create(name: "taken", direction: .minimize, storage: storage) })
    XCTAssertEqual(
      StorageError.studyExists("taken").description,
      "a study named 'taken' already exists (set loadIfExists to resume it)")
  }

  func testLoadIfExistsWithOtherDirectionsThrows() throws {
    let storage = InMemoryStorage()
    _ = try makeStudy(.minimize, storage: storage, name: "dir")
    let error = assertThrows(StudyError.self, {
      try Study.create(name: "dir", direction: .maximize, storage: storage, loadIfExists: true)
    })
    XCTAssertEqual(error?.message, "study 'dir' exists with directions [\"minimize\"], not [\"maximize\"]")
  }

  func testCreateDefaults() throws {
    let a = try Study.create()
    let b = try Study.create()
    XCTAssertNotEqual(a.name, b.name)
    XCTAssertTrue(a.name.hasPrefix("study-"))
    XCTAssertEqual(a.directions, [.minimize])
    XCTAssertTrue(a.sampler is AutoSampler)
    XCTAssertTrue(a.pruner is NopPruner)
    XCTAssertEqual(assertThrows(StudyError.self, { try Study.create(directions: []) })?.message, "a study needs at least one direction")
  }

  // MARK: Results

  func testBestTrialMinimizeAndMaximize() throws {
    let values: [Double] = [3, -1, 4, -1, 5, 9, -2.5, 6]
    for direction in [StudyDirection.minimize, .maximize] {
      let study = try makeStudy(direction)
      XCTAssertEqual(
        assertThrows(StudyError.self, { try study.bestTrial })?.message,
        "study '\(study.name)' has no complete trial yet")
      assertThrows(StudyError.self, { try study.bestValue })
      assertThrows(StudyError.self, { try study.bestParams })
      try study.optimize(OptimizeOptions(nTrials: values.count)) { trial in
        let x = try trial.suggestFloat("x", -10, 10)
        if trial.number == 7 { throw TestError() }  // would be best either way as pruned/failed
        return [values[trial.number] + 0 * x]
      }
      let best = try study.bestTrial
      let expected = direction == .minimize ? 6 : 5
      XCTAssertEqual(best.number, expected)
      XCTAssertEqual(try study.bestValue, values[expected])
      XCTAssertEqual(try study.bestParams, try study.trials()[expected].params)
    }
  }

  func testBestTrialKeepsTheEarliestOfTies() throws {
    let study = try makeStudy()
    try study.optimize(nTrials: 5) { trial in trial.number == 0 ? 2 : 1 }
    XCTAssertEqual(try study.bestTrial.number, 1)
    // Single objective: best trials are all those tied at the best value.
    XCTAssertEqual(try study.bestTrials.map(\.number), [1, 2, 3, 4])
  }

  func testBestTrialIsAnErrorForMultiObjective() throws {
    let study = try Study.create(directions: [.minimize, .maximize], sampler: RandomSampler(seed: 1))
    try study.optimize(OptimizeOptions(nTrials: 2)) { _ in [1, 2] }
    XCTAssertEqual(
      assertThrows(StudyError.self, { try study.bestTrial })?.message,
      "bestTrial is not defined for a multi-objective study; use bestTrials")
    assertThrows(StudyError.self, { try study.bestValue })
  }

  func testBestTrialsIsTheParetoFront() throws {
    let study = try Study.create(directions: [.minimize, .maximize], sampler: RandomSampler(seed: 1))
    let values: [[Double]?] = [
      [1, 1],  // 0: front (lowest first objective among those with second 1)
      [2, 3],  // 1: front
      [3, 2],  // 2: dominated by 1
      [1, 1],  // 3: ties 0, stays
      [0, 0],  // 4: front (best first objective)
      [2, 3],  // 5: ties 1, stays
      [3, 3],  // 6: dominated by 1 (worse first, equal second)
      nil,  // 7: fails
      [4, 5],  // 8: front (best second objective)
      [5, 4],  // 9: dominated by 8
    ]
    for v in values {
      let t = try study.ask()
      try study.tell(t, values: v, state: v == nil ? .fail : nil)
    }
    // A pruned trial is not on the front.
    try study.tell(try study.ask(), values: [-10, 10], state: .pruned)
    XCTAssertEqual(try study.bestTrials.map(\.number), [0, 1, 3, 4, 5, 8])
    XCTAssertEqual(try study.trials(states: [.complete]).count, 9)
  }

  func testParetoFrontFunction() {
    func t(_ n: Int, _ v: [Double]) -> FrozenTrial { FrozenTrial(id: n, number: n, state: .complete, values: v) }
    let trials = [t(0, [1, 5, 1]), t(1, [2, 2, 2]), t(2, [2, 2, 3]), t(3, [0, 9, 0]), t(4, [1, 5, 0])]
    XCTAssertEqual(paretoFront(trials, directions: [.minimize, .minimize, .maximize]).map(\.number), [0, 2, 3])
    XCTAssertEqual(paretoFront(trials, directions: [.minimize, .minimize, .minimize]).map(\.number), [1, 3, 4])
    XCTAssertEqual(paretoFront([], directions: [.minimize]).count, 0)
  }

  func testUserAttrs() throws {
    let study = try makeStudy()
    XCTAssertEqual(try study.userAttrs, [:])
    try study.setUserAttr("dataset", .string("digits"))
    try study.setUserAttr("folds", .int(5))
    try study.setUserAttr("folds", .int(10))
    XCTAssertEqual(try study.userAttrs, ["dataset": .string("digits"), "folds": .int(10)])
  }

  // MARK: Reproducibility

  /// The same seed gives identical trials bit for bit: params, values, states, intermediate
  /// values, over a space of every kind and with failures and prunes mixed in.
  func testSameSeedReproducesTrialsBitForBit() throws {
    func run(_ seed: UInt64) throws -> [FrozenTrial] {
      let study = try makeStudy(seed: seed)
      try study.enqueueTrial(["lr": .float(0.01)])
      try study.optimize(OptimizeOptions(nTrials: 30)) { trial in
        let lr = try trial.suggestFloat("lr", 1e-5, 1, log: true)
        let layers = try trial.suggestInt("layers", 1, 8)
        let units = try trial.suggestInt("units", 16, 512, log: true)
        let dropout = try trial.suggestFloat("dropout", 0, 0.5, step: 0.05)
        let act = try trial.suggestCategorical("act", [.string("relu"), .string("tanh"), .int(0)])
        var loss = -log(lr) + Double(layers) * 0.1 + Double(units).squareRoot() + dropout
        if act == .string("tanh") {
          loss += try trial.suggestFloat("slope", -1, 1)
        }
        for step in 0..<3 {
          try trial.report(loss / Double(step + 1), step: step)
        }
        if trial.number % 7 == 5 { throw TrialPruned() }
        if trial.number % 11 == 4 { throw TestError() }
        return [loss]
      }
      return try study.trials()
    }
    let a = try run(2_024)
    let b = try run(2_024)
    XCTAssertEqual(a.count, 30)
    for (x, y) in zip(a, b) {
      XCTAssertTrue(identicalBits(x.params, y.params), "trial \(x.number): \(x.params) vs \(y.params)")
      XCTAssertTrue(identicalBits(x.values, y.values), "trial \(x.number)")
      XCTAssertEqual(x.state, y.state)
      XCTAssertEqual(x.distributions, y.distributions)
      XCTAssertEqual(x.intermediateValues.mapValues(\.bitPattern), y.intermediateValues.mapValues(\.bitPattern))
    }
    XCTAssertEqual(a[0].params["lr"], .float(0.01))
    let c = try run(2_025)
    XCTAssertEqual(zip(a, c).dropFirst().filter { identicalBits($0.params, $1.params) }.count, 0)
  }
}
