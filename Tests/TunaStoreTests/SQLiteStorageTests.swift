import Foundation
import Synchronization
import TunaSearch
@testable import TunaStore
import TunaTestSupport
import XCTest

/// A fresh directory per test, removed afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
  private(set) var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-store-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    if let directory { try? FileManager.default.removeItem(at: directory) }
  }

  private var files = 0

  /// A path in the directory, not yet created.
  func newPath(_ name: String? = nil) -> String {
    files += 1
    return directory.appendingPathComponent(name ?? "study-\(files).db").path
  }
}

final class SQLiteStorageTests: TemporaryDirectoryTestCase {
  func testConformance() throws {
    try checkStorage({ try SQLiteStorage(path: newPath()) }, name: "SQLiteStorage")
  }

  /// The same suite with every call going to one of two storages on one file, in turn: each
  /// sees the other's writes (and the caches never serve what the other changed).
  func testConformanceAcrossTwoConnections() throws {
    try checkStorage({ try AlternatingStorage(path: newPath()) }, name: "two SQLiteStorages on one file")
  }

  // MARK: Persistence

  func testEverythingSurvivesReopening() throws {
    let path = newPath()
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
      let s = try SQLiteStorage(path: path)
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

    let s = try SQLiteStorage(path: path)
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

  // MARK: Several connections

  func testTwoStoragesOnOneFileShareNumbersAndSeeEachOther() throws {
    let path = newPath()
    let a = try SQLiteStorage(path: path)
    let b = try SQLiteStorage(path: path)
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

  func testConcurrentWritersOnOneStorage() throws {
    let s = try SQLiteStorage(path: newPath())
    try checkConcurrentTrials(storages: Array(repeating: s, count: 4))
  }

  func testConcurrentWritersOnSeparateStorages() throws {
    let path = newPath()
    try checkConcurrentTrials(storages: (0..<4).map { _ in try SQLiteStorage(path: path) })
  }

  /// 4 threads x 50 trials, each thread on its own storage: 200 trials numbered 0..<200.
  private func checkConcurrentTrials(storages: [SQLiteStorage]) throws {
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

  // MARK: Schema

  func testAFreshFileGetsTheCurrentSchema() throws {
    let path = newPath()
    _ = try SQLiteStorage(path: path)
    let c = try Connection(path: path, busyTimeout: 1)
    XCTAssertEqual(try c.with("PRAGMA user_version") { s in try s.step() ? s.int(0) : -1 }, SQLiteStorage.schemaVersion)
    XCTAssertEqual(try c.with("PRAGMA application_id") { s in try s.step() ? s.int(0) : -1 }, Int(Schema.applicationID))
    XCTAssertEqual(try c.with("PRAGMA journal_mode") { s in try s.step() ? s.string(0) : nil }, "wal")
    let tables = try c.with("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { s in
      var names: [String] = []
      while try s.step() { names.append(s.string(0) ?? "") }
      return names
    }
    XCTAssertEqual(tables, [
      "sqlite_sequence", "studies", "study_params", "study_user_attrs", "trial_intermediate_values", "trial_params",
      "trial_system_attrs", "trial_user_attrs", "trials",
    ])
    // Opening it again changes nothing, and an empty file counts as new.
    _ = try SQLiteStorage(path: path)
    XCTAssertEqual(try c.with("PRAGMA user_version") { s in try s.step() ? s.int(0) : -1 }, SQLiteStorage.schemaVersion)
    let empty = newPath()
    XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
    XCTAssertEqual(try SQLiteStorage(path: empty).allStudies(), [])
  }

  func testEveryQueryUsesAnIndex() throws {
    let path = newPath()
    _ = try SQLiteStorage(path: path)
    let c = try Connection(path: path, busyTimeout: 1)
    for query in SQL.queries {
      let plan = try c.with("EXPLAIN QUERY PLAN " + query) { s in
        var steps: [String] = []
        while try s.step() { steps.append(s.string(3) ?? "") }
        return steps
      }
      XCTAssertFalse(plan.isEmpty, query)
      for step in plan {
        XCTAssertTrue(step.hasPrefix("SEARCH") && !step.contains("TEMP B-TREE"), "\(query): \(step)")
      }
    }
  }

  func testMigrationsAreOrdered() {
    let versions = Schema.migrations.map(\.version)
    XCTAssertEqual(versions, Array(1...versions.count), "migrations must be numbered 1, 2, 3, ... in order")
    XCTAssertEqual(SQLiteStorage.schemaVersion, versions.last)
  }

  func testANewerSchemaIsRefused() throws {
    let path = newPath()
    let s = try SQLiteStorage(path: path)
    _ = try s.createStudy(name: "kept", directions: [.minimize])
    let newer = SQLiteStorage.schemaVersion + 1
    try Connection(path: path, busyTimeout: 1).execute("PRAGMA user_version = \(newer)")
    XCTAssertThrowsError(try SQLiteStorage(path: path)) { error in
      XCTAssertEqual(error as? TunaStoreError, .newerSchema(path: path, version: newer, supported: SQLiteStorage.schemaVersion))
      let message = String(describing: error)
      XCTAssertTrue(message.contains("newer Tuna") && message.contains("version \(newer)") && message.contains(path), message)
    }
  }

  func testForeignFilesAreRefused() throws {
    let other = newPath()
    try Connection(path: other, busyTimeout: 1).execute("CREATE TABLE notes (text TEXT)")
    XCTAssertThrowsError(try SQLiteStorage(path: other)) { error in
      XCTAssertEqual(error as? TunaStoreError, .notATunaDatabase(path: other))
    }
    let text = newPath("notes.txt")
    try String(repeating: "not a database\n", count: 100).write(toFile: text, atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try SQLiteStorage(path: text)) { error in
      XCTAssertTrue(String(describing: error).contains("not a database"), "\(error)")
    }
    XCTAssertThrowsError(try SQLiteStorage(path: directory.appendingPathComponent("missing/dir/x.db").path)) { error in
      XCTAssertTrue(error is SQLiteError, "\(error)")
    }
  }

  // MARK: Heartbeats

  func testStaleTrialsAcrossStorages() throws {
    let path = newPath()
    let worker = try SQLiteStorage(path: path)
    let watcher = try SQLiteStorage(path: path)
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

  // MARK: URLs

  func testOpenStorageURLs() throws {
    for url in [nil, "", "memory", ":memory:"] {
      XCTAssertTrue(try openStorage(url) is InMemoryStorage, "\(String(describing: url))")
    }
    let plain = newPath()
    XCTAssertEqual((try openStorage("sqlite:" + plain) as? SQLiteStorage)?.path, plain)
    let optuna = newPath()
    XCTAssertEqual((try openStorage("sqlite:///" + optuna) as? SQLiteStorage)?.path, optuna, "sqlite:////abs/path")
    XCTAssertTrue(FileManager.default.fileExists(atPath: optuna))
    // SQLite's own in-memory database works too (one connection's, gone with it).
    let memory = try openStorage("sqlite::memory:")
    XCTAssertTrue(memory is SQLiteStorage)
    XCTAssertEqual(try memory.createStudy(name: "m", directions: [.minimize]).name, "m")

    for url in ["foo.db", "sqlite:", "sqlite://", "sqlite:///", "sqlite://host/x.db", "file:x.db", "redis://localhost"] {
      XCTAssertThrowsError(try openStorage(url), url) { error in
        XCTAssertEqual(error as? TunaStoreError, .unrecognizedURL(url))
        let message = String(describing: error)
        XCTAssertTrue(message.contains("'\(url)'") && message.contains("sqlite:PATH") && message.contains("memory"), message)
      }
    }
    for url in ["postgresql://user@host/db", "postgresql+psycopg2://h/db", "mysql://h/db"] {
      XCTAssertThrowsError(try openStorage(url), url) { error in
        let message = String(describing: error)
        XCTAssertTrue(message.contains("not supported yet") && message.contains("sqlite:PATH"), message)
      }
    }
  }

  // MARK: JSON

  func testJSONMatchesPythonsDialect() throws {
    XCTAssertEqual(JSON.encode(.array([.int(1), .double(1), .double(-0.0), .double(.nan), .double(-.infinity), .null])),
                   "[1, 1.0, -0.0, NaN, -Infinity, null]")
    XCTAssertEqual(JSON.encode(.object(["b": .bool(true), "a": .string("x\"\n\u{1}")])), #"{"a": "x\"\n\u0001", "b": true}"#)
    XCTAssertEqual(try JSON.decode(#" { "k" : [ 1e3 , -2 , "\u00e9\ud83c\udfaf" ] } "#),
                   .object(["k": .array([.double(1000), .int(-2), .string("é🎯")])]))
    XCTAssertEqual(try JSON.distribution(JSON.decode(JSON.encode(try Distribution.float(0, 1, step: 0.1)))), try .float(0, 1, step: 0.1))
    for bad in ["", "[1,", "{\"a\" 1}", "tru", "\"abc", "[1] x", "-"] {
      XCTAssertThrowsError(try JSON.decode(bad), bad)
    }
  }

  // MARK: Cost

  /// The cost of one trial's writes (create, 5 params, finish) and of reading a study's trials,
  /// against the in-memory storage. Prints the numbers; asserts only a generous bound.
  func testCostPerTrial() throws {
    let n = 1_000
    func measure(_ s: any Storage) throws -> (cycle: Double, read: Double) {
      let study = try s.createStudy(name: "cost", directions: [.minimize])
      let d = try Distribution.float(0, 1)
      let start = monotonicSeconds()
      for i in 0..<n {
        let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
        for p in 0..<5 { try s.setTrialParam(trialID: t.id, name: "x\(p)", value: .float(Double(i) / Double(n)), distribution: d) }
        _ = try s.finishTrial(trialID: t.id, state: .complete, values: [Double(i)], failReason: nil)
      }
      let cycle = (monotonicSeconds() - start) / Double(n)
      _ = try s.trials(studyID: study.id, states: nil)
      let readStart = monotonicSeconds()
      for _ in 0..<100 { XCTAssertEqual(try s.trials(studyID: study.id, states: [.complete]).count, n) }
      return (cycle, (monotonicSeconds() - readStart) / 100)
    }
    let sqlite = try measure(SQLiteStorage(path: newPath()))
    let memory = try measure(InMemoryStorage())
    func us(_ x: Double) -> String { String(format: "%.1f µs", x * 1e6) }
    print("""
      cost of createTrial + 5 x setTrialParam + finishTrial, mean of \(n): SQLite \(us(sqlite.cycle)), in memory \(us(memory.cycle))
      cost of trials(states: [.complete]) at \(n) finished trials: SQLite \(us(sqlite.read)), in memory \(us(memory.read))
      """)
    XCTAssertLessThan(sqlite.cycle, 0.02, "a trial's writes took \(us(sqlite.cycle))")
  }
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

/// Two storages on one file, used in turn: every call goes to the other one than the last.
private final class AlternatingStorage: Storage {
  let pair: [SQLiteStorage]
  let turn = Atomic<Int>(0)

  init(path: String) throws { pair = [try SQLiteStorage(path: path), try SQLiteStorage(path: path)] }

  private var next: SQLiteStorage { pair[turn.add(1, ordering: .relaxed).oldValue % 2] }

  func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord { try next.createStudy(name: name, directions: directions) }
  func study(named name: String) throws -> StudyRecord? { try next.study(named: name) }
  func allStudies() throws -> [StudyRecord] { try next.allStudies() }
  func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws { try next.setStudyUserAttr(studyID: studyID, key: key, value: value) }
  func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] { try next.studyUserAttrs(studyID: studyID) }
  func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial {
    try next.createTrial(studyID: studyID, waiting: waiting, systemAttrs: systemAttrs)
  }
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
