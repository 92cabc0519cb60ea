import Foundation
import Synchronization
import TunaSearch

/// Studies kept in a PostgreSQL database, shared by any number of threads, processes and
/// machines: workers on several hosts tune one study together.
///
/// **Statements.** Every call is one SQL statement (a few when a call must diagnose a refusal),
/// and every state change is one statement, hence one transaction: the server applies it whole
/// or not at all (`addTrial`, which copies a whole trial, is one explicit transaction). A new trial's number comes from its study's row (`next_number`), updated in
/// the statement that inserts the trial, so numbers are dense and unique however many hosts
/// create trials at once. A waiting trial is claimed with `FOR UPDATE SKIP LOCKED`: exactly one
/// claimer gets it, and the others move on to the next. Every write to a trial locks the trial's
/// row and checks in the same statement that it has not finished.
///
/// **Clocks.** Start and completion times and heartbeats are the server's `now()`, and
/// staleness is judged on the server against its own clock: workers whose clocks disagree
/// cannot fail a live trial, nor keep a dead one.
///
/// **Failures.** A lost connection, a serialization failure or a deadlock is retried with
/// exponential backoff (reconnecting as needed) until `retryTimeout` has passed; then the call
/// throws a `PostgresError` saying so. A write whose outcome a dropped connection hid is safe to
/// retry: creating a study, creating, copying or starting a trial and failing stale trials carry
/// a token the retry looks up first (so it returns what the lost attempt did), finishing a trial
/// accepts finding it finished in the state it was asked for, and the other writes are
/// idempotent.
///
/// **Threads.** One connection per storage, used under the storage's `Mutex`; the class is
/// `Sendable` because all its mutable state lives inside that lock. As with SQLite, finished
/// trials are cached (`FinishedTrialCache`), so a suggestion reads only the trials that changed.
///
/// The URL's password is never shown: messages carry `PostgresURL.redacted`.
public final class PostgresStorage: Storage {
  public let url: PostgresURL
  /// How long a call keeps retrying a lost connection (or a serialization failure).
  public let retryTimeout: Double
  /// The connection and caches (internal for tests, which drive retries by hand).
  let engine: Mutex<PostgresEngine>

  /// Connects to the database `url` names, creating Tuna's tables (schema `tuna`) when missing
  /// and migrating those of an older Tuna. Fails at once when the server cannot be reached.
  public init(url: PostgresURL, retryTimeout: Double = 60) throws {
    self.url = url
    self.retryTimeout = retryTimeout
    let connection = try PostgresConnection(url: url)
    try PostgresSchema.prepare(connection)
    engine = Mutex(PostgresEngine(connection, retryTimeout: retryTimeout))
  }

  /// `init(url:)` for a URL string; `TunaStoreError.unrecognizedURL` when it is not PostgreSQL's.
  public convenience init(url: String, retryTimeout: Double = 60) throws {
    guard let parsed = PostgresURL(url) else { throw TunaStoreError.unrecognizedURL(url) }
    try self.init(url: parsed, retryTimeout: retryTimeout)
  }

  /// The schema version this build writes.
  public static var schemaVersion: Int { PostgresSchema.version }

  public func close() { engine.withLock { $0.c.close() } }

  /// The server's version, as it reports it ("15.18 (Debian 15.18-0+deb12u1)").
  public func serverVersion() throws -> String {
    try engine.withLock { try $0.retrying { e, _ in try e.c.query("SHOW server_version").string(0, 0) ?? "?" } }
  }

