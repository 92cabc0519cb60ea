import Foundation
import Synchronization
import TunaSearch
@testable import TunaStore
import TunaTestSupport
import XCTest

// Checks every storage shared by connections passes (SQLite files, PostgreSQL databases): each
// takes storages opened on one place, or a way to open another.

/// Everything written reads back exactly after the storage is opened again: attributes of every
/// JSON kind, params of every distribution, intermediate values, non-finite and signed-zero
/// values, fail reasons, waiting and running trials; numbering and kinds carry on.
func checkSurvivesReopening(open: () throws -> any Storage) throws {
  var written: [FrozenTrial] = []
  let attrs: [String: AttrValue] = [
    "null": .null, "true": .bool(true), "false": .bool(false), "int_max": .int(.max), "int_min": .int(.min),
    "zero": .int(0), "double": .double(0.1), "neg_zero": .double(-0.0), "inf": .double(.infinity),
    "neg_inf": .double(-.infinity), "tiny": .double(.leastNonzeroMagnitude), "big": .double(.greatestFiniteMagnitude),
    "integral_double": .double(3), "string": .string("a \"quoted\" \\ back\\slash\n\t\u{0}\u{1F}é 🎯 \u{2028}"),
    "empty_string": .string(""), "empty_list": .array([]), "empty_object": .object([:]),
    "nested": .object(["list": .array([.int(1), .double(2.5), .null, .object(["deep": .array([.string("x")])])])]),
    "": .string("empty key"), "ключ 🔑": .int(7),
  ]
  let params: [(String, ParamValue, Distribution)] = [
    ("f", .float(0.1 + 0.2), try .float(0, 1)),
    ("neg_zero", .float(-0.0), try .float(-1, 1)),
    ("tiny", .float(.leastNonzeroMagnitude), try .float(0, 1)),
    ("log", .float(1e-7), try .float(1e-8, 1, log: true)),
    ("step", .float(0.3), try .float(0, 0.9, step: 0.3)),
    ("i", .int(.min), try .int(.min, -1)),
    ("i_step", .int(6), try .int(0, 10, step: 3)),
    ("i_log", .int(100), try .int(1, 1000, log: true)),
    ("c_mixed", .float(2.0), try .categorical(choices: [.int(2), .float(2.5), .string("2"), .bool(true), .float(-0.5)])),
    ("c_int", .int(2), try .categorical(choices: [.int(2), .float(2.5), .string("2"), .bool(true), .float(-0.5)])),
    ("c_string", .string("2"), try .categorical(choices: [.int(2), .float(2.5), .string("2"), .bool(true), .float(-0.5)])),
    ("c_bool", .bool(true), try .categorical(choices: [.int(2), .float(2.5), .string("2"), .bool(true), .float(-0.5)])),
  ]
  let intermediate: [Int: Double] = [0: .nan, 1: .infinity, 2: -.infinity, 3: -0.0, 4: 0.1, -5: 1e300, 1 << 40: .leastNonzeroMagnitude]
  do {
    let s = try open()
    let study = try s.createStudy(name: "persisted ✓", directions: [.maximize])
    _ = try s.createStudy(name: "multi", directions: [.minimize, .maximize, .minimize])
    for (k, v) in attrs { try s.setStudyUserAttr(studyID: study.id, key: k, value: v) }

    let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: attrs)
    for (name, value, distribution) in params {
      try s.setTrialParam(trialID: t.id, name: name, value: value, distribution: distribution)
    }
    for (step, value) in intermediate { try s.reportIntermediate(trialID: t.id, step: step, value: value) }
    for (k, v) in attrs { try s.setTrialUserAttr(trialID: t.id, key: k, value: v) }
    written.append(try s.finishTrial(trialID: t.id, state: .complete, values: [-0.0], failReason: nil))

    let failed = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    written.append(try s.finishTrial(trialID: failed.id, state: .fail, values: nil, failReason: "boom\n  at line 2 ✗"))
    let pruned = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    try s.reportIntermediate(trialID: pruned.id, step: 3, value: .infinity)
    written.append(try s.finishTrial(trialID: pruned.id, state: .pruned, values: [.infinity], failReason: nil))
    let nanValue = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    written.append(try s.finishTrial(trialID: nanValue.id, state: .complete, values: [.nan], failReason: nil))
    let running = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: ["k": .int(1)])
    try s.recordHeartbeat(trialID: running.id)
    written.append(try s.trial(id: running.id))
    written.append(try s.createTrial(studyID: study.id, waiting: true, systemAttrs: ["fixed_params": .object(["x": .double(1)])]))
    assertSameTrials(try s.trials(studyID: study.id, states: nil), written, "before reopening")
  }

  let s = try open()
  guard let study = try s.study(named: "persisted ✓") else { return XCTFail("the study is gone") }
  XCTAssertEqual(study.directions, [.maximize])
  XCTAssertEqual(try s.study(named: "multi")?.directions, [.minimize, .maximize, .minimize])
  XCTAssertEqual(try s.allStudies().map(\.name), ["persisted ✓", "multi"])
  assertSameAttrs(try s.studyUserAttrs(studyID: study.id), attrs, "study user attrs")
  let read = try s.trials(studyID: study.id, states: nil)
  assertSameTrials(read, written, "after reopening")
  for t in written { assertSameTrials([try s.trial(id: t.id)], [t], "trial(id: \(t.id))") }
  let first = read[0]
  for (name, value, distribution) in params {
    XCTAssertTrue(first.params[name].map { identicalBits($0, value) } ?? false, "param \(name): \(String(describing: first.params[name]))")
    XCTAssertEqual(first.distributions[name], distribution, "distribution of \(name)")
  }
  XCTAssertEqual(first.values?.first?.sign, .minus, "a value of -0.0 lost its sign")
  XCTAssertEqual(Set(first.intermediateValues.keys), Set(intermediate.keys))
  for (step, value) in intermediate {
    XCTAssertEqual(first.intermediateValues[step]?.bitPattern, value.bitPattern, "intermediate value at step \(step)")
  }
  XCTAssertTrue(read[3].values?.first?.isNaN ?? false, "a NaN value read back as \(String(describing: read[3].values))")
  XCTAssertEqual(try s.bestTrial(studyID: study.id)?.number, 0, "NaN is never best; -0.0 is")
  // The reopened file carries on: numbers continue, the waiting trial can be claimed.
  XCTAssertEqual(try s.claimWaitingTrial(studyID: study.id)?.number, 5)
  XCTAssertEqual(try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:]).number, 6)
  let again = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
  // Kinds persist too: "i" was an int.
  XCTAssertThrowsError(try s.setTrialParam(trialID: again.id, name: "i", value: .float(0.5), distribution: try .float(0, 1)))
}

