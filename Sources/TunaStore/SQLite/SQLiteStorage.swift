import CSQLite
import Foundation
import Synchronization
import TunaSearch

/// Studies kept in a SQLite file, which any number of threads and processes may share: workers
/// started on one file tune one study together, and a study outlives the process that ran it.
///
/// **Transactions.** Every change is one transaction begun with `BEGIN IMMEDIATE`, which takes
/// the file's write lock at once: a new trial's number is `MAX(number) + 1` of its study in
/// the same transaction (dense and unique across processes), claiming a waiting trial is one
/// select-and-update, and every write to a trial checks in its transaction that the trial has
/// not finished. Reads run in a plain transaction, a consistent snapshot. The file is in WAL
/// mode (readers and the writer do not block each other) with `synchronous = NORMAL`. A
/// connection that finds the lock taken waits with short random sleeps (a busy handler), and a
/// transaction that still fails with `SQLITE_BUSY` or `SQLITE_LOCKED` is rolled back and run
/// again, until `busyTimeout` has passed: busy writers queue rather than fail.
///
/// **Threads.** The storage holds one connection, opened with `SQLITE_OPEN_NOMUTEX`, and every
/// use of it (each transaction, from `BEGIN` to `COMMIT`, and the caches below) happens while
/// holding the storage's `Mutex`. The connection is never used by two threads at once, which is
/// all NOMUTEX asks; `SQLITE_OPEN_FULLMUTEX` would add a second lock on every SQLite call and
/// would still not keep another thread's statements out of a transaction. The class is
/// `Sendable` because its only mutable state lives inside that `Mutex`.
///
/// **Caching.** Finished trials never change, so each storage keeps the finished trials it has
/// read, per study, and `trials(studyID:states:)` reads from the file only the trials it has
/// not seen finished: those it last saw running or waiting, and the new ones. A suggestion in a
/// study of 1,000 finished trials reads one or two rows, not 1,000. Running and waiting trials
/// are always read afresh, since other processes may change them at any time; every read still
/// checks that the study (or trial) exists, since another process may have deleted it.
///
/// **Schema.** See `SQLiteSchema`: versioned with `PRAGMA user_version`, migrated on open; a file
/// written by a newer Tuna is refused (`TunaStoreError.newerSchema`).
public final class SQLiteStorage: Storage {
  /// The file, as given.
  public let path: String
  private let engine: Mutex<Engine>

  /// Opens the SQLite file at `path`, creating it (with the current schema) when missing or
  /// empty, and migrating one written by an older Tuna.
  /// - Parameter busyTimeout: how many seconds a call waits for other connections' locks
  ///   before failing with `SQLITE_BUSY`.
  public init(path: String, busyTimeout: Double = 30) throws {
    self.path = path
    let connection = try SQLiteConnection(path: path, busyTimeout: busyTimeout)
    try SQLiteSchema.prepare(connection)
    engine = Mutex(Engine(connection))
  }

  /// The schema version this build writes.
  public static var schemaVersion: Int { SQLiteSchema.version }

  public func close() { engine.withLock { $0.c.close() } }

