/// A read-only view of a study's trials, handed to samplers and pruners instead of the study
/// itself. Trials are read from storage when asked for, not before.
public struct TrialHistory: Sendable {
  /// Where the trials are read from: the host's, out of the plug-ins' reach (they read through
  /// this view and write through their context).
  let storage: any Storage
  public let studyID: Int
  public let studyName: String
  public let directions: [StudyDirection]
  /// The subset of trials this view shows (nil: all), when a pruner splits the study for its
  /// samplers (Hyperband's brackets).
  public let partition: HistoryPartition?
  /// In a deterministic study, what the trial being sampled may see (nil: the study as it is).
  public let horizon: DeterministicHorizon?

  public init(storage: any Storage, study: StudyRecord) {
    self.storage = storage
    self.studyID = study.id
    self.studyName = study.name
    self.directions = study.directions
    self.partition = nil
    self.horizon = nil
  }

  private init(_ base: TrialHistory, partition: HistoryPartition?, horizon: DeterministicHorizon?) {
    storage = base.storage
    studyID = base.studyID
    studyName = base.studyName
    directions = base.directions
    self.partition = partition
    self.horizon = horizon
  }

  /// The same study seen through `partition`.
  public func restricted(to partition: HistoryPartition?) -> TrialHistory {
    TrialHistory(self, partition: partition, horizon: horizon)
  }

  /// The same study as seen from `horizon`.
  public func seen(from horizon: DeterministicHorizon?) -> TrialHistory {
    TrialHistory(self, partition: partition, horizon: horizon)
  }

  /// The whole study, whatever the partition (what a grid or a quasi-random sequence must see
  /// so that no point is used twice).
  public var unpartitioned: TrialHistory {
    partition == nil ? self : TrialHistory(self, partition: nil, horizon: horizon)
  }

  /// Whether finished trial `a` counts as finished before `b`. Samplers whose generations take
  /// their first trials to finish use this order: completion time (so that later completions
  /// never change a choice already made), or trial number in a deterministic study, where
  /// completion times vary from run to run and trials are seen in number order anyway.
  public func finishedBefore(_ a: FrozenTrial, _ b: FrozenTrial) -> Bool {
    if horizon != nil { return a.number < b.number }
    switch (a.datetimeComplete, b.datetimeComplete) {
    case let (x?, y?) where x != y: return x < y
    case (nil, _?): return false
    case (_?, nil): return true
    default: return a.number < b.number
    }
  }

  /// Which study (and partition) of which storage this view shows, for what plug-ins cache
  /// between calls.
  public var identity: StudyIdentity { StudyIdentity(storage: storage, studyID: studyID, partition: partition?.key) }

  /// The direction of a single-objective study.
  public var direction: StudyDirection { directions[0] }

  /// Trials in number order, optionally only those in `states`.
  public func trials(states: Set<TrialState>? = nil) throws -> [FrozenTrial] {
    var all: [FrozenTrial]
    if let horizon {
      all = horizon.view(try storage.trials(studyID: studyID, states: nil))
      if let states { all = all.filter { states.contains($0.state) } }
    } else {
      all = try storage.trials(studyID: studyID, states: states)
    }
    guard let partition else { return all }
    return all.filter { partition.contains($0.number) }
  }

  public func trialCount(states: Set<TrialState>? = nil) throws -> Int {
    guard partition != nil || horizon != nil else { return try storage.trialCount(studyID: studyID, states: states) }
    return try trials(states: states).count
  }

  /// The best complete trial of a single-objective study, or nil.
  public func bestTrial() throws -> FrozenTrial? {
    guard directions.count == 1 else { return nil }
    guard partition != nil || horizon != nil else { return try storage.bestTrial(studyID: studyID) }
    return bestOf(try trials(states: [.complete]), direction: directions[0])
  }

  /// The parameters every complete trial has, each with the distribution all of them used
  /// (Optuna's intersection search space): what a joint sampler can model.
  public func intersectionSearchSpace() throws -> [String: Distribution] {
    var space: [String: Distribution]?
    for trial in try trials(states: [.complete]) {
      guard var current = space else {
        space = trial.distributions
        continue
      }
      for (name, dist) in current where trial.distributions[name] != dist {
        current[name] = nil
      }
      space = current
      if current.isEmpty { break }
    }
    return space ?? [:]
  }
}

/// A study of a storage (and a partition of it), as a cache keys what it keeps: equal for two
/// views of the same study and partition, and dead once the storage is gone — so a new storage
/// that happens to reuse the old one's address never inherits a cache. It gives no access to
/// the storage.
public struct StudyIdentity: Hashable, @unchecked Sendable {
  private weak var storage: AnyObject?
  private let storageID: ObjectIdentifier
  public let studyID: Int
  /// Hyperband's bracket when the pruner splits the study; nil for all of it.
  public let partition: Int?

  init(storage: any Storage, studyID: Int, partition: Int?) {
    self.storage = storage
    storageID = ObjectIdentifier(storage)
    self.studyID = studyID
    self.partition = partition
  }

  /// Whether the storage still exists.
  public var isAlive: Bool { storage != nil }

  /// The same study, whatever the partition.
  public func sameStudy(as other: StudyIdentity) -> Bool { storageID == other.storageID && studyID == other.studyID }

  public static func == (a: StudyIdentity, b: StudyIdentity) -> Bool { a.sameStudy(as: b) && a.partition == b.partition }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(storageID)
    hasher.combine(studyID)
    hasher.combine(partition)
  }
}