/// Two connections on one database share numbers, see each other's writes (caches never serve
/// what the other changed), claim waiting trials once, and see deletions.
func checkTwoStoragesShare(_ a: any Storage, _ b: any Storage) throws {
  let study = try a.createStudy(name: "shared", directions: [.minimize])
  XCTAssertEqual(try b.study(named: "shared"), study)
  var trials: [FrozenTrial] = []
  for i in 0..<20 {
    let t = try (i % 2 == 0 ? a : b).createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
    XCTAssertEqual(t.number, i)
    trials.append(t)
  }
  XCTAssertEqual(try a.trials(studyID: study.id, states: nil).map(\.state), Array(repeating: .running, count: 20))
  XCTAssertEqual(try b.trials(studyID: study.id, states: nil).map(\.number), Array(0..<20))
  // Each finishes the trials the other created; both see every change.
  for (i, t) in trials.enumerated() {
    let other = i % 2 == 0 ? b : a
    try other.setTrialParam(trialID: t.id, name: "x", value: .float(Double(i)), distribution: try .float(0, 100))
    _ = try other.finishTrial(trialID: t.id, state: .complete, values: [Double(20 - i)], failReason: nil)
    XCTAssertEqual(try a.trials(studyID: study.id, states: [.complete]).count, i + 1)
    XCTAssertEqual(try b.trials(studyID: study.id, states: [.running]).count, 19 - i)
    XCTAssertThrowsError(try (i % 2 == 0 ? a : b).reportIntermediate(trialID: t.id, step: 0, value: 1)) { error in
      XCTAssertEqual(error as? StorageError, .trialFinished(number: i))
    }
  }
  XCTAssertEqual(try a.bestTrial(studyID: study.id)?.number, 19)
  XCTAssertEqual(try b.bestTrial(studyID: study.id)?.params, ["x": .float(19)])
  XCTAssertEqual(try a.trials(studyID: study.id, states: nil), try b.trials(studyID: study.id, states: nil))
  // A kind registered through one storage binds the other.
  let t = try b.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
  XCTAssertThrowsError(try b.setTrialParam(trialID: t.id, name: "x", value: .int(1), distribution: try .int(0, 3)))

  // Waiting trials are claimed once, whoever claims.
  for _ in 0..<4 { _ = try a.createTrial(studyID: study.id, waiting: true, systemAttrs: [:]) }
  let claims = [try b.claimWaitingTrial(studyID: study.id), try a.claimWaitingTrial(studyID: study.id),
                try b.claimWaitingTrial(studyID: study.id), try a.claimWaitingTrial(studyID: study.id)]
  XCTAssertEqual(claims.map { $0?.number }, [21, 22, 23, 24])
  XCTAssertNil(try b.claimWaitingTrial(studyID: study.id))

  // A study deleted through one storage is gone for the other, caches and all.
  try b.deleteStudy(studyID: study.id)
  XCTAssertThrowsError(try a.trials(studyID: study.id, states: nil)) { error in
    XCTAssertEqual(error as? StorageError, .noSuchStudy("#\(study.id)"))
  }
  XCTAssertThrowsError(try a.finishTrial(trialID: t.id, state: .complete, values: [0], failReason: nil)) { error in
    XCTAssertEqual(error as? StorageError, .noSuchTrial(t.id))
  }
  XCTAssertNil(try a.study(named: "shared"))
}

