import Foundation
import LuaVM
import TunaSearch

extension TunaEngine {
  /// `tuna.samplers`: the built-in samplers, each made from an option table.
  func pushSamplersModule(on lua: Lua) {
    let library = LuaLibrary("tuna.samplers", "The built-in samplers (lua-api.md §3).", functions: [
      sampler("random", OptionTable("seed?: integer"), "Independent uniform draws (log-uniform for log parameters).") {
        [unowned self] _, o in RandomSampler(seed: self.seed(try seedValue(o)))
      },
      sampler("grid", OptionTable("search_space: table<string, (number|string|boolean)[]>, seed?: integer"),
              "Every combination of the listed values once, in an order shuffled by the seed; then the study stops.",
              required: true) { [unowned self] lua, o in try self.gridSampler(lua, o) },
    ] + modelSamplerBindings)
    lua.push(library: library, recordingIn: api)
  }

  /// A `tuna.samplers` constructor: reads its option table (only the keys `options` declares)
  /// and pushes the sampler `make` builds, under the constructor's name.
  func sampler(
    _ name: String, _ options: OptionTable, _ summary: String, required: Bool = false,
    _ make: @escaping (Lua, Options) throws -> any Sampler
  ) -> LuaBinding {
    LuaBinding(name, "options\(required ? "" : "?"): \(options.type)", returns: "tuna.Sampler", summary) { [unowned self] l in
      let sampler = try make(l, try Options(l, at: 1, options))
      self.classes.sampler.push(SamplerBox(sampler, name: name), on: l)
      return 1
    }
  }

  /// `tuna.samplers.grid{ search_space = { x = { 1, 2 }, act = { "relu", "tanh" } }, seed = 0 }`
  private func gridSampler(_ lua: Lua, _ options: Options) throws -> GridSampler {
    var space: [String: [ParamValue]] = [:]
    try options.with("search_space") { type in
      guard type == .table else { throw options.bad("search_space", "a table of value arrays") }
      try lua.forEach(-1) {
        guard let name = lua.toString(-2) else { throw ArgumentError(1, "search_space keys must be parameter names") }
        guard lua.type(at: -1) == .table else {
          throw ArgumentError(1, "search_space['\(name)'] must be an array of values, got \(lua.typeName(-1))")
        }
        space[name] = try lua.readArray(-1, argument: 1) { _ in
          guard let v = lua.paramValue(at: -1) else {
            throw ArgumentError(1, "search_space['\(name)'] holds a \(lua.typeName(-1)); values must be numbers, strings or booleans")
          }
          return v
        }
      }
    }
    do {
      return try GridSampler(searchSpace: space, seed: seed(try seedValue(options)))
    } catch let e as InvalidArgument {
      throw argumentError(e, position: 1)
    }
  }

  /// `tuna.sampler{ name, seed, sample_independent, infer_relative_search_space, sample_relative,
  /// before_trial, after_trial }`: a sampler written in Lua.
  var luaSamplerBinding: LuaBinding {
    LuaBinding("sampler", "spec: tuna.SamplerSpec", returns: "tuna.Sampler",
               "A sampler written in Lua; the spec table is its `self`, where it may keep state, and the sampler returned reads and writes that table's fields.") { [unowned self] l in
      try self.makeLuaSampler(l)
    }
  }

  private func makeLuaSampler(_ lua: Lua) throws -> Int32 {
    guard lua.type(at: 1) == .table else { throw ArgumentError(1, "table expected, got \(lua.typeName(1))") }
    // The table is also the sampler's `self`, where a script keeps its state: other keys are
    // the script's own, so they are not checked.
    let options = try Options(lua, at: 1, allowed: nil)
    let hooks = ["sample_independent", "infer_relative_search_space", "sample_relative", "before_trial", "after_trial"]
    var present: Set<String> = []
    for hook in hooks {
      let type = lua.rawGet(1, hook)
      lua.pop()
      if type == .function { present.insert(hook) } else if type != .nil {
        throw ArgumentError(1, "'\(hook)' must be a function, got \(lua.typeName(-1))")
      }
    }
    guard present.contains("sample_independent") else {
      throw ArgumentError(1, "a sampler needs a 'sample_independent' function")
    }
    if present.contains("sample_relative") != present.contains("infer_relative_search_space") {
      throw ArgumentError(1, "'sample_relative' and 'infer_relative_search_space' go together")
    }
    let name = try options.string("name") ?? "lua"
    let seed = seed(try seedValue(options))
    lua.pushValue(at: 1)
    let sampler = LuaSampler(ScriptPlugin(engine: self, name: name, from: lua), seed: seed, hooks: present)
    classes.sampler.push(SamplerBox(sampler, name: name), on: lua)
    return 1
  }
}

