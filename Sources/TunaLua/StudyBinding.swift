import LuaVM
import TunaIsolation
import TunaSearch
import TunaStore
import TunaTrain

extension TunaEngine {
  /// `tuna.create_study{ name, direction | directions, sampler, pruner, storage, load_if_exists,
  /// heartbeat_interval, grace_period, retry_failed }`. A study in a persistent storage beats
  /// every `heartbeat_interval` seconds (default 5) while a trial runs; trials whose worker has
  /// not beaten for `grace_period` seconds (default 4 heartbeats) are failed as stale before each
  /// trial, and enqueued again up to `retry_failed` times (default 0). `deterministic = true`
  /// (or a lag, default 8) makes a seeded study suggest the same trials with any number of
  /// workers or processes (`Study.deterministicLag`).
  var createStudyBinding: LuaBinding {
    .named("create_study", "options?: \(Self.studyOptions.type)", returns: "tuna.Study",
           "Creates a study, or loads the stored one of that name.") { [unowned self] l, name in
      try self.createStudy(l, name)
    }
  }

  static let studyOptions = OptionTable(
    "name?: string, direction?: \"minimize\"|\"maximize\", directions?: (\"minimize\"|\"maximize\")[], sampler?: tuna.Sampler, pruner?: tuna.Pruner, storage?: string, load_if_exists?: boolean, heartbeat_interval?: number, grace_period?: number, retry_failed?: integer, deterministic?: boolean|integer"
  )

  /// Refuses, in the sandbox, a storage a script names itself (the command line's `--storage`
  /// is the user's own choice): a SQLite file outside the granted directories, or any database
  /// server.
  func checkScriptStorage(_ url: String, option: String, for function: String) throws {
    guard state.isSandboxed, url != configuration.storage else { return }
    switch try? StorageLocation(url) {
    case .sqlite(let path)?: _ = try configuration.files.checkWrite(path, for: function)
    case .postgres?:
      throw ArgumentError(
        1, "\(option): a sandboxed script cannot connect to a database server; name it with tuna run --storage instead")
    default: break
    }
  }

  private func createStudy(_ lua: Lua, _ function: String) throws -> Int32 {
    let options = try Options(lua, at: 1, Self.studyOptions)
    func direction(_ text: String?) throws -> StudyDirection {
      guard let text, let d = StudyDirection(rawValue: text) else {
        throw ArgumentError(1, "direction must be \"minimize\" or \"maximize\", got \(lua.describe(-1))")
      }
      return d
    }
    var directions: [StudyDirection] = [.minimize]
    if options.has("directions") {
      if options.has("direction") { throw ArgumentError(1, "give 'direction' or 'directions', not both") }
      directions = try options.with("directions") { type in
        guard type == .table, lua.rawLength(-1) > 0 else { throw options.bad("directions", "a non-empty array of directions") }
        return try lua.readArray(-1, argument: 1) { _ in try direction(lua.toString(-1)) }
      }
    } else if options.has("direction") {
      directions = [try options.with("direction") { _ in try direction(lua.toString(-1)) }]
    }
    let (sampler, samplerName): (any Sampler, String) = try options.with("sampler") { type in
      if type == .nil { return (try AutoSampler(seed: seed(nil)), "auto") }
      guard let box = classes.sampler.object(at: -1, on: lua) else { throw options.bad("sampler", "a sampler") }
      return (box.value, box.name)
    }
    let pruner: any Pruner = try options.with("pruner") { type in
      if type == .nil { return NopPruner() }
      guard let box = classes.pruner.object(at: -1, on: lua) else { throw options.bad("pruner", "a pruner") }
      return box.value
    }
    let scriptURL = try options.string("storage")
    if let scriptURL { try checkScriptStorage(scriptURL, option: "storage", for: function) }
    let url = scriptURL ?? configuration.storage
    let storage: any Storage
    do { storage = try storages.storage(url) } catch let e as TunaStoreError {
      throw ArgumentError(1, "storage: \(e.description)")
    }
    let persistent = !(storage is InMemoryStorage)
    let heartbeat = try options.number("heartbeat_interval") ?? (persistent ? 5 : nil)
    if let heartbeat, !(heartbeat > 0 && heartbeat.isFinite) {
      throw ArgumentError(1, "'heartbeat_interval' must be > 0 seconds, and finite")
    }
    let grace = try options.number("grace_period") ?? heartbeat.map { 4 * $0 }
    if let grace, !(grace > 0 && grace.isFinite) { throw ArgumentError(1, "'grace_period' must be > 0 seconds, and finite") }
    let retry = try options.integer("retry_failed") ?? 0
    guard retry >= 0 else { throw ArgumentError(1, "'retry_failed' must be >= 0, got \(retry)") }
    let lag: Int? = try options.with("deterministic") { type in
      switch type {
      case .nil: return nil
      case .boolean: return lua.toBoolean(-1) ? Study.defaultDeterministicLag : nil
      default:
        guard type == .number, let k = lua.toInteger(-1), k >= 1, k <= 1_000_000 else {
          throw options.bad("deterministic", "true, false or a lag from 1 to 1000000")
        }
        return Int(k)
      }
    }

    var name = try options.string("name")
    var loadIfExists = try options.bool("load_if_exists") ?? configuration.resume
    if let job, createdStudyNames.count < job.studyNames.count {
      // A worker joins the main script's study made by the same create_study call.
      name = job.studyNames[createdStudyNames.count]
      loadIfExists = true
    }
    let study = try Study.create(
      name: name, directions: directions, sampler: sampler, pruner: pruner, storage: storage, loadIfExists: loadIfExists,
      deterministicLag: lag)
    createdStudyNames.append(study.name)
    let box = StudyBox(study)
    box.samplerName = samplerName
    box.heartbeatInterval = heartbeat
    box.gracePeriod = grace
    box.retryFailed = retry
    box.location = storages.location(url)
    studyBoxes.append(box)
    classes.study.push(box, on: lua)
    return 1
  }
}