/// 4 threads x 50 trials, each thread on its own storage (or all on one): 200 trials numbered
/// 0..<200.
func checkConcurrentTrials(storages: [any Storage]) throws {
  let study = try storages[0].createStudy(name: "race", directions: [.minimize])
  let errors = Mutex<[String]>([])
  DispatchQueue.concurrentPerform(iterations: storages.count) { worker in
    let s = storages[worker]
    do {
      for i in 0..<50 {
        let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
        try s.setTrialParam(trialID: t.id, name: "x", value: .float(Double(i)), distribution: try .float(0, 100))
        if i % 10 == 0 { _ = try s.trials(studyID: study.id, states: nil) }
        _ = try s.finishTrial(trialID: t.id, state: .complete, values: [Double(worker * 100 + i)], failReason: nil)
      }
    } catch {
      errors.withLock { $0.append("worker \(worker): \(error)") }
    }
  }
  XCTAssertEqual(errors.withLock { $0 }, [])
  for s in storages {
    let trials = try s.trials(studyID: study.id, states: nil)
    XCTAssertEqual(trials.map(\.number), Array(0..<200))
    XCTAssertEqual(Set(trials.map(\.id)).count, 200)
    XCTAssertEqual(Set(trials.compactMap(\.value)).count, 200)
    XCTAssertEqual(try s.trialCount(studyID: study.id, states: [.complete]), 200)
    XCTAssertEqual(try s.bestTrial(studyID: study.id)?.value, 0)
  }
}

/// A watcher fails the trial whose worker stopped beating, and only it; the worker, back, can no
/// longer write to it.
func checkStaleTrialsAcrossStorages(worker: any Storage, watcher: any Storage) throws {
  let study = try worker.createStudy(name: "s", directions: [.minimize])
  let alive = try worker.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
  let dead = try worker.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
  try worker.recordHeartbeat(trialID: dead.id)  // beat once, then its worker died
  _ = try watcher.trials(studyID: study.id, states: nil)
  Thread.sleep(forTimeInterval: 0.3)
  try worker.recordHeartbeat(trialID: alive.id)
  let failed = try watcher.failStaleTrials(studyID: study.id, olderThan: 0.2)
  XCTAssertEqual(failed.map(\.id), [dead.id])
  XCTAssertEqual(failed.first?.failReason, staleTrialFailReason)
  // The dead trial's worker, back from the dead, cannot write to it.
  XCTAssertThrowsError(try worker.finishTrial(trialID: dead.id, state: .complete, values: [1], failReason: nil)) { error in
    XCTAssertEqual(error as? StorageError, .trialFinished(number: dead.number))
  }
  XCTAssertThrowsError(try worker.recordHeartbeat(trialID: dead.id))
  XCTAssertEqual(try worker.trials(studyID: study.id, states: nil).map(\.state), [.running, .fail])
}

