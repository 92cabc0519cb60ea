import Foundation
import Synchronization

/// Studies held in this process's memory, shared safely between threads. The default storage.
///
/// Every operation is O(1) but reading trials, which copies the study's trial list, and failing
/// stale trials, which looks at the running ones; the best trial of a single-objective study is
/// kept up to date as trials finish.
public final class InMemoryStorage: Storage {
  private struct StudyData {
    var record: StudyRecord
    var userAttrs: [String: AttrValue] = [:]
    var trials: [FrozenTrial] = []
    var waiting: [Int] = []  // trial numbers, oldest first
    var waitingHead = 0
    var paramKinds: [String: Distribution] = [:]
    var bestNumber: Int?
    /// Numbers of the running trials, for `failStaleTrials`.
    var running: Set<Int> = []
    /// Trial number → last heartbeat.
    var heartbeats: [Int: Date] = [:]
    /// Deleted studies keep their slot, so ids are never reused, but lose their trials.
    var deleted = false
    /// What the study holds, as `StoredSize` estimates it (given back when it is deleted).
    var bytes = 0
  }

  private struct State {
    var studies: [StudyData] = []
    var studyIndexByName: [String: Int] = [:]
    /// Trial id → (study index, trial number).
    var trialLocation: [(study: Int, number: Int)] = []
  }

  private let state = Mutex(State())
  /// Hears how many bytes the storage grows (or, negative, shrinks) by.
  private let meter: (@Sendable (Int) -> Void)?

  /// An empty storage. `meter`, when given, hears every change of the bytes the stored studies
  /// hold (estimated by `StoredSize`), under the storage's lock: a caller with a memory limit
  /// counts them (keep it quick).
  public init(meter: (@Sendable (Int) -> Void)? = nil) { self.meter = meter }

  /// Counts `bytes` more held by study `index` and tells the meter.
  private func grow(_ s: inout State, _ index: Int, by bytes: Int) {
    guard let meter, bytes != 0 else { return }
    s.studies[index].bytes += bytes
    meter(bytes)
  }

  // MARK: Studies