extension LuaClassDoc {
  /// The table a script gives `tuna.sampler`.
  static var samplerSpec: LuaClassDoc {
    LuaClassDoc(
      name: "tuna.SamplerSpec", summary: "A sampler written in Lua: its hooks, and any state the script keeps in it.",
      fields: [
        LuaFieldDoc("name", "string?", "Its name (default \"lua\")."),
        LuaFieldDoc("seed", "integer?", "The seed of the trials' random streams (`ctx.rng`)."),
        LuaFieldDoc(
          "sample_independent", "fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext, name: string, dist: tuna.Distribution): number|string|boolean",
          "One parameter's value (required)."),
        LuaFieldDoc(
          "infer_relative_search_space", "(fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext): table<string, tuna.Distribution>)?",
          "The parameters to sample jointly (with sample_relative)."),
        LuaFieldDoc(
          "sample_relative",
          "(fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext, space: table<string, tuna.Distribution>): table<string, number|string|boolean>)?",
          "Values for the joint space; those left out go to sample_independent."),
        LuaFieldDoc("before_trial", "(fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext, trial: tuna.FrozenTrial))?"),
        LuaFieldDoc(
          "after_trial", "(fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext, trial: tuna.FrozenTrial))?",
          "Called with the trial as it is about to be stored."),
      ])
  }
}

/// A sampler whose methods are Lua functions. `self` is the table given to `tuna.sampler`, so
/// a script keeps its sampler's state there.
final class LuaSampler: Sampler {
  let plugin: ScriptPlugin
  let seed: UInt64
  let hooks: Set<String>
  private var engine: TunaEngine { plugin.engine }
  private var lua: Lua { plugin.lua }
  private var name: String { plugin.name }

  init(_ plugin: ScriptPlugin, seed: UInt64, hooks: Set<String>) {
    self.plugin = plugin
    self.seed = seed
    self.hooks = hooks
  }

  /// Calls `spec[hook](spec, ctx, ...)`, leaving `results` values on the stack.
  private func call(_ hook: String, _ context: SamplingContext, results: Int32, _ pushArguments: () throws -> Int32 = { 0 }) throws {
    try plugin.call(hook, ContextBox(context), what: "a sampler's \(hook)", results: results, pushArguments)
  }

  func sampleIndependent(_ context: SamplingContext, name param: String, distribution: Distribution) throws -> ParamValue {
    try call("sample_independent", context, results: 1) {
      lua.push(param)
      engine.push(distribution, on: lua)
      return 2
    }
    defer { lua.pop() }
    return try checked(param, distribution, hook: "sample_independent")
  }

  func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    guard hooks.contains("infer_relative_search_space") else { return [:] }
    try call("infer_relative_search_space", context, results: 1)
    defer { lua.pop() }
    guard lua.type(at: -1) != .nil else { return [:] }
    guard lua.type(at: -1) == .table else {
      throw ScriptError("sampler '\(name)': infer_relative_search_space must return a table of distributions, got \(lua.typeName(-1))")
    }
    var space: [String: Distribution] = [:]
    try lua.forEach(-1) {
      guard let key = lua.toString(-2) else { throw ScriptError("sampler '\(name)': search space keys must be parameter names") }
      do {
        space[key] = try engine.distribution(at: -1, on: lua)
      } catch let e as ArgumentError {
        throw ScriptError("sampler '\(name)': search space entry '\(key)': \(e.message)")
      }
    }
    return space
  }

  func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    guard hooks.contains("sample_relative") else { return [:] }
    try call("sample_relative", context, results: 1) {
      engine.push(space: space, on: lua)
      return 1
    }
    defer { lua.pop() }
    guard lua.type(at: -1) != .nil else { return [:] }
    guard lua.type(at: -1) == .table else {
      throw ScriptError("sampler '\(name)': sample_relative must return a table of values, got \(lua.typeName(-1))")
    }
    var params: [String: ParamValue] = [:]
    for (key, d) in space {
      lua.rawGet(-1, key)
      defer { lua.pop() }
      if lua.type(at: -1) == .nil { continue }  // left to sample_independent
      params[key] = try checked(key, d, hook: "sample_relative")
    }
    return params
  }

  func beforeTrial(_ context: SamplingContext) throws {
    guard hooks.contains("before_trial") else { return }
    let frozen = try context.trial()
    try call("before_trial", context, results: 0) {
      try engine.push(frozen, on: lua)
      return 1
    }
  }

  func afterTrial(_ context: SamplingContext, state: TrialState, values: [Double]?) throws {
    guard hooks.contains("after_trial") else { return }
    // The hook runs just before the outcome is stored: show the trial as it is about to be.
    var frozen = try context.trial()
    frozen.state = state
    frozen.values = values
    frozen.datetimeComplete = Date()
    try call("after_trial", context, results: 0) {
      try engine.push(frozen, on: lua)
      return 1
    }
  }

  /// The value on top of the stack, which must lie in `distribution`.
  private func checked(_ param: String, _ distribution: Distribution, hook: String) throws -> ParamValue {
    guard let value = engine.value(at: -1, on: lua, for: distribution), distribution.contains(value) else {
      throw ScriptError("sampler '\(name)': \(hook) returned \(lua.describe(-1)) for '\(param)', which is not in \(distribution)")
    }
    return value
  }
}

