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
    try checkStorage({ let path = newPath(); return try AlternatingStorage { try SQLiteStorage(path: path) } }, name: "two SQLiteStorages on one file")
  }

  // MARK: Persistence

  func testEverythingSurvivesReopening() throws {
    let path = newPath()
    try checkSurvivesReopening { try SQLiteStorage(path: path) }
  }

  // MARK: Several connections

  func testTwoStoragesOnOneFileShareNumbersAndSeeEachOther() throws {
    let path = newPath()
    try checkTwoStoragesShare(try SQLiteStorage(path: path), try SQLiteStorage(path: path))
  }


  func testConcurrentWritersOnOneStorage() throws {
    let s = try SQLiteStorage(path: newPath())
    try checkConcurrentTrials(storages: Array(repeating: s as any Storage, count: 4))
  }

  func testConcurrentWritersOnSeparateStorages() throws {
    let path = newPath()
    try checkConcurrentTrials(storages: (0..<4).map { _ in try SQLiteStorage(path: path) as any Storage })
  }

  // MARK: Schema

  func testAFreshFileGetsTheCurrentSchema() throws {
    let path = newPath()
    _ = try SQLiteStorage(path: path)
    let c = try SQLiteConnection(path: path, busyTimeout: 1)
    XCTAssertEqual(try c.with("PRAGMA user_version") { s in try s.step() ? s.int(0) : -1 }, SQLiteStorage.schemaVersion)
    XCTAssertEqual(try c.with("PRAGMA application_id") { s in try s.step() ? s.int(0) : -1 }, Int(SQLiteSchema.applicationID))
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
    let c = try SQLiteConnection(path: path, busyTimeout: 1)
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
    let versions = SQLiteSchema.migrations.map(\.version)
    XCTAssertEqual(versions, Array(1...versions.count), "migrations must be numbered 1, 2, 3, ... in order")
    XCTAssertEqual(SQLiteStorage.schemaVersion, versions.last)
  }

  func testANewerSchemaIsRefused() throws {
    let path = newPath()
    let s = try SQLiteStorage(path: path)
    _ = try s.createStudy(name: "kept", directions: [.minimize])
    let newer = SQLiteStorage.schemaVersion + 1
    try SQLiteConnection(path: path, busyTimeout: 1).execute("PRAGMA user_version = \(newer)")
    XCTAssertThrowsError(try SQLiteStorage(path: path)) { error in
      XCTAssertEqual(error as? TunaStoreError, .newerSchema(path: path, version: newer, supported: SQLiteStorage.schemaVersion))
      let message = String(describing: error)
      XCTAssertTrue(message.contains("newer Tuna") && message.contains("version \(newer)") && message.contains(path), message)
    }
  }

  func testForeignFilesAreRefused() throws {
    let other = newPath()
    try SQLiteConnection(path: other, busyTimeout: 1).execute("CREATE TABLE notes (text TEXT)")
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
    try checkStaleTrialsAcrossStorages(worker: try SQLiteStorage(path: path), watcher: try SQLiteStorage(path: path))
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
    for url in ["mysql://h/db", "mysql+pymysql://u:secret@h/db"] {
      XCTAssertThrowsError(try openStorage(url), url) { error in
        let message = String(describing: error)
        XCTAssertTrue(message.contains("MySQL is not supported") && message.contains("sqlite:PATH") && message.contains("postgresql://"), message)
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