  public func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
    try state.withLock { s in
      if s.studyIndexByName[name] != nil { throw StorageError.studyExists(name) }
      let record = StudyRecord(id: s.studies.count, name: name, directions: directions)
      s.studyIndexByName[name] = record.id
      s.studies.append(StudyData(record: record))
      grow(&s, record.id, by: 256 + StoredSize.entry(name, 8))
      return record
    }
  }

  public func study(named name: String) throws -> StudyRecord? {
    state.withLock { s in s.studyIndexByName[name].map { s.studies[$0].record } }
  }

  public func allStudies() throws -> [StudyRecord] {
    state.withLock { s in s.studies.filter { !$0.deleted }.map(\.record) }
  }

  public func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      let old = s.studies[studyID].userAttrs.updateValue(value, forKey: key)
      if meter != nil { grow(&s, studyID, by: StoredSize.attr(value) - (old.map(StoredSize.attr) ?? -StoredSize.entry(key, 0))) }
    }
  }

  public func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      return s.studies[studyID].userAttrs
    }
  }

  // MARK: Trials

  public func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      let number = s.studies[studyID].trials.count
      let trial = FrozenTrial(
        id: s.trialLocation.count, number: number, state: waiting ? .waiting : .running,
        systemAttrs: systemAttrs, datetimeStart: waiting ? nil : Date())
      s.trialLocation.append((studyID, number))
      s.studies[studyID].trials.append(trial)
      if meter != nil {
        grow(&s, studyID, by: StoredSize.trial + systemAttrs.reduce(0) { $0 + StoredSize.entry($1.key, StoredSize.attr($1.value)) })
      }
      if waiting { s.studies[studyID].waiting.append(number) } else { s.studies[studyID].running.insert(number) }
      return trial
    }
  }

  public func addTrial(studyID: Int, _ template: FrozenTrial) throws -> FrozenTrial {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      var kinds = s.studies[studyID].paramKinds
      for (name, distribution) in template.distributions.sorted(by: { $0.key < $1.key }) {
        if let existing = kinds[name] {
          guard existing.isCompatible(with: distribution) else {
            throw StorageError.incompatibleDistribution(name: name, existing: existing.description, asked: distribution.description)
          }
        } else {
          kinds[name] = distribution
        }
      }
      s.studies[studyID].paramKinds = kinds
      let number = s.studies[studyID].trials.count
      var trial = template
      trial.id = s.trialLocation.count
      trial.number = number
      s.trialLocation.append((studyID, number))
      s.studies[studyID].trials.append(trial)
      if meter != nil { grow(&s, studyID, by: StoredSize.of(trial)) }
      switch trial.state {
      case .waiting: s.studies[studyID].waiting.append(number)
      case .running: s.studies[studyID].running.insert(number)
      case .complete: Self.noteBest(&s.studies[studyID], number)
      case .pruned, .fail: break
      }
      return trial
    }
  }

  public func claimWaitingTrial(studyID: Int) throws -> FrozenTrial? {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      while s.studies[studyID].waitingHead < s.studies[studyID].waiting.count {
        let number = s.studies[studyID].waiting[s.studies[studyID].waitingHead]
        s.studies[studyID].waitingHead += 1
        guard s.studies[studyID].trials[number].state == .waiting else { continue }
        s.studies[studyID].trials[number].state = .running
        s.studies[studyID].trials[number].datetimeStart = Date()
        s.studies[studyID].running.insert(number)
        s.studies[studyID].heartbeats[number] = nil
        return s.studies[studyID].trials[number]
      }
      return nil
    }
  }

  public func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws {
    try growRunning(trialID) { study, number in
      let grown = study.trials[number].params[name] == nil
        ? StoredSize.entry(name, StoredSize.param(value)) + StoredSize.entry(name, StoredSize.distribution(distribution)) : 0
      if let existing = study.paramKinds[name] {
        guard existing.isCompatible(with: distribution) else {
          throw StorageError.incompatibleDistribution(
            name: name, existing: existing.description, asked: distribution.description)
        }
      } else {
        study.paramKinds[name] = distribution
      }
      study.trials[number].params[name] = value
      study.trials[number].distributions[name] = distribution
      return grown
    }
  }

  public func reportIntermediate(trialID: Int, step: Int, value: Double) throws {
    try growRunning(trialID) { study, number in
      guard study.trials[number].intermediateValues[step] == nil else { return 0 }
      study.trials[number].intermediateValues[step] = value
      return StoredSize.step
    }
  }

  public func setTrialUserAttr(trialID: Int, key: String, value: AttrValue) throws {
    try growRunning(trialID) { study, number in
      let old = study.trials[number].userAttrs.updateValue(value, forKey: key)
      return StoredSize.attr(value) - (old.map(StoredSize.attr) ?? -StoredSize.entry(key, 0))
    }
  }

  public func setTrialSystemAttr(trialID: Int, key: String, value: AttrValue) throws {
    try growRunning(trialID) { study, number in
      let old = study.trials[number].systemAttrs.updateValue(value, forKey: key)
      return StoredSize.attr(value) - (old.map(StoredSize.attr) ?? -StoredSize.entry(key, 0))
    }
  }

  public func finishTrial(trialID: Int, state newState: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    precondition(newState.isFinished, "finishTrial needs a finished state")
    return try state.withLock { s in
      let at = try Self.runningTrial(trialID, in: s)
      if meter != nil {
        grow(&s, at.study, by: (values.map { 32 + 8 * $0.count } ?? 0) + (failReason.map(StoredSize.string) ?? 0))
      }
      return Self.finish(&s.studies[at.study], at.number, newState, values, failReason)
    }
  }

  private static func finish(
    _ study: inout StudyData, _ number: Int, _ newState: TrialState, _ values: [Double]?, _ failReason: String?
  ) -> FrozenTrial {
    study.trials[number].state = newState
    study.trials[number].values = values
    study.trials[number].failReason = failReason
    study.trials[number].datetimeComplete = Date()
    study.running.remove(number)
    study.heartbeats[number] = nil
    if newState == .complete { noteBest(&study, number) }
    return study.trials[number]
  }

  /// Makes complete trial `number` the best one when it beats the best so far, or ties it with a
  /// smaller number (the earliest trial is best on ties, whatever order trials finish in).
  private static func noteBest(_ study: inout StudyData, _ number: Int) {
    guard study.record.directions.count == 1, let values = study.trials[number].values, values.count == 1,
      let v = values.first, !v.isNaN
    else { return }
    let direction = study.record.directions[0]
    if let best = study.bestNumber, let bv = study.trials[best].value,
      !direction.isBetter(v, than: bv) && !(v == bv && number < best)
    {
      return
    }
    study.bestNumber = number
  }

  public func trial(id: Int) throws -> FrozenTrial {
    try state.withLock { s in
      guard id >= 0, id < s.trialLocation.count, !s.studies[s.trialLocation[id].study].deleted else {
        throw StorageError.noSuchTrial(id)
      }
      let at = s.trialLocation[id]
      return s.studies[at.study].trials[at.number]
    }
  }

  public func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial] {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      let all = s.studies[studyID].trials
      guard let states else { return all }
      return all.filter { states.contains($0.state) }
    }
  }

  public func trialCount(studyID: Int, states: Set<TrialState>?) throws -> Int {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      guard let states else { return s.studies[studyID].trials.count }
      return s.studies[studyID].trials.reduce(0) { $0 + (states.contains($1.state) ? 1 : 0) }
    }
  }

  public func bestTrial(studyID: Int) throws -> FrozenTrial? {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      return s.studies[studyID].bestNumber.map { s.studies[studyID].trials[$0] }
    }
  }

  // MARK: Heartbeats and deletion

  public func recordHeartbeat(trialID: Int) throws {
    try mutateRunning(trialID) { study, number in study.heartbeats[number] = Date() }
  }

  public func failStaleTrials(studyID: Int, olderThan seconds: Double) throws -> [FrozenTrial] {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      let now = Date()
      var failed: [FrozenTrial] = []
      for number in s.studies[studyID].running.sorted() {
        // Only trials that have beaten can go stale: one driven by hand (ask and tell) never does.
        guard let last = s.studies[studyID].heartbeats[number], now.timeIntervalSince(last) > seconds
        else { continue }
        s.studies[studyID].trials[number].state = .fail
        s.studies[studyID].trials[number].failReason = staleTrialFailReason
        if meter != nil { grow(&s, studyID, by: StoredSize.string(staleTrialFailReason)) }
        s.studies[studyID].trials[number].datetimeComplete = now
        s.studies[studyID].running.remove(number)
        s.studies[studyID].heartbeats[number] = nil
        failed.append(s.studies[studyID].trials[number])
      }
      return failed
    }
  }

  public func deleteStudy(studyID: Int) throws {
    try state.withLock { s in
      try Self.checkStudy(studyID, in: s)
      s.studyIndexByName[s.studies[studyID].record.name] = nil
      let record = s.studies[studyID].record
      let held = s.studies[studyID].bytes
      s.studies[studyID] = StudyData(record: record)
      s.studies[studyID].deleted = true
      meter?(-held)
    }
  }

  // MARK: Helpers

  private static func checkStudy(_ id: Int, in s: State) throws {
    guard id >= 0, id < s.studies.count, !s.studies[id].deleted else { throw StorageError.noSuchStudy("#\(id)") }
  }

  /// Where the running trial `trialID` is; throws when there is none, or it has finished.
  private static func runningTrial(_ trialID: Int, in s: State) throws -> (study: Int, number: Int) {
    guard trialID >= 0, trialID < s.trialLocation.count, !s.studies[s.trialLocation[trialID].study].deleted else {
      throw StorageError.noSuchTrial(trialID)
    }
    let at = s.trialLocation[trialID]
    guard !s.studies[at.study].trials[at.number].state.isFinished else { throw StorageError.trialFinished(number: at.number) }
    return at
  }

  private func mutateRunning<R>(_ trialID: Int, _ body: (inout StudyData, Int) throws -> R) throws -> R {
    try state.withLock { s in
      let at = try Self.runningTrial(trialID, in: s)
      return try body(&s.studies[at.study], at.number)
    }
  }

  /// As `mutateRunning`, for a change that grows the study by the bytes `body` returns.
  private func growRunning(_ trialID: Int, _ body: (inout StudyData, Int) throws -> Int) throws {
    try state.withLock { s in
      let at = try Self.runningTrial(trialID, in: s)
      let bytes = try body(&s.studies[at.study], at.number)
      grow(&s, at.study, by: bytes)
    }
  }
}
