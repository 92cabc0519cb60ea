import Foundation
import LuaVM
import Synchronization
import TunaSearch
import TunaStore

/// The script an engine runs, kept so that workers can run it again in their own states.
enum ScriptSource: Sendable {
  case file(path: String, arguments: [String])
  case text(String, chunkName: String)
}

/// What a worker engine needs to join the main engine's `optimize` call: which call it is, the
/// studies the main script had created by then (so the worker's `create_study` calls join them
/// in order), the storage they live in, and the shared budget.
final class WorkerJob: @unchecked Sendable {
  /// The main script's optimize call to join, counting from 1.
  let ordinal: Int
  /// The main script's studies by `create_study` call, in order.
  let studyNames: [String]
  let storages: StorageRegistry
  let budget: any TrialBudget
  let source: ScriptSource
  let configuration: TunaEngine.Configuration
  /// The memory cap the workers' states share with the main one (under --memory-limit).
  let memory: LuaSharedMemory?
  /// Delivers a worker's trial events to the main engine's listener, by study name.
  let forward: @Sendable (String, WorkerEvent) -> Void

  init(
    ordinal: Int, studyNames: [String], storages: StorageRegistry, budget: any TrialBudget, source: ScriptSource,
    configuration: TunaEngine.Configuration, memory: LuaSharedMemory?,
    forward: @escaping @Sendable (String, WorkerEvent) -> Void
  ) {
    self.memory = memory
    self.ordinal = ordinal
    self.studyNames = studyNames
    self.storages = storages
    self.budget = budget
    self.source = source
    self.configuration = configuration
    self.forward = forward
  }
}

/// What a worker tells the main engine of its trials.
enum WorkerEvent: Sendable {
  case started(id: Int, number: Int)
  case finished(FrozenTrial)
  case stopped(reason: String)
}

/// The storages an engine's scripts use, by URL, opened once and shared with its workers.
final class StorageRegistry: Sendable {
  let memory: InMemoryStorage
  /// What the in-memory studies hold, under --memory-limit: it counts against the limit of every
  /// state (the main one and its workers').
  let held: LuaHeldMemory?
  private let opened = Mutex<[String: any Storage]>([:])

  /// The storage URL that stands for "in memory" (a worker process's shared file), if any.
  let memoryURL: String?

  /// The storages of one run; `countingMemory`: the in-memory studies' bytes are counted (`held`);
  /// `memoryURL`: a storage that stands for "in memory" (the processes of an isolated run share
  /// their in-memory studies through one file).
  init(countingMemory: Bool, memoryURL: String? = nil) {
    self.memoryURL = memoryURL
    let held = countingMemory && memoryURL == nil ? LuaHeldMemory() : nil
    self.held = held
    if let held {
      memory = InMemoryStorage(meter: { bytes in held.add(bytes) })
    } else {
      memory = InMemoryStorage()
    }
  }

  /// The storage at `url` ("sqlite:path.db", …); the in-memory one for nil, "" or "memory".
  func storage(_ url: String?) throws -> any Storage {
    guard let url = Self.isMemory(url) ? memoryURL : url else { return memory }
    return try opened.withLock { opened in
      if let known = opened[url] { return known }
      let storage = try openStorage(url)
      opened[url] = storage
      return storage
    }
  }

  /// Whether `url` names the in-memory storage (nil, "", "memory", ":memory:").
  static func isMemory(_ url: String?) -> Bool {
    guard let url else { return true }
    return url.isEmpty || url == "memory" || url == ":memory:"
  }

  /// The URL a study in `url` lives at, as another process opens it (nil: this process's memory).
  func location(_ url: String?) -> String? { Self.isMemory(url) ? memoryURL : url }

  /// Closes every storage opened by URL (see `Storage.close`).
  func closeAll() {
    let storages = opened.withLock { opened in
      defer { opened = [:] }
      return Array(opened.values)
    }
    for storage in storages { storage.close() }
  }
}

/// Signals the end of a worker's part: the main script goes on alone.
struct WorkerFinished: Error, CustomStringConvertible {
  var description: String { "worker finished" }
}

