import LuaVM
import TunaSearch

// Frozen trials, distributions and trial lists as Lua tables.

extension TunaEngine {
  /// Pushes a frozen trial table (lua-api.md §1).
  func push(_ trial: FrozenTrial, on lua: Lua) throws {
    _ = lua.ensureStack(6)
    lua.newTable(recordCount: 12)
    let t = lua.top
    lua.push(trial.number); lua.rawSet(t, "number")
    lua.push(trial.state.rawValue); lua.rawSet(t, "state")
    if let value = trial.value { lua.push(value); lua.rawSet(t, "value") }
    if let values = trial.values {
      lua.newTable(arrayCount: Int32(values.count))
      for (i, v) in values.enumerated() { lua.push(v); lua.rawSet(-2, index: i + 1) }
      lua.rawSet(t, "values")
    }
    push(params: trial.params, on: lua); lua.rawSet(t, "params")
    push(space: trial.distributions, on: lua); lua.rawSet(t, "distributions")
    lua.newTable(recordCount: Int32(trial.intermediateValues.count))
    for (step, v) in trial.intermediateValues { lua.push(v); lua.rawSet(-2, index: step) }
    setSortedPairs(on: lua)
    lua.rawSet(t, "intermediate_values")
    do { try lua.push(AttrValue.object(trial.userAttrs)) } catch {
      lua.top = t - 1
      throw error
    }
    lua.rawSet(t, "user_attrs")
    do { try lua.push(AttrValue.object(trial.systemAttrs)) } catch {
      lua.top = t - 1
      throw error
    }
    lua.rawSet(t, "system_attrs")
    if let d = trial.datetimeStart { lua.push(isoDate(d)); lua.rawSet(t, "datetime_start") }
    if let d = trial.datetimeComplete { lua.push(isoDate(d)); lua.rawSet(t, "datetime_complete") }
    if let d = trial.duration { lua.push(d); lua.rawSet(t, "duration") }
    if let r = trial.failReason { lua.push(r); lua.rawSet(t, "fail_reason") }
  }

  func push(params: [String: ParamValue], on lua: Lua) {
    lua.newTable(recordCount: Int32(params.count))
    for (name, v) in params { lua.push(v); lua.rawSet(-2, name) }
    setSortedPairs(on: lua)
  }

  /// Pushes `{ name = dist, ... }`, iterated in name order by pairs().
  func push(space: [String: Distribution], on lua: Lua) {
    lua.newTable(recordCount: Int32(space.count))
    for (name, d) in space { push(d, on: lua); lua.rawSet(-2, name) }
    setSortedPairs(on: lua)
  }

  /// Gives the table on top the metatable whose `__pairs` visits keys in sorted order.
  func setSortedPairs(on lua: Lua) {
    lua.push(sortedMetatable)
    lua.setMetatable(-2)
  }

  /// Pushes an array of frozen trials that can also be called as `list(ctx_or_study, { states = … })`
  /// — which is how `ctx:trials{...}` works while `ctx.trials` is the plain array.
  func push(trials: [FrozenTrial], on lua: Lua) throws {
    lua.newTable(arrayCount: Int32(clamping: trials.count))
    let list = lua.top
    let limited = state.memoryLimit != nil
    for (i, t) in trials.enumerated() {
      do {
        // Host pushes are not refused one by one: a long list stops here once it fills the
        // memory limit (it reached 200 MB under 64 MB before the call failed on return), or
        // once the limit's deadline has passed (a hundred lists of 2,000 trials read from a
        // gsub callback ran 3 s past a 1 s trial limit: few Lua instructions between them, so
        // the count hook never looked at the clock).
        if i % 64 == 0 {
          if limited, state.memoryHeadroom == 0 { throw ScriptError("not enough memory") }
          try state.checkDeadline()
        }
        try push(t, on: lua)
      } catch {
        lua.top = list - 1
        throw error
      }
      lua.rawSet(-2, index: i + 1)
    }
    classes.trialList.setMetatable(on: lua)
  }

