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

  public init(storage: any Storage, study: StudyRecord) {
    self.storage = storage
    self.studyID = study.id
    self.studyName = study.name
    self.directions = study.directions
    self.partition = nil
  }

  private init(_ base: TrialHistory, partition: HistoryPartition?) {
    storage = base.storage
    studyID = base.studyID
    studyName = base.studyName
    directions = base.directions
    self.partition = partition
  }

  /// The same study seen through `partition`.
  public func restricted(to partition: HistoryPartition?) -> TrialHistory {
    TrialHistory(self, partition: partition)
  }

  /// The whole study, whatever the partition (what a grid or a quasi-random sequence must see
  /// so that no point is used twice).
  public var unpartitioned: TrialHistory { partition == nil ? self : TrialHistory(self, partition: nil) }

  /// The direction of a single-objective study.
  public var direction: StudyDirection { directions[0] }

  /// Trials in number order, optionally only those in `states`.
  public func trials(states: Set<TrialState>? = nil) throws -> [FrozenTrial] {
    let all = try storage.trials(studyID: studyID, states: states)
    guard let partition else { return all }
    return all.filter { partition.contains($0.number) }
  }

  public func trialCount(states: Set<TrialState>? = nil) throws -> Int {
    guard partition != nil else { return try storage.trialCount(studyID: studyID, states: states) }
    return try trials(states: states).count
  }

  /// The best complete trial of a single-objective study, or nil.
  public func bestTrial() throws -> FrozenTrial? {
    guard directions.count == 1 else { return nil }
    guard partition != nil else { return try storage.bestTrial(studyID: studyID) }
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