  public func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
    try engine.withLock { try $0.createStudy(name: name, directions: directions) }
  }

  public func study(named name: String) throws -> StudyRecord? {
    try engine.withLock { try $0.study(named: name) }
  }

  public func allStudies() throws -> [StudyRecord] {
    try engine.withLock { try $0.allStudies() }
  }

  public func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws {
    try engine.withLock { try $0.setStudyUserAttr(studyID: studyID, key: key, value: value) }
  }

  public func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] {
    try engine.withLock { try $0.studyUserAttrs(studyID: studyID) }
  }

  public func deleteStudy(studyID: Int) throws {
    try engine.withLock { try $0.deleteStudy(studyID: studyID) }
  }

  public func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial {
    try engine.withLock { try $0.createTrial(studyID: studyID, waiting: waiting, systemAttrs: systemAttrs) }
  }

  public func claimWaitingTrial(studyID: Int) throws -> FrozenTrial? {
    try engine.withLock { try $0.claimWaitingTrial(studyID: studyID) }
  }

  public func addTrial(studyID: Int, _ trial: FrozenTrial) throws -> FrozenTrial {
    try engine.withLock { try $0.addTrial(studyID: studyID, trial) }
  }

  public func startTrial(studyID: Int, beating: Bool) throws -> FrozenTrial {
    try engine.withLock { try $0.startTrial(studyID: studyID, beating: beating) }
  }

  public func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws {
    try engine.withLock { try $0.setTrialParam(trialID: trialID, name: name, value: value, distribution: distribution) }
  }

  public func reportIntermediate(trialID: Int, step: Int, value: Double) throws {
    try engine.withLock { try $0.reportIntermediate(trialID: trialID, step: step, value: value) }
  }

  public func setTrialUserAttr(trialID: Int, key: String, value: AttrValue) throws {
    try engine.withLock { try $0.setTrialAttr(SQL.userAttrs, trialID: trialID, key: key, value: value) }
  }

  public func setTrialSystemAttr(trialID: Int, key: String, value: AttrValue) throws {
    try engine.withLock { try $0.setTrialAttr(SQL.systemAttrs, trialID: trialID, key: key, value: value) }
  }

  public func recordHeartbeat(trialID: Int) throws {
    try engine.withLock { try $0.recordHeartbeat(trialID: trialID) }
  }

  public func finishTrial(trialID: Int, state: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    precondition(state.isFinished, "finishTrial needs a finished state")
    return try engine.withLock { try $0.finishTrial(trialID: trialID, state: state, values: values, failReason: failReason) }
  }

  public func failStaleTrials(studyID: Int, olderThan seconds: Double) throws -> [FrozenTrial] {
    try engine.withLock { try $0.failStaleTrials(studyID: studyID, olderThan: seconds) }
  }

  public func trial(id: Int) throws -> FrozenTrial {
    try engine.withLock { try $0.trial(id: id) }
  }

  public func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial] {
    try engine.withLock { try $0.trials(studyID: studyID, states: states) }
  }

  public func trialCount(studyID: Int, states: Set<TrialState>?) throws -> Int {
    try engine.withLock { try $0.trialCount(studyID: studyID, states: states) }
  }

  public func bestTrial(studyID: Int) throws -> FrozenTrial? {
    try engine.withLock { try $0.bestTrial(studyID: studyID) }
  }
}

/// The statements run on every call, kept here so that a test can check each one's query plan.
enum SQL {
  struct AttrTable {
    let select: String
    let upsert: String
  }

  static let userAttrs = AttrTable(
    select: "SELECT key, value_json FROM trial_user_attrs WHERE trial_id = ?",
    upsert: """
      INSERT INTO trial_user_attrs (trial_id, key, value_json) VALUES (?, ?, ?)
      ON CONFLICT (trial_id, key) DO UPDATE SET value_json = excluded.value_json
      """)
  static let systemAttrs = AttrTable(
    select: "SELECT key, value_json FROM trial_system_attrs WHERE trial_id = ?",
    upsert: """
      INSERT INTO trial_system_attrs (trial_id, key, value_json) VALUES (?, ?, ?)
      ON CONFLICT (trial_id, key) DO UPDATE SET value_json = excluded.value_json
      """)

