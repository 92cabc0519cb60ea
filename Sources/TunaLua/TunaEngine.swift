import Foundation
import Synchronization
import LuaVM
import TunaIsolation
import TunaSearch
import TunaTrain

/// Runs tuning scripts: one Lua state with the `tuna` module, bound to the search core.
///
/// ```swift
/// let engine = try TunaEngine()
/// try engine.run("""
///   local study = tuna.create_study{ direction = "minimize" }
///   study:optimize(function(t) local x = t:suggest_float("x", -5, 5) return x * x end, { n_trials = 20 })
///   """, chunkName: "inline.lua")
/// print(try engine.studies[0].bestValue)
/// ```
///
/// An engine and its state belong to one thread at a time.
public final class TunaEngine {
  /// What the command line can impose on every script.
  public struct Configuration: Sendable {
    /// Only the safe libraries (lua-api.md §7).
    public var sandbox = false
    /// In the sandbox, the directories Tuna's own functions may read and write (CSV files,
    /// storages, reports).
    public var files = FileGrants()
    /// Bytes the script may hold; a runaway allocation fails the trial it happens in.
    public var memoryLimit: Int?
    /// Seconds per trial, overriding `trial_timeout` in scripts.
    public var trialTimeout: Double?
    /// Overrides `n_trials` of every `optimize` call.
    public var nTrials: Int?
    /// Overrides `timeout` of every `optimize` call.
    public var timeout: Double?
    /// Overrides the seed of every sampler the script makes.
    public var seed: UInt64?
    /// Trials can be stopped by `interruption.interrupt()` from another thread (the CLI's
    /// Ctrl-C): the count hook is armed during every trial, checking every 10,000 instructions.
    public var interruptible = false
    /// Overrides `workers` of every `optimize` call.
    public var workers: Int?
    /// The storage URL of every `create_study` that names none ("sqlite:tuna.db").
    public var storage: String?
    /// `load_if_exists` defaults to true: rerunning a script continues its stored studies.
    public var resume = false
    /// Every optimize call stops once this many trials in a row have failed (overrides the
    /// script's `max_consecutive_failures`).
    public var maxConsecutiveFailures: Int?
    /// Runs the trials of isolated optimize calls in worker processes (`isolate = true`, or
    /// every call with `isolateEveryCall`). Without one, such a call is refused.
    public var isolation: (any IsolationHost)?
    /// Every optimize call is isolated (`tuna run --isolate`).
    public var isolateEveryCall = false
    /// A storage URL that stands for "in memory": the processes of an isolated run share their
    /// in-memory studies through it (set by the supervisor in each child's environment).
    public var memoryStorage: String?
    public init() {}
  }

  /// What an embedding program (the CLI's progress line, say) hears while scripts optimize.
  public enum Event {
    case optimizeStarted(Study, nTrials: Int?, showProgress: Bool)
    /// A trial's objective is about to run (in this engine or one of its workers).
    case trialStarted(Study, id: Int, number: Int)
    case trialFinished(Study, FrozenTrial)
    /// The call stopped early by itself: `max_consecutive_failures` trials in a row failed.
    case optimizeStopped(Study, reason: String)
    case optimizeFinished(Study)
  }

  public let configuration: Configuration
  public let state: LuaState
  /// The storage of every in-memory study the scripts create (a worker shares its main
  /// engine's).
  public var storage: InMemoryStorage { storages.memory }
  /// Every storage the scripts opened, by URL (shared with workers).
  let storages: StorageRegistry
  /// Called for each event, on the engine's thread.
  public var onEvent: ((Event) -> Void)?
  /// Stops the running trial and every later one, from any thread (see `Interruption`).
  public let interruption: Interruption

  /// The studies scripts have created or loaded, each once, in the order they first appeared.
  public var studies: [Study] {
    var seen = Set<Int>()
    return studyBoxes.map(\.study).filter { seen.insert($0.record.id).inserted }
  }

