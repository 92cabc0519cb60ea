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

    // Tables keyed by parameter name iterate in sorted key order under pairs(), so a sampler
    // that draws random numbers while iterating a search space stays reproducible (Lua's own
    // order depends on a per-process hash seed); importances iterate most important first.
    try! state.load(string: Self.orderedPairsSource, chunkName: "tuna.ordered")
    try! lua.pcall(arguments: 0, results: 2)
    descendingMetatable = lua.ref()
    sortedMetatable = lua.ref()

    lua.push(library: tunaLibrary, recordingIn: api)
    let tuna = lua.top
    lua.push(tunaVersion)
    lua.rawSet(tuna, "version")
    pushSamplersModule(on: lua)
    lua.rawSet(tuna, "samplers")
    pushPrunersModule(on: lua)
    lua.rawSet(tuna, "pruners")
    pushDataModule(on: lua)
    lua.rawSet(tuna, "data")
    pushNNModule(on: lua)
    lua.rawSet(tuna, "nn")
    pushMLModule(on: lua)
    lua.rawSet(tuna, "ml")
    pushBuildingBlocks(into: tuna, on: lua)
    for shape in Self.documentedShapes { api.document(shape) }
    if FaultInjection.enabled {
      lua.push(function: FaultInjection.fault)
      lua.rawSet(tuna, "_fault")
    }

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

  /// The `tuna` table's own functions and fields; its sub-tables are libraries of their own.
  private var tunaLibrary: LuaLibrary {
    LuaLibrary(
      "tuna", "Tuna's Lua API: studies, samplers, pruners, training and analysis.",
      fields: [LuaFieldDoc("version", "string", "The version of Tuna running the script.")],
      functions: [createStudyBinding, copyStudyBinding, luaSamplerBinding, luaPrunerBinding] + analysisBindings)
  }

  /// Tables the host hands to scripts with plain fields, or takes from them, documented for
  /// editors (the classes with methods are declared in `Classes`).
  private static var documentedShapes: [LuaClassDoc] {
    [
      .frozenTrial, .samplerSpec, .prunerSpec, .fitResult, .cvResult, .gridSearchResult, .interaction,
    ]
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
}

extension LuaBinding {
  /// A binding whose body needs its own name for a message that is not an argument error
  /// (`cross_val_score: the model function returned …`): the name is still written once.
  static func named(
    _ name: String, _ parameters: String = "", returns: String = "", _ summary: String,
    _ body: @escaping (Lua, String) throws -> Int32
  ) -> LuaBinding {
    LuaBinding(name, parameters, returns: returns, summary) { l in try body(l, name) }
  }
}
