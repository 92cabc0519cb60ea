import Foundation

/// How `Study.optimize` runs.
public struct OptimizeOptions {
  /// Trials to run in this call; nil runs until `timeout`, `stop()` or the sampler stops it.
  public var nTrials: Int?
  /// Seconds for the whole call, checked before each trial starts.
  public var timeout: Double?
  /// true: a failing trial is recorded FAIL and the study goes on. false: the first failure is
  /// recorded and rethrown.
  public var catchErrors: Bool
  /// Called with each finished trial, in order.
  public var callbacks: [(Study, FrozenTrial) throws -> Void]
  /// Seconds one trial may take; over it the trial fails. The objective sees the deadline as
  /// `trial.deadline` (the Lua bridge enforces it inside scripts).
  public var trialTimeout: Double?
  /// Wraps each whole trial — its start (the sampler's before-trial hook), the objective, and
  /// its finish (the after-trial hook). The Lua bridge arms its deadline here, so a script that
  /// loops anywhere in a trial fails that trial only.
  public var aroundTrial: ((_ trial: () throws -> FrozenTrial) throws -> FrozenTrial)?
  /// Asked before each trial, after `nTrials` and `timeout`: false ends the call. Workers that
  /// share one budget across threads claim their trials here.
  public var claimTrial: (() -> Bool)?
  /// Seconds between heartbeats of the running trial (recorded from a background thread), so
  /// that other workers can tell it from one whose worker died; nil for none.
  public var heartbeatInterval: Double?
  /// At the start and then every quarter of this many seconds (checked before a trial starts),
  /// the study's running trials whose last heartbeat is older than this many
  /// seconds are failed as stale (their worker died); nil to leave them.
  public var staleAfter: Double?
  /// A trial failed as stale is enqueued again with the same parameters, up to this many times
  /// per original trial (Optuna's `RetryFailedTrialCallback`).
  public var retryFailed = 0
  /// Called, in a deterministic study, while a trial waits for earlier ones to finish; throwing
  /// gives up the wait and fails the trial (the Lua bridge checks Ctrl-C and deadlines here).
  public var whileWaiting: (() throws -> Void)?
  /// Stop the call once this many trials in a row have failed (a mistake in the objective fails
  /// every trial alike); `Study.stopReason` then says why. nil: never.
  public var maxConsecutiveFailures: Int?

  public init(
    nTrials: Int? = nil, timeout: Double? = nil, catchErrors: Bool = true,
    callbacks: [(Study, FrozenTrial) throws -> Void] = [], trialTimeout: Double? = nil
  ) {
    self.nTrials = nTrials
    self.timeout = timeout
    self.catchErrors = catchErrors
    self.callbacks = callbacks
    self.trialTimeout = trialTimeout
  }
}

/// The error a trial failed with, rethrown by `optimize` when `catchErrors` is false.
public struct TrialFailed: Error, CustomStringConvertible {
  public let trial: FrozenTrial
  public let underlying: any Error
  public var description: String { String(describing: underlying) }
}

extension Study {
  /// Runs trials of `objective` until the options' budget is spent. The objective returns one
  /// value per direction; throwing `TrialPruned` prunes the trial, any other error fails it.
  public func optimize(_ options: OptimizeOptions, _ objective: (Trial) throws -> [Double]) throws {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = options.timeout.map { start + .limit(seconds: $0) }
    var started = 0
    // One beating thread for the whole call; it stamps whichever trial is running.
    let heartbeat = options.heartbeatInterval.map { Heartbeat(storage: storage, every: $0) }
    defer { heartbeat?.stop() }
    // Failing stale trials is a write transaction: once at the start, then as often as a stale
    // trial can appear at this grace, not before every trial.
    var lastStaleCheck: ContinuousClock.Instant?
    var failuresInARow = 0
    stopRequested = false
    stopReason = nil
    while !stopRequested {
      if let n = options.nTrials, started >= n { break }
      if let deadline, clock.now >= deadline { break }
      if let staleAfter = options.staleAfter, lastStaleCheck.map({ clock.now - $0 >= .limit(seconds: staleAfter / 4) }) ?? true {
        try recoverStaleTrials(olderThan: staleAfter, retry: options.retryFailed)
        lastStaleCheck = clock.now
      }
      if let claim = options.claimTrial, !claim() { break }
      started += 1
      let frozen = try options.aroundTrial.map { around in
        try around { try runTrial(objective, options: options, clock: clock, heartbeat: heartbeat) }
      } ?? runTrial(objective, options: options, clock: clock, heartbeat: heartbeat)
      failuresInARow = frozen.state == .fail ? failuresInARow + 1 : 0
      if let limit = options.maxConsecutiveFailures, failuresInARow >= limit, !stopRequested {
        let reason = (frozen.failReason ?? "").split(separator: "\n").first.map(String.init) ?? ""
        stopReason = "\(failuresInARow) trials in a row failed (the last: \(reason))"
        stopRequested = true
      }
      for callback in options.callbacks { try callback(self, frozen) }
    }
  }

  /// Runs `nTrials` trials of a single-objective `objective`.
  public func optimize(nTrials: Int, timeout: Double? = nil, _ objective: (Trial) throws -> Double) throws {
    try optimize(OptimizeOptions(nTrials: nTrials, timeout: timeout)) { [try objective($0)] }
  }