  var studyBoxes: [StudyBox] = []
  /// The name of each study `create_study` made or joined, in call order.
  var createdStudyNames: [String] = []
  /// How many `optimize` calls the script has made.
  var optimizeCount = 0
  /// The script last run, for workers to run again.
  var scriptSource: ScriptSource?
  /// Set in a worker engine: the optimize call it joins.
  let job: WorkerJob?
  /// A worker has done its part and halted its script.
  var workerDone = false
  /// Serializes events while workers deliver theirs.
  var eventLock: NSLock?
  var classes: Classes!
  /// Every table and class the engine gave the script, as declared: the annotation file is
  /// rendered from it.
  public let api = LuaAPI()
  /// Bytes the memory budget let through since the last `takeGranted()`: what the objects made
  /// for the script hold, charged to their userdata.
  let granted = GrantTally()
  var pruneSignal: LuaRef!
  var sortedMetatable: LuaRef!
  var descendingMetatable: LuaRef!

  /// How many engines (main and workers) are alive in this process: a freed engine closes its
  /// Lua state, running the script's pending finalizers.
  public static var liveCount: Int { live.load(ordering: .relaxed) }
  private static let live = Atomic<Int>(0)

  deinit { Self.live.subtract(1, ordering: .relaxed) }

  public convenience init(configuration: Configuration = Configuration()) throws(LuaError) {
    try self.init(configuration: configuration, job: nil)
  }

  init(configuration: Configuration, job: WorkerJob?) throws(LuaError) {
    self.configuration = configuration
    self.job = job
    storages = job?.storages ?? StorageRegistry(countingMemory: configuration.memoryLimit != nil, memoryURL: configuration.memoryStorage)
    state = try LuaState(sandbox: configuration.sandbox)
    state.countHeld(storages.held)
    interruption = Interruption(canceller: state.canceller)
    Self.live.add(1, ordering: .relaxed)
    classes = Classes(self)
    installModule()
    state.memoryLimit = configuration.memoryLimit
    Self.rendersHostErrors
    // Ctrl-C reaches this process; the workers of its isolated calls lead their own process
    // groups, so the host passes it on.
    if let host = configuration.isolation { interruption.onInterrupt { host.interrupt(signal: SIGINT) } }
  }

  // MARK: Running scripts

  /// Runs a script file. `arguments` become the `arg` table (`arg[0]` is the path) and the
  /// chunk's `...`.
  public func runScript(path: String, arguments: [String] = []) throws(LuaError) {
    let lua = state.lua
    lua.newTable(arrayCount: Int32(arguments.count), recordCount: 1)
    lua.push(path)
    lua.rawSet(-2, index: 0)
    for (i, a) in arguments.enumerated() {
      lua.push(a)
      lua.rawSet(-2, index: i + 1)
    }
    state.setGlobal("arg")
    scriptSource = .file(path: path, arguments: arguments)
    try state.load(file: path)
    for a in arguments { lua.push(a) }
    try call(arguments: Int32(arguments.count))
  }

  /// Runs source text as a chunk named `chunkName`.
  public func run(_ source: String, chunkName: String = "chunk") throws(LuaError) {
    scriptSource = .text(source, chunkName: chunkName)
    try state.load(string: source, chunkName: chunkName)
    try call(arguments: 0)
  }

  /// When the running script started (for `--timeout`, one budget for all of it).
  var scriptStart: Date?

  /// What is left of `--timeout` for the running script, when one was given.
  var remainingScriptTime: Double? {
    guard let limit = configuration.timeout else { return nil }
    return max(0, limit - Date().timeIntervalSince(scriptStart ?? Date()))
  }

  /// Extra time past `--timeout` before the script is stopped wherever it is: the last trial
  /// and the code after the studies get to finish (optimize stops starting trials on time).
  static func scriptGrace(_ limit: Double) -> Double { max(1, limit / 10) }

  /// Runs host code that calls into Lua under `seconds` (nested in whatever limit holds), or
  /// directly when there is no limit.
  func underLimit<R>(_ seconds: Double?, message: String, _ body: () throws -> R) throws -> R {
    guard let seconds else { return try body() }
    return try state.withDeadline(seconds: seconds, message: message, body)
  }

