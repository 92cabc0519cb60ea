import LuaVM

/// The cost of crossing the bridge: Lua calling a Swift host function, and Swift calling a Lua
/// function under `pcall`.
enum BridgeBench: Measurement {
  /// The Lua→Swift throughput the project aims for (the prototype measured 21–26 M/s).
  static let luaToSwiftTarget = 15.0

  struct Row: Codable {
    var name: String
    var calls: Int
    var best: Timing
    var millionCallsPerSecond: Double
    var nanosecondsPerCall: Double
    /// `nanosecondsPerCall` over the baseline's.
    var ratioToBaseline: Double
    var baseline: String
  }

  struct Results: Codable {
    /// The pure-Lua call first (the baseline), then the empty loop, then host functions.
    var luaToSwift: [Row]
    /// The Swift closure first (the baseline), then the Lua calls.
    var swiftToLua: [Row]
    var luaToSwiftTargetMillionPerSecond: Double
    var luaToSwiftMeetsTarget: Bool
  }

  static func run(_ settings: BenchSettings) throws -> Results {
    let luaToSwift = try measureLuaToSwift(calls: settings.luaToSwiftCalls, repetitions: settings.repetitions)
    let swiftToLua = try measureSwiftToLua(calls: settings.swiftToLuaCalls, repetitions: settings.repetitions)
    let host = luaToSwift.first { $0.name == hostRow }!
    return Results(
      luaToSwift: luaToSwift, swiftToLua: swiftToLua,
      luaToSwiftTargetMillionPerSecond: luaToSwiftTarget,
      luaToSwiftMeetsTarget: host.millionCallsPerSecond >= luaToSwiftTarget)
  }

  static let hostRow = "Swift host function (lua.push(function:))"

  // MARK: Lua → Swift

  /// A Lua `for` loop doing `s = f(s, 1)` `calls` times, for a pure-Lua `f`, a host `f`, a host
  /// `f` with the count hook armed (as under `trial_timeout`), and no call at all.
  private static func measureLuaToSwift(calls: Int, repetitions: Int) throws -> [Row] {
    let state = try LuaState()
    let lua = state.lua
    func compile(_ source: String, _ name: String) throws -> LuaRef {
      try state.load(string: source, chunkName: name)
      return lua.ref()
    }
    let callLoop = try compile("local f, n = ...\nlocal s = 0\nfor _ = 1, n do s = f(s, 1) end\nreturn s", "call_loop")
    let emptyLoop = try compile("local _, n = ...\nlocal s = 0\nfor _ = 1, n do s = s + 1 end\nreturn s", "empty_loop")
    try state.load(string: "return function(a, b) return a + b end", chunkName: "lua_add")
    try lua.pcall(arguments: 0, results: 1)
    let luaAdd = lua.ref()
    lua.push(function: { l in
      guard let a = l.toNumber(1), let b = l.toNumber(2) else { throw ArgumentError(1, "add", "numbers expected") }
      l.push(a + b)
      return 1
    })
    let hostAdd = lua.ref()

    func loop(_ body: LuaRef, _ f: LuaRef) throws -> Timing {
      lua.push(body)
      lua.push(f)
      lua.push(calls)
      let timing = try measure { try lua.pcall(arguments: 2, results: 1) }
      defer { lua.pop() }
      guard lua.toNumber(-1) == Double(calls) else { throw BenchError("the call loop returned \(lua.describe(-1)), not \(calls)") }
      return timing
    }
    let best = try bestTimes(repetitions: repetitions, [
      { try loop(callLoop, luaAdd) },
      { try loop(emptyLoop, luaAdd) },
      { try loop(callLoop, hostAdd) },
      { try state.withDeadline(seconds: 3600, message: "bench deadline") { try loop(callLoop, hostAdd) } },
    ])
    let baseline = "pure-Lua call"
    let names = [
      "pure-Lua function(a, b) return a + b end", "loop with no call (s = s + 1)", hostRow,
      "Swift host function, count hook armed",
    ]
    return zip(names, best).map { name, timing in
      row(name, calls: calls, timing, baselineTiming: best[0], baseline: baseline)
    }
  }

  // MARK: Swift → Lua

