import Foundation
import TunaSearch

/// `PostgresStorage`'s connection and caches; used only under the storage's lock.
final class PostgresEngine {
  let c: PostgresConnection
  let retryTimeout: Double
  var cache = FinishedTrialCache()
  /// Study id → the distribution each parameter was first asked with (never changes).
  var paramKinds: [Int: [String: Distribution]] = [:]
  /// Study id → its directions (never change; ids are never reused).
  var directions: [Int: [StudyDirection]] = [:]
  /// Unfinished trial id → its study, for the trials this storage started or read.
  var studyOfTrial: [Int: Int] = [:]

  init(_ c: PostgresConnection, retryTimeout: Double) {
    self.c = c
    self.retryTimeout = retryTimeout
  }

  /// Runs `body` (a call of the storage), again after failures that may pass (see
  /// `PostgresError.isTransient`), reconnecting when the connection is gone, with exponential
  /// backoff, until `retryTimeout` has passed. `body` learns whether it is a retry, since the
  /// previous attempt may have been applied when only its answer was lost.
  func retrying<R>(_ body: (PostgresEngine, _ retry: Bool) throws -> R) throws -> R {
    let deadline = monotonicSeconds() + retryTimeout
    var attempt = 0
    while true {
      do {
        if !c.isOpen { try c.connect() }
        return try body(self, attempt > 0)
      } catch let e as PostgresError where e.isTransient {
        guard monotonicSeconds() < deadline else {
          throw PostgresError(
            sqlState: e.sqlState,
            message: "\(e.message) (still failing after \(attempt + 1) attempts over \(formatSeconds(retryTimeout)) s)",
            context: e.context, connectionLost: e.connectionLost)
        }
        attempt += 1
        randomSleep(upTo: min(0.05 * Double(1 << min(attempt, 6)), 2))
      }
    }
  }

  // MARK: Reading trials

  /// The trial in row `row` of a result whose first columns are `PostgresSQL.trialColumns`,
  /// and its study's id.
  private func trial(_ r: PostgresResult, _ row: Int) throws -> (trial: FrozenTrial, study: Int) {
    guard let state = r.string(row, 2).flatMap(TrialState.init(rawValue:)) else {
      throw TunaStoreError.corrupt("trial \(r.int(row, 0)) has state \(r.string(row, 2) ?? "NULL")")
    }
    var t = FrozenTrial(
      id: r.int(row, 0), number: r.int(row, 1), state: state,
      values: try r.json(row, 3).map { try JSON.doubles($0) },
      datetimeStart: r.double(row, 4).map(Date.init(timeIntervalSinceReferenceDate:)),
      datetimeComplete: r.double(row, 5).map(Date.init(timeIntervalSinceReferenceDate:)),
      failReason: r.string(row, 6))
    for (name, value, distribution) in try triples(r, row, 8) {
      guard case .string(let v) = value, case .string(let d) = distribution else {
        throw TunaStoreError.corrupt("trial_params of trial \(t.id)")
      }
      t.params[name] = try JSON.param(JSON.decode(v))
      t.distributions[name] = try JSON.distribution(JSON.decode(d))
    }
    for (step, value) in try pairs(r, row, 9) {
      guard case .int(let step) = step, case .string(let text) = value else {
        throw TunaStoreError.corrupt("trial_intermediate_values of trial \(t.id)")
      }
      t.intermediateValues[step] = strtod(text, nil)
    }
    t.userAttrs = try attrs(r, row, 10, trialID: t.id)
    t.systemAttrs = try attrs(r, row, 11, trialID: t.id)
    return (t, r.int(row, 7))
  }

  /// A column holding a JSON list of lists, as tuples.
  private func lists(_ r: PostgresResult, _ row: Int, _ column: Int32) throws -> [[AttrValue]] {
    guard let json = try r.json(row, column) else { return [] }
    guard case .array(let items) = json else { throw TunaStoreError.corrupt("expected a list: \(json)") }
    return try items.map { item in
      guard case .array(let parts) = item else { throw TunaStoreError.corrupt("expected a list: \(item)") }
      return parts
    }
  }