extension TunaEngine {
  /// Runs `count − 1` workers beside this engine's own loop for its optimize call `ordinal`;
  /// `ownLoop` runs this engine's part. Returns when every worker has stopped; throws the first
  /// failure when the call does not catch errors.
  func runWithWorkers(
    count: Int, ordinal: Int, budget: SharedBudget, ownLoop: () throws -> Void
  ) throws {
    guard let source = scriptSource else {
      throw ScriptError("workers need the script's source: run it with runScript(path:) or run(_:chunkName:)")
    }
    let lock = NSLock()
    let mainStudies = SendableBox(Dictionary(studies.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }))
    // Weak: a worker's thread may outlive this call by a moment, and must not keep this engine
    // (and its Lua state) alive past its owner.
    let events = WeakEngine(self)
    // --memory-limit is one cap for the call's states together, not one per worker.
    let memory = configuration.memoryLimit.map { LuaSharedMemory(bytes: $0) }
    state.shareMemory(memory)
    defer { state.shareMemory(nil) }
    let job = WorkerJob(
      ordinal: ordinal, studyNames: createdStudyNames, storages: storages, budget: budget, source: source,
      configuration: configuration, memory: memory,
      forward: { name, event in
        lock.lock()
        defer { lock.unlock() }
        guard let study = mainStudies.value[name] else { return }
        switch event {
        case .started(let id, let number): events.engine?.onEvent?(.trialStarted(study, id: id, number: number))
        case .finished(let trial): events.engine?.onEvent?(.trialFinished(study, trial))
        case .stopped(let reason): events.engine?.onEvent?(.optimizeStopped(study, reason: reason))
        }
      })
    eventLock = lock

    let group = DispatchGroup()
    let errors = Mutex<[String]>([])
    for index in 1..<count {
      group.enter()
      let thread = Thread {
        defer { group.leave() }
        do {
          guard let interruption = events.engine?.interruption else { return }
          try TunaEngine.runWorker(job, interruption: interruption)
        } catch {
          errors.withLock { $0.append("worker \(index + 1): \(error)") }
        }
      }
      thread.stackSize = 16 << 20
      thread.start()
    }
    var ownError: (any Error)?
    do { try ownLoop() } catch {
      ownError = error
      budget.stop()
    }
    group.wait()
    eventLock = nil
    if let ownError { throw ownError }
    if let failure = budget.failure { throw ScriptError(failure) }
    for message in errors.withLock({ $0 }) {
      FileHandle.standardError.write(Data("tuna: \(message)\n".utf8))
    }
  }

  /// A worker's life: a fresh engine runs the script silently up to the joined optimize call,
  /// takes trials from the shared budget, and stops there.
  private static func runWorker(_ job: WorkerJob, interruption parent: Interruption) throws {
    let engine = try TunaEngine(configuration: job.configuration, job: job)
    engine.state.shareMemory(job.memory)
    engine.onEvent = { event in
      switch event {
      case .trialStarted(let study, let id, let number): job.forward(study.name, .started(id: id, number: number))
      case .trialFinished(let study, let trial): job.forward(study.name, .finished(trial))
      case .optimizeStopped(let study, let reason): job.forward(study.name, .stopped(reason: reason))
      case .optimizeStarted, .optimizeFinished: break
      }
    }
    parent.adopt(engine.interruption)
    try engine.state.run("print = function() end", chunkName: "worker")
    do {
      switch job.source {
      case .file(let path, let arguments): try engine.runScript(path: path, arguments: arguments)
      case .text(let text, let chunkName): try engine.run(text, chunkName: chunkName)
      }
    } catch {
      if engine.workerDone { return }
      throw error
    }
  }
}

/// A weak reference to an engine for closures that run on other threads (event forwarding is
/// serialized by the event lock).
final class WeakEngine: @unchecked Sendable {
  weak var engine: TunaEngine?
  init(_ engine: TunaEngine) { self.engine = engine }
}

/// Carries a non-Sendable reference into closures that run on other threads; its users
/// serialize every access (here: the event lock).
final class SendableBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
