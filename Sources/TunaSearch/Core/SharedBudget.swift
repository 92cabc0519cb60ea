import Synchronization

/// What the workers of one optimize call take their trials from: threads in one process share a
/// `SharedBudget`; a worker process asks its parent's over a pipe.
public protocol TrialBudget: AnyObject, Sendable {
  /// Takes one trial; false once the budget is spent, past its deadline, or stopped.
  func claim() -> Bool
  /// Starts no more trials, in any worker.
  func stop()
  var isStopped: Bool { get }
  /// Records the first failure of a call that does not catch errors, and stops every worker.
  func fail(_ message: String)
  /// Counts a finished trial toward `limit` failures in a row across the workers; returns the
  /// reason, once, when that stops the budget.
  func noteFinished(_ trial: FrozenTrial, limit: Int) -> String?
  /// Runs one trial of a worker, counted among those running while it does; `limit` is the
  /// trial's time limit, if it has one (a worker process tells its parent, which enforces it).
  func running<R>(limit: Double?, _ trial: () throws -> R) rethrows -> R
  /// How many trials the workers of this process are running now.
  var trialsRunning: Int { get }
}

/// One trial budget shared by the engines of a parallel `study:optimize`: `n_trials` and
/// `timeout` count for the call as a whole, not per worker (design.md, "Workers").
public final class SharedBudget: TrialBudget {
  private struct State {
    var started = 0
    var stopped = false
    var failure: String?
    /// Failed trials in a row across the workers, and why the budget stopped for them.
    var failuresInARow = 0
    var stopReason: String?
    /// Trials the workers are running now.
    var running = 0
  }

  private let state = Mutex(State())
  public let nTrials: Int?
  public let deadline: ContinuousClock.Instant?

  public init(nTrials: Int?, timeout: Double?) {
    self.nTrials = nTrials
    deadline = timeout.map { ContinuousClock.now + .limit(seconds: $0) }
  }

  /// Takes one trial from the budget; false once it is spent, past the deadline, or stopped.
  public func claim() -> Bool {
    state.withLock { s in
      if spent(s) { return false }
      s.started += 1
      return true
    }
  }

  public func stop() { state.withLock { $0.stopped = true } }

  /// Whether no trial is left to claim: stopped, every trial taken, or past the deadline.
  public var isSpent: Bool { state.withLock { spent($0) } }

  private func spent(_ s: State) -> Bool {
    s.stopped || nTrials.map { s.started >= $0 } == true || deadline.map { ContinuousClock.now >= $0 } == true
  }

  /// Runs one trial of a worker, counted among those running while it does.
  public func running<R>(limit: Double?, _ trial: () throws -> R) rethrows -> R {
    state.withLock { $0.running += 1 }
    defer { state.withLock { $0.running -= 1 } }
    return try trial()
  }

  /// How many trials the workers are running now.
  public var trialsRunning: Int { state.withLock { $0.running } }
  public var isStopped: Bool { state.withLock { $0.stopped } }

  /// Records the first failure (`catch = false`) and stops every worker.
  public func fail(_ message: String) {
    state.withLock { s in
      if s.failure == nil { s.failure = message }
      s.stopped = true
    }
  }

  public var failure: String? { state.withLock { $0.failure } }

  /// Counts a finished trial toward `limit` failures in a row (across every worker) and stops
  /// the budget when they are reached; returns the reason then, once.
  public func noteFinished(_ trial: FrozenTrial, limit: Int) -> String? {
    noteFinished(state: trial.state, failReason: trial.failReason, limit: limit)
  }

  /// As `noteFinished(_:limit:)`, from a trial's state and fail reason.
  public func noteFinished(state trialState: TrialState, failReason: String?, limit: Int) -> String? {
    state.withLock { s in
      s.failuresInARow = trialState == .fail ? s.failuresInARow + 1 : 0
      guard s.failuresInARow >= limit, s.stopReason == nil else { return nil }
      let reason = (failReason ?? "").split(separator: "\n").first.map(String.init) ?? ""
      s.stopReason = "\(s.failuresInARow) trials in a row failed (the last: \(reason))"
      s.stopped = true
      return s.stopReason
    }
  }

  /// Stops the budget for `reason` (the first given is kept).
  public func stop(reason: String) {
    state.withLock { s in
      if s.stopReason == nil { s.stopReason = reason }
      s.stopped = true
    }
  }

  /// Why `noteFinished` stopped the budget, if it did.
  public var stopReason: String? { state.withLock { $0.stopReason } }
}