/// Methods and fields of a study userdata.
enum StudyMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<StudyBox> {
    LuaClass(
      engine.state.lua, name: "tuna.Study", summary: "A study: the trials of one optimization, and the best of them.",
      methods: methods(engine), fields: fields, getter: getter(engine),
      metamethods: ["__eq": { [unowned engine] l in l.push(l.toPointer(1) == l.toPointer(2) || same(engine, l)); return 1 }],
      recordingIn: engine.api)
  }

  static let fields = [
    LuaFieldDoc("name", "string"),
    LuaFieldDoc("direction", "\"minimize\"|\"maximize\"", "Its direction (an error for a multi-objective study)."),
    LuaFieldDoc("directions", "(\"minimize\"|\"maximize\")[]"),
    LuaFieldDoc("best_trial", "tuna.FrozenTrial", "The best complete trial (an error when there is none)."),
    LuaFieldDoc("best_value", "number", "The best complete trial's value."),
    LuaFieldDoc("best_params", "table<string, number|string|boolean>", "The best complete trial's parameters."),
    LuaFieldDoc("best_trials", "tuna.TrialList", "The Pareto front of a multi-objective study."),
    LuaFieldDoc("user_attrs", "table<string, any>"),
    LuaFieldDoc(
      "sampler_name", "string",
      "The sampler's name; the automatic sampler's says which sampler it runs now, as \"auto(gp)\"."),
  ]

  static func same(_ engine: TunaEngine, _ l: Lua) -> Bool {
    guard let a = engine.classes.study.object(at: 1, on: l), let b = engine.classes.study.object(at: 2, on: l) else { return false }
    return a.study === b.study
  }

  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let study = try engine.classes.study.check(1, on: l).study
      switch l.toString(2) {
      case "name": l.push(study.name)
      case "direction":
        guard study.directions.count == 1 else {
          throw ScriptError("study.direction is not defined for a multi-objective study; use study.directions")
        }
        l.push(study.direction.rawValue)
      case "directions":
        l.newTable(arrayCount: Int32(study.directions.count))
        for (i, d) in study.directions.enumerated() { l.push(d.rawValue); l.rawSet(-2, index: i + 1) }
      case "best_trial": try engine.push(try study.bestTrial, on: l)
      case "best_value": l.push(try study.bestValue)
      case "best_params": engine.push(params: try study.bestParams, on: l)
      case "best_trials": try engine.push(trials: try study.bestTrials, on: l)
      case "user_attrs": try l.push(AttrValue.object(try study.userAttrs))
      case "sampler_name":
        let box = try engine.classes.study.check(1, on: l)
        l.push((study.sampler as? AutoSampler)?.currentName ?? box.samplerName)
      default: l.pushNil()
      }
      return 1
    }
  }

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    let cls = { [unowned engine] in engine.classes.study }
    let enqueueOptions = OptionTable("skip_if_exists?: boolean, user_attrs?: table<string, any>")
    return [
      LuaBinding(
        "optimize", "objective: fun(trial: tuna.Trial): number|number[], options?: \(TunaEngine.optimizeOptions.type)",
        "Runs trials of the objective until the budget is spent, the sampler stops or study:stop() is called."
      ) { [unowned engine] l in try engine.optimize(l) },
      LuaBinding(
        "trials", "options?: \(TunaEngine.stateFilter.type)", returns: "tuna.TrialList",
        "The study's trials, ordered by number, in the given states (default: all)."
      ) { [unowned engine] l in
        let box = try cls().check(1, on: l)
        let options = try Options(l, at: 2, TunaEngine.stateFilter)
        let states = try options.with("states") { _ in try engine.states(at: -1, on: l, position: 2) }
        try engine.push(trials: try box.study.trials(states: states), on: l)
        return 1
      },
      LuaBinding(
        "enqueue_trial", "params: table<string, number|string|boolean>, options?: \(enqueueOptions.type)",
        "Queues a trial whose named parameters take these values."
      ) { [unowned engine] l in
        let box = try cls().check(1, on: l)
        guard l.type(at: 2) == .table else {
          throw ArgumentError(2, "table of parameter values expected, got \(l.typeName(2))")
        }
        var params: [String: ParamValue] = [:]
        try l.forEach(2) {
          guard let name = l.toString(-2), let value = l.paramValue(at: -1) else {
            throw ArgumentError(2, "params must map names to numbers, strings or booleans")
          }
          params[name] = value
        }
        let options = try Options(l, at: 3, enqueueOptions)
        var userAttrs: [String: AttrValue] = [:]
        try options.with("user_attrs") { type in
          guard type != .nil else { return }
          guard case .object(let attrs) = try engine.attribute(l, at: -1, what: "user_attrs") else { throw options.bad("user_attrs", "a table with string keys") }
          userAttrs = attrs
        }
        try box.study.enqueueTrial(params, userAttrs: userAttrs, skipIfExists: try options.bool("skip_if_exists") ?? false)
        return 0
      },
      LuaBinding("set_user_attr", "key: string, value: any", "Stores a value with the study.") { [unowned engine] l in
        let box = try cls().check(1, on: l)
        guard let key = l.toString(2) else { throw ArgumentError(2, "string expected, got \(l.typeName(2))") }
        try box.study.setUserAttr(key, try engine.attribute(l, at: 3))
        return 0
      },
      LuaBinding("stop", "", "Finishes the running trial and starts no more (from an objective or a callback).") { l in
        try cls().check(1, on: l).study.stop()
        return 0
      },
      LuaBinding("ask", returns: "tuna.Trial", "Starts a trial for a loop the script drives itself; finish it with study:tell.") {
        [unowned engine] l in
        let box = try cls().check(1, on: l)
        let trial: Trial
        do { trial = try box.study.ask() } catch let failed as TrialFailed {
          throw failed.underlying is LuaError ? failed.underlying : ScriptError(failed.description)
        }
        box.asked[trial.number] = trial
        engine.classes.trial.push(trial, on: l)
        return 1
      },
      LuaBinding(
        "tell", "trial: tuna.Trial|integer, values?: number|number[], state?: \"complete\"|\"pruned\"|\"fail\"",
        returns: "tuna.FrozenTrial", "Finishes an asked trial: complete with its value(s), or pruned or failed."
      ) { [unowned engine] l in try engine.tell(l) },
    ]
  }
}