  /// One whole trial: start it, run the objective, finish it. Any failure along the way —
  /// the sampler's hooks included — fails this trial only, unless `catchErrors` is false.
  private func runTrial(
    _ objective: (Trial) throws -> [Double], options: OptimizeOptions, clock: ContinuousClock, heartbeat: Heartbeat?
  ) throws -> FrozenTrial {
    let trialStart = clock.now
    let trial: Trial
    // The trial beats from the moment it exists: in a deterministic study it may wait a while
    // for earlier trials before its objective runs.
    defer { heartbeat?.track(nil) }
    var lastStaleCheck = clock.now
    do {
      trial = try ask(beating: heartbeat != nil, started: { heartbeat?.track($0) }) {
        // The trial waited for may belong to a worker that died: fail it as stale here too.
        if let staleAfter = options.staleAfter, clock.now - lastStaleCheck >= .limit(seconds: staleAfter / 4) {
          try recoverStaleTrials(olderThan: staleAfter, retry: options.retryFailed)
          lastStaleCheck = clock.now
        }
        try options.whileWaiting?()
      }
    } catch let failed as TrialFailed {
      if options.catchErrors { return failed.trial }
      throw failed
    }
    trial.deadline = options.trialTimeout.map { trialStart + .limit(seconds: $0) }

    var values: [Double]?
    var state: TrialState?
    var reason: String?
    var failure: (any Error)?
    do {
      values = try objective(trial)
      if let limit = options.trialTimeout, let deadline = trial.deadline, clock.now > deadline {
        let message = "trial exceeded its time limit of \(formatDouble(limit)) s"
        (values, state, reason, failure) = (nil, .fail, message, StudyError(message))
      }
    } catch is TrialPruned {
      state = .pruned
    } catch {
      if trial.isFinished { throw error }  // the objective finished the trial itself and then threw
      (state, reason, failure) = (.fail, String(describing: error), error)
    }

    let frozen: FrozenTrial
    do {
      frozen = try tell(trial, values: values, state: state, failReason: reason)
    } catch let failed as TrialFailed {  // the sampler's after-trial hook failed
      if options.catchErrors { return failed.trial }
      throw TrialFailed(trial: failed.trial, underlying: failure ?? failed.underlying)
    }
    if frozen.state == .fail, !options.catchErrors {
      throw TrialFailed(trial: frozen, underlying: failure ?? StudyError(frozen.failReason ?? "trial failed"))
    }
    return frozen
  }

  /// Fails the study's trials whose worker stopped beating, and enqueues each again (same
  /// parameters) while it has retries left. Returns the trials failed.
  @discardableResult
  public func recoverStaleTrials(olderThan seconds: Double, retry: Int = 0) throws -> [FrozenTrial] {
    let failed = try storage.failStaleTrials(studyID: record.id, olderThan: seconds)
    guard retry > 0 else { return failed }
    for trial in failed {
      let done: Int
      if case .int(let n)? = trial.systemAttrs[SystemKey.retryCount] { done = n } else { done = 0 }
      guard done < retry else { continue }
      let original: Int
      if case .int(let n)? = trial.systemAttrs[SystemKey.retriedFrom] { original = n } else { original = trial.number }
      let fixed = AttrValue.object(trial.params.mapValues(\.attr))
      _ = try storage.createTrial(studyID: record.id, waiting: true, systemAttrs: [
        SystemKey.fixedParams: fixed, SystemKey.retryCount: .int(done + 1), SystemKey.retriedFrom: .int(original),
      ])
    }
    return failed
  }
}

/// Stamps the running trial's heartbeat every `interval` seconds from one background thread
/// for a whole `optimize` call; the trial's first beat is recorded as it starts
/// (`Storage.startTrial`). A beat that lands just after the trial finished is refused by the
/// storage and ignored. `stop` returns once the thread has ended and let go of the storage, so
/// that a storage released after `optimize` is really closed (a SQLite file checkpointed) even
/// when the process exits right away.
final class Heartbeat: @unchecked Sendable {
  private let condition = NSCondition()
  private var stopped = false
  private var ended = false
  private var trialID: Int?
  /// Held only while the thread runs: the thread's closure keeps `self` alive as long as
  /// Foundation keeps the thread object, but not the storage.
  private var storage: (any Storage)?

  init(storage: any Storage, every interval: Double) {
    self.storage = storage
    // A wait past what a date can hold (1e308 s) traps in Foundation: a beat a day is the least.
    let interval = min(max(interval.isNaN ? 1 : interval, 0.001), 86_400)
    let thread = Thread { [self] in
      condition.lock()
      while !stopped {
        if condition.wait(until: Date().addingTimeInterval(interval)) { continue }
        guard !stopped, let id = trialID, let held = self.storage else { continue }
        // The write happens outside the lock, so `track` never waits for the storage.
        condition.unlock()
        try? held.recordHeartbeat(trialID: id)
        condition.lock()
      }
      self.storage = nil
      ended = true
      condition.broadcast()
      condition.unlock()
    }
    thread.stackSize = 256 << 10
    thread.start()
  }

  /// The trial to beat for from now on; nil between trials.
  func track(_ id: Int?) {
    condition.lock()
    trialID = id
    condition.unlock()
  }

  /// Stops the thread and waits until it has let go of the storage.
  func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    while !ended { condition.wait() }
    condition.unlock()
  }
}

extension Duration {
  /// A limit of `seconds` given by a user: negative and NaN count as none left, and anything past
  /// a million years (up to infinity) as a million years — `Duration.seconds` traps past the
  /// range it can hold (a script's `timeout = 1e308` ended the process).
  public static func limit(seconds: Double) -> Duration {
    guard seconds > 0 else { return .zero }
    return .seconds(min(seconds, 3.2e13))
  }
}