  private func pairs(_ r: PostgresResult, _ row: Int, _ column: Int32) throws -> [(AttrValue, AttrValue)] {
    try lists(r, row, column).map { parts in
      guard parts.count == 2 else { throw TunaStoreError.corrupt("expected a pair: \(parts)") }
      return (parts[0], parts[1])
    }
  }

  private func triples(_ r: PostgresResult, _ row: Int, _ column: Int32) throws -> [(String, AttrValue, AttrValue)] {
    try lists(r, row, column).map { parts in
      guard parts.count == 3, case .string(let name) = parts[0] else { throw TunaStoreError.corrupt("expected a triple: \(parts)") }
      return (name, parts[1], parts[2])
    }
  }

  private func attrs(_ r: PostgresResult, _ row: Int, _ column: Int32, trialID: Int) throws -> [String: AttrValue] {
    var attrs: [String: AttrValue] = [:]
    for (key, value) in try pairs(r, row, column) {
      guard case .string(let key) = key, case .string(let text) = value else {
        throw TunaStoreError.corrupt("an attribute of trial \(trialID)")
      }
      attrs[key] = try JSON.decode(text)
    }
    return attrs
  }

  /// Every trial in a result whose rows start with trial columns (rows of NULLs skipped).
  private func trials(_ r: PostgresResult) throws -> [FrozenTrial] {
    var found: [FrozenTrial] = []
    found.reserveCapacity(r.rows)
    for row in 0..<r.rows where !r.isNull(row, 0) {
      let (t, study) = try trial(r, row)
      found.append(t)
      note(t, studyID: study)
    }
    return found
  }

  /// Keeps what a read taught: a finished trial in the cache, an unfinished one's study.
  private func note(_ t: FrozenTrial, studyID: Int) {
    if t.state.isFinished {
      cache.learn(t, studyID: studyID)
      studyOfTrial[t.id] = nil
    } else {
      studyOfTrial[t.id] = studyID
    }
  }

  private func forget(studyID: Int) {
    cache.forget(studyID: studyID)
    paramKinds[studyID] = nil
    directions[studyID] = nil
  }

  /// Why a write to a trial changed nothing: the trial is missing or finished. Nil when it is
  /// writable (the write's condition failed for another reason, such as a step already
  /// reported).
  private func refusal(_ trialID: Int) throws -> StorageError? {
    let r = try c.query(PostgresSQL.trialState, [String(trialID)])
    guard r.rows == 1, let state = r.string(0, 2).flatMap(TrialState.init(rawValue:)) else {
      studyOfTrial[trialID] = nil
      return .noSuchTrial(trialID)
    }
    return state.isFinished ? .trialFinished(number: r.int(0, 1)) : nil
  }

  // MARK: Studies

  func createStudy(name: String, directions: [StudyDirection], token: String, retry: Bool) throws -> StudyRecord {
    let r = try c.query(PostgresSQL.createStudy, [name, JSON.encode(directions), token])
    var id: Int
    if r.rows == 1 {
      id = r.int(0, 0)
    } else {
      // The name is taken: by this very call, when a lost attempt created it.
      let earlier = retry ? try c.query(PostgresSQL.studyWithToken, [name, token]) : nil
      guard let earlier, earlier.rows == 1 else { throw StorageError.studyExists(name) }
      id = earlier.int(0, 0)
    }
    self.directions[id] = directions
    return StudyRecord(id: id, name: name, directions: directions)
  }

  func study(named name: String) throws -> StudyRecord? {
    let r = try c.query(PostgresSQL.studyNamed, [name])
    guard r.rows == 1 else { return nil }
    return StudyRecord(id: r.int(0, 0), name: name, directions: try JSON.directions(r.string(0, 1) ?? ""))
  }

  func allStudies() throws -> [StudyRecord] {
    let r = try c.query(PostgresSQL.allStudies)
    return try (0..<r.rows).map { row in
      StudyRecord(id: r.int(row, 0), name: r.string(row, 1) ?? "", directions: try JSON.directions(r.string(row, 2) ?? ""))
    }
  }

