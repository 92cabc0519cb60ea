import Foundation
import Synchronization
import TunaSearch
@testable import TunaStore
import TunaTestSupport
import XCTest

/// `PostgresStorage` against a real server: the conformance suite, the checks every shared
/// storage passes, and what is PostgreSQL's own (server clock, reconnection, retries that find
/// their lost attempt, schema, URLs and passwords).
final class PostgresStorageTests: PostgresTestCase {
  func testConformance() throws {
    try checkStorage({ try freshStorage() }, name: "PostgresStorage")
  }

  func testConformanceAcrossTwoConnections() throws {
    try checkStorage({
      let url = try freshURL()
      return try AlternatingStorage { try PostgresStorage(url: url) }
    }, name: "two PostgresStorages on one database")
  }

  func testEverythingSurvivesReopening() throws {
    let url = try freshURL()
    try checkSurvivesReopening { try PostgresStorage(url: url) }
  }

  func testTwoStoragesShareNumbersAndSeeEachOther() throws {
    let url = try freshURL()
    try checkTwoStoragesShare(try PostgresStorage(url: url), try PostgresStorage(url: url))
  }

  func testConcurrentWritersOnOneStorage() throws {
    let s = try freshStorage()
    try checkConcurrentTrials(storages: Array(repeating: s as any Storage, count: 4))
  }

  func testConcurrentWritersOnSeparateStorages() throws {
    let url = try freshURL()
    try checkConcurrentTrials(storages: (0..<4).map { _ in try PostgresStorage(url: url) as any Storage })
  }

  func testStaleTrialsAcrossStorages() throws {
    let url = try freshURL()
    try checkStaleTrialsAcrossStorages(worker: try PostgresStorage(url: url), watcher: try PostgresStorage(url: url))
  }

