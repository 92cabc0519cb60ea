import LuaVM
import TunaSearch
import TunaTrain

/// The version scripts see as `tuna.version`.
public let tunaVersion = "0.1.0"

extension TunaEngine {
  /// Builds the `tuna` table and makes it the global `tuna` and `require("tuna")`.
  func installModule() {
    let lua = state.lua
    lua.newTable()
    pruneSignal = lua.ref()

    // dist methods
    lua.newTable(recordCount: 2)
    lua.newTable(recordCount: 4)
    for (name, fn) in DistMethods.table(self) {
      lua.push(function: fn)
      lua.rawSet(-2, name)
    }
    lua.rawSet(-2, "__index")
    protectMetatable(on: lua)
    distMetatable = lua.ref()

    // trial lists: arrays that are also callable as list(owner, { states = … })
    lua.newTable(recordCount: 1)
    lua.push(function: { [unowned self] l in try self.filteredTrials(l) })
    lua.rawSet(-2, "__call")
    protectMetatable(on: lua)
    trialListMetatable = lua.ref()

    // Tables keyed by parameter name iterate in sorted key order under pairs(), so a sampler
    // that draws random numbers while iterating a search space stays reproducible (Lua's own
    // order depends on a per-process hash seed); importances iterate most important first.
    try! state.load(string: Self.orderedPairsSource, chunkName: "tuna.ordered")
    try! lua.pcall(arguments: 0, results: 2)
    descendingMetatable = lua.ref()
    sortedMetatable = lua.ref()

    lua.newTable(recordCount: 8)
    let tuna = lua.top
    lua.push(tunaVersion); lua.rawSet(tuna, "version")
    lua.push(function: { [unowned self] l in try self.createStudy(l) }); lua.rawSet(tuna, "create_study")
    lua.push(function: { [unowned self] l in try self.makeLuaSampler(l) }); lua.rawSet(tuna, "sampler")

    lua.newTable(recordCount: 8)
    lua.push(function: { [unowned self] l in try self.makeRandomSampler(l) }); lua.rawSet(-2, "random")
    lua.push(function: { [unowned self] l in try self.makeGridSampler(l) }); lua.rawSet(-2, "grid")
    let constructors = modelSamplerConstructors()
    for name in ["qmc", "tpe", "gp", "cmaes", "ga", "nsga2"] {
      if let make = constructors[name] { lua.push(function: make) } else { pushUnavailable("tuna.samplers." + name, on: lua) }
      lua.rawSet(-2, name)
    }
    lua.rawSet(tuna, "samplers")

    pushPrunersModule(on: lua)
    lua.rawSet(tuna, "pruners")
    lua.push(function: { [unowned self] l in try self.makeLuaPruner(l) }); lua.rawSet(tuna, "pruner")
    pushDataModule(on: lua)
    lua.rawSet(tuna, "data")
    pushNNModule(on: lua)
    lua.rawSet(tuna, "nn")
    pushMLModule(on: lua)
    lua.rawSet(tuna, "ml")
    pushBuildingBlocks(into: tuna, on: lua)
    installAnalysis(into: tuna, on: lua)

    // The global, and require("tuna").
    lua.pushValue(at: tuna)
    state.setGlobal("tuna")
    if state.isSandboxed {
      // No `package` in the sandbox: a `require` that knows only the tuna module.
      lua.pushValue(at: tuna)
      let tunaRef = lua.ref()
      lua.push(function: { l in
        guard l.toString(1) == "tuna" else {
          throw ScriptError("module \(l.describe(1)) not found (only \"tuna\" can be required in the sandbox)")
        }
        l.push(tunaRef)
        return 1
      })
      state.setGlobal("require")
    } else if state.getGlobal("package") == .table {
      if lua.rawGet(-1, "loaded") == .table {
        lua.pushValue(at: tuna)
        lua.rawSet(-2, "tuna")
      }
      lua.pop()
    }
    lua.top = tuna - 1
  }

  /// Two metatables whose `__pairs` visit a table's keys in a fixed order: by key (numbers, then
  /// strings, each ascending), and by value descending (ties by key).
  private static let orderedPairsSource = """
    local next, sort, type, tostring = next, table.sort, type, tostring
    local function by_key(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      if ta == "number" or ta == "string" then return a < b end
      return tostring(a) < tostring(b)
    end
    local function ordered(before)
      return { __metatable = false, __pairs = function(t)
        local keys = {}
        for k in next, t do keys[#keys + 1] = k end
        sort(keys, function(a, b) return before(t, a, b) end)
        local i = 0
        return function()
          i = i + 1
          local k = keys[i]
          if k ~= nil then return k, t[k] end
        end, t, nil
      end }
    end
    return ordered(function(_, a, b) return by_key(a, b) end),
      ordered(function(t, a, b)
        local x, y = t[a], t[b]
        if x ~= y then return x > y end
        return by_key(a, b)
      end)
    """

  /// Marks the metatable on top as protected: `getmetatable` answers false and `setmetatable`
  /// refuses, so no script can change a metatable the host shares between its tables (and slip
  /// a `__gc` past the sandbox into it).
  private func protectMetatable(on lua: Lua) {
    lua.push(false)
    lua.rawSet(-2, "__metatable")
  }

