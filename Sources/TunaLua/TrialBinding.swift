import LuaVM
import TunaSearch

/// Methods and fields of a trial userdata (lua-api.md §2).
enum TrialMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<Trial> {
    LuaClass(
      engine.state.lua, name: "tuna.Trial", summary: "A running trial: it suggests parameter values and reports progress.",
      methods: methods(engine), fields: fields, getter: getter(engine), recordingIn: engine.api)
  }

  static let fields = [
    LuaFieldDoc("number", "integer", "Its number in the study, from 0."),
    LuaFieldDoc("params", "table<string, number|string|boolean>", "The values suggested so far, by name."),
    LuaFieldDoc("distributions", "table<string, tuna.Distribution>", "The distributions suggested so far, by name."),
    LuaFieldDoc("intermediate_values", "table<integer, number>", "Reported values by step."),
    LuaFieldDoc("user_attrs", "table<string, any>"),
    LuaFieldDoc("study", "tuna.Study?", "The study it belongs to."),
  ]

  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let trial = try engine.classes.trial.check(1, on: l)
      switch l.toString(2) {
      case "number": l.push(trial.number)
      case "params": engine.push(params: trial.params, on: l)
      case "distributions": engine.push(space: trial.distributions, on: l)
      case "intermediate_values":
        l.newTable(recordCount: Int32(trial.intermediateValues.count))
        for (step, v) in trial.intermediateValues { l.push(v); l.rawSet(-2, index: step) }
        engine.setSortedPairs(on: l)
      case "user_attrs": try l.push(AttrValue.object(try trial.frozen().userAttrs))
      case "study":
        guard let box = engine.box(for: trial.study) else { l.pushNil(); break }
        engine.classes.study.push(box, on: l)
      default: l.pushNil()
      }
      return 1
    }
  }

  static let floatOptions = OptionTable("log?: boolean, step?: number")
  static let intOptions = OptionTable("log?: boolean, step?: integer")

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    let cls = { [unowned engine] in engine.classes.trial }
    return [
      LuaBinding(
        "suggest_float", "name: string, low: number, high: number, options?: \(floatOptions.type)", returns: "number",
        "A float parameter's value in [low, high], log-scaled or on a grid of `step` when asked."
      ) { l in
        let trial = try cls().check(1, on: l)
        let name = try paramName(l)
        let low = try number(l, 3, "low"), high = try number(l, 4, "high")
        let options = try Options(l, at: 5, floatOptions)
        let d = try distribution {
          try Distribution.float(low, high, log: try options.bool("log") ?? false, step: try options.number("step"))
        }
        l.push(try trial.suggest(name, d))
        return 1
      },
      LuaBinding(
        "suggest_int", "name: string, low: integer, high: integer, options?: \(intOptions.type)", returns: "integer",
        "An integer parameter's value in [low, high], log-scaled or every `step` when asked."
      ) { l in
        let trial = try cls().check(1, on: l)
        let name = try paramName(l)
        let low = try integer(l, 3, "low"), high = try integer(l, 4, "high")
        let options = try Options(l, at: 5, intOptions)
        let d = try distribution {
          try Distribution.int(low, high, log: try options.bool("log") ?? false, step: try options.integer("step") ?? 1)
        }
        l.push(try trial.suggest(name, d))
        return 1
      },
      LuaBinding(
        "suggest_categorical", "name: string, choices: (number|string|boolean)[]", returns: "number|string|boolean",
        "One of the choices; a parameter keeps its choices for the whole study."
      ) { l in
        let trial = try cls().check(1, on: l)
        let name = try paramName(l)
        guard l.type(at: 3) == .table else { throw ArgumentError(3, "table of choices expected, got \(l.typeName(3))") }
        let choices = try l.readArray(3, argument: 3) { i in
          guard let v = l.paramValue(at: -1) else {
            throw ArgumentError(3, "choices must be strings, numbers or booleans, got a \(l.typeName(-1)) at [\(i)]")
          }
          return v
        }
        let d = try distribution { try Distribution.categorical(choices: choices) }
        l.push(try trial.suggest(name, d))
        return 1
      },
      LuaBinding("report", "value: number, step: integer", "Reports an intermediate value at a step (an integer >= 0) for the pruner.") { l in
        let trial = try cls().check(1, on: l)
        let value = try number(l, 2, "value")
        guard l.type(at: 3) == .number, let step = l.toInteger(3) else {
          throw ArgumentError(3, "step must be an integer >= 0, got \(l.describe(3))")
        }
        guard step >= 0 else { throw ArgumentError(3, "step must be an integer >= 0, got \(step)") }
        try trial.report(value, step: step)
        return 0
      },
      LuaBinding("should_prune", returns: "boolean", "Whether the study's pruner would stop the trial now.") { l in
        l.push(try cls().check(1, on: l).shouldPrune())
        return 1
      },
      LuaBinding("prune", "", "Ends the trial as pruned (it raises, so it does not return).") {
        [unowned engine] l in
        let trial = try cls().check(1, on: l)
        if trial.isFinished { throw ScriptError("trial \(trial.number) has already finished") }
        l.push(engine.pruneSignal)
        throw RaiseTopOfStack()
      },
      LuaBinding("set_user_attr", "key: string, value: any", "Stores a value with the trial.") { [unowned engine] l in
        let trial = try cls().check(1, on: l)
        guard let key = l.toString(2) else { throw ArgumentError(2, "string expected, got \(l.typeName(2))") }
        try trial.setUserAttr(key, try engine.attribute(l, at: 3))
        return 0
      },
    ]
  }

  private static func paramName(_ l: Lua) throws -> String {
    guard let name = l.toString(2) else { throw ArgumentError(2, "parameter name must be a string, got \(l.describe(2))") }
    return name
  }

  private static func number(_ l: Lua, _ i: Int32, _ what: String) throws -> Double {
    guard l.type(at: i) == .number, let v = l.toNumber(i) else {
      throw ArgumentError(i, "\(what) must be a number, got \(l.describe(i))")
    }
    return v
  }

  private static func integer(_ l: Lua, _ i: Int32, _ what: String) throws -> Int {
    guard l.type(at: i) == .number, let v = l.toInteger(i) else {
      throw ArgumentError(i, "\(what) must be an integer, got \(l.describe(i))")
    }
    return v
  }

  /// Builds a distribution, turning its validation error into a bad-argument error at the
  /// argument it concerns (self = 1, name = 2, low = 3, high = 4, options = 5; choices = 3).
  private static func distribution(_ make: () throws -> Distribution) throws -> Distribution {
    do { return try make() } catch let e as InvalidArgument {
      throw ArgumentError(["low": 3, "choices": 3, "high": 4][e.argument] ?? 5, e.message)
    }
  }
}
