import Foundation
import TunaSearch
import TunaStore

/// Runs an optimize call's trials in worker processes and keeps the call alive whatever they do.
///
/// Each worker is a process of `executable` running the same script: it joins the call
/// (`WorkerAssignment`, in its environment) and takes trials from this supervisor's budget over
/// its control channel, one at a time. A worker that dies — a signal (SIGSEGV, SIGKILL, SIGXCPU,
/// an abort) or an exit without finishing its trial — fails the trial it was running, in the
/// study's storage, with how it died and what it last wrote to standard error; a fresh worker
/// takes its place and the call goes on. `maxCrashes` deaths in a row stop the call. A trial
/// that outlives its time limit (the worker's own deadline did not stop it: a native call that
/// never returns) is killed with SIGKILL after a grace period.
///
/// SMAC runs each trial under pynisher for the same reasons; here a worker runs many trials, so
/// its start-up is paid once, not per trial.
public final class Supervisor: IsolationHost, @unchecked Sendable {
  /// How to start a worker for an assignment: the executable, its arguments, and environment
  /// variables to add.
  public struct Launch: Sendable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public init(executable: String, arguments: [String], environment: [String: String] = [:]) {
      self.executable = executable
      self.arguments = arguments
      self.environment = environment
    }
  }

  private let launch: Launch
  private let lock = NSLock()
  private var interrupted = false
  private var live: [ObjectIdentifier: Worker] = [:]

  /// Workers started by `launch` (whose environment may name the file that stands for "in
  /// memory" in every worker, `IsolationEnvironment.memoryStorage`).
  public init(launch: Launch) {
    self.launch = launch
  }

  /// Passes `signal` (SIGINT, SIGTERM) to every worker and starts no more trials; workers that
  /// have not ended 5 s later are killed.
  public func interrupt(signal: Int32) {
    let workers: [Worker] = lock.withLock {
      interrupted = true
      return Array(live.values)
    }
    for worker in workers {
      worker.call.budget.stop()
      worker.child.signal(signal)
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + 5) { [weak self] in
      guard let self else { return }
      for worker in self.lock.withLock({ Array(self.live.values) }) { worker.child.signal(SIGKILL) }
    }
  }

  var isInterrupted: Bool { lock.withLock { interrupted } }

  /// A worker that dies between its request and the answer must not take the supervising
  /// process with it: a write to its channel then fails (EPIPE) instead of raising SIGPIPE.
  /// Set once a process supervises, so a plain `tuna run | head` still ends on SIGPIPE.
  static let ignoresBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

  // MARK: One call

  /// The state of one call: its budget, the deaths in a row, the storages its dead workers'
  /// trials are failed in.
  final class Call: @unchecked Sendable {
    let request: IsolatedCallRequest
    let budget: SharedBudget
    let events: @Sendable (IsolatedCallEvent) -> Void
    let lock = NSLock()
    let ended = NSCondition()
    var running = 0
    var crashesInARow = 0
    var storages: [String: any Storage] = [:]

    init(_ request: IsolatedCallRequest, events: @escaping @Sendable (IsolatedCallEvent) -> Void) {
      self.request = request
      budget = SharedBudget(nTrials: request.nTrials, timeout: request.timeout)
      self.events = events
    }
  }

  /// A worker process and the trial it is running.
  final class Worker: @unchecked Sendable {
    let child: ChildProcess
    let call: Call
    let lock = NSLock()
    /// The time limit the worker armed for its next trial, and when.
    var armed: (limit: Double?, at: ContinuousClock.Instant)?
    var trial: RunningTrial?
    /// Set when the watchdog killed it for its trial's time limit.
    var killedAfter: Double?
    init(child: ChildProcess, call: Call) {
      self.child = child
      self.call = call
    }
  }

  struct RunningTrial {
    let study: String
    let storage: String
    let id: Int
    let number: Int
    let limit: Double?
    let since: ContinuousClock.Instant
  }

  public func run(_ request: IsolatedCallRequest, events: @escaping @Sendable (IsolatedCallEvent) -> Void) throws -> IsolatedCallOutcome {
    let call = Call(request, events: events)
    // Interrupted before (a script that caught the interruption and called again): no workers.
    if request.nTrials == 0 || isInterrupted { return isInterrupted ? .interrupted : .done }
    _ = Self.ignoresBrokenPipes
    for started in 0..<max(1, min(request.workers, request.nTrials ?? request.workers)) {
      do { try start(call) } catch {
        // The workers already started would run on unwatched: they finish the call alone.
        if started == 0 { throw error }
        call.budget.stop(reason: "no further worker process could be started: \(error)")
        break
      }
    }
    let watchdog = Thread { [weak self] in self?.watch(call) }
    watchdog.start()
    call.ended.lock()
    while call.running > 0 { call.ended.wait() }
    call.ended.unlock()
    call.lock.withLock {
      for storage in call.storages.values { storage.close() }
      call.storages = [:]
    }
    if isInterrupted { return .interrupted }
    if let failure = call.budget.failure { return .failed(message: failure) }
    if let reason = call.budget.stopReason { return .stopped(reason: reason) }
    return .done
  }

  /// Starts one worker for `call`, with a thread that serves its channel and, when it ends,
  /// settles its trial.
  private func start(_ call: Call) throws {
    let assignment = WorkerAssignment(ordinal: call.request.ordinal, studyNames: call.request.studyNames)
    var environment = launch.environment
    environment[IsolationEnvironment.role] = "worker"
    environment[IsolationEnvironment.job] = assignment.json
    // A crash is reported by its signal and last words; Swift's backtracer would take seconds.
    environment["SWIFT_BACKTRACE"] = "enable=no"
    let child = try ChildProcess(
      executable: launch.executable, arguments: launch.arguments, environment: environment,
      stdin: .null, stdout: .null, stderr: .captured)
    let worker = Worker(child: child, call: call)
    call.ended.lock()
    call.running += 1
    call.ended.unlock()
    lock.withLock { live[ObjectIdentifier(worker)] = worker }
    let thread = Thread { [self] in serve(worker) }
    thread.start()
  }

  private func serve(_ worker: Worker) {
    let call = worker.call
    let channel = worker.child.channel
    while let message = channel.receive(), let kind = message.first {
      switch kind {
      case "claim":
        channel.send([call.budget.claim() ? "1" : "0"])
      case "arm" where message.count == 2:
        worker.lock.withLock { worker.armed = (Double(message[1]), .now) }
      case "started" where message.count == 5:
        guard let id = Int(message[3]), let number = Int(message[4]) else { continue }
        worker.lock.withLock {
          let armed = worker.armed
          worker.trial = RunningTrial(
            study: message[1], storage: message[2], id: id, number: number, limit: armed?.limit, since: armed?.at ?? .now)
        }
        call.events(.started(study: message[1], trialID: id, number: number))
      case "finished" where message.count == 5:
        guard let id = Int(message[2]) else { continue }
        worker.lock.withLock { worker.trial = nil }
        call.lock.withLock { call.crashesInARow = 0 }
        call.events(.finished(study: message[1], trialID: id))
        if let limit = call.request.maxConsecutiveFailures, let state = TrialState(rawValue: message[3]) {
          _ = call.budget.noteFinished(state: state, failReason: message[4], limit: limit)
        }
      case "stopped" where message.count == 3:
        call.events(.stopped(study: message[1], reason: message[2]))
      case "stop":
        call.budget.stop()
      case "fail" where message.count == 2:
        call.budget.fail(message[1])
      default:
        break
      }
    }
    let exit = worker.child.wait()
    settle(worker, exit: exit)
    lock.withLock { live[ObjectIdentifier(worker)] = nil }
    call.ended.lock()
    call.running -= 1
    call.ended.broadcast()
    call.ended.unlock()
  }

  /// After a worker ended: fails the trial it left running, counts a death, and starts a fresh
  /// worker while the call has trials left.
  private func settle(_ worker: Worker, exit: ChildExit) {
    let call = worker.call
    let (trial, killedAfter) = worker.lock.withLock { (worker.trial, worker.killedAfter) }
    let interrupted = isInterrupted
    // An exit in the middle of a trial (`os.exit(0)` in an objective) is a death too.
    let died = exit.code != 0 || trial != nil
    guard died, !interrupted else { return }
    let words = worker.child.lastWords
    var reason: String
    if let limit = killedAfter {
      reason = "the worker process was killed (SIGKILL) \(formatSeconds(Self.grace(limit))) past the trial's time limit of "
        + "\(formatSeconds(limit)): the trial did not return to the script (a native call that does not end?)"
    } else if exit.signal == SIGXCPU {
      reason = "the worker process was \(exit): the trial used more CPU time than its time limit allows"
    } else if exit.code == 0 {
      reason = "the worker process exited (code 0) in the middle of the trial"
    } else {
      reason = "the worker process \(exit.signal == nil ? "" : "was ")\(exit)"
    }
    if !words.isEmpty { reason += "; it last wrote: \(words)" }
    if let trial {
      failTrial(trial, reason: reason, call: call)
    } else {
      FileHandle.standardError.write(Data("tuna: a worker process \(exit.signal == nil ? "" : "was ")\(exit) outside any trial\(words.isEmpty ? "" : ": \(words)")\n".utf8))
    }
    let crashes = call.lock.withLock {
      call.crashesInARow += 1
      return call.crashesInARow
    }
    if crashes >= call.request.maxCrashes {
      call.budget.stop(reason: "\(crashes) worker processes in a row died (the last: \(reason))")
      return
    }
    guard !call.budget.isSpent, !isInterrupted else { return }
    do { try start(call) } catch {
      call.budget.stop(reason: "no worker process could be started: \(error)")
    }
  }

  /// Fails a dead worker's trial in its study's storage (unless it finished after all) and
  /// tells the call's listener.
  private func failTrial(_ trial: RunningTrial, reason: String, call: Call) {
    var finished: FrozenTrial?
    do {
      let storage = try call.lock.withLock {
        if let known = call.storages[trial.storage] { return known }
        let opened = try openStorage(trial.storage)
        call.storages[trial.storage] = opened
        return opened
      }
      finished = try? storage.finishTrial(trialID: trial.id, state: .fail, values: nil, failReason: reason)
      if finished == nil { finished = try storage.trial(id: trial.id) }
    } catch {
      FileHandle.standardError.write(Data("tuna: trial \(trial.number) of a dead worker could not be failed: \(error)\n".utf8))
    }
    call.events(.finished(study: trial.study, trialID: trial.id))
    if let limit = call.request.maxConsecutiveFailures, let finished {
      _ = call.budget.noteFinished(finished, limit: limit)
    }
  }

  /// Past a trial's time limit, what its worker gets to return before it is killed: a tenth
  /// more, at least a second (the worker's own deadline normally ends the trial first).
  static func grace(_ limit: Double) -> Double { max(1, limit / 10) }

  /// Kills workers whose trial outlived its time limit and its grace.
  private func watch(_ call: Call) {
    while true {
      let done = call.ended.withLock { call.running == 0 }
      if done { return }
      let workers = lock.withLock { live.values.filter { $0.call === call } }
      let now = ContinuousClock.now
      for worker in workers {
        let overdue: Double? = worker.lock.withLock {
          guard worker.killedAfter == nil, let trial = worker.trial, let limit = trial.limit else { return nil }
          guard now - trial.since > .limit(seconds: limit + Self.grace(limit)) else { return nil }
          worker.killedAfter = limit
          return limit
        }
        if overdue != nil { worker.child.signal(SIGKILL) }
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
  }
}

/// Seconds as messages give them: "1 s", "2.5 s".
func formatSeconds(_ seconds: Double) -> String {
  seconds == seconds.rounded() && seconds < 1e9 ? "\(Int(seconds)) s" : String(format: "%.3g s", seconds)
}