extension TunaEngine {
  /// `study:tell(trial, value | values | nil, state?)`: finishes an asked trial.
  func tell(_ lua: Lua) throws -> Int32 {
    let box = try classes.study.check(1, on: lua)
    let trial: Trial
    if let t = classes.trial.object(at: 2, on: lua) {
      trial = t
    } else if let n = lua.toInteger(2), lua.type(at: 2) == .number, let t = box.asked[n] {
      trial = t
    } else {
      throw ArgumentError(2, "a trial from study:ask() expected, got \(lua.describe(2))")
    }
    guard trial.study === box.study else { throw ArgumentError(2, "the trial belongs to another study") }
    var state: TrialState?
    if !lua.isNoneOrNil(4) {
      guard let name = lua.toString(4), let s = TrialState(rawValue: name.lowercased()), s.isFinished else {
        throw ArgumentError(4, "state must be \"complete\", \"pruned\" or \"fail\", got \(lua.describe(4))")
      }
      state = s
    }
    var values: [Double]?
    switch lua.type(at: 3) {
    case .nil, .none: values = nil
    case .number: values = [lua.toNumber(3)!]
    case .table:
      values = try lua.readArray(3, argument: 3) { _ in
        guard lua.type(at: -1) == .number else { throw ArgumentError(3, "values must be numbers") }
        return lua.toNumber(-1)!
      }
    default:
      throw ArgumentError(3, "number, array of numbers or nil expected, got \(lua.typeName(3))")
    }
    if state == nil && values == nil { state = .fail }
    let frozen: FrozenTrial
    do {
      frozen = try box.study.tell(trial, values: values, state: state, failReason: state == .fail ? "told as failed" : nil)
    } catch let failed as TrialFailed {
      box.asked[trial.number] = nil
      emit(.trialFinished(box.study, failed.trial))
      throw failed.underlying is LuaError ? failed.underlying : ScriptError(failed.description)
    }
    box.asked[trial.number] = nil
    emit(.trialFinished(box.study, frozen))
    try push(frozen, on: lua)
    return 1
  }

