import Foundation
import LuaVM
import TunaIsolation
import TunaSearch

extension TunaEngine {
  /// An isolated `study:optimize` (`isolate = true`, or every call under `tuna run --isolate`):
  /// the trials run in worker processes that the configuration's host supervises, each running
  /// this script up to this call; this engine runs none, and hears of each trial as it starts
  /// and ends, as it hears of its thread workers' (the log, progress line and summary read the
  /// same). A worker that dies fails its trial, not the call.
  func optimizeIsolated(_ box: StudyBox, _ request: IsolatedCallRequest, showProgress: Bool) throws -> Int32 {
    guard let host = configuration.isolation else {
      throw ScriptError("isolate = true needs a program that can start worker processes: run the script with tuna run")
    }
    guard box.location != nil else {
      throw ScriptError(
        "isolate = true runs the trials in other processes, which cannot see a study held in this one's memory: "
          + "give the study a storage (storage = \"sqlite:...\"), or run the whole script with tuna run --isolate")
    }
    let known = SendableBox(Dictionary(studyBoxes.map { ($0.study.name, $0.study) }, uniquingKeysWith: { a, _ in a }))
    let lock = NSLock()
    eventLock = lock
    defer { eventLock = nil }
    let events = WeakEngine(self)
    emit(.optimizeStarted(box.study, nTrials: request.nTrials, showProgress: showProgress))
    defer { emit(.optimizeFinished(box.study)) }
    let outcome: IsolatedCallOutcome
    do {
      outcome = try host.run(request) { event in
        guard let engine = events.engine else { return }
        switch event {
        case .started(let name, let id, let number):
          guard let study = known.value[name] else { return }
          engine.emit(.trialStarted(study, id: id, number: number))
        case .finished(let name, let id):
          guard let study = known.value[name], let trial = try? study.storage.trial(id: id) else { return }
          engine.emit(.trialFinished(study, trial))
        case .stopped(let name, let reason):
          guard let study = known.value[name] else { return }
          engine.emit(.optimizeStopped(study, reason: reason))
        }
      }
    } catch let error as IsolationError {
      throw ScriptError(error.description)
    }
    switch outcome {
    case .done: break
    case .stopped(let reason): emit(.optimizeStopped(box.study, reason: reason))
    case .failed(let message): throw ScriptError(message)
    case .interrupted: interruption.interrupt()
    }
    if interruption.isInterrupted { throw ScriptError("interrupted") }
    return 0
  }
}

/// A worker process of an isolated optimize call: it runs the script silently up to the call
/// it joins (its `create_study` calls join the script's studies in order), takes trials from
/// its parent's budget over the control channel, tells the parent of each, and ends there.
public final class IsolatedWorker {
  private let engine: TunaEngine
  private let path: String
  private let arguments: [String]

  /// Stops the worker's running trial and its part of the call (Ctrl-C, SIGTERM).
  public var interruption: Interruption { engine.interruption }

  public init(
    configuration: TunaEngine.Configuration, assignment: WorkerAssignment, channel: ControlChannel,
    path: String, arguments: [String]
  ) throws(LuaError) {
    var configuration = configuration
    configuration.isolation = nil
    configuration.isolateEveryCall = false
    let storages = StorageRegistry(countingMemory: false, memoryURL: configuration.memoryStorage)
    let job = WorkerJob(
      ordinal: assignment.ordinal, studyNames: assignment.studyNames, storages: storages,
      budget: ChannelBudget(channel), source: .file(path: path, arguments: arguments), configuration: configuration,
      memory: nil, forward: { _, _ in })
    engine = try TunaEngine(configuration: configuration, job: job)
    self.path = path
    self.arguments = arguments
    let weak = WeakEngine(engine)
    engine.onEvent = { event in
      switch event {
      case .trialStarted(let study, let id, let number):
        let location = weak.engine?.box(for: study)?.location ?? ""
        channel.send(["started", study.name, location, String(id), String(number)])
      case .trialFinished(let study, let trial):
        channel.send(["finished", study.name, String(trial.id), trial.state.rawValue, trial.failReason ?? ""])
      case .optimizeStopped(let study, let reason):
        channel.send(["stopped", study.name, reason])
      case .optimizeStarted, .optimizeFinished:
        break
      }
    }
  }

  /// Runs the worker's part; returns when it is done.
  public func run() throws(LuaError) {
    try engine.state.run("print = function() end", chunkName: "worker")
    do {
      try engine.runScript(path: path, arguments: arguments)
    } catch {
      if engine.workerDone { return }
      throw error
    }
  }

  /// Closes the storages the worker opened.
  public func close() { engine.closeStorages() }
}

/// The trial budget of a worker process: its parent's, asked over the control channel. Failures
/// in a row are counted by the parent, which sees every worker's trials.
final class ChannelBudget: TrialBudget, @unchecked Sendable {
  private let channel: ControlChannel
  private let lock = NSLock()
  private var stopped = false
  private var running = 0

  init(_ channel: ControlChannel) { self.channel = channel }

  func claim() -> Bool {
    guard !isStopped, channel.send(["claim"]), let reply = channel.receive() else { return false }
    return reply.first == "1"
  }

  func stop() {
    lock.withLock { stopped = true }
    channel.send(["stop"])
  }

  var isStopped: Bool { lock.withLock { stopped } }

  func fail(_ message: String) {
    lock.withLock { stopped = true }
    channel.send(["fail", message])
  }

  func noteFinished(_ trial: FrozenTrial, limit: Int) -> String? { nil }

  func running<R>(limit: Double?, _ trial: () throws -> R) rethrows -> R {
    // The parent kills the worker once the trial outlives its limit and a grace; the system
    // kills it once it has used that much CPU time on every core.
    channel.send(["arm", limit.map { String($0) } ?? "-"])
    ResourceLimits.limitCPU(forTrialOf: limit)
    lock.withLock { running += 1 }
    defer { lock.withLock { running -= 1 } }
    return try trial()
  }

  var trialsRunning: Int { lock.withLock { running } }
}