  private func call(arguments: Int32) throws(LuaError) {
    let lua = state.lua
    scriptStart = Date()
    // The whole script under --timeout (plus its grace), and interruptible by Ctrl-C anywhere.
    let status: Int32
    if let limit = configuration.timeout {
      status = state.withDeadline(
        seconds: limit + Self.scriptGrace(limit), message: "the script exceeded its time limit of \(formatNumber(limit)) s",
        checkEvery: 10_000) { lua.pcallStatus(arguments: arguments, results: 0) }
    } else if configuration.interruptible {
      status = state.withDeadline(seconds: nil, message: "interrupted", checkEvery: 10_000) {
        lua.pcallStatus(arguments: arguments, results: 0)
      }
    } else {
      status = lua.pcallStatus(arguments: arguments, results: 0)
    }
    guard status != 0 else { return }
    if isPruneSignal(lua, at: -1) {
      lua.pop()
      throw LuaError(kind: .runtime, message: "trial:prune() was called outside study:optimize; in an ask-and-tell loop use study:tell(trial, nil, \"pruned\")")
    }
    throw lua.popError(status: status)
  }

  /// The sampler held by the global `name` (made with `tuna.samplers.*` or `tuna.sampler{...}`),
  /// for Swift code that wants to use a sampler written in Lua. A Lua sampler runs in this
  /// engine's state, so it must be used on the engine's thread while the engine lives.
  public func sampler(global name: String) -> (any Sampler)? {
    state.getGlobal(name)
    defer { state.lua.pop() }
    return classes.sampler.object(at: -1, on: state.lua)?.value
  }

  /// The pruner held by global `name`, if it is one (for programs and tests that drive a study
  /// from Swift with a pruner written in Lua).
  public func pruner(global name: String) -> (any Pruner)? {
    state.getGlobal(name)
    defer { state.lua.pop() }
    return classes.pruner.object(at: -1, on: state.lua)?.value
  }

  func isPruneSignal(_ lua: Lua, at index: Int32) -> Bool {
    guard lua.type(at: index) == .table else { return false }
    let i = lua.absolute(index)
    lua.push(pruneSignal)
    defer { lua.pop() }
    return lua.rawEqual(i, -1)
  }

  /// Closes the storages the scripts opened by URL (files checkpointed, servers disconnected):
  /// a program calls it once it is done with the studies, before it exits. The in-memory
  /// storage stays; a stored study used afterwards throws.
  public func closeStorages() { storages.closeAll() }

  func emit(_ event: Event) {
    guard let eventLock else { return onEvent?(event) ?? () }
    eventLock.lock()
    defer { eventLock.unlock() }
    onEvent?(event)
  }

  /// The seed a sampler gets: the command line's, else the script's, else a random one.
  func seed(_ scriptSeed: UInt64?) -> UInt64 { configuration.seed ?? scriptSeed ?? randomSeed() }

  func box(for study: Study) -> StudyBox? { studyBoxes.first { $0.study === study } }
}

/// A study as the script holds it, with the trials it asked for and has not told yet.
final class StudyBox {
  let study: Study
  /// The name the study's sampler was made under ("auto", "tpe", a Lua sampler's own).
  var samplerName = "auto"
  var asked: [Int: Trial] = [:]
  /// Crash recovery for this handle's optimize calls (create_study's options).
  var heartbeatInterval: Double?
  var gracePeriod: Double?
  var retryFailed = 0
  /// Where another process finds the study (nil: only in this process's memory).
  var location: String?
  init(_ study: Study) { self.study = study }
}

/// Ctrl-C for an engine: `interrupt()` (from any thread) makes the running trial fail with the
/// reason "interrupted" at its next check (a Lua instruction count or an epoch boundary), and
/// every `study:optimize` then returns without starting another trial and raises "interrupted".
public final class Interruption: Sendable {
  private let flag = Atomic<Bool>(false)
  private let canceller: LuaCanceller

  init(canceller: LuaCanceller) { self.canceller = canceller }

  /// The interruptions of the workers this engine started: they stop with it.
  private let children = Mutex<[Interruption]>([])

  /// What else stops with the engine (an isolated call's worker processes).
  private let hooks = Mutex<[@Sendable () -> Void]>([])

  public func interrupt() {
    flag.store(true, ordering: .sequentiallyConsistent)
    canceller.cancel()
    for child in children.withLock({ $0 }) { child.interrupt() }
    for hook in hooks.withLock({ $0 }) { hook() }
  }