  static let optimizeOptions = OptionTable(
    "n_trials?: integer, timeout?: number, catch?: boolean, callbacks?: (fun(study: tuna.Study, trial: tuna.FrozenTrial))[], workers?: integer, trial_timeout?: number, show_progress?: boolean, max_consecutive_failures?: integer, isolate?: boolean"
  )

  /// What ends an optimize call before its next trial: a passed limit of an enclosing scope, or
  /// a memory limit the script's values and the trials kept in memory have reached.
  ///
  /// Workers share the limit, and what the others' trials hold while they run is theirs for a
  /// moment only: a worker that finds the limit reached waits for those trials to end (each
  /// gives back what it held) and ends the call only when the limit is still reached with no
  /// trial running. A transient peak of one worker used to end the whole call.
  func beforeTrial(sharing budget: (any TrialBudget)?) throws {
    try state.checkDeadline()
    guard let limit = state.memoryLimit, state.memoryHeadroom == 0 else { return }
    while true {
      state.releaseFreeMemory()
      if state.memoryHeadroom != 0 { return }
      guard let budget, budget.trialsRunning > 0, !budget.isStopped else { break }
      Thread.sleep(forTimeInterval: 0.002)
      try state.checkDeadline()
      if interruption.isInterrupted { throw ScriptError("interrupted") }
    }
    throw ScriptError(
      "not enough memory: the script's values and the trials kept in memory reach the memory limit of "
        + "\(MemoryBudget.describe(limit)) (a study stored in a file, storage = \"sqlite:...\", is not held in memory)")
  }

  /// Runs one trial of a worker, counted in its budget (which hears the trial's time limit: a
  /// worker process's parent enforces it). Under a memory limit shared with others, what the
  /// trial held goes back, when it failed or filled the limit, before it counts as ended (its
  /// garbage would otherwise stay charged until its next trial).
  func inBudget(_ budget: (any TrialBudget)?, limit: Double?, _ trial: () throws -> FrozenTrial) throws -> FrozenTrial {
    guard let budget else { return try trial() }
    return try budget.running(limit: limit) {
      guard state.memoryLimit != nil else { return try trial() }
      var failed = true
      defer { if failed || state.memoryHeadroom == 0 { state.releaseFreeMemory() } }
      let frozen = try trial()
      failed = frozen.state == .fail
      return frozen
    }
  }