  static let trialColumns = "id, number, state, values_json, datetime_start, datetime_complete, fail_reason, study_id"
  static let trialByID = "SELECT \(trialColumns) FROM trials WHERE id = ?"
  static let trialByNumber = "SELECT \(trialColumns) FROM trials WHERE study_id = ? AND number = ?"
  static let trialsFrom = "SELECT \(trialColumns) FROM trials WHERE study_id = ? AND number >= ? ORDER BY number"
  static let params = "SELECT name, value_json, distribution_json FROM trial_params WHERE trial_id = ?"
  static let intermediateValues = "SELECT step, value FROM trial_intermediate_values WHERE trial_id = ?"
  static let studyExists = "SELECT 1 FROM studies WHERE id = ?"
  static let studyByID = "SELECT name, directions FROM studies WHERE id = ?"
  static let studyNamed = "SELECT 1 FROM studies WHERE name = ?"
  static let trialState = "SELECT study_id, number, state FROM trials WHERE id = ?"
  static let trialExists = "SELECT 1 FROM trials WHERE id = ?"
  static let nextNumber = "SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = ?"
  static let oldestWaiting = "SELECT id FROM trials WHERE study_id = ? AND state = 'waiting' ORDER BY number LIMIT 1"
  static let paramKind = "SELECT distribution_json FROM study_params WHERE study_id = ? AND name = ?"
  static let countInState = "SELECT COUNT(*) FROM trials WHERE study_id = ? AND state = ?"
  static let minValue = "SELECT MIN(value) FROM trials WHERE study_id = ?"
  static let maxValue = "SELECT MAX(value) FROM trials WHERE study_id = ?"
  static let firstWithValue = "SELECT id, number FROM trials WHERE study_id = ? AND value = ? ORDER BY number LIMIT 1"
  static let staleTrials = """
    SELECT id FROM trials WHERE study_id = ? AND state = 'running'
    AND heartbeat IS NOT NULL AND heartbeat < ? ORDER BY number
    """

  /// The queries above, each of which must find its rows through an index.
  static let queries: [String] = [
    userAttrs.select, systemAttrs.select, trialByID, trialByNumber, trialsFrom, params, intermediateValues,
    studyExists, studyByID, studyNamed, trialState, trialExists, nextNumber, oldestWaiting, paramKind,
    countInState, minValue, maxValue, firstWithValue, staleTrials,
  ]
}

/// The storage's connection and caches; used only under `SQLiteStorage`'s lock.
private final class Engine {
  let c: SQLiteConnection

  var cache = FinishedTrialCache()
  /// Study id → the distribution each parameter was first asked with (never changes).
  var paramKinds: [Int: [String: Distribution]] = [:]

  init(_ c: SQLiteConnection) { self.c = c }

  // MARK: Reading trials

  /// The trial in the current row of a statement selecting `trialColumns`, with its params and
  /// attributes, and its study's id.
  private func trial(at s: Statement) throws -> (trial: FrozenTrial, study: Int) {
    guard let state = s.string(2).flatMap(TrialState.init(rawValue:)) else {
      throw TunaStoreError.corrupt("trial \(s.int(0)) has state \(s.string(2) ?? "NULL")")
    }
    var t = FrozenTrial(
      id: s.int(0), number: s.int(1), state: state,
      values: try s.json(3).map { try JSON.doubles($0) },
      datetimeStart: s.optionalDouble(4).map(Date.init(timeIntervalSinceReferenceDate:)),
      datetimeComplete: s.optionalDouble(5).map(Date.init(timeIntervalSinceReferenceDate:)),
      failReason: s.string(6))
    let study = s.int(7)
    try c.with(SQL.params) { p in
      p.bind(1, t.id)
      while try p.step() {
        guard let name = p.string(0), let value = try p.json(1), let distribution = try p.json(2) else {
          throw TunaStoreError.corrupt("a NULL in trial_params of trial \(t.id)")
        }
        t.params[name] = try JSON.param(value)
        t.distributions[name] = try JSON.distribution(distribution)
      }
    }
    try c.with(SQL.intermediateValues) { p in
      p.bind(1, t.id)
      while try p.step() { t.intermediateValues[p.int(0)] = p.optionalDouble(1) ?? .nan }
    }
    t.userAttrs = try attrs(SQL.userAttrs, trialID: t.id)
    t.systemAttrs = try attrs(SQL.systemAttrs, trialID: t.id)
    return (t, study)
  }