/// Methods of a sampler userdata: built-in samplers can be called from Lua samplers.
enum SamplerMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<SamplerBox> {
    LuaClass(
      engine.state.lua, name: "tuna.Sampler", summary: "A sampler, built in (`tuna.samplers.*`) or written in Lua (`tuna.sampler`).",
      methods: methods(engine),
      fields: [
        LuaFieldDoc("name", "string", "The name it was made under (\"tpe\", or a Lua sampler's own)."),
        LuaFieldDoc("seed", "integer", "The seed its random streams start from."),
      ],
      getter: getter(engine), setter: setter(engine), recordingIn: engine.api)
  }

  /// `name` and `seed`; on a sampler written in Lua, every other key reads its spec table, the
  /// hooks' `self`: what a hook keeps there, the script reads on the sampler, and back.
  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let box = try engine.classes.sampler.check(1, on: l)
      switch l.toString(2) {
      case "name": l.push(box.name)
      case "seed": l.push(Int(Int64(bitPattern: box.value.seed)))
      default:
        guard let lua = box.value as? LuaSampler else {
          l.pushNil()
          return 1
        }
        l.push(lua.plugin.spec)
        l.pushValue(at: 2)
        l.rawGetPair(l.absolute(-2))
      }
      return 1
    }
  }

  /// Assignment writes a Lua sampler's spec table (but not `name` and `seed`, fixed when it was
  /// made); a built-in sampler has no fields to assign.
  static func setter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let box = try engine.classes.sampler.check(1, on: l)
      let key = l.toString(2) ?? l.describe(2)
      guard let lua = box.value as? LuaSampler, key != "name", key != "seed" else {
        throw ScriptError("cannot assign field '\(key)' of a tuna.Sampler")
      }
      // A table refuses these keys with a Lua error, which must not be raised through Swift.
      if l.type(at: 2) == .nil || (l.type(at: 2) == .number && (l.toNumber(2) ?? 0).isNaN) {
        throw ScriptError("a sampler's field cannot be named by \(l.describe(2))")
      }
      l.push(lua.plugin.spec)
      let spec = l.absolute(-1)
      l.pushValue(at: 2)
      l.pushValue(at: 3)
      l.rawSetPair(spec)
      return 0
    }
  }

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    [
      LuaBinding(
        "sample_independent", "ctx: tuna.SamplingContext, name: string, dist: tuna.Distribution", returns: "number|string|boolean",
        "One parameter's value as this sampler would draw it: a Lua sampler can delegate to a built-in one."
      ) { [unowned engine] l in
        let box = try engine.classes.sampler.check(1, on: l)
        let ctx = try engine.classes.context.check(2, on: l).samplingContext(position: 2)
        guard let name = l.toString(3) else { throw ArgumentError(3, "parameter name expected, got \(l.describe(3))") }
        let d = try engine.distribution(at: 4, on: l)
        l.push(try box.value.sampleIndependent(ctx, name: name, distribution: d))
        return 1
      },
    ]
  }
}

/// Fields and methods of `ctx`, the read-only study view a Lua sampler or pruner gets.
enum ContextMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<ContextBox> {
    LuaClass(
      engine.state.lua, name: "tuna.SamplingContext",
      summary: "The read-only view of the study a Lua sampler's or pruner's hooks get as `ctx`.",
      methods: methods(engine), fields: fields, getter: getter(engine), recordingIn: engine.api)
  }

  static let fields = [
    LuaFieldDoc("trials", "tuna.TrialList", "The study's trials; `ctx:trials{ states = … }` filters them."),
    LuaFieldDoc("direction", "\"minimize\"|\"maximize\"", "The first objective's direction."),
    LuaFieldDoc("directions", "(\"minimize\"|\"maximize\")[]"),
    LuaFieldDoc("best_trial", "tuna.FrozenTrial?", "The best complete trial, if any."),
    LuaFieldDoc("rng", "tuna.Rng?", "The trial's seeded random stream (samplers only)."),
    LuaFieldDoc("study_name", "string"),
    LuaFieldDoc("trial_number", "integer?", "The number of the trial being sampled (samplers only)."),
  ]

  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let box = try engine.classes.context.check(1, on: l)
      let history = box.history
      switch l.toString(2) {
      case "trials": try engine.push(trials: try history.trials(), on: l)
      case "direction": l.push(history.direction.rawValue)
      case "directions":
        l.newTable(arrayCount: Int32(history.directions.count))
        for (i, d) in history.directions.enumerated() { l.push(d.rawValue); l.rawSet(-2, index: i + 1) }
      case "best_trial":
        if let best = try history.bestTrial() { try engine.push(best, on: l) } else { l.pushNil() }
      case "rng": if let ctx = box.sampling { engine.classes.rng.push(ctx, on: l) } else { l.pushNil() }
      case "study_name": l.push(history.studyName)
      case "trial_number": if let ctx = box.sampling { l.push(try ctx.trial().number) } else { l.pushNil() }
      default: l.pushNil()
      }
      return 1
    }
  }

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    [
      LuaBinding(
        "intersection_search_space", returns: "table<string, tuna.Distribution>",
        "The parameters every complete trial has, each with the distribution they share."
      ) { [unowned engine] l in
        let box = try engine.classes.context.check(1, on: l)
        engine.push(space: try box.history.intersectionSearchSpace(), on: l)
        return 1
      },
    ]
  }
}