  /// The most worker processes one isolated call starts.
  static let maxWorkerProcesses = 64

  /// The shorter of two optional limits (nil: no limit).
  static func shorter(_ a: Double?, _ b: Double?) -> Double? {
    switch (a, b) {
    case let (a?, b?): min(a, b)
    case let (a, b): a ?? b
    }
  }

  /// `study:optimize(objective, { n_trials, timeout, catch, callbacks, workers, trial_timeout, show_progress })`
  func optimize(_ lua: Lua) throws -> Int32 {
    let box = try classes.study.check(1, on: lua)
    guard lua.type(at: 2) == .function else {
      throw ArgumentError(2, "objective function expected, got \(lua.typeName(2))")
    }
    let options = try Options(lua, at: 3, Self.optimizeOptions)
    // The script's options are read and checked first, also those a command-line flag replaces
    // (a mistake in them is still a mistake: the fuzzer found `timeout = {}` accepted under
    // --timeout).
    let ownTrials = try options.integer("n_trials")
    let ownTimeout = try options.number("timeout")
    let ownTrialTimeout = try options.number("trial_timeout")
    let ownWorkers = try options.integer("workers")
    let showProgress = try options.bool("show_progress") ?? true
    let ownFailures = try options.integer("max_consecutive_failures")
    let isolated = try options.bool("isolate") ?? false || configuration.isolateEveryCall
    if let k = ownFailures, k < 1 { throw ArgumentError(3, "'max_consecutive_failures' must be >= 1, got \(k)") }
    for (key, seconds) in [("timeout", ownTimeout), ("trial_timeout", ownTrialTimeout)] {
      if let seconds, !(seconds >= 0) { throw options.badValue(key, "must be a number of seconds >= 0, got \(formatNumber(seconds))") }
    }
    if let n = ownTrials, n < 0 { throw ArgumentError(3, "'n_trials' must be >= 0, got \(n)") }
    if let w = ownWorkers, w < 1 { throw ArgumentError(3, "'workers' must be >= 1, got \(w)") }
    var run = OptimizeOptions()
    run.nTrials = configuration.nTrials ?? ownTrials
    // --timeout is one budget for the whole script: a call gets what is left of it, or its own
    // timeout when that is shorter; --trial-timeout bounds the call's own trial_timeout the same way.
    run.timeout = Self.shorter(remainingScriptTime, ownTimeout)
    run.trialTimeout = Self.shorter(configuration.trialTimeout, ownTrialTimeout)
    run.catchErrors = try options.bool("catch") ?? true
    run.maxConsecutiveFailures = configuration.maxConsecutiveFailures ?? ownFailures
    run.heartbeatInterval = box.heartbeatInterval
    run.staleAfter = box.gracePeriod
    run.retryFailed = box.retryFailed
    // A deterministic study's trial that waits for earlier ones still obeys its limits and Ctrl-C.
    run.whileWaiting = { [unowned self] in
      try self.state.checkDeadline()
      if self.interruption.isInterrupted { throw ScriptError("interrupted") }
    }
    var workers = configuration.workers ?? ownWorkers ?? 1
    guard workers >= 1 else { throw ArgumentError(3, "'workers' must be >= 1, got \(workers)") }
    // Each worker is a thread with its own Lua state: a thousand is far past any machine's use,
    // and `workers = 1e9` tried to start them all (found by the program fuzzer).
    guard workers <= 1024 else { throw ArgumentError(3, "'workers' must be at most 1024, got \(workers)") }
    if let n = run.nTrials { workers = max(1, min(workers, n)) }
    optimizeCount += 1
    if let job, optimizeCount < job.ordinal { return 0 }  // a worker skips to the call it joins

    lua.pushValue(at: 2)
    let objective = lua.ref()
    var callbacks: [LuaRef] = []
    defer {
      lua.release(objective)
      callbacks.forEach(lua.release)
    }
    try options.with("callbacks") { type in
      guard type != .nil else { return }
      guard type == .table else { throw options.bad("callbacks", "an array of functions") }
      callbacks = try lua.readArray(-1, argument: options.position) { _ in
        guard lua.type(at: -1) == .function else { throw options.bad("callbacks", "an array of functions") }
        lua.pushValue(at: -1)
        return lua.ref()
      }
    }
    // The trials of an isolated call run in worker processes, each running this script (and
    // its callbacks) itself.
    if isolated && job == nil {
      // Each a process with its own memory limit: a script must not start a thousand.
      guard workers <= Self.maxWorkerProcesses else {
        throw ArgumentError(3, "'workers' must be at most \(Self.maxWorkerProcesses) when the trials run in worker processes (isolate), got \(workers)")
      }
      let request = IsolatedCallRequest(
        ordinal: optimizeCount, studyNames: createdStudyNames, nTrials: run.nTrials, timeout: run.timeout,
        workers: workers, maxConsecutiveFailures: run.maxConsecutiveFailures)
      return try optimizeIsolated(box, request, showProgress: showProgress)
    }

    let callbackLimit = run.trialTimeout
    run.callbacks = [{ [unowned self] study, frozen in
      self.emit(.trialFinished(study, frozen))
      guard !callbacks.isEmpty else { return }
      // Callbacks run under the limit of the trial that caused them.
      try self.underLimit(callbackLimit, message: "a callback exceeded the trial time limit of \(formatNumber(callbackLimit ?? 0)) s") {
        for callback in callbacks {
          lua.push(callback)
          self.classes.study.push(box, on: lua)
          try self.push(frozen, on: lua)
          try lua.pcall(arguments: 2, results: 0)
        }
      }
    }]

    // Before each trial, a limit of an enclosing scope that has passed (a study optimized
    // inside a trial, under --timeout, after Ctrl-C) ends this call instead of failing one more
    // trial: an endless inner study would otherwise fail trial after trial past the limit.
    // Under --memory-limit, the trials kept in memory count as well: once they and the script's
    // values reach the limit, no trial starts (an endless study of empty trials grows nothing
    // else that would be refused).
    // Several workers share one budget: n_trials and timeout count for the call as a whole.
    let callTrials = run.nTrials
    let shared: SharedBudget? = job == nil && workers > 1 ? SharedBudget(nTrials: run.nTrials, timeout: run.timeout) : nil
    let budget: (any TrialBudget)? = job?.budget ?? shared
    if run.trialTimeout != nil || configuration.interruptible || state.hasLimit || state.memoryLimit != nil || budget != nil {
      // The deadline covers the whole trial: the sampler's hooks as well as the objective.
      let limit = run.trialTimeout
      let message = "trial exceeded its time limit of \(formatNumber(limit ?? 0)) s"
      let interruptible = configuration.interruptible
      run.aroundTrial = { [unowned self] trial in
        try self.beforeTrial(sharing: budget)
        return try self.inBudget(budget, limit: limit) {
          if let limit { return try self.state.withDeadline(seconds: limit, message: message, trial) }
          if interruptible { return try self.state.withDeadline(seconds: nil, message: "interrupted", checkEvery: 10_000, trial) }
          return try trial()
        }
      }
    }
    if configuration.interruptible {
      // Stop before the next trial: a Ctrl-C between trials finds no hook armed.
      run.callbacks.insert({ [unowned self] study, _ in if self.interruption.isInterrupted { study.stop() } }, at: 0)
    }

    if let budget {
      (run.nTrials, run.timeout) = (nil, nil)
      run.claimTrial = budget.claim
      run.callbacks.append { study, _ in if study.stopRequested { budget.stop() } }
      // Failures in a row count across the workers: the call stops once, for all of them.
      if let limit = run.maxConsecutiveFailures {
        run.maxConsecutiveFailures = nil
        run.callbacks.append { _, frozen in _ = budget.noteFinished(frozen, limit: limit) }
      }
    }
    let loop = { [unowned self] in
      do {
        if !self.interruption.isInterrupted {
          try box.study.optimize(run) { trial in
            self.emit(.trialStarted(box.study, id: trial.id, number: trial.number))
            return try self.runObjective(objective, trial: trial, on: lua)
          }
          if let reason = box.study.stopReason { self.emit(.optimizeStopped(box.study, reason: reason)) }
          if let reason = shared?.stopReason { self.emit(.optimizeStopped(box.study, reason: reason)) }
        }
      } catch let failed as TrialFailed {
        throw failed.underlying is LuaError ? failed.underlying : ScriptError(failed.description)
      }
    }

    if let job {
      // A worker: its part of the joined call, then the script ends here (only the main
      // script goes on past optimize).
      do { try loop() } catch { job.budget.fail(String(describing: error)) }
      workerDone = true
      state.halt()
      throw WorkerFinished()
    }
    emit(.optimizeStarted(box.study, nTrials: callTrials, showProgress: showProgress))
    defer { emit(.optimizeFinished(box.study)) }
    if let shared {
      try runWithWorkers(count: workers, ordinal: optimizeCount, budget: shared, ownLoop: loop)
    } else {
      try loop()
    }
    if interruption.isInterrupted { throw ScriptError("interrupted") }
    return 0
  }

