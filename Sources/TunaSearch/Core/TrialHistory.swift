/// A read-only view of a study's trials, handed to samplers and pruners instead of the study
/// itself. Trials are read from storage when asked for, not before.
public struct TrialHistory: Sendable {
  public let storage: any Storage
  public let studyID: Int
  public let studyName: String
  public let directions: [StudyDirection]

  public init(storage: any Storage, study: StudyRecord) {
    self.storage = storage
    self.studyID = study.id
    self.studyName = study.name
    self.directions = study.directions
  }

  /// The direction of a single-objective study.
  public var direction: StudyDirection { directions[0] }

  /// Trials in number order, optionally only those in `states`.
  public func trials(states: Set<TrialState>? = nil) throws -> [FrozenTrial] {
    try storage.trials(studyID: studyID, states: states)
  }

  public func trialCount(states: Set<TrialState>? = nil) throws -> Int {
    try storage.trialCount(studyID: studyID, states: states)
  }

  /// The best complete trial of a single-objective study, or nil.
  public func bestTrial() throws -> FrozenTrial? {
    directions.count == 1 ? try storage.bestTrial(studyID: studyID) : nil
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