  public func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
    let token = UUID().uuidString
    return try engine.withLock {
      try $0.retrying { e, retry in try e.createStudy(name: name, directions: directions, token: token, retry: retry) }
    }
  }

  public func study(named name: String) throws -> StudyRecord? {
    try engine.withLock { try $0.retrying { e, _ in try e.study(named: name) } }
  }

  public func allStudies() throws -> [StudyRecord] {
    try engine.withLock { try $0.retrying { e, _ in try e.allStudies() } }
  }

  public func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws {
    try engine.withLock { try $0.retrying { e, _ in try e.setStudyUserAttr(studyID: studyID, key: key, value: value) } }
  }

  public func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] {
    try engine.withLock { try $0.retrying { e, _ in try e.studyUserAttrs(studyID: studyID) } }
  }

  public func deleteStudy(studyID: Int) throws {
    try engine.withLock { try $0.retrying { e, retry in try e.deleteStudy(studyID: studyID, retry: retry) } }
  }

  public func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial {
    let token = UUID().uuidString
    return try engine.withLock {
      try $0.retrying { e, retry in
        try e.createTrial(studyID: studyID, waiting: waiting, systemAttrs: systemAttrs, token: token, retry: retry)
      }
    }
  }

  public func claimWaitingTrial(studyID: Int) throws -> FrozenTrial? {
    let token = UUID().uuidString
    return try engine.withLock { try $0.retrying { e, retry in try e.claimWaitingTrial(studyID: studyID, token: token, retry: retry) } }
  }

  public func addTrial(studyID: Int, _ trial: FrozenTrial) throws -> FrozenTrial {
    let token = UUID().uuidString
    return try engine.withLock { try $0.retrying { e, retry in try e.addTrial(studyID: studyID, trial, token: token, retry: retry) } }
  }

  public func startTrial(studyID: Int, beating: Bool) throws -> FrozenTrial {
    let token = UUID().uuidString
    return try engine.withLock {
      try $0.retrying { e, retry in try e.startTrial(studyID: studyID, beating: beating, token: token, retry: retry) }
    }
  }

  public func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws {
    try engine.withLock {
      try $0.retrying { e, _ in try e.setTrialParam(trialID: trialID, name: name, value: value, distribution: distribution) }
    }
  }

  public func reportIntermediate(trialID: Int, step: Int, value: Double) throws {
    try engine.withLock { try $0.retrying { e, _ in try e.reportIntermediate(trialID: trialID, step: step, value: value) } }
  }

  public func setTrialUserAttr(trialID: Int, key: String, value: AttrValue) throws {
    try engine.withLock { try $0.retrying { e, _ in try e.setTrialAttr(PostgresSQL.userAttrs, trialID: trialID, key: key, value: value) } }
  }

  public func setTrialSystemAttr(trialID: Int, key: String, value: AttrValue) throws {
    try engine.withLock { try $0.retrying { e, _ in try e.setTrialAttr(PostgresSQL.systemAttrs, trialID: trialID, key: key, value: value) } }
  }

  public func recordHeartbeat(trialID: Int) throws {
    try engine.withLock { try $0.retrying { e, _ in try e.recordHeartbeat(trialID: trialID) } }
  }

  public func finishTrial(trialID: Int, state: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    precondition(state.isFinished, "finishTrial needs a finished state")
    return try engine.withLock {
      try $0.retrying { e, retry in
        try e.finishTrial(trialID: trialID, state: state, values: values, failReason: failReason, retry: retry)
      }
    }
  }

  public func failStaleTrials(studyID: Int, olderThan seconds: Double) throws -> [FrozenTrial] {
    let token = UUID().uuidString
    return try engine.withLock {
      try $0.retrying { e, retry in try e.failStaleTrials(studyID: studyID, olderThan: seconds, token: token, retry: retry) }
    }
  }

  public func trial(id: Int) throws -> FrozenTrial {
    try engine.withLock { try $0.retrying { e, _ in try e.trial(id: id) } }
  }

  public func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial] {
    try engine.withLock { try $0.retrying { e, _ in try e.trials(studyID: studyID, states: states) } }
  }

  public func trialCount(studyID: Int, states: Set<TrialState>?) throws -> Int {
    try engine.withLock { try $0.retrying { e, _ in try e.trialCount(studyID: studyID, states: states) } }
  }

  public func bestTrial(studyID: Int) throws -> FrozenTrial? {
    try engine.withLock { try $0.retrying { e, _ in try e.bestTrial(studyID: studyID) } }
  }
}