/// Compares trials field by field, doubles bit for bit (NaN equals NaN, -0.0 differs from 0.0).
func assertSameTrials(_ a: [FrozenTrial], _ b: [FrozenTrial], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertEqual(a.count, b.count, "\(what): trial count", file: file, line: line)
  for (x, y) in zip(a, b) {
    let label = "\(what), trial \(y.number)"
    XCTAssertEqual(x.id, y.id, "\(label): id", file: file, line: line)
    XCTAssertEqual(x.number, y.number, "\(label): number", file: file, line: line)
    XCTAssertEqual(x.state, y.state, "\(label): state", file: file, line: line)
    XCTAssertTrue(identicalBits(x.values, y.values), "\(label): values \(String(describing: x.values)) != \(String(describing: y.values))", file: file, line: line)
    XCTAssertTrue(identicalBits(x.params, y.params), "\(label): params \(x.params) != \(y.params)", file: file, line: line)
    XCTAssertEqual(x.distributions, y.distributions, "\(label): distributions", file: file, line: line)
    XCTAssertEqual(x.intermediateValues.mapValues(\.bitPattern), y.intermediateValues.mapValues(\.bitPattern), "\(label): intermediate values", file: file, line: line)
    assertSameAttrs(x.userAttrs, y.userAttrs, "\(label): user attrs", file: file, line: line)
    assertSameAttrs(x.systemAttrs, y.systemAttrs, "\(label): system attrs", file: file, line: line)
    XCTAssertEqual(x.datetimeStart, y.datetimeStart, "\(label): datetimeStart", file: file, line: line)
    XCTAssertEqual(x.datetimeComplete, y.datetimeComplete, "\(label): datetimeComplete", file: file, line: line)
    XCTAssertEqual(x.failReason, y.failReason, "\(label): failReason", file: file, line: line)
  }
}

func assertSameAttrs(_ a: [String: AttrValue], _ b: [String: AttrValue], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
  // The JSON text tells doubles apart bit for bit (-0.0, NaN) where == does not.
  XCTAssertEqual(JSON.encode(.object(a)), JSON.encode(.object(b)), what, file: file, line: line)
}

/// Two storages on one database, used in turn: every call goes to the other one than the last.
final class AlternatingStorage: Storage {
  let pair: [any Storage]
  let turn = Atomic<Int>(0)

  init(_ open: () throws -> any Storage) throws { pair = [try open(), try open()] }

  private var next: any Storage { pair[turn.add(1, ordering: .relaxed).oldValue % 2] }

  func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord { try next.createStudy(name: name, directions: directions) }
  func study(named name: String) throws -> StudyRecord? { try next.study(named: name) }
  func allStudies() throws -> [StudyRecord] { try next.allStudies() }
  func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws { try next.setStudyUserAttr(studyID: studyID, key: key, value: value) }
  func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] { try next.studyUserAttrs(studyID: studyID) }
  func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial {
    try next.createTrial(studyID: studyID, waiting: waiting, systemAttrs: systemAttrs)
  }
  func addTrial(studyID: Int, _ trial: FrozenTrial) throws -> FrozenTrial { try next.addTrial(studyID: studyID, trial) }
  func claimWaitingTrial(studyID: Int) throws -> FrozenTrial? { try next.claimWaitingTrial(studyID: studyID) }
  func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws {
    try next.setTrialParam(trialID: trialID, name: name, value: value, distribution: distribution)
  }
  func reportIntermediate(trialID: Int, step: Int, value: Double) throws { try next.reportIntermediate(trialID: trialID, step: step, value: value) }
  func setTrialUserAttr(trialID: Int, key: String, value: AttrValue) throws { try next.setTrialUserAttr(trialID: trialID, key: key, value: value) }
  func setTrialSystemAttr(trialID: Int, key: String, value: AttrValue) throws { try next.setTrialSystemAttr(trialID: trialID, key: key, value: value) }
  func finishTrial(trialID: Int, state: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    try next.finishTrial(trialID: trialID, state: state, values: values, failReason: failReason)
  }
  func trial(id: Int) throws -> FrozenTrial { try next.trial(id: id) }
  func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial] { try next.trials(studyID: studyID, states: states) }
  func trialCount(studyID: Int, states: Set<TrialState>?) throws -> Int { try next.trialCount(studyID: studyID, states: states) }
  func bestTrial(studyID: Int) throws -> FrozenTrial? { try next.bestTrial(studyID: studyID) }
  func recordHeartbeat(trialID: Int) throws { try next.recordHeartbeat(trialID: trialID) }
  func failStaleTrials(studyID: Int, olderThan seconds: Double) throws -> [FrozenTrial] {
    try next.failStaleTrials(studyID: studyID, olderThan: seconds)
  }
  func deleteStudy(studyID: Int) throws { try next.deleteStudy(studyID: studyID) }
}
