import Foundation

/// A search for the parameters that optimize an objective, over trials kept in a storage.
///
/// ```swift
/// let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 42))
/// try study.optimize(nTrials: 100) { trial in
///   let x = try trial.suggestFloat("x", -10, 10)
///   return (x - 2) * (x - 2)
/// }
/// print(try study.bestValue, try study.bestParams)
/// ```
public final class Study {
  public let storage: any Storage
  public let record: StudyRecord
  public let sampler: any Sampler
  public let pruner: any Pruner
  /// The pruner when it splits the study for the sampler (Hyperband), cast once.
  private let partitioning: (any PartitioningPruner)?
  let history: TrialHistory
  /// Set by `stop()`: the running optimize call finishes its trial and starts no more.
  public internal(set) var stopRequested = false
  /// Why the last `optimize` call stopped early by itself (`OptimizeOptions.maxConsecutiveFailures`);
  /// nil when it did not.
  public internal(set) var stopReason: String?
  /// Makes the study deterministic when set: trial n is sampled from trials 0…n−lag as they
  /// finished and some later ones as stand-ins (`DeterministicHorizon`), waiting for them when
  /// they are behind, so that a seeded sampler suggests the same trials with any number of
  /// workers or processes. Every process working on the study must use the same lag.
  public var deterministicLag: Int? {
    didSet { if let lag = deterministicLag { deterministicLag = max(1, lag) } }
  }
  /// The lag of `deterministic = true`: up to half this many workers lose no throughput to the
  /// waits (`tuna-bench parallel`: 4 workers keep 1.00–1.03 of it at lag 8, 0.67–0.82 at lag 4).
  public static let defaultDeterministicLag = 8

  public var name: String { record.name }
  public var directions: [StudyDirection] { record.directions }
  /// The direction of a single-objective study (the first one otherwise).
  public var direction: StudyDirection { record.directions[0] }

  init(storage: any Storage, record: StudyRecord, sampler: any Sampler, pruner: any Pruner) {
    self.storage = storage
    self.record = record
    self.sampler = sampler
    self.pruner = pruner
    partitioning = pruner as? any PartitioningPruner
    self.history = TrialHistory(storage: storage, study: record)
  }

  /// Creates a study, or loads the one named `name` when `loadIfExists`.
  /// - Parameters:
  ///   - name: generated when nil.
  ///   - directions: one per objective; `[.minimize]` by default.
  ///   - sampler: `AutoSampler()` by default (GP, TPE, CMA-ES or NSGA-II, as the study goes).
  ///   - pruner: `NopPruner()` by default.
  ///   - storage: a new `InMemoryStorage` by default.
  public static func create(
    name: String? = nil, directions: [StudyDirection] = [.minimize], sampler: (any Sampler)? = nil,
    pruner: (any Pruner)? = nil, storage: any Storage = InMemoryStorage(), loadIfExists: Bool = false,
    deterministicLag: Int? = nil
  ) throws -> Study {
    guard !directions.isEmpty else { throw StudyError("a study needs at least one direction") }
    let record: StudyRecord
    if let name {
      record = try Self.record(named: name, directions: directions, storage: storage, loadIfExists: loadIfExists)
    } else {
      // A generated name is never an existing study's: 8 hex digits collide once in ~65,000
      // studies (the fuzzer's loop of create_study{} met one after 20,000); another is drawn.
      var made: StudyRecord?
      while made == nil {
        do {
          made = try storage.createStudy(name: "study-" + UUID().uuidString.prefix(8).lowercased(), directions: directions)
        } catch StorageError.studyExists {}
      }
      record = made!
    }
    let study = Study(storage: storage, record: record, sampler: sampler ?? Self.defaultSampler(), pruner: pruner ?? NopPruner())
    study.deterministicLag = deterministicLag
    return study
  }

  /// The record of study `name`: a new one, or with `loadIfExists` the stored one (which must
  /// have the same directions).
  private static func record(
    named name: String, directions: [StudyDirection], storage: any Storage, loadIfExists: Bool
  ) throws -> StudyRecord {
    func load(_ existing: StudyRecord) throws -> StudyRecord {
      guard existing.directions == directions else {
        throw StudyError(
          "study '\(name)' exists with directions \(existing.directions.map(\.rawValue)), not \(directions.map(\.rawValue))")
      }
      return existing
    }
    let record: StudyRecord
    if loadIfExists, let existing = try storage.study(named: name) {
      record = try load(existing)
    } else {
      do {
        record = try storage.createStudy(name: name, directions: directions)
      } catch StorageError.studyExists(let taken) where loadIfExists {
        // Another process created it between the lookup and here: load theirs.
        guard let existing = try storage.study(named: taken) else { throw StorageError.studyExists(taken) }
        record = try load(existing)
      }
    }
    return record
  }

