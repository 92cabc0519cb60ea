import LuaVM
import TunaSearch

/// Methods and fields of a trial userdata (lua-api.md §2).
enum TrialMethods {
  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let trial = try engine.classes.trial.check(1, on: l, function: "index")
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

  static func table(_ engine: TunaEngine) -> [String: HostFunction] {
    let cls = { [unowned engine] in engine.classes.trial }
    return [
      "suggest_float": { l in
        let f = "suggest_float"
        let trial = try cls().check(1, on: l, function: f)
        let name = try paramName(l, f)
        let low = try number(l, 3, f, "low"), high = try number(l, 4, f, "high")
        let options = try Options(l, at: 5, function: f, allowed: ["log", "step"])
        let d = try distribution(f) {
          try Distribution.float(low, high, log: try options.bool("log") ?? false, step: try options.number("step"))
        }
        l.push(try trial.suggest(name, d))
        return 1
      },
      "suggest_int": { l in
        let f = "suggest_int"
        let trial = try cls().check(1, on: l, function: f)
        let name = try paramName(l, f)
        let low = try integer(l, 3, f, "low"), high = try integer(l, 4, f, "high")
        let options = try Options(l, at: 5, function: f, allowed: ["log", "step"])
        let d = try distribution(f) {
          try Distribution.int(low, high, log: try options.bool("log") ?? false, step: try options.integer("step") ?? 1)
        }
        l.push(try trial.suggest(name, d))
        return 1
      },
      "suggest_categorical": { l in
        let f = "suggest_categorical"
        let trial = try cls().check(1, on: l, function: f)
        let name = try paramName(l, f)
        guard l.type(at: 3) == .table else { throw ArgumentError(3, f, "table of choices expected, got \(l.typeName(3))") }
        let choices = try l.readArray(3, argument: 3, function: f) { i in
          guard let v = l.paramValue(at: -1) else {
            throw ArgumentError(3, f, "choices must be strings, numbers or booleans, got a \(l.typeName(-1)) at [\(i)]")
          }
          return v
        }
        let d = try distribution(f) { try Distribution.categorical(choices: choices) }
        l.push(try trial.suggest(name, d))
        return 1
      },
      "report": { l in
        let f = "report"
        let trial = try cls().check(1, on: l, function: f)
        let value = try number(l, 2, f, "value")
        guard l.type(at: 3) == .number, let step = l.toInteger(3) else {
          throw ArgumentError(3, f, "step must be an integer >= 0, got \(l.describe(3))")
        }
        guard step >= 0 else { throw ArgumentError(3, f, "step must be an integer >= 0, got \(step)") }
        try trial.report(value, step: step)
        return 0
      },
      "should_prune": { l in
        l.push(try cls().check(1, on: l, function: "should_prune").shouldPrune())
        return 1
      },
      "prune": { [unowned engine] l in
        let trial = try cls().check(1, on: l, function: "prune")
        if trial.isFinished { throw ScriptError("trial \(trial.number) has already finished") }
        l.push(engine.pruneSignal)
        throw RaiseTopOfStack()
      },
      "set_user_attr": { l in
        let trial = try cls().check(1, on: l, function: "set_user_attr")
        guard let key = l.toString(2) else { throw ArgumentError(2, "set_user_attr", "string expected, got \(l.typeName(2))") }
        try trial.setUserAttr(key, try l.attrValue(at: 3))
        return 0
      },
    ]
  }

  private static func paramName(_ l: Lua, _ f: String) throws -> String {
    guard let name = l.toString(2) else { throw ArgumentError(2, f, "parameter name must be a string, got \(l.describe(2))") }
    return name
  }

  private static func number(_ l: Lua, _ i: Int32, _ f: String, _ what: String) throws -> Double {
    guard l.type(at: i) == .number, let v = l.toNumber(i) else {
      throw ArgumentError(i, f, "\(what) must be a number, got \(l.describe(i))")
    }
    return v
  }

  private static func integer(_ l: Lua, _ i: Int32, _ f: String, _ what: String) throws -> Int {
    guard l.type(at: i) == .number, let v = l.toInteger(i) else {
      throw ArgumentError(i, f, "\(what) must be an integer, got \(l.describe(i))")
    }
    return v
  }

  /// Builds a distribution, turning its validation error into a bad-argument error at the
  /// argument it concerns (self = 1, name = 2, low = 3, high = 4, options = 5; choices = 3).
  private static func distribution(_ f: String, _ make: () throws -> Distribution) throws -> Distribution {
    do { return try make() } catch let e as Distribution.InvalidError {
      let position: Int32
      switch e.argument {
      case .low, .choices: position = 3
      case .high: position = 4
      case .log, .step: position = 5
      }
      throw ArgumentError(position, f, e.message)
    }
  }
}