  /// Pushes a distribution table: `kind`, `low`, `high`, `log`, `step`, `choices`, with the
  /// `dist` methods (`sample`, `contains`, `to_internal`, `from_internal`).
  func push(_ d: Distribution, on lua: Lua) {
    lua.newTable(recordCount: 5)
    lua.push(d.kind); lua.rawSet(-2, "kind")
    switch d {
    case .float(let low, let high, let log, let step):
      lua.push(low); lua.rawSet(-2, "low")
      lua.push(high); lua.rawSet(-2, "high")
      lua.push(log); lua.rawSet(-2, "log")
      if let step { lua.push(step); lua.rawSet(-2, "step") }
    case .int(let low, let high, let log, let step):
      lua.push(low); lua.rawSet(-2, "low")
      lua.push(high); lua.rawSet(-2, "high")
      lua.push(log); lua.rawSet(-2, "log")
      lua.push(step); lua.rawSet(-2, "step")
    case .categorical(let choices):
      lua.newTable(arrayCount: Int32(choices.count))
      for (i, c) in choices.enumerated() { lua.push(c); lua.rawSet(-2, index: i + 1) }
      lua.rawSet(-2, "choices")
    }
    classes.distribution.setMetatable(on: lua)
  }

  /// Reads a distribution table (as `push(_:on:)` writes them, or written by hand).
  func distribution(at index: Int32, on lua: Lua) throws -> Distribution {
    guard lua.type(at: index) == .table else {
      throw ArgumentError(index, "distribution table expected, got \(lua.typeName(index))")
    }
    let t = lua.absolute(index)
    func field<T>(_ key: String, _ read: (Int32) -> T?) -> T? {
      lua.rawGet(t, key)
      defer { lua.pop() }
      return read(-1)
    }
    let kind = field("kind", lua.toString)
    let log = field("log", { lua.type(at: $0) == .boolean ? lua.toBoolean($0) : nil }) ?? false
    do {
      switch kind {
      case "float":
        guard let low = field("low", lua.toNumber), let high = field("high", lua.toNumber) else {
          throw ArgumentError(index, "a float distribution needs numbers 'low' and 'high'")
        }
        return try Distribution.float(low, high, log: log, step: field("step", lua.toNumber))
      case "int":
        guard let low = field("low", lua.toInteger), let high = field("high", lua.toInteger) else {
          throw ArgumentError(index, "an int distribution needs integers 'low' and 'high'")
        }
        return try Distribution.int(low, high, log: log, step: field("step", lua.toInteger) ?? 1)
      case "categorical":
        lua.rawGet(t, "choices")
        defer { lua.pop() }
        guard lua.type(at: -1) == .table else {
          throw ArgumentError(index, "a categorical distribution needs a 'choices' array")
        }
        let choices = try lua.readArray(-1, argument: index) { _ in
          guard let v = lua.paramValue(at: -1) else {
            throw ArgumentError(index, "choices must be strings, numbers or booleans")
          }
          return v
        }
        return try Distribution.categorical(choices: choices)
      default:
        throw ArgumentError(index, "distribution 'kind' must be \"float\", \"int\" or \"categorical\"")
      }
    } catch let e as InvalidArgument {
      throw ArgumentError(index, e.message)
    }
  }

  /// Reads a value for `distribution` from Lua: numbers for float and int (an int must be
  /// integral), any matching choice for categoricals. Nil when it does not fit the kind.
  func value(at index: Int32, on lua: Lua, for distribution: Distribution) -> ParamValue? {
    switch distribution {
    case .float:
      return lua.type(at: index) == .number ? lua.toNumber(index).map(ParamValue.float) : nil
    case .int:
      guard lua.type(at: index) == .number, let i = lua.toInteger(index) else { return nil }
      return .int(i)
    case .categorical(let choices):
      guard let v = lua.paramValue(at: index) else { return nil }
      return choices.first { $0.matches(v) }
    }
  }

