/// A read-only view of a study's trials, handed to samplers and pruners instead of the study
/// itself. Trials are read from storage when asked for, not before.
public struct TrialHistory: Sendable {
  public let storage: any Storage
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
