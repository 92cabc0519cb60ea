import LuaVM
import TunaSearch

/// Distribution tables: `kind`, `low`, `high`, `log`, `step`, `choices`, and the methods a Lua
/// sampler draws and converts values with.
enum DistributionMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaTableClass {
    LuaTableClass(
      engine.state.lua, name: "tuna.Distribution",
      summary: "A parameter's distribution, as samplers see it. Its internal unit is the log of the value for log\ndistributions and the index of the choice for categoricals.",
      methods: methods(engine), fields: fields, recordingIn: engine.api)
  }

  static let fields = [
    LuaFieldDoc("kind", "\"float\"|\"int\"|\"categorical\"", "What it gives: real numbers, integers or one of the choices."),
    LuaFieldDoc("low", "number?", "The lowest value (float and int)."),
    LuaFieldDoc("high", "number?", "The highest value, included (float and int)."),
    LuaFieldDoc("log", "boolean?", "Whether values are drawn on a log scale (float and int)."),
    LuaFieldDoc("step", "number?", "The spacing of the values' grid (int always, float when given)."),
    LuaFieldDoc("choices", "(number|string|boolean)[]?", "The choices (categorical)."),
  ]

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    [
      LuaBinding("sample", "rng: tuna.Rng", returns: "number|string|boolean", "Draws a value with the trial's random stream.") { [unowned engine] l in
        let d = try engine.distribution(at: 1, on: l)
        let ctx = try engine.classes.rng.check(2, on: l)
        l.push(RandomSampler.sample(d, using: &ctx.rng))
        return 1
      },
      LuaBinding("contains", "value: any", returns: "boolean", "Whether the value is one the distribution can give.") { [unowned engine] l in
        let d = try engine.distribution(at: 1, on: l)
        l.push(l.paramValue(at: 2).map(d.contains) ?? false)
        return 1
      },
      LuaBinding("to_internal", "value: number|string|boolean", returns: "number", "The value in the internal unit.") { [unowned engine] l in
        let d = try engine.distribution(at: 1, on: l)
        guard let v = l.paramValue(at: 2), let x = d.toInternal(v) else {
          throw ArgumentError(2, "\(l.describe(2)) is not a value of \(d)")
        }
        l.push(x)
        return 1
      },
      LuaBinding("from_internal", "x: number", returns: "number|string|boolean", "The value at a point of the internal unit.") { [unowned engine] l in
        let d = try engine.distribution(at: 1, on: l)
        guard let x = l.toNumber(2), l.type(at: 2) == .number else {
          throw ArgumentError(2, "number expected, got \(l.typeName(2))")
        }
        l.push(d.fromInternal(x))
        return 1
      },
    ]
  }
}

/// `ctx.rng`: the trial's seeded random stream, for samplers written in Lua.
enum RngMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<SamplingContext> {
    LuaClass(
      engine.state.lua, name: "tuna.Rng", summary: "The trial's seeded random stream (a sampler's `ctx.rng`).",
      methods: methods(engine), recordingIn: engine.api)
  }

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    let cls = { [unowned engine] in engine.classes.rng }
    return [
      LuaBinding("uniform", "a?: number, b?: number", returns: "number", "A uniform draw between a and b (0 and 1 by default).") { l in
        let ctx = try cls().check(1, on: l)
        let a = try number(l, 2, default: 0), b = try number(l, 3, default: 1)
        guard a <= b else { throw ArgumentError(3, "interval is empty (\(a) > \(b))") }
        l.push(ctx.rng.uniform(a, b))
        return 1
      },
      LuaBinding("normal", "mu?: number, sigma?: number", returns: "number", "A normal draw of mean mu and standard deviation sigma (0 and 1 by default).") { l in
        let ctx = try cls().check(1, on: l)
        let mu = try number(l, 2, default: 0), sigma = try number(l, 3, default: 1)
        guard sigma >= 0 else { throw ArgumentError(3, "sigma must be >= 0") }
        l.push(ctx.rng.normal(mu, sigma))
        return 1
      },
      LuaBinding("integer", "a: integer, b: integer", returns: "integer", "A uniform integer from a to b, both included.") { l in
        let ctx = try cls().check(1, on: l)
        guard let a = l.toInteger(2), l.type(at: 2) == .number else { throw ArgumentError(2, "integer expected, got \(l.describe(2))") }
        guard let b = l.toInteger(3), l.type(at: 3) == .number else { throw ArgumentError(3, "integer expected, got \(l.describe(3))") }
        guard a <= b else { throw ArgumentError(3, "interval is empty (\(a) > \(b))") }
        l.push(ctx.rng.integer(a, b))
        return 1
      },
      LuaBinding("choice", "items: any[]", returns: "any", "An item of a non-empty array, each as likely.") { l in
        let ctx = try cls().check(1, on: l)
        guard l.type(at: 2) == .table, l.rawLength(2) > 0, l.rawLength(2) <= Lua.maxArrayLength else {
          throw ArgumentError(2, "non-empty array expected, got \(l.typeName(2))")
        }
        let i = ctx.rng.integer(1, l.rawLength(2))
        if l.rawGet(2, index: i) == .nil {
          l.pop()
          throw ArgumentError(2, "array has a hole at [\(i)] (its length is \(l.rawLength(2)))")
        }
        return 1
      },
    ]
  }

  /// The number at `i`, or `value` when the argument is absent.
  private static func number(_ l: Lua, _ i: Int32, default value: Double) throws -> Double {
    if l.isNoneOrNil(i) { return value }
    guard l.type(at: i) == .number, let v = l.toNumber(i) else {
      throw ArgumentError(i, "number expected, got \(l.typeName(i))")
    }
    return v
  }
}