  /// Runs `hook` when the engine is interrupted (at once if it already was).
  func onInterrupt(_ hook: @escaping @Sendable () -> Void) {
    hooks.withLock { $0.append(hook) }
    if isInterrupted { hook() }
  }

  func adopt(_ child: Interruption) {
    children.withLock { $0.append(child) }
    if isInterrupted { child.interrupt() }
  }

  public var isInterrupted: Bool { flag.load(ordering: .sequentiallyConsistent) }
}

/// The reason a trial stopped by `Interruption` fails with.
struct Interrupted: Error, CustomStringConvertible {
  var description: String { "interrupted" }
}

/// A plug-in as the script holds it (a sampler, a pruner, a model), with the name it goes by.
final class Named<Value> {
  let value: Value
  let name: String
  init(_ value: Value, name: String) {
    self.value = value
    self.name = name
  }
}

typealias SamplerBox = Named<any Sampler>
typealias PrunerBox = Named<any Pruner>
typealias EstimatorBox = Named<any Estimator>

/// The read-only view a Lua sampler or pruner gets: the study's history and, for a sampler,
/// the trial's random stream.
final class ContextBox {
  let history: TrialHistory
  /// The sampling context of a sampler's `ctx`; nil for a pruner's.
  let sampling: SamplingContext?
  init(_ context: SamplingContext) {
    history = context.history
    sampling = context
  }
  init(history: TrialHistory) {
    self.history = history
    sampling = nil
  }

  /// The sampling context, or an error for a pruner's `ctx` passed where a sampler's is needed.
  func samplingContext(position: Int32) throws -> SamplingContext {
    guard let sampling else { throw ArgumentError(position, "a sampler's ctx expected, got a pruner's") }
    return sampling
  }
}

/// The Lua classes of one engine, each declared beside its methods.
struct Classes {
  let study: LuaClass<StudyBox>
  let trial: LuaClass<Trial>
  let sampler: LuaClass<SamplerBox>
  let pruner: LuaClass<PrunerBox>
  let context: LuaClass<ContextBox>
  let rng: LuaClass<SamplingContext>
  let dataset: LuaClass<DatasetBox>
  let mlp: LuaClass<MLP>
  let estimator: LuaClass<EstimatorBox>
  let gp: LuaClass<GPBox>
  let kde: LuaClass<KDEBox>
  /// Distribution tables (`kind`, `low`, …) with their methods.
  let distribution: LuaTableClass
  /// Arrays of frozen trials that can also be called to filter (`ctx:trials{ states = … }`).
  let trialList: LuaTableClass

  init(_ engine: TunaEngine) {
    study = StudyMethods.makeClass(engine)
    trial = TrialMethods.makeClass(engine)
    sampler = SamplerMethods.makeClass(engine)
    pruner = PrunerMethods.makeClass(engine)
    context = ContextMethods.makeClass(engine)
    rng = RngMethods.makeClass(engine)
    dataset = DatasetMethods.makeClass(engine)
    mlp = MLPMethods.makeClass(engine)
    estimator = EstimatorMethods.makeClass(engine)
    gp = GPMethods.makeClass(engine)
    kde = KDEMethods.makeClass(engine)
    distribution = DistributionMethods.makeClass(engine)
    trialList = TrialListMethods.makeClass(engine)
  }
}

extension TunaEngine {
  /// The LuaLS definition file (`---@meta tuna`) of everything an engine gives a trusted script.
  public static func annotations() throws -> String {
    let engine = try TunaEngine()
    return engine.api.annotations(module: "tuna", header: [
      "Definitions of Tuna's Lua API for the Lua language server, made by `tuna annotations`",
      "from the bindings themselves: do not edit. Add this file's folder to",
      "Lua.workspace.library to have tuna.* calls completed and checked.",
    ])
  }
}

/// Counts what a memory budget granted, from whichever thread asked.
final class GrantTally: Sendable {
  private let bytes = Atomic<Int>(0)
  func add(_ n: Int) { bytes.add(max(n, 0), ordering: .relaxed) }
  /// What was granted since the last take, and starts over.
  func take() -> Int { bytes.exchange(0, ordering: .relaxed) }
}