  public static func create(
    name: String? = nil, direction: StudyDirection, sampler: (any Sampler)? = nil,
    pruner: (any Pruner)? = nil, storage: any Storage = InMemoryStorage(), loadIfExists: Bool = false,
    deterministicLag: Int? = nil
  ) throws -> Study {
    try create(
      name: name, directions: [direction], sampler: sampler, pruner: pruner, storage: storage, loadIfExists: loadIfExists,
      deterministicLag: deterministicLag)
  }

  /// The automatic sampler with a random seed; its default settings are valid, so it cannot throw.
  static func defaultSampler() -> any Sampler { (try? AutoSampler()) ?? RandomSampler() }

  // MARK: Ask and tell

  /// Starts a trial: the oldest enqueued one if any, else a new one. Throws `TrialFailed` (with
  /// the trial stored as failed) when the sampler's before-trial hook throws.
  public func ask() throws -> Trial { try ask(beating: false) }

  /// `ask()`, recording the trial's first heartbeat as it starts (`optimize` with heartbeats).
  /// `started` hears of the trial as soon as it exists; in a deterministic study `waiting` is
  /// called while the trial waits for earlier ones (it may throw to give up: the trial fails).
  func ask(beating: Bool, started: (Int) -> Void = { _ in }, waiting: () throws -> Void = {}) throws -> Trial {
    let frozen = try storage.startTrial(studyID: record.id, beating: beating)
    started(frozen.id)
    let horizon = deterministicLag.map { DeterministicHorizon(number: frozen.number, lag: $0) }
    let context = SamplingContext(
      history: history.restricted(to: partitioning?.samplerPartition(trialNumber: frozen.number, history: history))
        .seen(from: horizon),
      trialID: frozen.id,
      rng: RandomSource(seed: sampler.seed, stream: frozen.number),
      onStop: { [weak self] in self?.stop() })
    let trial = Trial(study: self, frozen: frozen, context: context)
    do {
      if let horizon { try waitForTurn(horizon, waiting: waiting) }
      try sampler.beforeTrial(context)
      if horizon != nil { try trial.settleStart() }
    } catch {
      // Fail the trial rather than leave it running forever (unless another worker failed it as
      // stale while it waited: then that outcome stands).
      let failed = try finish(frozen.id, state: .fail, values: nil, failReason: String(describing: error))
      trial.markFinished()
      throw TrialFailed(trial: failed, underlying: error)
    }
    if deterministicLag != nil { OpenTrials.shared.opened(frozen.id, in: storage) }
    return trial
  }

  /// Finishes a trial. With `state` nil the trial is complete when `values` are valid (one finite
  /// or infinite number per direction, no NaN) and failed with the reason otherwise. A pruned
  /// trial takes its last intermediate value. Returns the finished trial; throws `TrialFailed`
  /// (with the trial stored as failed) when the sampler's after-trial hook throws.
  @discardableResult
  public func tell(_ trial: Trial, values: [Double]?, state: TrialState? = nil, failReason: String? = nil) throws -> FrozenTrial {
    if trial.isFinished { throw StorageError.trialFinished(number: trial.number) }
    var state = state ?? .complete
    var values = values
    var reason = failReason
    switch state {
    case .complete:
      if let problem = checkValues(values) {
        state = .fail
        reason = problem
        values = nil
      }
    case .pruned:
      values = trial.intermediateValues.max { $0.key < $1.key }.map { [$0.value] }
    case .fail:
      values = nil
    case .running, .waiting:
      throw StudyError("tell needs a finished state (complete, pruned or fail), got \(state.rawValue)")
    }
    // The sampler hears of the outcome before it is stored (as in Optuna), so a failing hook
    // can still fail the trial instead of leaving a finished trial and a broken study.
    var hookError: (any Error)?
    do { try sampler.afterTrial(trial.context, state: state, values: values) } catch {
      hookError = error
      if state != .fail { (state, values, reason) = (.fail, nil, String(describing: error)) }
    }
    let frozen = try finish(trial.id, state: state, values: values, failReason: reason)
    trial.markFinished()
    if let hookError { throw TrialFailed(trial: frozen, underlying: hookError) }
    return frozen
  }