  /// Reads `{ "complete", "pruned", … }` into states.
  func states(at index: Int32, on lua: Lua, position: Int32) throws -> Set<TrialState>? {
    guard lua.type(at: index) != .nil else { return nil }
    guard lua.type(at: index) == .table else {
      throw ArgumentError(position, "'states' must be an array of state names")
    }
    return Set(try lua.readArray(index, argument: position) { _ in
      guard let name = lua.toString(-1), let state = TrialState(rawValue: name.lowercased()) else {
        throw ArgumentError(position, "unknown trial state \(lua.describe(-1)) (known: running, complete, pruned, fail, waiting)")
      }
      return state
    })
  }
}

/// Arrays of frozen trials (`ctx.trials`, `study:trials()`) that can also be called as
/// `list(owner, { states = … })`, which is how `ctx:trials{...}` filters while `ctx.trials`
/// stays a plain array.
enum TrialListMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaTableClass {
    LuaTableClass(
      engine.state.lua, name: "tuna.TrialList",
      summary: "Frozen trials ordered by number; `ctx:trials{ states = … }` calls it to filter.",
      fields: [LuaFieldDoc("[integer]", "tuna.FrozenTrial")],
      call: LuaBinding(
        "trials", "owner: tuna.SamplingContext|tuna.Study, options?: \(TunaEngine.stateFilter.type)", returns: "tuna.TrialList",
        "The owner's trials in the given states."
      ) { [unowned engine] l in try engine.filteredTrials(l) },
      recordingIn: engine.api)
  }
}

extension TunaEngine {
  /// `{ states = { "complete", … } }`, the filter of `study:trials` and `ctx:trials`.
  static let stateFilter = OptionTable("states?: (\(literalUnion(TrialState.self)))[]")

  /// `list(owner, { states = … })` for a trial list from `ctx.trials` or `study:trials()`.
  fileprivate func filteredTrials(_ lua: Lua) throws -> Int32 {
    let options = try Options(lua, at: 3, Self.stateFilter)
    let states = try options.with("states") { _ in try self.states(at: -1, on: lua, position: 3) }
    let trials: [FrozenTrial]
    if let ctx = classes.context.object(at: 2, on: lua) {
      trials = try ctx.history.trials(states: states)
    } else if let box = classes.study.object(at: 2, on: lua) {
      trials = try box.study.trials(states: states)
    } else {
      throw ArgumentError(1, "call it as ctx:trials{...} or study:trials{...}")
    }
    try push(trials: trials, on: lua)
    return 1
  }
}

extension LuaClassDoc {
  /// The table `push(_: FrozenTrial, on:)` builds (lua-api.md §1).
  static var frozenTrial: LuaClassDoc {
    LuaClassDoc(
      name: "tuna.FrozenTrial", summary: "A trial as it was when read: a plain table, a copy.",
      fields: [
        LuaFieldDoc("number", "integer", "Its number in the study, from 0."),
        LuaFieldDoc("state", literalUnion(TrialState.self)),
        LuaFieldDoc("value", "number?", "The objective's value (single-objective studies)."),
        LuaFieldDoc("values", "number[]?", "The objectives' values."),
        LuaFieldDoc("params", "table<string, number|string|boolean>", "Parameter values by name."),
        LuaFieldDoc("distributions", "table<string, tuna.Distribution>", "Parameter distributions by name."),
        LuaFieldDoc("intermediate_values", "table<integer, number>", "Reported values by step."),
        LuaFieldDoc("user_attrs", "table<string, any>"),
        LuaFieldDoc(
          "system_attrs", "table<string, any>",
          "What samplers recorded (\"auto:sampler\": the sampler the automatic one ran; \"cma:generation\", …)."),
        LuaFieldDoc("datetime_start", "string?", "ISO 8601, UTC."),
        LuaFieldDoc("datetime_complete", "string?", "ISO 8601, UTC."),
        LuaFieldDoc("duration", "number?", "Seconds."),
        LuaFieldDoc("fail_reason", "string?"),
      ])
  }
}
