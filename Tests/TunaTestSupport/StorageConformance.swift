import Foundation
import Synchronization
import TunaSearch
import XCTest

/// Checks that a storage keeps the `Storage` contract:
///
/// - studies: unique names (`StorageError.studyExists`), lookup by name, user attributes;
/// - trial numbers unique and dense per study, in creation order; ids unique across studies;
/// - everything written reads back exactly (params of every kind, distributions, attributes,
///   intermediate values, values including infinities, fail reasons);
/// - returned trials are snapshots that later writes do not change;
/// - a finished trial is immutable: every write throws `StorageError.trialFinished`;
/// - a parameter keeps its kind and a categorical its choices within a study
///   (`StorageError.incompatibleDistribution`), while ranges may change;
/// - waiting trials are claimed oldest first, each once, even by racing threads;
/// - the best trial is tracked for minimize and maximize (the earliest on ties), ignoring
///   failed and pruned trials, and is nil for multi-objective studies;
/// - thread safety: 8 threads creating and finishing 200 trials each leave 1600 dense numbers;
/// - heartbeats: `failStaleTrials` fails exactly the running trials whose last heartbeat is too
///   old, once (a trial that never beat is not stale), and `recordHeartbeat` refuses finished
///   trials;
/// - `addTrial` copies a trial whole (times included), numbered next, binding param kinds;
/// - deleting a study removes it and its trials, leaves other studies alone, frees its name,
///   and never reuses its ids.
///
/// - Parameter make: a new, empty storage (called once per part of the suite).
public func checkStorage(
  _ make: () throws -> any Storage, name: String = "storage",
  file: StaticString = #filePath, line: UInt = #line
) throws {
  let r = ConformanceReporter(subject: "checkStorage(\(name))", file: file, line: line)
  try storageConformance(make, r)
}