  /// Many connections racing to claim the same waiting trials: each is claimed exactly once.
  func testRacingClaimersTakeEachWaitingTrialOnce() throws {
    let url = try freshURL()
    let storages = try (0..<6).map { _ in try PostgresStorage(url: url) }
    let study = try storages[0].createStudy(name: "queue", directions: [.minimize])
    for i in 0..<120 {
      _ = try storages[0].createTrial(studyID: study.id, waiting: true, systemAttrs: ["i": .int(i)])
    }
    let claimed = Mutex<[Int]>([])
    let errors = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: storages.count) { worker in
      do {
        while let t = try storages[worker].startTrial(studyID: study.id, beating: true) as FrozenTrial?,
          t.systemAttrs["i"] != nil
        {
          claimed.withLock { $0.append(t.number) }
        }
      } catch {
        errors.withLock { $0.append("\(error)") }
      }
    }
    XCTAssertEqual(errors.withLock { $0 }, [])
    XCTAssertEqual(claimed.withLock { $0.sorted() }, Array(0..<120), "each waiting trial claimed exactly once")
    // Each worker, once the queue was empty, created one new trial.
    XCTAssertEqual(try storages[1].trialCount(studyID: study.id, states: nil), 120 + storages.count)
  }

  // MARK: The server's clock

  /// Times are the server's: a trial's start lies between two readings of the server's clock,
  /// and staleness is judged against that clock (a heartbeat the server stamped 100 s ago is
  /// stale at 50 s, one stamped just now is not).
  func testTimesAndStalenessFollowTheServersClock() throws {
    let url = try freshURL()
    let s = try PostgresStorage(url: url)
    let admin = try PostgresConnection(url: PostgresURL(url)!)
    func serverNow() throws -> Double {
      try admin.query("SELECT \(PostgresSQL.now)").double(0, 0)!
    }
    let study = try s.createStudy(name: "clock", directions: [.minimize])
    let before = try serverNow()
    let old = try s.startTrial(studyID: study.id, beating: true)
    let fresh = try s.startTrial(studyID: study.id, beating: true)
    let after = try serverNow()
    let start = try XCTUnwrap(old.datetimeStart).timeIntervalSinceReferenceDate
    XCTAssertTrue(before <= start && start <= after, "start \(start) not within the server's [\(before), \(after)]")
    try admin.query("UPDATE tuna.trials SET heartbeat = \(PostgresSQL.now) - 100 WHERE id = $1", [String(old.id)])
    XCTAssertEqual(try s.failStaleTrials(studyID: study.id, olderThan: 50).map(\.id), [old.id])
    XCTAssertEqual(try s.failStaleTrials(studyID: study.id, olderThan: 50), [])
    XCTAssertEqual(try s.trial(id: fresh.id).state, .running)
    let finished = try s.finishTrial(trialID: fresh.id, state: .complete, values: [1], failReason: nil)
    let complete = try XCTUnwrap(finished.datetimeComplete).timeIntervalSinceReferenceDate
    let end = try serverNow()
    XCTAssertTrue(complete >= after && complete <= end)
  }

  // MARK: Failures

  /// The server drops the connection (as a restart or a network cut would): the next call
  /// reconnects and succeeds.
  func testReconnectsWhenTheServerDropsTheConnection() throws {
    let url = try freshURL()
    let s = try PostgresStorage(url: url, retryTimeout: 20)
    let study = try s.createStudy(name: "dropped", directions: [.minimize])
    let t = try s.startTrial(studyID: study.id, beating: true)
    for _ in 0..<3 {
      try terminateConnections(to: url)
      try s.setTrialParam(trialID: t.id, name: "x", value: .float(0.5), distribution: try .float(0, 1))
      try s.recordHeartbeat(trialID: t.id)
    }
    try terminateConnections(to: url)
    XCTAssertEqual(try s.finishTrial(trialID: t.id, state: .complete, values: [2], failReason: nil).params, ["x": .float(0.5)])
    try terminateConnections(to: url)
    XCTAssertEqual(try s.startTrial(studyID: study.id, beating: true).number, 1)
  }

  /// A retry after a lost answer finds what the lost attempt did: the same trial started or
  /// created (no second one), a finish accepted, a deletion done.
  func testRetriesFindTheirLostAttempt() throws {
    let s = try freshStorage()
    let study = try s.engine.withLock { e in
      let first = try e.createStudy(name: "retries", directions: [.minimize], token: "study-1", retry: false)
      XCTAssertEqual(try e.createStudy(name: "retries", directions: [.minimize], token: "study-1", retry: true), first)
      XCTAssertThrowsError(try e.createStudy(name: "retries", directions: [.minimize], token: "study-2", retry: true))
      return first
    }
    // An enqueued trial claimed by another worker before the lost call's retry: the retry still
    // finds what it created, and makes no second one.
    let enqueued = try s.engine.withLock { e in
      try e.createTrial(studyID: study.id, waiting: true, systemAttrs: [:], token: "enqueue-1", retry: false)
    }
    let other = try PostgresStorage(url: s.url)
    XCTAssertEqual(try other.claimWaitingTrial(studyID: study.id)?.id, enqueued.id)
    try s.engine.withLock { e in
      XCTAssertEqual(try e.createTrial(studyID: study.id, waiting: true, systemAttrs: [:], token: "enqueue-1", retry: true).id, enqueued.id)
      // Failing stale trials: the retry returns what the lost attempt failed.
      try e.recordHeartbeat(trialID: enqueued.id)
    }
    Thread.sleep(forTimeInterval: 0.05)
    try s.engine.withLock { e in
      let failed = try e.failStaleTrials(studyID: study.id, olderThan: 0.01, token: "stale-1", retry: false)
      XCTAssertEqual(failed.map(\.id), [enqueued.id])
      XCTAssertEqual(try e.failStaleTrials(studyID: study.id, olderThan: 0.01, token: "stale-1", retry: true).map(\.id), [enqueued.id])
      XCTAssertEqual(try e.failStaleTrials(studyID: study.id, olderThan: 0.01, token: "stale-2", retry: true), [])
    }
    let started = try s.engine.withLock { e in
      let first = try e.startTrial(studyID: study.id, beating: true, token: "token-1", retry: false)
      let again = try e.startTrial(studyID: study.id, beating: true, token: "token-1", retry: true)
      XCTAssertEqual(first.id, again.id)
      return first
    }
    let created = try s.engine.withLock { e in
      let first = try e.createTrial(studyID: study.id, waiting: true, systemAttrs: ["k": .int(1)], token: "token-2", retry: false)
      let again = try e.createTrial(studyID: study.id, waiting: true, systemAttrs: ["k": .int(1)], token: "token-2", retry: true)
      XCTAssertEqual(first.id, again.id)
      XCTAssertEqual(again.systemAttrs, ["k": .int(1)])
      return first
    }
    XCTAssertEqual(try s.trialCount(studyID: study.id, states: nil), 3)
    try s.engine.withLock { e in
      let done = try e.finishTrial(trialID: started.id, state: .complete, values: [3], failReason: nil, retry: false)
      XCTAssertEqual(try e.finishTrial(trialID: started.id, state: .complete, values: [3], failReason: nil, retry: true), done)
      // Not a retry, or a different outcome: the trial had finished.
      XCTAssertThrowsError(try e.finishTrial(trialID: started.id, state: .complete, values: [3], failReason: nil, retry: false))
      XCTAssertThrowsError(try e.finishTrial(trialID: started.id, state: .fail, values: nil, failReason: "x", retry: true))
      let claimed = try XCTUnwrap(try e.claimWaitingTrial(studyID: study.id, token: "token-3", retry: false))
      XCTAssertEqual(claimed.id, created.id)
      XCTAssertEqual(try e.claimWaitingTrial(studyID: study.id, token: "token-3", retry: true)?.id, created.id)
      try e.deleteStudy(studyID: study.id, retry: false)
      XCTAssertNoThrow(try e.deleteStudy(studyID: study.id, retry: true))
    }
  }

  /// When the server stays out of reach, a call gives up after the retry timeout with a message
  /// that says so, and never shows the password.
  func testGivesUpAfterTheRetryTimeout() throws {
    let url = try freshURL()
    let name = String(url.split(separator: "/").last!)
    let s = try PostgresStorage(url: url, retryTimeout: 1.5)
    let study = try s.createStudy(name: "s", directions: [.minimize])
    try PostgresTestServer.admin("ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
    try terminateConnections(to: url)
    let start = monotonicSeconds()
    XCTAssertThrowsError(try s.startTrial(studyID: study.id, beating: true)) { error in
      let message = String(describing: error)
      XCTAssertTrue(message.contains("still failing after") && message.contains("over 1.5 s"), message)
      XCTAssertFalse(message.contains(password(of: url)), "the password leaked: \(message)")
    }
    let waited = monotonicSeconds() - start
    XCTAssertTrue(waited >= 1.5 && waited < 15, "gave up after \(waited) s")
    try PostgresTestServer.admin("ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
    // Back: the same storage carries on.
    XCTAssertEqual(try s.startTrial(studyID: study.id, beating: true).number, 0)
  }

  func testAnUnreachableServerFailsAtOnceWithoutThePassword() throws {
    // libpq quotes a password it cannot parse (a stray %): it is scrubbed from its message.
    XCTAssertThrowsError(try openStorage("postgresql://tuna:50%s3cret@127.0.0.1:1/db")) { error in
      XCTAssertFalse(String(describing: error).contains("s3cret"), "\(error)")
    }
    for url in ["postgresql://tuna:s3cret-pw@127.0.0.1:1/db", "postgres://tuna:s3cret-pw@127.0.0.1:1/db?connect_timeout=2"] {
      XCTAssertThrowsError(try openStorage(url)) { error in
        let message = String(describing: error)
        XCTAssertTrue(message.contains("connecting to postgresql://tuna:***@127.0.0.1:1/db"), message)
        XCTAssertFalse(message.contains("s3cret"), message)
      }
    }
    var wrong = try freshURL()
    wrong = wrong.replacingOccurrences(of: ":" + password(of: wrong) + "@", with: ":not-the-password@")
    XCTAssertThrowsError(try openStorage(wrong)) { error in
      let message = String(describing: error)
      XCTAssertTrue(message.contains("password authentication failed"), message)
      XCTAssertFalse(message.contains("not-the-password"), message)
    }
  }

  /// Commits are asynchronous unless the server's configuration or the URL asks otherwise.
  func testCommitsAreAsynchronousUnlessTheURLSaysOtherwise() throws {
    let url = try freshURL()
    func setting(_ s: PostgresStorage) throws -> String? {
      try s.engine.withLock { try $0.c.query("SHOW synchronous_commit").string(0, 0) }
    }
    XCTAssertEqual(try setting(PostgresStorage(url: url)), "off")
    XCTAssertEqual(try setting(PostgresStorage(url: url + "?options=-c%20synchronous_commit%3Don")), "on")
  }

  // MARK: URLs

  func testURLForms() throws {
    XCTAssertEqual(try StorageLocation("postgresql://u:p@h:5433/db?sslmode=require"), .postgres(PostgresURL("postgresql://u:p@h:5433/db?sslmode=require")!))
    for (url, redacted) in [
      ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
      ("postgres://u@h/db", "postgresql://u@h/db"),
      ("postgresql+psycopg2://u:pw@h/db", "postgresql://u:***@h/db"),
      ("postgresql://h/db?user=u&password=pw&sslmode=disable", "postgresql://h/db?user=u&password=***&sslmode=disable"),
      ("postgresql://", "postgresql://"),
      ("POSTGRESQL://u:x@h", "postgresql://u:***@h"),
      // libpq's reading: the user part ends at the last @ before the first /, ? and # included.
      ("postgresql://u:pa?ss@host/db", "postgresql://u:***@host/db"),
      ("postgresql://u:p@ss#x@host:5/db?password=two", "postgresql://u:***@host:5/db?password=***"),
    ] {
      guard case .postgres(let parsed) = try StorageLocation(url) else { return XCTFail(url) }
      XCTAssertEqual(parsed.redacted, redacted, url)
      XCTAssertEqual(redactedStorageURL(url), redacted)
    }
    XCTAssertThrowsError(try StorageLocation("postgresql:db"))
    // URLs that are not PostgreSQL's (or mistyped) hide their passwords too.
    XCTAssertEqual(redactedStorageURL("postgresql:/u:pw@h/db"), "postgresql:/u:***@h/db")
    XCTAssertEqual(redactedStorageURL("mysql+pymysql://root:s3cret@h/db"), "mysql+pymysql://root:***@h/db")
    XCTAssertEqual(redactedStorageURL("sqlite:x.db"), "sqlite:x.db")
    // What the URL leaves out comes from the PG* environment variables.
    let full = try freshURL()
    let parts = try XCTUnwrap(full.wholeMatch(of: /postgresql:\/\/([^:]+):([^@]+)@([^:]+):(\d+)\/(.+)/))
    let variables = ["PGUSER": parts.1, "PGPASSWORD": parts.2, "PGHOST": parts.3, "PGPORT": parts.4]
    for (k, v) in variables { setenv(k, String(v), 1) }
    defer { for k in variables.keys { unsetenv(k) } }
    let s = try openStorage("postgresql:///\(parts.5)")
    XCTAssertEqual(try s.createStudy(name: "from the environment", directions: [.minimize]).name, "from the environment")
  }

  // MARK: Schema

  func testSchemaIsCreatedOnceAndKeptInItsOwnNamespace() throws {
    let url = try freshURL()
    // Eight processes' worth of first opens at once: one migration, one version row.
    let errors = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
      do { _ = try PostgresStorage(url: url) } catch { errors.withLock { $0.append("\(error)") } }
    }
    XCTAssertEqual(errors.withLock { $0 }, [])
    let c = try PostgresConnection(url: PostgresURL(url)!)
    XCTAssertEqual(try c.query("SELECT count(*), max(version) FROM tuna.schema_version").int(0, 0), 1)
    XCTAssertEqual(try c.query("SELECT max(version) FROM tuna.schema_version").int(0, 0), PostgresStorage.schemaVersion)
    let tables = try c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'tuna' ORDER BY tablename")
    XCTAssertEqual((0..<tables.rows).compactMap { tables.string($0, 0) }, [
      "schema_version", "studies", "study_params", "study_user_attrs", "trial_intermediate_values", "trial_params",
      "trial_system_attrs", "trial_user_attrs", "trials",
    ])
    XCTAssertEqual(try c.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").int(0, 0), 0)
  }

  func testMigrationsAreOrdered() {
    let versions = PostgresSchema.migrations.map(\.version)
    XCTAssertEqual(versions, Array(1...versions.count))
  }

  func testANewerSchemaAndAForeignOneAreRefused() throws {
    let url = try freshURL()
    _ = try PostgresStorage(url: url).createStudy(name: "kept", directions: [.minimize])
    let c = try PostgresConnection(url: PostgresURL(url)!)
    try c.execute("UPDATE tuna.schema_version SET version = 99")
    XCTAssertThrowsError(try PostgresStorage(url: url)) { error in
      XCTAssertEqual(error as? TunaStoreError, .newerSchema(path: PostgresURL(url)!.redacted, version: 99, supported: PostgresStorage.schemaVersion))
    }
    let other = try freshURL()
    try PostgresConnection(url: PostgresURL(other)!).execute("CREATE SCHEMA tuna; CREATE TABLE tuna.notes (text text)")
    XCTAssertThrowsError(try PostgresStorage(url: other)) { error in
      XCTAssertTrue(String(describing: error).contains("not a Tuna storage"), "\(error)")
    }
  }

  // MARK: Helpers

  private func terminateConnections(to url: String) throws {
    let name = String(url.split(separator: "/").last!.split(separator: "?").first!)
    try PostgresTestServer.admin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()")
  }

  private func password(of url: String) -> String {
    guard let match = url.firstMatch(of: /:\/\/[^:]+:([^@]+)@/) else { return "\u{0}" }
    return String(match.1)
  }
}