  private func attrs(_ table: SQL.AttrTable, trialID: Int) throws -> [String: AttrValue] {
    try c.with(table.select) { s in
      s.bind(1, trialID)
      var attrs: [String: AttrValue] = [:]
      while try s.step() {
        guard let key = s.string(0), let value = try s.json(1) else {
          throw TunaStoreError.corrupt("a NULL attribute of trial \(trialID)")
        }
        attrs[key] = value
      }
      return attrs
    }
  }

  private func loadTrial(id: Int) throws -> (trial: FrozenTrial, study: Int)? {
    try c.with(SQL.trialByID) { s in
      s.bind(1, id)
      return try s.step() ? try trial(at: s) : nil
    }
  }

  private func loadTrial(studyID: Int, number: Int) throws -> FrozenTrial? {
    try c.with(SQL.trialByNumber) { s in
      s.bind(1, studyID)
      s.bind(2, number)
      return try s.step() ? try trial(at: s).trial : nil
    }
  }

  /// Keeps a finished trial in the cache (after the transaction that read it committed).
  private func learn(_ t: FrozenTrial, studyID: Int) { cache.learn(t, studyID: studyID) }

  /// Drops what this storage knows of a study that no longer exists.
  private func forget(studyID: Int) {
    cache.forget(studyID: studyID)
    paramKinds[studyID] = nil
  }

  // MARK: Checks

  private func requireStudyExists(_ id: Int) throws {
    let exists = try c.with(SQL.studyExists) { s in
      s.bind(1, id)
      return try s.step()
    }
    if !exists {
      forget(studyID: id)
      throw StorageError.noSuchStudy("#\(id)")
    }
  }

  private func requireStudy(_ id: Int) throws -> StudyRecord {
    let record = try c.with(SQL.studyByID) { s -> StudyRecord? in
      s.bind(1, id)
      guard try s.step() else { return nil }
      return StudyRecord(id: id, name: s.string(0) ?? "", directions: try JSON.directions(s.string(1) ?? ""))
    }
    guard let record else {
      forget(studyID: id)
      throw StorageError.noSuchStudy("#\(id)")
    }
    return record
  }

  /// The study and number of a trial that may still be written to.
  private func writable(_ trialID: Int) throws -> (study: Int, number: Int) {
    try c.with(SQL.trialState) { s in
      s.bind(1, trialID)
      guard try s.step() else { throw StorageError.noSuchTrial(trialID) }
      guard let state = s.string(2).flatMap(TrialState.init(rawValue:)) else {
        throw TunaStoreError.corrupt("trial \(trialID) has state \(s.string(2) ?? "NULL")")
      }
      if state.isFinished { throw StorageError.trialFinished(number: s.int(1)) }
      return (s.int(0), s.int(1))
    }
  }

  // MARK: Studies

