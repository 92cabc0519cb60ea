/// A study as storage knows it.
public struct StudyRecord: Sendable, Hashable {
  public var id: Int
  public var name: String
  public var directions: [StudyDirection]

  public init(id: Int, name: String, directions: [StudyDirection]) {
    self.id = id
    self.name = name
    self.directions = directions
  }
}

/// Errors a storage reports for misuse (not for I/O, which backends report their own way).
public enum StorageError: Error, CustomStringConvertible, Sendable, Equatable {
  case studyExists(String)
  case noSuchStudy(String)
  case noSuchTrial(Int)
  case trialFinished(number: Int)
  case incompatibleDistribution(name: String, existing: String, asked: String)

  public var description: String {
    switch self {
    case .studyExists(let name):
      "a study named '\(name)' already exists (set loadIfExists to resume it)"
    case .noSuchStudy(let name): "no study named '\(name)'"
    case .noSuchTrial(let id): "no trial with id \(id)"
    case .trialFinished(let number): "trial \(number) has already finished"
    case .incompatibleDistribution(let name, let existing, let asked):
      "parameter '\(name)' was asked as \(existing) earlier in this study and cannot be \(asked) now"
    }
  }
}

/// Where studies and trials live.
///
/// The contract, which every backend's conformance tests check:
/// - Every method is safe to call from any thread.
/// - Trial numbers are unique and dense per study (0, 1, 2, …), in creation order.
/// - A returned `FrozenTrial` is a snapshot: later writes never change it.
/// - A finished trial (complete, pruned, fail) is immutable: writes to it throw
///   `StorageError.trialFinished`.
/// - A parameter keeps its kind across a study, and a categorical its choices
///   (`StorageError.incompatibleDistribution`).
/// - A deleted study's trials are gone with it; study and trial ids are never reused.
public protocol Storage: AnyObject, Sendable {
  func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord
  /// The study named `name`, or nil.
  func study(named name: String) throws -> StudyRecord?
  func allStudies() throws -> [StudyRecord]
  func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws
  func studyUserAttrs(studyID: Int) throws -> [String: AttrValue]

  /// Creates a running trial, or a waiting one when `waiting` (an enqueued trial, whose fixed
  /// params ride in `systemAttrs`).
  func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial
  /// Atomically turns the oldest waiting trial into a running one and returns it.
  func claimWaitingTrial(studyID: Int) throws -> FrozenTrial?
  /// Starts the next trial: the oldest waiting one if any, else a new running one. With
  /// `beating`, its first heartbeat is recorded as it starts — atomically, in storages shared by
  /// processes, so a worker killed at any moment never leaves a running trial without a
  /// heartbeat (which would never be found stale).
  func startTrial(studyID: Int, beating: Bool) throws -> FrozenTrial
  func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws
  /// Records an intermediate value; a step already reported keeps its first value.
  func reportIntermediate(trialID: Int, step: Int, value: Double) throws
  func setTrialUserAttr(trialID: Int, key: String, value: AttrValue) throws
  func setTrialSystemAttr(trialID: Int, key: String, value: AttrValue) throws
  /// Adds a copy of `trial` as the study's next trial: its state, values, params and
  /// distributions, intermediate values, attributes, times and fail reason (its id and number
  /// are the storage's). Copying a study between storages (`tuna copy`) is built on it. The
  /// params' kinds bind as `setTrialParam`'s do (`StorageError.incompatibleDistribution`, and
  /// nothing added); a running trial is added without a heartbeat.
  func addTrial(studyID: Int, _ trial: FrozenTrial) throws -> FrozenTrial
  /// Moves a running trial to a finished state.
  func finishTrial(trialID: Int, state: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial

  func trial(id: Int) throws -> FrozenTrial
  /// The study's trials in number order, optionally only those in `states`.
  func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial]
  func trialCount(studyID: Int, states: Set<TrialState>?) throws -> Int
  /// The complete trial with the best value of a single-objective study.
  func bestTrial(studyID: Int) throws -> FrozenTrial?

  /// Stamps an unfinished trial's heartbeat with the current time: a worker calls it while it
  /// runs the trial, so that `failStaleTrials` can tell a live trial from one whose worker died.
  /// Throws `StorageError.trialFinished` for a finished trial.
  func recordHeartbeat(trialID: Int) throws
  /// Atomically fails every running trial of the study whose last heartbeat is more than
  /// `seconds` old (a trial that never beat — one driven by hand — is never stale), with the fail reason
  /// `staleTrialFailReason`, and returns them as finished snapshots, in number order.
  func failStaleTrials(studyID: Int, olderThan seconds: Double) throws -> [FrozenTrial]
  /// Removes the study and all its trials (`StorageError.noSuchStudy` for an unknown id).
  func deleteStudy(studyID: Int) throws
  /// Lets go of the storage's connection now rather than when the last reference goes (a
  /// SQLite file is checkpointed and its `-wal` removed; a server sees a clean disconnect).
  /// Later calls throw. A program that exits right after its studies calls it: threads that
  /// ended a moment ago may still hold references. The default does nothing.
  func close()
}

/// The fail reason `failStaleTrials` gives the trials it fails.
public let staleTrialFailReason = "stale heartbeat (worker died?)"

extension Storage {
  public func close() {}

  /// Claim-or-create, then the first heartbeat: enough for a storage that lives in one process.
  public func startTrial(studyID: Int, beating: Bool) throws -> FrozenTrial {
    let trial = try claimWaitingTrial(studyID: studyID)
      ?? createTrial(studyID: studyID, waiting: false, systemAttrs: [:])
    if beating { try recordHeartbeat(trialID: trial.id) }
    return trial
  }

  public func trialCount(studyID: Int, states: Set<TrialState>?) throws -> Int {
    try trials(studyID: studyID, states: states).count
  }

  public func bestTrial(studyID: Int) throws -> FrozenTrial? {
    guard let study = try allStudies().first(where: { $0.id == studyID }) else {
      throw StorageError.noSuchStudy("#\(studyID)")
    }
    guard study.directions.count == 1 else { return nil }
    return bestOf(try trials(studyID: studyID, states: [.complete]), direction: study.directions[0])
  }
}

/// The trial with the best value in `direction` among `trials` (the earliest on ties), skipping
/// those without a value or with NaN.
func bestOf(_ trials: [FrozenTrial], direction: StudyDirection) -> FrozenTrial? {
  var best: FrozenTrial?
  for t in trials {
    guard let v = t.value, !v.isNaN else { continue }
    if let b = best?.value, !direction.isBetter(v, than: b) { continue }
    best = t
  }
  return best
}