  private func studyDirections(_ id: Int) throws -> [StudyDirection] {
    if let known = directions[id] { return known }
    let r = try c.query(PostgresSQL.studyDirections, [String(id)])
    guard r.rows == 1 else { throw StorageError.noSuchStudy("#\(id)") }
    let found = try JSON.directions(r.string(0, 0) ?? "")
    directions[id] = found
    return found
  }

  func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws {
    let r: PostgresResult
    do {
      r = try c.query(PostgresSQL.setStudyUserAttr, [String(studyID), key, JSON.encode(value)])
    } catch let e as PostgresError where e.sqlState == "23503" {
      // Deleted between the statement's snapshot and its foreign-key check.
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    guard r.rows == 1 else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
  }

  func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] {
    let r = try c.query(PostgresSQL.studyUserAttrs, [String(studyID)])
    guard r.rows > 0 else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    var attrs: [String: AttrValue] = [:]
    for row in 0..<r.rows where !r.isNull(row, 1) {
      guard let key = r.string(row, 1), let value = try r.json(row, 2) else {
        throw TunaStoreError.corrupt("a NULL user attribute of study \(studyID)")
      }
      attrs[key] = value
    }
    return attrs
  }

  func deleteStudy(studyID: Int, retry: Bool) throws {
    let r = try c.query(PostgresSQL.deleteStudy, [String(studyID)])
    forget(studyID: studyID)
    // A retry finding nothing to delete: the lost attempt deleted it.
    if r.rows == 0 && !retry { throw StorageError.noSuchStudy("#\(studyID)") }
  }

  // MARK: Writing trials