  func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
    let id = try c.transaction(write: true) { () throws -> Int in
      let taken = try c.with(SQL.studyNamed) { s in
        s.bind(1, name)
        return try s.step()
      }
      if taken { throw StorageError.studyExists(name) }
      try c.run("INSERT INTO studies (name, directions) VALUES (?, ?)") { s in
        s.bind(1, name)
        s.bind(2, JSON.encode(directions))
      }
      return Int(sqlite3_last_insert_rowid(c.db))
    }
    return StudyRecord(id: id, name: name, directions: directions)
  }

  func study(named name: String) throws -> StudyRecord? {
    try c.transaction(write: false) {
      try c.with("SELECT id, directions FROM studies WHERE name = ?") { s in
        s.bind(1, name)
        guard try s.step() else { return nil }
        return StudyRecord(id: s.int(0), name: name, directions: try JSON.directions(s.string(1) ?? ""))
      }
    }
  }

  func allStudies() throws -> [StudyRecord] {
    try c.transaction(write: false) {
      try c.with("SELECT id, name, directions FROM studies ORDER BY id") { s in
        var records: [StudyRecord] = []
        while try s.step() {
          records.append(StudyRecord(id: s.int(0), name: s.string(1) ?? "", directions: try JSON.directions(s.string(2) ?? "")))
        }
        return records
      }
    }
  }

  func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws {
    try c.transaction(write: true) {
      try requireStudyExists(studyID)
      try c.run(
        """
        INSERT INTO study_user_attrs (study_id, key, value_json) VALUES (?, ?, ?)
        ON CONFLICT (study_id, key) DO UPDATE SET value_json = excluded.value_json
        """
      ) { s in
        s.bind(1, studyID)
        s.bind(2, key)
        s.bind(3, JSON.encode(value))
      }
    }
  }

  func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] {
    try c.transaction(write: false) {
      try requireStudyExists(studyID)
      return try c.with("SELECT key, value_json FROM study_user_attrs WHERE study_id = ?") { s in
        s.bind(1, studyID)
        var attrs: [String: AttrValue] = [:]
        while try s.step() {
          guard let key = s.string(0), let value = try s.json(1) else {
            throw TunaStoreError.corrupt("a NULL user attribute of study \(studyID)")
          }
          attrs[key] = value
        }
        return attrs
      }
    }
  }

  func deleteStudy(studyID: Int) throws {
    try c.transaction(write: true) {
      try requireStudyExists(studyID)
      // Foreign keys cascade to the study's trials and everything of theirs.
      try c.run("DELETE FROM studies WHERE id = ?") { $0.bind(1, studyID) }
    }
    forget(studyID: studyID)
  }

  // MARK: Writing trials

  func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial {
    let now = Date()
    let state: TrialState = waiting ? .waiting : .running
    let (id, number) = try c.transaction(write: true) { () throws -> (Int, Int) in
      try requireStudyExists(studyID)
      let number = try c.with(SQL.nextNumber) { s in
        s.bind(1, studyID)
        _ = try s.step()
        return s.int(0)
      }
      try c.run("INSERT INTO trials (study_id, number, state, datetime_start) VALUES (?, ?, ?, ?)") { s in
        s.bind(1, studyID)
        s.bind(2, number)
        s.bind(3, state.rawValue)
        s.bind(4, waiting ? nil : now.timeIntervalSinceReferenceDate)
      }
      let id = Int(sqlite3_last_insert_rowid(c.db))
      for (key, value) in systemAttrs { try upsertAttr(SQL.systemAttrs, trialID: id, key: key, value: value) }
      return (id, number)
    }
    return FrozenTrial(id: id, number: number, state: state, systemAttrs: systemAttrs, datetimeStart: waiting ? nil : now)
  }

  /// Claim-or-create and the first heartbeat in one transaction: a process killed at any point
  /// leaves either no new trial or one that has beaten.
  func startTrial(studyID: Int, beating: Bool) throws -> FrozenTrial {
    let now = Date()
    let beat = beating ? now.timeIntervalSinceReferenceDate : nil
    let id = try c.transaction(write: true) { () throws -> Int in
      try requireStudyExists(studyID)
      let oldest = try c.with(SQL.oldestWaiting) { s -> Int? in
        s.bind(1, studyID)
        return try s.step() ? s.int(0) : nil
      }
      if let id = oldest {
        try c.run("UPDATE trials SET state = 'running', datetime_start = ?, heartbeat = ? WHERE id = ?") { s in
          s.bind(1, now.timeIntervalSinceReferenceDate)
          s.bind(2, beat)
          s.bind(3, id)
        }
        return id
      }
      let number = try c.with(SQL.nextNumber) { s in
        s.bind(1, studyID)
        _ = try s.step()
        return s.int(0)
      }
      try c.run("INSERT INTO trials (study_id, number, state, datetime_start, heartbeat) VALUES (?, ?, 'running', ?, ?)") { s in
        s.bind(1, studyID)
        s.bind(2, number)
        s.bind(3, now.timeIntervalSinceReferenceDate)
        s.bind(4, beat)
      }
      return Int(sqlite3_last_insert_rowid(c.db))
    }
    return try trial(id: id)
  }

  func addTrial(studyID: Int, _ t: FrozenTrial) throws -> FrozenTrial {
    let (id, learned) = try c.transaction(write: true) { () throws -> (Int, [String: Distribution]) in
      let directions = try requireStudy(studyID).directions
      var learned: [String: Distribution] = [:]
      for (name, distribution) in t.distributions.sorted(by: { $0.key < $1.key }) {
        let found = try kind(study: studyID, name: name, distribution: distribution)
        if found.learned { learned[name] = found.kind }
      }
      let number = try c.with(SQL.nextNumber) { s in
        s.bind(1, studyID)
        _ = try s.step()
        return s.int(0)
      }
      var best: Double?
      if t.state == .complete, directions.count == 1, let values = t.values, values.count == 1, !values[0].isNaN { best = values[0] }
      try c.run(
        """
        INSERT INTO trials (study_id, number, state, values_json, value, datetime_start, datetime_complete, fail_reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
      ) { s in
        s.bind(1, studyID)
        s.bind(2, number)
        s.bind(3, t.state.rawValue)
        s.bind(4, t.values.map { JSON.encode($0) })
        s.bind(5, best)
        s.bind(6, t.datetimeStart?.timeIntervalSinceReferenceDate)
        s.bind(7, t.datetimeComplete?.timeIntervalSinceReferenceDate)
        s.bind(8, t.failReason)
      }
      let id = Int(sqlite3_last_insert_rowid(c.db))
      for (name, value) in t.params {
        guard let distribution = t.distributions[name] else { continue }
        try c.run("INSERT INTO trial_params (trial_id, name, value_json, distribution_json) VALUES (?, ?, ?, ?)") { s in
          s.bind(1, id)
          s.bind(2, name)
          s.bind(3, JSON.encode(value))
          s.bind(4, JSON.encode(distribution))
        }
      }
      for (step, value) in t.intermediateValues {
        try c.run("INSERT INTO trial_intermediate_values (trial_id, step, value) VALUES (?, ?, ?)") { s in
          s.bind(1, id)
          s.bind(2, step)
          s.bind(3, value)
        }
      }
      for (key, value) in t.userAttrs { try upsertAttr(SQL.userAttrs, trialID: id, key: key, value: value) }
      for (key, value) in t.systemAttrs { try upsertAttr(SQL.systemAttrs, trialID: id, key: key, value: value) }
      return (id, learned)
    }
    for (name, kind) in learned { paramKinds[studyID, default: [:]][name] = kind }
    return try trial(id: id)
  }

  func claimWaitingTrial(studyID: Int) throws -> FrozenTrial? {
    let now = Date()
    return try c.transaction(write: true) { () throws -> FrozenTrial? in
      try requireStudyExists(studyID)
      let oldest = try c.with(SQL.oldestWaiting) {
        s -> Int? in
        s.bind(1, studyID)
        return try s.step() ? s.int(0) : nil
      }
      guard let id = oldest else { return nil }
      try c.run("UPDATE trials SET state = 'running', datetime_start = ?, heartbeat = NULL WHERE id = ?") { s in
        s.bind(1, now.timeIntervalSinceReferenceDate)
        s.bind(2, id)
      }
      return try loadTrial(id: id)?.trial
    }
  }

  /// The distribution parameter `name` has in the study, registering `distribution` when it is
  /// the first; throws when `distribution` is of another kind. Inside a write transaction; the
  /// caller keeps what it learned in `paramKinds` once the transaction committed.
  private func kind(
    study: Int, name: String, distribution: Distribution
  ) throws -> (kind: Distribution, learned: Bool) {
    var result: (kind: Distribution, learned: Bool)
    if let known = paramKinds[study]?[name] {
      result = (known, false)
    } else {
      try c.run("INSERT OR IGNORE INTO study_params (study_id, name, distribution_json) VALUES (?, ?, ?)") { s in
        s.bind(1, study)
        s.bind(2, name)
        s.bind(3, JSON.encode(distribution))
      }
      let existing = try c.with(SQL.paramKind) { s in
        s.bind(1, study)
        s.bind(2, name)
        guard try s.step(), let json = try s.json(0) else { throw TunaStoreError.corrupt("study_params lost '\(name)'") }
        return try JSON.distribution(json)
      }
      result = (existing, true)
    }
    guard result.kind.isCompatible(with: distribution) else {
      throw StorageError.incompatibleDistribution(name: name, existing: result.kind.description, asked: distribution.description)
    }
    return result
  }

  func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws {
    let learned = try c.transaction(write: true) { () throws -> (study: Int, kind: Distribution)? in
      let at = try writable(trialID)
      let found = try kind(study: at.study, name: name, distribution: distribution)
      let learned: (study: Int, kind: Distribution)? = found.learned ? (at.study, found.kind) : nil
      try c.run(
        """
        INSERT INTO trial_params (trial_id, name, value_json, distribution_json) VALUES (?, ?, ?, ?)
        ON CONFLICT (trial_id, name) DO UPDATE
        SET value_json = excluded.value_json, distribution_json = excluded.distribution_json
        """
      ) { s in
        s.bind(1, trialID)
        s.bind(2, name)
        s.bind(3, JSON.encode(value))
        s.bind(4, JSON.encode(distribution))
      }
      return learned
    }
    if let learned { paramKinds[learned.study, default: [:]][name] = learned.kind }
  }

  func reportIntermediate(trialID: Int, step: Int, value: Double) throws {
    try c.transaction(write: true) {
      _ = try writable(trialID)
      // The first report of a step wins; NaN binds (and reads back) as NULL.
      try c.run("INSERT OR IGNORE INTO trial_intermediate_values (trial_id, step, value) VALUES (?, ?, ?)") { s in
        s.bind(1, trialID)
        s.bind(2, step)
        s.bind(3, value)
      }
    }
  }

  private func upsertAttr(_ table: SQL.AttrTable, trialID: Int, key: String, value: AttrValue) throws {
    try c.run(table.upsert) { s in
      s.bind(1, trialID)
      s.bind(2, key)
      s.bind(3, JSON.encode(value))
    }
  }

  func setTrialAttr(_ table: SQL.AttrTable, trialID: Int, key: String, value: AttrValue) throws {
    try c.transaction(write: true) {
      _ = try writable(trialID)
      try upsertAttr(table, trialID: trialID, key: key, value: value)
    }
  }

  func recordHeartbeat(trialID: Int) throws {
    let now = Date()
    try c.transaction(write: true) {
      _ = try writable(trialID)
      try c.run("UPDATE trials SET heartbeat = ? WHERE id = ?") { s in
        s.bind(1, now.timeIntervalSinceReferenceDate)
        s.bind(2, trialID)
      }
    }
  }

  func finishTrial(trialID: Int, state: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    let now = Date()
    let (trial, study) = try c.transaction(write: true) { () throws -> (FrozenTrial, Int) in
      let at = try writable(trialID)
      let directions = try requireStudy(at.study).directions
      // The column the best trial is found by (see the schema).
      var best: Double?
      if state == .complete, directions.count == 1, let values, values.count == 1, !values[0].isNaN { best = values[0] }
      try c.run(
        "UPDATE trials SET state = ?, values_json = ?, value = ?, fail_reason = ?, datetime_complete = ? WHERE id = ?"
      ) { s in
        s.bind(1, state.rawValue)
        s.bind(2, values.map { JSON.encode($0) })
        s.bind(3, best)
        s.bind(4, failReason)
        s.bind(5, now.timeIntervalSinceReferenceDate)
        s.bind(6, trialID)
      }
      guard let finished = try loadTrial(id: trialID) else { throw StorageError.noSuchTrial(trialID) }
      return finished
    }
    learn(trial, studyID: study)
    return trial
  }

  func failStaleTrials(studyID: Int, olderThan seconds: Double) throws -> [FrozenTrial] {
    let now = Date()
    let failed = try c.transaction(write: true) { () throws -> [FrozenTrial] in
      try requireStudyExists(studyID)
      let stale = try c.with(SQL.staleTrials) { s in
        s.bind(1, studyID)
        s.bind(2, now.timeIntervalSinceReferenceDate - seconds)
        var ids: [Int] = []
        while try s.step() { ids.append(s.int(0)) }
        return ids
      }
      var failed: [FrozenTrial] = []
      for id in stale {
        try c.run("UPDATE trials SET state = 'fail', fail_reason = ?, datetime_complete = ? WHERE id = ?") { s in
          s.bind(1, staleTrialFailReason)
          s.bind(2, now.timeIntervalSinceReferenceDate)
          s.bind(3, id)
        }
        if let t = try loadTrial(id: id) { failed.append(t.trial) }
      }
      return failed
    }
    for t in failed { learn(t, studyID: studyID) }
    return failed
  }

  // MARK: Reading

  func trial(id: Int) throws -> FrozenTrial {
    if let found = cache.finished(id: id) {
      let (t, study) = found
      // Unless another process deleted its study since.
      let exists = try c.transaction(write: false) {
        try c.with(SQL.trialExists) { s in
          s.bind(1, id)
          return try s.step()
        }
      }
      guard exists else {
        forget(studyID: study)
        throw StorageError.noSuchTrial(id)
      }
      return t
    }
    let (trial, study) = try c.transaction(write: false) { () throws -> (FrozenTrial, Int) in
      guard let found = try loadTrial(id: id) else { throw StorageError.noSuchTrial(id) }
      return found
    }
    learn(trial, studyID: study)
    return trial
  }

  func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial] {
    let unread = cache.unread(studyID: studyID)
    // Read the trials not known finished: those last seen unfinished, and the new ones.
    let loaded = try c.transaction(write: false) { () throws -> [FrozenTrial] in
      try requireStudyExists(studyID)
      var loaded: [FrozenTrial] = []
      for n in unread.pending {
        if let t = try loadTrial(studyID: studyID, number: n) { loaded.append(t) }
      }
      try c.with(SQL.trialsFrom) { s in
        s.bind(1, studyID)
        s.bind(2, unread.next)
        while try s.step() { loaded.append(try trial(at: s).trial) }
      }
      return loaded
    }
    return cache.merge(studyID: studyID, loaded: loaded, states: states)
  }

  func trialCount(studyID: Int, states: Set<TrialState>?) throws -> Int {
    try c.transaction(write: false) {
      try requireStudyExists(studyID)
      guard let states else {
        // Numbers are dense: the count is the next number.
        return try c.with(SQL.nextNumber) { s in
          s.bind(1, studyID)
          _ = try s.step()
          return s.int(0)
        }
      }
      var count = 0
      for state in states {
        count += try c.with(SQL.countInState) { s in
          s.bind(1, studyID)
          s.bind(2, state.rawValue)
          _ = try s.step()
          return s.int(0)
        }
      }
      return count
    }
  }

  func bestTrial(studyID: Int) throws -> FrozenTrial? {
    let found = try c.transaction(write: false) { () throws -> FrozenTrial? in
      let study = try requireStudy(studyID)
      guard study.directions.count == 1 else { return nil }
      let extreme =
        study.directions[0] == .minimize
        ? SQL.minValue
        : SQL.maxValue
      let value = try c.with(extreme) { s in
        s.bind(1, studyID)
        _ = try s.step()
        return s.optionalDouble(0)
      }
      guard let value else { return nil }
      // The earliest trial with the best value.
      let first = try c.with(
        SQL.firstWithValue
      ) { s -> (id: Int, number: Int)? in
        s.bind(1, studyID)
        s.bind(2, value)
        return try s.step() ? (s.int(0), s.int(1)) : nil
      }
      guard let first else { return nil }
      if let t = cache.cached(studyID: studyID, number: first.number) { return t }
      return try loadTrial(id: first.id)?.trial
    }
    if let found { learn(found, studyID: studyID) }
    return found
  }
}