  /// Finishes trial `id` in the storage — unless another worker failed it as stale meanwhile
  /// (its heartbeats stopped reaching the storage: a cut link, a paused process): then that
  /// outcome stands and is returned, this result is dropped, and the study goes on (with a retry,
  /// if the study retries failed trials).
  private func finish(_ id: Int, state: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    do {
      return try storage.finishTrial(trialID: id, state: state, values: values, failReason: failReason)
    } catch StorageError.trialFinished(let number) {
      let stored = try storage.trial(id: id)
      guard stored.state == .fail, stored.failReason == staleTrialFailReason else { throw StorageError.trialFinished(number: number) }
      return stored
    }
  }

  private func checkValues(_ values: [Double]?) -> String? {
    guard let values else { return "the objective returned no value" }
    guard values.count == directions.count else {
      return "the objective returned \(values.count) value\(values.count == 1 ? "" : "s") for a study with \(directions.count) objective\(directions.count == 1 ? "" : "s")"
    }
    if values.contains(where: \.isNaN) { return "the objective returned nan" }
    return nil
  }

  /// Queues a trial whose parameters named in `params` take those values.
  /// - Parameter skipIfExists: do nothing when a trial with these values exists already.
  public func enqueueTrial(_ params: [String: ParamValue], userAttrs: [String: AttrValue] = [:], skipIfExists: Bool = false) throws {
    if skipIfExists {
      for t in try storage.trials(studyID: record.id, states: nil) {
        let known = t.state == .waiting ? t.fixedParams : t.params
        if params.allSatisfy({ key, value in known[key].map { $0.matches(value) } ?? false }) { return }
      }
    }
    let fixed = AttrValue.object(params.mapValues(\.attr))
    let trial = try storage.createTrial(studyID: record.id, waiting: true, systemAttrs: [SystemKey.fixedParams: fixed])
    for (key, value) in userAttrs {
      try storage.setTrialUserAttr(trialID: trial.id, key: key, value: value)
    }
  }

  /// Asks the running optimize call to finish its current trial and start no more.
  public func stop() { stopRequested = true }

  // MARK: Results

  /// Trials in number order, optionally only those in `states`.
  public func trials(states: Set<TrialState>? = nil) throws -> [FrozenTrial] {
    try storage.trials(studyID: record.id, states: states)
  }

  /// The complete trial with the best value. Throws when there is none, or for multi-objective
  /// studies (use `bestTrials`).
  public var bestTrial: FrozenTrial {
    get throws {
      guard directions.count == 1 else {
        throw StudyError("bestTrial is not defined for a multi-objective study; use bestTrials")
      }
      guard let best = try storage.bestTrial(studyID: record.id) else {
        throw StudyError("study '\(name)' has no complete trial yet")
      }
      return best
    }
  }

  public var bestValue: Double { get throws { try bestTrial.value! } }
  public var bestParams: [String: ParamValue] { get throws { try bestTrial.params } }

  /// The complete trials no other complete trial dominates (the Pareto front), in number order.
  /// For a single objective: the best trial.
  public var bestTrials: [FrozenTrial] {
    get throws {
      let complete = try trials(states: [.complete]).filter { $0.values?.count == directions.count }
      return paretoFront(complete, directions: directions)
    }
  }

  public func setUserAttr(_ key: String, _ value: AttrValue) throws {
    try storage.setStudyUserAttr(studyID: record.id, key: key, value: value)
  }

  public var userAttrs: [String: AttrValue] { get throws { try storage.studyUserAttrs(studyID: record.id) } }
}

/// The trials no other trial dominates: another is at least as good in every objective and
/// better in one. Ties (equal values) stay on the front together.
public func paretoFront(_ trials: [FrozenTrial], directions: [StudyDirection]) -> [FrozenTrial] {
  func dominates(_ a: [Double], _ b: [Double]) -> Bool {
    var better = false
    for (i, d) in directions.enumerated() {
      if d.isBetter(b[i], than: a[i]) { return false }
      if d.isBetter(a[i], than: b[i]) { better = true }
    }
    return better
  }
  return trials.filter { t in !trials.contains { dominates($0.values!, t.values!) } }
}