/// The body of `checkStorage`, reporting to `r`.
func storageConformance(_ make: () throws -> any Storage, _ r: ConformanceReporter) throws {
  let unit = try Distribution.float(0, 1)

  r.section("studies") {
    let s = try make()
    let a = try s.createStudy(name: "a", directions: [.minimize])
    r.equal(a.name, "a", "name")
    r.equal(a.directions, [.minimize], "directions")
    let b = try s.createStudy(name: "b", directions: [.minimize, .maximize])
    r.equal(b.directions, [.minimize, .maximize], "multi-objective directions")
    r.check(a.id != b.id, "two studies share id \(a.id)")
    r.equal(try s.study(named: "a"), a, "study(named: a)")
    r.equal(try s.study(named: "b"), b, "study(named: b)")
    r.equal(try s.study(named: "missing"), nil, "study(named: missing)")
    r.expectError(StorageError.studyExists("a"), "creating study 'a' twice") {
      try s.createStudy(name: "a", directions: [.maximize])
    }
    r.equal(Set(try s.allStudies().map(\.name)), ["a", "b"], "allStudies")
    r.equal(try s.study(named: "a")?.directions, [.minimize], "a failed create changed the study")

    try s.setStudyUserAttr(studyID: a.id, key: "k", value: .int(1))
    try s.setStudyUserAttr(studyID: a.id, key: "k", value: .string("two"))
    try s.setStudyUserAttr(studyID: a.id, key: "list", value: .array([.int(1), .null, .double(0.5)]))
    r.equal(try s.studyUserAttrs(studyID: a.id), ["k": .string("two"), "list": .array([.int(1), .null, .double(0.5)])], "study user attrs")
    r.equal(try s.studyUserAttrs(studyID: b.id), [:], "the other study's user attrs")
    r.expectThrows("studyUserAttrs of a missing study") { try s.studyUserAttrs(studyID: 9_999) }
    r.expectThrows("createTrial in a missing study") { try s.createTrial(studyID: 9_999, waiting: false, systemAttrs: [:]) }
    r.expectError(StorageError.noSuchTrial(9_999), "trial(id:) of a missing trial") { try s.trial(id: 9_999) }
  }

  r.section("dense unique numbers") {
    let s = try make()
    let a = try s.createStudy(name: "a", directions: [.minimize])
    let b = try s.createStudy(name: "b", directions: [.maximize])
    var ids = Set<Int>()
    var rng = RandomSource(seed: 11)
    var expectedStates: [Int: [TrialState]] = [a.id: [], b.id: []]
    for i in 0..<30 {
      let study = rng.integer(0, 2) == 0 ? b : a
      let waiting = rng.integer(0, 3) == 0
      let t = try s.createTrial(studyID: study.id, waiting: waiting, systemAttrs: [:])
      r.equal(t.number, expectedStates[study.id]!.count, "creation \(i): number in study \(study.name)")
      r.equal(t.state, waiting ? .waiting : .running, "creation \(i): state")
      r.check(ids.insert(t.id).inserted, "creation \(i): id \(t.id) handed out twice")
      r.equal(try s.trial(id: t.id).number, t.number, "trial(id:) of creation \(i)")
      expectedStates[study.id]!.append(t.state)
    }
    for study in [a, b] {
      let trials = try s.trials(studyID: study.id, states: nil)
      r.equal(trials.map(\.number), Array(0..<expectedStates[study.id]!.count), "numbers of study \(study.name)")
      r.equal(trials.map(\.state), expectedStates[study.id]!, "states of study \(study.name)")
      r.equal(try s.trialCount(studyID: study.id, states: nil), trials.count, "trialCount of study \(study.name)")
      let waiting = expectedStates[study.id]!.filter { $0 == .waiting }.count
      r.equal(try s.trialCount(studyID: study.id, states: [.waiting]), waiting, "waiting count of study \(study.name)")
      r.equal(
        try s.trials(studyID: study.id, states: [.running]).map(\.number),
        trials.filter { $0.state == .running }.map(\.number), "running trials of study \(study.name)")
    }
  }

  r.section("round trips and snapshots") {
    let s = try make()
    let study = try s.createStudy(name: "a", directions: [.minimize])
    let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: ["origin": .string("test")])
    let before = try s.trial(id: t.id)
    let listBefore = try s.trials(studyID: study.id, states: nil)
    r.check(before.datetimeStart != nil, "a running trial has no datetimeStart")
    r.equal(before.systemAttrs, ["origin": .string("test")], "system attrs given at creation")

    let params: [(String, ParamValue, Distribution)] = [
      ("f", .float(0.1 + 0.2), try .float(0, 1)),
      ("tiny", .float(.leastNonzeroMagnitude), try .float(0, 1)),
      ("neg_zero", .float(-0.0), try .float(-1, 1)),
      ("log", .float(1.234_567_890_123_456_7e-5), try .float(1e-8, 1, log: true)),
      ("step", .float(0.75), try .float(0, 1, step: 0.25)),
      ("i", .int(Int.max), try .int(Int.max - 10, Int.max)),
      ("i_neg", .int(-9_007_199_254_740_993), try .int(-9_007_199_254_740_993, 0)),
      ("i_log", .int(64), try .int(1, 1024, log: true)),
      ("i_step", .int(9), try .int(0, 10, step: 3)),
      ("s", .string("ünïcode \"quoted\" 🎯"), try .categorical(choices: [.string("ünïcode \"quoted\" 🎯"), .string("")])),
      ("n", .float(2.5), try .categorical(choices: [.int(1), .float(2.5), .bool(false)])),
      ("n_int", .int(1), try .categorical(choices: [.int(1), .float(2.5), .bool(false)])),
      ("b", .bool(false), try .categorical(choices: [.bool(true), .bool(false)])),
    ]
    for (name, value, distribution) in params {
      try s.setTrialParam(trialID: t.id, name: name, value: value, distribution: distribution)
    }
    try s.reportIntermediate(trialID: t.id, step: 0, value: 1.5)
    try s.reportIntermediate(trialID: t.id, step: 0, value: 99)  // kept: 1.5
    try s.reportIntermediate(trialID: t.id, step: 7, value: -.infinity)
    try s.reportIntermediate(trialID: t.id, step: 3, value: 0.1)
    let nested = AttrValue.object(["a": .array([.int(1), .double(2.5), .null, .bool(true)]), "b": .object(["c": .string("d")])])
    try s.setTrialUserAttr(trialID: t.id, key: "nested", value: nested)
    try s.setTrialUserAttr(trialID: t.id, key: "x", value: .int(1))
    try s.setTrialUserAttr(trialID: t.id, key: "x", value: .int(2))
    try s.setTrialSystemAttr(trialID: t.id, key: "grid_id", value: .int(4))

    r.equal(try s.trial(id: t.id).state, .running, "state after writes")
    r.equal(before, try s.trial(id: t.id).withEmptyWrites(start: before), "snapshot")  // see below
    r.equal(before.params, [:], "an earlier snapshot's params changed")
    r.equal(before.intermediateValues, [:], "an earlier snapshot's intermediate values changed")
    r.equal(before.userAttrs, [:], "an earlier snapshot's user attrs changed")
    r.equal(listBefore.first?.params ?? ["?": .int(0)], [:], "an earlier trials() list changed")

    let after = try s.trial(id: t.id)
    for (name, value, distribution) in params {
      r.check(
        after.params[name].map { identicalBits($0, value) } ?? false,
        "param \(name): wrote \(value), read \(after.params[name].map(String.init(describing:)) ?? "nothing")")
      r.equal(after.distributions[name], distribution, "distribution of \(name)")
    }
    r.equal(after.params.count, params.count, "param count")
    r.equal(after.intermediateValues, [0: 1.5, 3: 0.1, 7: -.infinity], "intermediate values (a step reported twice keeps its first value)")
    r.equal(after.userAttrs, ["nested": nested, "x": .int(2)], "user attrs")
    r.equal(after.systemAttrs, ["origin": .string("test"), "grid_id": .int(4)], "system attrs")

    let finished = try s.finishTrial(trialID: t.id, state: .complete, values: [-.infinity], failReason: nil)
    r.equal(finished.state, .complete, "finished state")
    r.check(identicalBits(finished.values, [-.infinity]), "values -inf read back as \(String(describing: finished.values))")
    r.check(finished.datetimeComplete != nil, "a finished trial has no datetimeComplete")
    if let start = finished.datetimeStart, let end = finished.datetimeComplete {
      r.check(end >= start, "datetimeComplete \(end) is before datetimeStart \(start)")
    }
    r.equal(try s.trial(id: t.id), finished, "trial(id:) after finishing")
    r.equal(after.state, .running, "an earlier snapshot's state changed")
    r.equal(after.values, nil, "an earlier snapshot's values changed")
  }

  r.section("finished trials are immutable") {
    let s = try make()
    let study = try s.createStudy(name: "a", directions: [.minimize])
    for (i, state) in [TrialState.complete, .pruned, .fail].enumerated() {
      let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
      r.equal(t.number, i, "number")
      try s.setTrialParam(trialID: t.id, name: "x", value: .float(0.5), distribution: unit)
      try s.reportIntermediate(trialID: t.id, step: 1, value: 2)
      let values: [Double]? = state == .fail ? nil : [Double(i) + 0.25]
      let reason = state == .fail ? "boom\nline 2" : nil
      let done = try s.finishTrial(trialID: t.id, state: state, values: values, failReason: reason)
      r.equal(done.state, state, "state")
      r.check(identicalBits(done.values, values), "\(state) values read back as \(String(describing: done.values))")
      r.equal(done.failReason, reason, "\(state) fail reason")
      let finishedError = StorageError.trialFinished(number: t.number)
      r.expectError(finishedError, "setTrialParam on a \(state) trial") {
        try s.setTrialParam(trialID: t.id, name: "y", value: .float(0.5), distribution: unit)
      }
      r.expectError(finishedError, "setTrialParam of an existing name on a \(state) trial") {
        try s.setTrialParam(trialID: t.id, name: "x", value: .float(0.7), distribution: unit)
      }
      r.expectError(finishedError, "reportIntermediate on a \(state) trial") {
        try s.reportIntermediate(trialID: t.id, step: 2, value: 1)
      }
      r.expectError(finishedError, "setTrialUserAttr on a \(state) trial") {
        try s.setTrialUserAttr(trialID: t.id, key: "k", value: .int(1))
      }
      r.expectError(finishedError, "setTrialSystemAttr on a \(state) trial") {
        try s.setTrialSystemAttr(trialID: t.id, key: "k", value: .int(1))
      }
      for again in [TrialState.complete, .pruned, .fail] {
        r.expectError(finishedError, "finishing a \(state) trial again as \(again)") {
          try s.finishTrial(trialID: t.id, state: again, values: [9], failReason: nil)
        }
      }
      r.equal(try s.trial(id: t.id), done, "a \(state) trial after rejected writes")
    }
  }

  r.section("distribution compatibility") {
    let s = try make()
    let study = try s.createStudy(name: "a", directions: [.minimize])
    let other = try s.createStudy(name: "b", directions: [.minimize])
    let abc = try Distribution.categorical(choices: [.string("a"), .string("b"), .string("c")])
    let t0 = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    try s.setTrialParam(trialID: t0.id, name: "x", value: .float(0.5), distribution: unit)
    try s.setTrialParam(trialID: t0.id, name: "n", value: .int(3), distribution: try .int(0, 10))
    try s.setTrialParam(trialID: t0.id, name: "c", value: .string("b"), distribution: abc)
    let t1 = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    // Ranges may change between trials, and log / step with them.
    try s.setTrialParam(trialID: t1.id, name: "x", value: .float(5), distribution: try .float(1, 10, log: true))
    try s.setTrialParam(trialID: t1.id, name: "n", value: .int(20), distribution: try .int(0, 100, step: 10))
    try s.setTrialParam(trialID: t1.id, name: "c", value: .string("c"), distribution: abc)
    let t2 = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    let rejected: [(String, ParamValue, Distribution)] = [
      ("x", .int(1), try .int(0, 1)),
      ("x", .string("a"), try .categorical(choices: [.string("a")])),
      ("n", .float(0.5), unit),
      ("c", .string("a"), try .categorical(choices: [.string("a"), .string("b")])),
      ("c", .string("a"), try .categorical(choices: [.string("a"), .string("b"), .string("c"), .string("d")])),
      ("c", .string("a"), try .categorical(choices: [.string("c"), .string("b"), .string("a")])),
      ("c", .float(0.5), unit),
    ]
    for (name, value, distribution) in rejected {
      guard let error = r.expectThrows("'\(name)' asked as \(distribution)", {
        try s.setTrialParam(trialID: t2.id, name: name, value: value, distribution: distribution)
      }) else { continue }
      if case StorageError.incompatibleDistribution(let n, _, _)? = error as? StorageError {
        r.equal(n, name, "the incompatibleDistribution error's name")
      } else {
        r.fail("'\(name)' asked as \(distribution) threw \(error), not StorageError.incompatibleDistribution")
      }
    }
    r.equal(try s.trial(id: t2.id).params, [:], "params after rejected writes")
    try s.setTrialParam(trialID: t2.id, name: "c", value: .string("a"), distribution: abc)
    r.equal(try s.trial(id: t2.id).params, ["c": .string("a")], "params after an accepted write")
    // Another study has its own kinds.
    let u0 = try s.createTrial(studyID: other.id, waiting: false, systemAttrs: [:])
    try s.setTrialParam(trialID: u0.id, name: "x", value: .int(1), distribution: try .int(0, 1))
    try s.setTrialParam(trialID: u0.id, name: "c", value: .int(1), distribution: try .categorical(choices: [.int(1)]))
    r.equal(try s.trial(id: u0.id).params, ["x": .int(1), "c": .int(1)], "params in another study")
  }

  r.section("waiting trials") {
    let s = try make()
    let study = try s.createStudy(name: "a", directions: [.minimize])
    let other = try s.createStudy(name: "b", directions: [.minimize])
    r.equal(try s.claimWaitingTrial(studyID: study.id), nil, "claim with nothing waiting")
    var waitingNumbers: [Int] = []
    for i in 0..<8 {
      if i % 3 == 1 {
        _ = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
      } else {
        let t = try s.createTrial(studyID: study.id, waiting: true, systemAttrs: ["fixed_params": .object(["x": .int(i)])])
        r.equal(t.state, .waiting, "state of a waiting trial")
        r.equal(t.datetimeStart, nil, "datetimeStart of a waiting trial")
        waitingNumbers.append(t.number)
      }
    }
    r.equal(try s.claimWaitingTrial(studyID: other.id), nil, "claim in a study with nothing waiting")
    for expected in waitingNumbers {
      guard let claimed = try s.claimWaitingTrial(studyID: study.id) else {
        r.fail("claim returned nil while trial \(expected) waits")
        break
      }
      r.equal(claimed.number, expected, "claimed trial (oldest first)")
      r.equal(claimed.state, .running, "state of a claimed trial")
      r.check(claimed.datetimeStart != nil, "a claimed trial has no datetimeStart")
      r.equal(claimed.systemAttrs, ["fixed_params": .object(["x": .int(expected)])], "system attrs of a claimed trial")
      r.equal(try s.trial(id: claimed.id).state, .running, "stored state of a claimed trial")
    }
    r.equal(try s.claimWaitingTrial(studyID: study.id), nil, "claim after every waiting trial was claimed")
    r.equal(try s.trialCount(studyID: study.id, states: [.waiting]), 0, "waiting count after claiming")
    // A trial queued after the queue drained is still found.
    let late = try s.createTrial(studyID: study.id, waiting: true, systemAttrs: [:])
    r.equal(try s.claimWaitingTrial(studyID: study.id)?.number, late.number, "a trial queued later")
  }

  r.section("best trial") {
    let s = try make()
    var rng = RandomSource(seed: 2_024)
    for direction in [StudyDirection.minimize, .maximize] {
      let study = try s.createStudy(name: direction.rawValue, directions: [direction])
      r.equal(try s.bestTrial(studyID: study.id), nil, "\(direction): best trial of an empty study")
      var best: (number: Int, value: Double)?
      for n in 0..<60 {
        let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
        // Few distinct values, so ties happen; failed and pruned trials carry better values.
        let value = Double(rng.integer(-20, 20)) / 4
        let state: TrialState = [.complete, .complete, .complete, .pruned, .fail][rng.integer(0, 4)]
        let extreme = direction == .minimize ? -1e9 : 1e9
        let stored: [Double]? = state == .complete ? [value] : state == .pruned ? [extreme] : nil
        _ = try s.finishTrial(trialID: t.id, state: state, values: stored, failReason: nil)
        if state == .complete, best.map({ direction.isBetter(value, than: $0.value) }) ?? true {
          best = (n, value)
        }
        let got = try s.bestTrial(studyID: study.id)
        r.equal(got?.number, best?.number, "\(direction): best trial after trial \(n)")
        r.equal(got?.value, best?.value, "\(direction): best value after trial \(n)")
      }
      // A running trial is never best.
      _ = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
      r.equal(try s.bestTrial(studyID: study.id)?.number, best?.number, "\(direction): best with a running trial")
      // An infinite value is a value.
      let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
      let inf: Double = direction == .minimize ? -.infinity : .infinity
      _ = try s.finishTrial(trialID: t.id, state: .complete, values: [inf], failReason: nil)
      r.equal(try s.bestTrial(studyID: study.id)?.number, t.number, "\(direction): best after an infinite value")
    }
    let multi = try s.createStudy(name: "multi", directions: [.minimize, .maximize])
    let t = try s.createTrial(studyID: multi.id, waiting: false, systemAttrs: [:])
    let done = try s.finishTrial(trialID: t.id, state: .complete, values: [1, 2], failReason: nil)
    r.equal(done.values, [1, 2], "multi-objective values")
    r.equal(try s.bestTrial(studyID: multi.id), nil, "best trial of a multi-objective study")
  }

  r.section("thread safety") {
    let s = try make()
    let study = try s.createStudy(name: "threads", directions: [.minimize])
    let errors = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
      do {
        for i in 0..<200 {
          let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
          try s.setTrialParam(trialID: t.id, name: "x", value: .float(Double(i) / 200), distribution: unit)
          try s.reportIntermediate(trialID: t.id, step: 0, value: Double(worker))
          if i % 20 == 0 { _ = try s.trials(studyID: study.id, states: [.complete]) }  // reads racing writes
          _ = try s.trial(id: t.id)
          _ = try s.finishTrial(trialID: t.id, state: .complete, values: [Double(worker * 1000 + i)], failReason: nil)
        }
      } catch {
        errors.withLock { $0.append("worker \(worker): \(error)") }
      }
    }
    let trials = try s.trials(studyID: study.id, states: nil)
    r.equal(trials.count, 1600, "trials after 8 x 200 concurrent creations")
    r.equal(trials.map(\.number), Array(0..<1600), "numbers after concurrent creations")
    r.equal(Set(trials.map(\.id)).count, 1600, "distinct ids after concurrent creations")
    r.equal(trials.filter { $0.state == .complete }.count, 1600, "complete trials")
    r.equal(Set(trials.compactMap(\.value)).count, 1600, "distinct values")
    r.equal(try s.bestTrial(studyID: study.id)?.value, 0, "best value after concurrent finishes")

    // Racing claims: every waiting trial is claimed exactly once.
    let queued = try s.createStudy(name: "queue", directions: [.minimize])
    for _ in 0..<100 { _ = try s.createTrial(studyID: queued.id, waiting: true, systemAttrs: [:]) }
    let claimed = Mutex<[Int]>([])
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
      do {
        while let t = try s.claimWaitingTrial(studyID: queued.id) {
          claimed.withLock { $0.append(t.number) }
        }
      } catch {
        errors.withLock { $0.append("claiming worker \(worker): \(error)") }
      }
    }
    r.equal(claimed.withLock { $0.sorted() }, Array(0..<100), "numbers claimed by racing workers")
    for e in errors.withLock({ $0 }) { r.fail(e) }
  }

  r.section("heartbeats and stale trials") {
    let s = try make()
    let study = try s.createStudy(name: "a", directions: [.minimize])
    let other = try s.createStudy(name: "b", directions: [.minimize])
    r.equal(try s.failStaleTrials(studyID: study.id, olderThan: 0.2), [], "stale trials of an empty study")
    let silent = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    let neverBeat = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    let beating = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    let waiting = try s.createTrial(studyID: study.id, waiting: true, systemAttrs: [:])
    let done = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    let finished = try s.finishTrial(trialID: done.id, state: .complete, values: [1], failReason: nil)
    let elsewhere = try s.createTrial(studyID: other.id, waiting: false, systemAttrs: [:])
    try s.recordHeartbeat(trialID: silent.id)
    Thread.sleep(forTimeInterval: 0.3)
    try s.recordHeartbeat(trialID: beating.id)
    let fresh = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    r.equal(try s.failStaleTrials(studyID: study.id, olderThan: 3_600), [], "stale trials with an hour's grace")
    let failed = try s.failStaleTrials(studyID: study.id, olderThan: 0.2)
    r.equal(failed.map(\.number), [silent.number], "the trials failed as stale")
    if let f = failed.first {
      r.equal(f.state, .fail, "state of a stale trial")
      r.equal(f.failReason, staleTrialFailReason, "fail reason of a stale trial")
      r.check(f.datetimeComplete != nil, "a stale trial has no datetimeComplete")
      r.equal(try s.trial(id: silent.id), f, "trial(id:) of a stale trial")
    }
    r.equal(try s.trial(id: beating.id).state, .running, "a trial with a fresh heartbeat")
    r.equal(try s.trial(id: fresh.id).state, .running, "a trial started recently")
    r.equal(try s.trial(id: neverBeat.id).state, .running, "an old trial that never beat (driven by hand)")
    r.equal(try s.trial(id: waiting.id).state, .waiting, "a waiting trial")
    r.equal(try s.trial(id: done.id), finished, "a complete trial")
    r.equal(try s.trial(id: elsewhere.id).state, .running, "another study's old running trial")
    r.equal(try s.failStaleTrials(studyID: study.id, olderThan: 0.2), [], "stale trials a second time")
    r.equal(try s.failStaleTrials(studyID: study.id, olderThan: .nan), [], "trials older than NaN seconds")
    r.expectError(StorageError.trialFinished(number: silent.number), "recordHeartbeat on a failed trial") {
      try s.recordHeartbeat(trialID: silent.id)
    }
    r.expectError(StorageError.trialFinished(number: done.number), "recordHeartbeat on a complete trial") {
      try s.recordHeartbeat(trialID: done.id)
    }
    r.expectError(StorageError.noSuchTrial(9_999), "recordHeartbeat on a missing trial") { try s.recordHeartbeat(trialID: 9_999) }
    r.expectThrows("failStaleTrials of a missing study") { try s.failStaleTrials(studyID: 9_999, olderThan: 0) }
    try s.recordHeartbeat(trialID: elsewhere.id)
    let failedOther = try s.failStaleTrials(studyID: other.id, olderThan: 0)
    r.equal(failedOther.map(\.number), [elsewhere.number], "every beating trial is older than 0 seconds")
    r.equal(try s.trials(studyID: study.id, states: [.fail]).map(\.number), [silent.number], "failed trials of the study")
  }

  r.section("adding copies of trials") {
    let s = try make()
    let study = try s.createStudy(name: "copy", directions: [.minimize])
    let multi = try s.createStudy(name: "multi", directions: [.minimize, .maximize])
    let start = Date(timeIntervalSinceReferenceDate: 700_000_000.25)
    let end = Date(timeIntervalSinceReferenceDate: 700_000_060.5)
    let cat = try Distribution.categorical(choices: [.string("a"), .int(2)])
    func template(_ state: TrialState, _ values: [Double]?, reason: String? = nil) -> FrozenTrial {
      var t = FrozenTrial(
        id: 12_345, number: 77, state: state, values: values,
        datetimeStart: state == .waiting ? nil : start, datetimeComplete: state.isFinished ? end : nil, failReason: reason)
      t.params = ["x": .float(0.25), "c": .int(2)]
      t.distributions = ["x": unit, "c": cat]
      t.intermediateValues = [0: 3, 5: 1e-300, 9: -.infinity]
      t.userAttrs = ["u": .array([.int(1), .string("two")])]
      t.systemAttrs = ["s": .double(-0.0)]
      return t
    }
    let templates = [
      template(.complete, [2]), template(.complete, [1]), template(.fail, nil, reason: "boom"), template(.pruned, [5]),
      template(.complete, [1]), template(.running, nil), template(.waiting, nil),
    ]
    var added: [FrozenTrial] = []
    for (i, t) in templates.enumerated() {
      let a = try s.addTrial(studyID: study.id, t)
      r.equal(a.number, i, "number of added trial \(i)")
      var expected = t
      expected.id = a.id
      expected.number = i
      r.equal(a, expected, "added trial \(i) as returned")
      added.append(a)
    }
    r.equal(Set(added.map(\.id)).count, added.count, "ids of added trials")
    r.equal(try s.trials(studyID: study.id, states: nil), added, "added trials read back")
    r.equal(try s.trial(id: added[2].id), added[2], "trial(id:) of an added trial")
    r.equal(try s.bestTrial(studyID: study.id)?.number, 1, "the best added trial (the earliest of two equal values)")
    r.equal(try s.trialCount(studyID: study.id, states: [.complete]), 3, "complete added trials")
    r.equal(try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:]).number, 7, "numbering after added trials")
    let claimed = try s.claimWaitingTrial(studyID: study.id)
    r.equal(claimed?.number, 6, "an added waiting trial is claimed")
    r.equal(claimed?.params, ["x": .float(0.25), "c": .int(2)], "params of a claimed added trial")
    let finished = try s.finishTrial(trialID: added[5].id, state: .complete, values: [0], failReason: nil)
    r.equal(finished.datetimeStart, start, "an added running trial keeps its start when finished")
    r.equal(try s.bestTrial(studyID: study.id)?.number, 5, "a finished added trial becomes best")
    r.equal(try s.failStaleTrials(studyID: study.id, olderThan: 0), [], "an added running trial has no heartbeat")
    // Kinds bind as setTrialParam's do; a refused trial adds nothing.
    var clash = template(.complete, [0])
    clash.params["c"] = .float(0.5)
    clash.distributions["c"] = unit
    r.expectError(
      StorageError.incompatibleDistribution(name: "c", existing: cat.description, asked: unit.description), "adding a trial of another kind"
    ) { try s.addTrial(studyID: study.id, clash) }
    r.equal(try s.trialCount(studyID: study.id, states: nil), 8, "trials after a refused addition")
    let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    r.expectThrows("setTrialParam of a kind an added trial bound") {
      try s.setTrialParam(trialID: t.id, name: "x", value: .int(1), distribution: try .int(0, 3))
    }
    // A multi-objective study's trials keep every value and have no best.
    let m = try s.addTrial(studyID: multi.id, template(.complete, [1, 2]))
    r.equal(try s.trial(id: m.id).values, [1, 2], "values of an added multi-objective trial")
    r.equal(try s.bestTrial(studyID: multi.id), nil, "best trial of a multi-objective study")
    r.expectThrows("addTrial in a missing study") { try s.addTrial(studyID: 9_999, template(.complete, [1])) }
  }

  r.section("deleting studies") {
    let s = try make()
    let doomed = try s.createStudy(name: "doomed", directions: [.minimize])
    let kept = try s.createStudy(name: "kept", directions: [.maximize])
    var doomedIDs: [Int] = []
    for i in 0..<4 {
      let t = try s.createTrial(studyID: doomed.id, waiting: i == 3, systemAttrs: ["k": .int(i)])
      doomedIDs.append(t.id)
      try s.setTrialParam(trialID: t.id, name: "x", value: .float(0.5), distribution: unit)
      try s.reportIntermediate(trialID: t.id, step: 0, value: 1)
      try s.setTrialUserAttr(trialID: t.id, key: "u", value: .string("v"))
      if i < 2 { _ = try s.finishTrial(trialID: t.id, state: .complete, values: [Double(i)], failReason: nil) }
    }
    try s.setStudyUserAttr(studyID: doomed.id, key: "k", value: .int(1))
    let k0 = try s.createTrial(studyID: kept.id, waiting: false, systemAttrs: [:])
    try s.setTrialParam(trialID: k0.id, name: "x", value: .int(3), distribution: try .int(0, 5))
    let keptTrial = try s.finishTrial(trialID: k0.id, state: .complete, values: [2], failReason: nil)
    _ = try s.trials(studyID: doomed.id, states: nil)  // a cache, if any, holds the doomed trials

    try s.deleteStudy(studyID: doomed.id)
    r.equal(try s.study(named: "doomed"), nil, "study(named:) of a deleted study")
    r.equal(try s.allStudies().map(\.name), ["kept"], "allStudies after a deletion")
    r.expectError(StorageError.noSuchStudy("#\(doomed.id)"), "trials of a deleted study") {
      try s.trials(studyID: doomed.id, states: nil)
    }
    r.expectThrows("trialCount of a deleted study") { try s.trialCount(studyID: doomed.id, states: nil) }
    r.expectThrows("bestTrial of a deleted study") { try s.bestTrial(studyID: doomed.id) }
    r.expectThrows("studyUserAttrs of a deleted study") { try s.studyUserAttrs(studyID: doomed.id) }
    r.expectThrows("createTrial in a deleted study") { try s.createTrial(studyID: doomed.id, waiting: false, systemAttrs: [:]) }
    r.expectThrows("claimWaitingTrial in a deleted study") { try s.claimWaitingTrial(studyID: doomed.id) }
    for id in doomedIDs {
      r.expectError(StorageError.noSuchTrial(id), "trial(id:) of a deleted study's trial") { try s.trial(id: id) }
    }
    r.expectError(StorageError.noSuchTrial(doomedIDs[2]), "setTrialParam on a deleted study's running trial") {
      try s.setTrialParam(trialID: doomedIDs[2], name: "x", value: .float(0.1), distribution: unit)
    }
    r.expectError(StorageError.noSuchTrial(doomedIDs[2]), "finishTrial on a deleted study's running trial") {
      try s.finishTrial(trialID: doomedIDs[2], state: .complete, values: [0], failReason: nil)
    }
    r.expectError(StorageError.noSuchStudy("#\(doomed.id)"), "deleting a study twice") { try s.deleteStudy(studyID: doomed.id) }
    r.expectError(StorageError.noSuchStudy("#9999"), "deleting a missing study") { try s.deleteStudy(studyID: 9_999) }
    r.equal(try s.trials(studyID: kept.id, states: nil), [keptTrial], "the other study's trials")
    r.equal(try s.bestTrial(studyID: kept.id), keptTrial, "the other study's best trial")

    let again = try s.createStudy(name: "doomed", directions: [.maximize])
    r.check(again.id != doomed.id && again.id != kept.id, "a new study reuses id \(again.id)")
    r.equal(try s.trials(studyID: again.id, states: nil), [], "trials of a study reusing a deleted one's name")
    let t = try s.createTrial(studyID: again.id, waiting: false, systemAttrs: [:])
    r.equal(t.number, 0, "first number in a study reusing a deleted one's name")
    r.check(!doomedIDs.contains(t.id) && t.id != k0.id, "a new trial reuses id \(t.id)")
    // The new study may ask "x" as another kind: kinds went with the deleted study.
    try s.setTrialParam(trialID: t.id, name: "x", value: .string("a"), distribution: try .categorical(choices: [.string("a")]))
    r.equal(try s.trial(id: t.id).params, ["x": .string("a")], "params in a study reusing a deleted one's name")
    r.equal(try s.studyUserAttrs(studyID: again.id), [:], "user attrs of a study reusing a deleted one's name")
    r.equal(try s.claimWaitingTrial(studyID: again.id), nil, "waiting trials of a study reusing a deleted one's name")
  }
}

extension FrozenTrial {
  /// `self` with everything the snapshot section wrote removed, to compare with the snapshot
  /// taken before the writes.
  fileprivate func withEmptyWrites(start: FrozenTrial) -> FrozenTrial {
    var t = self
    t.params = [:]
    t.distributions = [:]
    t.intermediateValues = [:]
    t.userAttrs = [:]
    t.systemAttrs = start.systemAttrs
    return t
  }
}