  /// Calls the objective with a trial userdata and reads its value(s).
  /// The objective's values: one number, several numbers returned Lua's way (`return acc,
  /// latency`), or an array of numbers. How many there must be is the study's business: a
  /// single-objective study fails a trial that returns two values rather than keep the first.
  private func runObjective(_ objective: LuaRef, trial: Trial, on lua: Lua) throws -> [Double] {
    _ = lua.ensureStack(4)
    let base = lua.top
    lua.push(objective)
    classes.trial.push(trial, on: lua)
    let status = lua.pcallStatus(arguments: 1, results: -1)  // LUA_MULTRET: every value returned
    if status != 0 {
      if isPruneSignal(lua, at: -1) {
        lua.pop()
        throw TrialPruned()
      }
      var error = lua.popError(status: status)
      if error.kind == .cancelled, interruption.isInterrupted { throw Interrupted() }
      if error.kind == .memory {
        // What the trial held goes back to the system, not only to this thread's heap: another
        // worker's heap could not reuse it, and the process would outgrow the limit.
        state.releaseFreeMemory()
        if let cap = state.memoryLimit {
          let shared = state.sharesMemory ? ", shared by the workers" : ""
          error.message += " (memory limit \(formatBytes(cap))\(shared))"
        }
      }
      throw error
    }
    let count = Int(lua.top - base)
    defer { lua.top = base }
    if count > 1 {
      guard count <= 1024 else { throw ObjectiveResultError(got: "\(count) values") }
      var values: [Double] = []
      for i in 1...count {
        let index = base + Int32(i)
        guard lua.type(at: index) == .number else {
          throw ObjectiveResultError(got: "\(count) values, value \(i) \(lua.typeName(index))")
        }
        values.append(lua.toNumber(index)!)
      }
      return values
    }
    guard count == 1 else { throw ObjectiveResultError(got: "nothing") }
    switch lua.type(at: -1) {
    case .number: return [lua.toNumber(-1)!]
    case .table:
      let n = lua.rawLength(-1)
      guard n > 0 else { throw ObjectiveResultError(got: "an empty table") }
      guard n <= 1024 else { throw ObjectiveResultError(got: "a table of length \(n)") }
      var values: [Double] = []
      for i in 1...n {
        lua.rawGet(-1, index: i)
        defer { lua.pop() }
        guard lua.type(at: -1) == .number else { throw ObjectiveResultError(got: "a table holding \(lua.typeName(-1)) at [\(i)]") }
        values.append(lua.toNumber(-1)!)
      }
      return values
    default:
      throw ObjectiveResultError(got: lua.type(at: -1) == .nil ? "nil" : "a \(lua.typeName(-1)) (\(lua.describe(-1)))")
    }
  }
}

/// The objective returned something that is not a number or an array of numbers.
struct ObjectiveResultError: Error, CustomStringConvertible {
  let got: String
  var description: String {
    "the objective returned \(got); expected a number (or, for several objectives, one number each: `return a, b` or `return { a, b }`)"
  }
}

/// `256 MB`, `1 GB`: a byte count as people write it.
func formatBytes(_ bytes: Int) -> String {
  let units: [(String, Int)] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)]
  for (unit, size) in units where bytes >= size && bytes % size == 0 { return "\(bytes / size) \(unit)" }
  return "\(bytes) bytes"
}

import Foundation

extension FileHandle {
  func write(_ text: String) { write(Data(text.utf8)) }
}