  func createTrial(
    studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue], token: String, retry: Bool
  ) throws -> FrozenTrial {
    if retry, let id = try earlier(PostgresSQL.trialCreatedWith, studyID: studyID, token: token) { return try trial(id: id) }
    let state: TrialState = waiting ? .waiting : .running
    let attrs = JSON.encode(AttrValue.object(systemAttrs.mapValues { .string(JSON.encode($0)) }))
    let r = try c.query(PostgresSQL.createTrial, [String(studyID), state.rawValue, token, attrs])
    guard r.rows == 1 else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    let id = r.int(0, 0)
    studyOfTrial[id] = studyID
    return FrozenTrial(
      id: id, number: r.int(0, 1), state: state, systemAttrs: systemAttrs,
      datetimeStart: r.double(0, 2).map(Date.init(timeIntervalSinceReferenceDate:)))
  }

  /// The trial a lost attempt with `token` created (`trialCreatedWith`) or started
  /// (`trialStartedWith`), if it did. Separate tokens: a claim must not hide the creation.
  private func earlier(_ sql: String, studyID: Int, token: String) throws -> Int? {
    let r = try c.query(sql, [String(studyID), token])
    return r.rows == 1 ? r.int(0, 0) : nil
  }

  func claimWaitingTrial(studyID: Int, token: String, retry: Bool) throws -> FrozenTrial? {
    if retry, let id = try earlier(PostgresSQL.trialStartedWith, studyID: studyID, token: token) { return try trial(id: id) }
    let r = try c.query(PostgresSQL.claimWaiting, [String(studyID), token])
    guard r.rows == 1 else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    return try trials(r).first
  }

  func startTrial(studyID: Int, beating: Bool, token: String, retry: Bool) throws -> FrozenTrial {
    if retry, let id = try earlier(PostgresSQL.trialStartedWith, studyID: studyID, token: token) { return try trial(id: id) }
    let r = try c.query(PostgresSQL.startTrial, [String(studyID), beating ? "true" : "false", token])
    guard let t = try trials(r).first else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    return t
  }

  func addTrial(studyID: Int, _ t: FrozenTrial, token: String, retry: Bool) throws -> FrozenTrial {
    if retry, let id = try earlier(PostgresSQL.trialCreatedWith, studyID: studyID, token: token) { return try trial(id: id) }
    let study = String(studyID)
    var learned: [String: Distribution] = [:]
    let id: Int
    try c.execute("BEGIN")
    do {
      let n = try c.query(PostgresSQL.Add.takeNumber, [study])
      guard n.rows == 1 else { throw StorageError.noSuchStudy("#\(studyID)") }
      for (name, distribution) in t.distributions.sorted(by: { $0.key < $1.key }) {
        let existing: Distribution
        if let known = paramKinds[studyID]?[name] {
          existing = known
        } else {
          try c.query(PostgresSQL.Add.registerKind, [study, name, JSON.encode(distribution)])
          guard let json = try c.query(PostgresSQL.Add.kind, [study, name]).json(0, 0) else {
            throw TunaStoreError.corrupt("study_params lost '\(name)'")
          }
          existing = try JSON.distribution(json)
          learned[name] = existing
        }
        guard existing.isCompatible(with: distribution) else {
          throw StorageError.incompatibleDistribution(name: name, existing: existing.description, asked: distribution.description)
        }
      }
      var best: String?
      if t.state == .complete, n.int(0, 1) == 1, let values = t.values, values.count == 1, !values[0].isNaN {
        best = postgresText(values[0])
      }
      id = try c.query(PostgresSQL.Add.trial, [
        study, String(n.int(0, 0)), t.state.rawValue, t.values.map { JSON.encode($0) }, best,
        t.datetimeStart.map { postgresText($0.timeIntervalSinceReferenceDate) },
        t.datetimeComplete.map { postgresText($0.timeIntervalSinceReferenceDate) }, t.failReason, token,
      ]).int(0, 0)
      let trial = String(id)
      for (name, value) in t.params {
        guard let distribution = t.distributions[name] else { continue }
        try c.query(PostgresSQL.Add.param, [trial, name, JSON.encode(value), JSON.encode(distribution)])
      }
      for (step, value) in t.intermediateValues {
        try c.query(PostgresSQL.Add.intermediate, [trial, String(step), postgresText(value)])
      }
      for (key, value) in t.userAttrs { try c.query(PostgresSQL.Add.userAttr, [trial, key, JSON.encode(value)]) }
      for (key, value) in t.systemAttrs { try c.query(PostgresSQL.Add.systemAttr, [trial, key, JSON.encode(value)]) }
      try c.execute("COMMIT")
    } catch {
      if c.isOpen { try? c.execute("ROLLBACK") }
      if case StorageError.noSuchStudy = error { forget(studyID: studyID) }
      throw error
    }
    for (name, kind) in learned { paramKinds[studyID, default: [:]][name] = kind }
    return try trial(id: id)
  }

  func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws {
    let existing: Distribution
    if let study = studyOfTrial[trialID], let known = paramKinds[study]?[name] {
      existing = known
    } else {
      let r = try c.query(PostgresSQL.registerParam, [String(trialID), name, JSON.encode(distribution)])
      guard r.rows > 0, let json = try r.json(0, 1) else {
        if let refusal = try refusal(trialID) { throw refusal }
        // Another writer registered the name after this statement's snapshot: read it again.
        return try setTrialParam(trialID: trialID, name: name, value: value, distribution: distribution)
      }
      existing = try JSON.distribution(json)
      let study = r.int(0, 0)
      paramKinds[study, default: [:]][name] = existing
      studyOfTrial[trialID] = study
    }
    guard existing.isCompatible(with: distribution) else {
      throw StorageError.incompatibleDistribution(name: name, existing: existing.description, asked: distribution.description)
    }
    let r = try c.query(PostgresSQL.setParam, [String(trialID), name, JSON.encode(value), JSON.encode(distribution)])
    if r.rows == 0 { throw try refusal(trialID) ?? StorageError.noSuchTrial(trialID) }
  }

  func reportIntermediate(trialID: Int, step: Int, value: Double) throws {
    let r = try c.query(PostgresSQL.reportIntermediate, [String(trialID), String(step), postgresText(value)])
    // No row: the step was reported before (fine), or the trial is gone or finished.
    if r.rows == 0, let refusal = try refusal(trialID) { throw refusal }
  }

  func setTrialAttr(_ table: PostgresSQL.AttrTable, trialID: Int, key: String, value: AttrValue) throws {
    let r = try c.query(table.upsert, [String(trialID), key, JSON.encode(value)])
    if r.rows == 0 { throw try refusal(trialID) ?? StorageError.noSuchTrial(trialID) }
  }

  func recordHeartbeat(trialID: Int) throws {
    let r = try c.query(PostgresSQL.heartbeat, [String(trialID)])
    if r.rows == 0 { throw try refusal(trialID) ?? StorageError.noSuchTrial(trialID) }
  }

  func finishTrial(trialID: Int, state: TrialState, values: [Double]?, failReason: String?, retry: Bool) throws -> FrozenTrial {
    var best: String?
    if state == .complete, let values, values.count == 1, !values[0].isNaN { best = postgresText(values[0]) }
    let r = try c.query(
      PostgresSQL.finishTrial, [String(trialID), state.rawValue, values.map { JSON.encode($0) }, failReason, best])
    if let t = try trials(r).first { return t }
    let refusal = try refusal(trialID) ?? StorageError.noSuchTrial(trialID)
    if retry, case .trialFinished = refusal {
      // The lost attempt may have finished it: then this call's work is done.
      let t = try trial(id: trialID)
      if t.state == state && t.failReason == failReason { return t }
    }
    throw refusal
  }

  func failStaleTrials(studyID: Int, olderThan seconds: Double, token: String, retry: Bool) throws -> [FrozenTrial] {
    // No heartbeat is older than NaN seconds (as in the other storages, whose comparison fails).
    if seconds.isNaN {
      guard try c.query(PostgresSQL.trialCount, [String(studyID)]).rows == 1 else {
        forget(studyID: studyID)
        throw StorageError.noSuchStudy("#\(studyID)")
      }
      return []
    }
    // A lost attempt's failures are this call's too: its caller retries the trials it returns.
    let lost = retry ? try trials(try c.query(PostgresSQL.failedStaleWith, [String(studyID), token])) : []
    let r = try c.query(PostgresSQL.failStale, [String(studyID), staleTrialFailReason, postgresText(seconds), token])
    guard r.rows > 0 else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    var failed = Dictionary(try trials(r).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for t in lost { failed[t.id] = t }
    return failed.values.sorted { $0.number < $1.number }
  }

  // MARK: Reading

  func trial(id: Int) throws -> FrozenTrial {
    if let found = cache.finished(id: id) {
      let (t, study) = found
      // Unless another process deleted its study since.
      guard try c.query(PostgresSQL.trialExists, [String(id)]).rows == 1 else {
        forget(studyID: study)
        throw StorageError.noSuchTrial(id)
      }
      return t
    }
    let r = try c.query(PostgresSQL.trialByID, [String(id)])
    guard let t = try trials(r).first else { throw StorageError.noSuchTrial(id) }
    return t
  }

  func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial] {
    let unread = cache.unread(studyID: studyID)
    let pending = "{" + unread.pending.map(String.init).joined(separator: ",") + "}"
    let r = try c.query(PostgresSQL.trialsToRead, [String(studyID), String(unread.next), pending])
    guard r.rows > 0 else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    let loaded = try trials(r)
    return cache.merge(studyID: studyID, loaded: loaded, states: states)
  }

  func trialCount(studyID: Int, states: Set<TrialState>?) throws -> Int {
    let r: PostgresResult
    if let states {
      let list = "{" + states.map(\.rawValue).sorted().joined(separator: ",") + "}"
      r = try c.query(PostgresSQL.trialCountIn, [String(studyID), list])
    } else {
      // Numbers are dense: the count is the next number.
      r = try c.query(PostgresSQL.trialCount, [String(studyID)])
    }
    guard r.rows == 1 else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    return r.int(0, 0)
  }

  func bestTrial(studyID: Int) throws -> FrozenTrial? {
    let directions = try studyDirections(studyID)
    guard directions.count == 1 else {
      guard try c.query(PostgresSQL.trialCount, [String(studyID)]).rows == 1 else {
        forget(studyID: studyID)
        throw StorageError.noSuchStudy("#\(studyID)")
      }
      return nil
    }
    let r = try c.query(directions[0] == .minimize ? PostgresSQL.bestMin : PostgresSQL.bestMax, [String(studyID)])
    guard r.rows == 1 else {
      forget(studyID: studyID)
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    return try trials(r).first
  }
}

/// Seconds as messages show them.
private func formatSeconds(_ s: Double) -> String {
  s == s.rounded() ? String(Int(s)) : String(s)
}