  /// `calls` calls of `function(x) return x * x + 1 end` from Swift through `pcallStatus` and
  /// through the throwing `pcall`, against a Swift closure doing the same arithmetic.
  private static func measureSwiftToLua(calls: Int, repetitions: Int) throws -> [Row] {
    let state = try LuaState()
    let lua = state.lua
    try state.load(string: "return function(x) return x * x + 1 end", chunkName: "objective")
    try lua.pcall(arguments: 0, results: 1)
    let objective = lua.ref()
    let expected = callSwift(SwiftObjective { x in x * x + 1 }, calls)

    func check(_ sum: Double) throws {
      guard abs(sum - expected) <= 1e-9 * abs(expected) else { throw BenchError("Lua objective sum \(sum), expected \(expected)") }
    }
    let swiftObjective = SwiftObjective { x in x * x + 1 }
    let best = try bestTimes(repetitions: repetitions, [
      {
        var sum = 0.0
        let timing = measure { sum = callSwift(swiftObjective, calls) }
        try check(sum)
        return timing
      },
      {
        var sum = 0.0
        var failed = false
        let timing = measure {
          for i in 0..<calls {
            lua.push(objective)
            lua.push(Double(i))
            if lua.pcallStatus(arguments: 1, results: 1) != 0 { failed = true; break }
            sum += lua.toNumber(-1) ?? .nan
            lua.pop()
          }
        }
        if failed { throw lua.popError(status: 2) }
        try check(sum)
        return timing
      },
      {
        var sum = 0.0
        let timing = try measure {
          for i in 0..<calls {
            lua.push(objective)
            lua.push(Double(i))
            try lua.pcall(arguments: 1, results: 1)
            sum += lua.toNumber(-1) ?? .nan
            lua.pop()
          }
        }
        try check(sum)
        return timing
      },
    ])
    let names = [
      "Swift closure, same arithmetic", "Lua objective via Lua.pcallStatus", "Lua objective via Lua.pcall (throws)",
    ]
    return zip(names, best).map { name, timing in
      row(name, calls: calls, timing, baselineTiming: best[0], baseline: "Swift closure")
    }
  }

  private static func row(_ name: String, calls: Int, _ timing: Timing, baselineTiming: Timing, baseline: String) -> Row {
    let seconds = timing.cpuSeconds
    return Row(
      name: name, calls: calls, best: timing,
      millionCallsPerSecond: Double(calls) / seconds / 1e6,
      nanosecondsPerCall: seconds / Double(calls) * 1e9,
      ratioToBaseline: seconds / baselineTiming.cpuSeconds, baseline: baseline)
  }

  // MARK: Tables

  static func tables(_ results: Results, _ settings: BenchSettings) -> [Table] {
    var forward = Table(
      "Lua → Swift: `s = f(s, 1)` in a Lua for loop, \(grouped(settings.luaToSwiftCalls)) calls",
      headers: ["f", "M calls/s", "ns/call", "net ns/call", "× pure-Lua call", "target"],
      leftAligned: [0, 5])
    let empty = results.luaToSwift.first { $0.name.hasPrefix("loop with no call") }?.nanosecondsPerCall ?? 0
    for r in results.luaToSwift {
      let isLoop = r.name.hasPrefix("loop with no call")
      let target = r.name == hostRow
        ? "≥ \(fixed(luaToSwiftTarget, 0)) M/s: \(verdict(results.luaToSwiftMeetsTarget))" : ""
      forward.add(
        r.name, fixed(r.millionCallsPerSecond, 1), fixed(r.nanosecondsPerCall, 1),
        isLoop ? "" : fixed(r.nanosecondsPerCall - empty, 1), fixed(r.ratioToBaseline, 2), target)
    }
    forward.notes = [
      "net ns/call: minus the empty loop's cost per iteration. The host function reads two numbers",
      "and pushes one; the hooked row arms the count hook (every 1000 instructions) as trial_timeout does.",
    ]

    var backward = Table(
      "Swift → Lua: `function(x) return x * x + 1 end`, \(grouped(settings.swiftToLuaCalls)) calls from Swift",
      headers: ["call", "M calls/s", "ns/call", "× Swift closure"])
    for r in results.swiftToLua {
      backward.add(r.name, fixed(r.millionCallsPerSecond, 1), fixed(r.nanosecondsPerCall, 1), fixed(r.ratioToBaseline, 1))
    }
    backward.notes = [
      "Each Lua call pushes the function (registry ref) and x, runs lua_pcall with the traceback",
      "handler, reads the number and pops it; the Swift closure is an opaque (Double) -> Double.",
    ]
    return [forward, backward]
  }
}

/// A Swift objective the optimizer cannot see through: a closure stored in a class.
final class SwiftObjective {
  let call: (Double) -> Double
  init(_ call: @escaping (Double) -> Double) { self.call = call }
}

/// Sums `objective(i)` for i in 0..<calls.
@inline(never)
func callSwift(_ objective: SwiftObjective, _ calls: Int) -> Double {
  var sum = 0.0
  for i in 0..<calls { sum += objective.call(Double(i)) }
  return sum
}
