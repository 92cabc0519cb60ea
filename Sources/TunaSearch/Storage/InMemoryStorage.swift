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
  }

  private struct State {
    var studies: [StudyData] = []
    var studyIndexByName: [String: Int] = [:]
    /// Trial id → (study index, trial number).
    var trialLocation: [(study: Int, number: Int)] = []
  }

  private let state = Mutex(State())

  public init() {}

  // MARK: Studies

  public func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord {
    try state.withLock { s in
      if s.studyIndexByName[name] != nil { throw StorageError.studyExists(name) }
      let record = StudyRecord(id: s.studies.count, name: name, directions: directions)
      s.studyIndexByName[name] = record.id
      s.studies.append(StudyData(record: record))
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
      s.studies[studyID].userAttrs[key] = value
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
      if waiting { s.studies[studyID].waiting.append(number) } else { s.studies[studyID].running.insert(number) }
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
    try mutateRunning(trialID) { study, number in
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
    }
  }

  public func reportIntermediate(trialID: Int, step: Int, value: Double) throws {
    try mutateRunning(trialID) { study, number in
      if study.trials[number].intermediateValues[step] == nil {
        study.trials[number].intermediateValues[step] = value
      }
    }
  }

  public func setTrialUserAttr(trialID: Int, key: String, value: AttrValue) throws {
    try mutateRunning(trialID) { study, number in study.trials[number].userAttrs[key] = value }
  }

  public func setTrialSystemAttr(trialID: Int, key: String, value: AttrValue) throws {
    try mutateRunning(trialID) { study, number in study.trials[number].systemAttrs[key] = value }
  }

  public func finishTrial(trialID: Int, state newState: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    precondition(newState.isFinished, "finishTrial needs a finished state")
    return try mutateRunning(trialID) { study, number in
      study.trials[number].state = newState
      study.trials[number].values = values
      study.trials[number].failReason = failReason
      study.trials[number].datetimeComplete = Date()
      study.running.remove(number)
      study.heartbeats[number] = nil
      if newState == .complete, study.record.directions.count == 1, let v = values?.first, !v.isNaN {
        let direction = study.record.directions[0]
        if let best = study.bestNumber, let bv = study.trials[best].value, !direction.isBetter(v, than: bv) {
          // keep the earlier best on ties
        } else {
          study.bestNumber = number
        }
      }
      return study.trials[number]
    }
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
      s.studies[studyID] = StudyData(record: record)
      s.studies[studyID].deleted = true
    }
  }

  // MARK: Helpers

  private static func checkStudy(_ id: Int, in s: State) throws {
    guard id >= 0, id < s.studies.count, !s.studies[id].deleted else { throw StorageError.noSuchStudy("#\(id)") }
  }

  private func mutateRunning<R>(_ trialID: Int, _ body: (inout StudyData, Int) throws -> R) throws -> R {
    try state.withLock { s in
      guard trialID >= 0, trialID < s.trialLocation.count, !s.studies[s.trialLocation[trialID].study].deleted else {
        throw StorageError.noSuchTrial(trialID)
      }
      let at = s.trialLocation[trialID]
      let trialState = s.studies[at.study].trials[at.number].state
      guard !trialState.isFinished else { throw StorageError.trialFinished(number: at.number) }
      return try body(&s.studies[at.study], at.number)
    }
  }
}