  /// A constructor for something not built yet: a clear error instead of "attempt to call nil".
  private func pushUnavailable(_ name: String, on lua: Lua) {
    lua.push(function: { _ in
      throw ScriptError("\(name) is not available in Tuna \(tunaVersion) yet")
    })
  }

  /// `list(owner, { states = … })` for a trial list from `ctx.trials` or `study:trials()`.
  private func filteredTrials(_ lua: Lua) throws -> Int32 {
    let options = try Options(lua, at: 3, function: "trials", allowed: ["states"])
    let states = try options.with("states") { _ in try self.states(at: -1, on: lua, function: "trials", position: 3) }
    let trials: [FrozenTrial]
    if let ctx = classes.context.object(at: 2, on: lua) {
      trials = try ctx.history.trials(states: states)
    } else if let box = classes.study.object(at: 2, on: lua) {
      trials = try box.study.trials(states: states)
    } else {
      throw ArgumentError(1, "trials", "call it as ctx:trials{...} or study:trials{...}")
    }
    try push(trials: trials, on: lua)
    return 1
  }
}

/// `dist:sample(rng)`, `dist:contains(v)`, `dist:to_internal(v)`, `dist:from_internal(x)`.
enum DistMethods {
  static func table(_ engine: TunaEngine) -> [String: HostFunction] {
    [
      "sample": { [unowned engine] l in
        let d = try engine.distribution(at: 1, on: l, function: "sample")
        let ctx = try engine.classes.rng.check(2, on: l, function: "sample")
        l.push(RandomSampler.sample(d, using: &ctx.rng))
        return 1
      },
      "contains": { [unowned engine] l in
        let d = try engine.distribution(at: 1, on: l, function: "contains")
        l.push(l.paramValue(at: 2).map(d.contains) ?? false)
        return 1
      },
      "to_internal": { [unowned engine] l in
        let d = try engine.distribution(at: 1, on: l, function: "to_internal")
        guard let v = l.paramValue(at: 2), let x = d.toInternal(v) else {
          throw ArgumentError(2, "to_internal", "\(l.describe(2)) is not a value of \(d)")
        }
        l.push(x)
        return 1
      },
      "from_internal": { [unowned engine] l in
        let d = try engine.distribution(at: 1, on: l, function: "from_internal")
        guard let x = l.toNumber(2), l.type(at: 2) == .number else {
          throw ArgumentError(2, "from_internal", "number expected, got \(l.typeName(2))")
        }
        l.push(d.fromInternal(x))
        return 1
      },
    ]
  }
}

/// `rng:uniform(a, b)`, `rng:normal(mu, sigma)`, `rng:integer(a, b)`, `rng:choice(t)`.
enum RngMethods {
  static func table(_ engine: TunaEngine) -> [String: HostFunction] {
    func number(_ l: Lua, _ i: Int32, _ f: String, default value: Double? = nil) throws -> Double {
      if l.isNoneOrNil(i), let value { return value }
      guard l.type(at: i) == .number, let v = l.toNumber(i) else {
        throw ArgumentError(i, f, "number expected, got \(l.typeName(i))")
      }
      return v
    }
    return [
      "uniform": { [unowned engine] l in
        let ctx = try engine.classes.rng.check(1, on: l, function: "uniform")
        let a = try number(l, 2, "uniform", default: 0), b = try number(l, 3, "uniform", default: 1)
        guard a <= b else { throw ArgumentError(3, "uniform", "interval is empty (\(a) > \(b))") }
        l.push(ctx.rng.uniform(a, b))
        return 1
      },
      "normal": { [unowned engine] l in
        let ctx = try engine.classes.rng.check(1, on: l, function: "normal")
        let mu = try number(l, 2, "normal", default: 0), sigma = try number(l, 3, "normal", default: 1)
        guard sigma >= 0 else { throw ArgumentError(3, "normal", "sigma must be >= 0") }
        l.push(ctx.rng.normal(mu, sigma))
        return 1
      },
      "integer": { [unowned engine] l in
        let ctx = try engine.classes.rng.check(1, on: l, function: "integer")
        guard let a = l.toInteger(2), l.type(at: 2) == .number else { throw ArgumentError(2, "integer", "integer expected, got \(l.describe(2))") }
        guard let b = l.toInteger(3), l.type(at: 3) == .number else { throw ArgumentError(3, "integer", "integer expected, got \(l.describe(3))") }
        guard a <= b else { throw ArgumentError(3, "integer", "interval is empty (\(a) > \(b))") }
        l.push(ctx.rng.integer(a, b))
        return 1
      },
      "choice": { [unowned engine] l in
        let ctx = try engine.classes.rng.check(1, on: l, function: "choice")
        guard l.type(at: 2) == .table, l.rawLength(2) > 0, l.rawLength(2) <= Lua.maxArrayLength else {
          throw ArgumentError(2, "choice", "non-empty array expected, got \(l.typeName(2))")
        }
        let i = ctx.rng.integer(1, l.rawLength(2))
        if l.rawGet(2, index: i) == .nil {
          l.pop()
          throw ArgumentError(2, "choice", "array has a hole at [\(i)] (its length is \(l.rawLength(2)))")
        }
        return 1
      },
    ]
  }
}
