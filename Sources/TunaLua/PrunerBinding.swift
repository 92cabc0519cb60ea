import Foundation
import LuaVM
import TunaSearch

extension TunaEngine {
  /// `tuna.pruners`: the built-in pruners, each constructed from an option table.
  func pushPrunersModule(on lua: Lua) {
    let library = LuaLibrary("tuna.pruners", "The built-in pruners (lua-api.md §4).", functions: [
      pruner("nop", "", "A pruner that never prunes.") { _, _ in NopPruner() },
      pruner("median", "n_startup_trials?: integer, n_warmup_steps?: integer, interval_steps?: integer, n_min_trials?: integer",
             "Prunes a trial whose best intermediate value is worse than the median of earlier trials at the same step.") { _, o in
        try PercentilePruner.median(
          nStartupTrials: try o.integer("n_startup_trials") ?? 5, nWarmupSteps: try o.integer("n_warmup_steps") ?? 0,
          intervalSteps: try o.integer("interval_steps") ?? 1, nMinTrials: try o.integer("n_min_trials") ?? 1)
      },
      pruner("percentile",
             "percentile?: number, n_startup_trials?: integer, n_warmup_steps?: integer, interval_steps?: integer, n_min_trials?: integer",
             "Prunes a trial whose best intermediate value is outside the given percentile of earlier trials.") { _, o in
        try PercentilePruner(
          percentile: try o.number("percentile") ?? 25, nStartupTrials: try o.integer("n_startup_trials") ?? 5,
          nWarmupSteps: try o.integer("n_warmup_steps") ?? 0, intervalSteps: try o.integer("interval_steps") ?? 1,
          nMinTrials: try o.integer("n_min_trials") ?? 1)
      },
      pruner("successive_halving",
             "min_resource?: integer|\"auto\", reduction_factor?: integer, min_early_stopping_rate?: integer, bootstrap_count?: integer",
             "Asynchronous successive halving (Li et al., 2020): keeps the best 1/reduction_factor at each rung.") { lua, o in
        let minResource: SuccessiveHalvingPruner.Resource = try o.with("min_resource") { type in
          switch type {
          case .nil: return .steps(1)
          case .string where lua.toString(-1) == "auto": return .auto
          case .number:
            guard let r = lua.toInteger(-1) else { throw o.bad("min_resource", "an integer or \"auto\"") }
            return .steps(r)
          default: throw o.bad("min_resource", "an integer or \"auto\"")
          }
        }
        return try SuccessiveHalvingPruner(
          minResource: minResource, reductionFactor: try o.integer("reduction_factor") ?? 4,
          minEarlyStoppingRate: try o.integer("min_early_stopping_rate") ?? 0,
          bootstrapCount: try o.integer("bootstrap_count") ?? 0)
      },
      pruner("hyperband", "min_resource?: integer, max_resource?: integer, reduction_factor?: integer, bootstrap_count?: integer",
             "Hyperband (Li et al., JMLR 2018): several successive-halving brackets, trials assigned by hash.") { _, o in
        try HyperbandPruner(
          minResource: try o.integer("min_resource") ?? 1, maxResource: try o.integer("max_resource") ?? 81,
          reductionFactor: try o.integer("reduction_factor") ?? 3, bootstrapCount: try o.integer("bootstrap_count") ?? 0)
      },
      pruner("threshold", "lower?: number, upper?: number, n_warmup_steps?: integer, interval_steps?: integer",
             "Prunes a trial whose intermediate value leaves [lower, upper] (or is NaN).") { _, o in
        try ThresholdPruner(
          lower: try o.number("lower"), upper: try o.number("upper"), nWarmupSteps: try o.integer("n_warmup_steps") ?? 0,
          intervalSteps: try o.integer("interval_steps") ?? 1)
      },
      pruner("patient", "wrapped?: tuna.Pruner, patience?: integer, min_delta?: number",
             "Prunes only after the trial has not improved for `patience` steps; then asks `wrapped`, if any.") { [unowned self] lua, o in
        let wrapped: (any Pruner)? = try o.with("wrapped") { type in
          if type == .nil { return nil }
          guard let box = self.classes.pruner.object(at: -1, on: lua) else { throw o.bad("wrapped", "a pruner") }
          return box.value
        }
        return try PatientPruner(
          wrapped: wrapped, patience: try o.integer("patience") ?? 3, minDelta: try o.number("min_delta") ?? 0)
      },
      pruner("wilcoxon", "p_threshold?: number, n_startup_steps?: integer",
             "Prunes when a Wilcoxon signed-rank test says the trial is worse than the best one on the same steps.") { _, o in
        try WilcoxonPruner(
          pThreshold: try o.number("p_threshold") ?? 0.1, nStartupSteps: try o.integer("n_startup_steps") ?? 2)
      },
    ])
    lua.push(library: library, recordingIn: api)
  }

  /// A `tuna.pruners` constructor: reads its option table (only the keys `options` declares)
  /// and pushes the pruner `make` builds.
  private func pruner(
    _ name: String, _ options: String, _ summary: String, _ make: @escaping (Lua, Options) throws -> any Pruner
  ) -> LuaBinding {
    let table = OptionTable(options)
    return LuaBinding(name, "options?: \(table.type)", returns: "tuna.Pruner", summary) { [unowned self] l in
      let o = try Options(l, at: 1, table)
      let pruner: any Pruner
      do { pruner = try make(l, o) } catch let e as InvalidArgument { throw argumentError(e, position: 1) }
      self.classes.pruner.push(PrunerBox(pruner, name: name), on: l)
      return 1
    }
  }

  /// `tuna.pruner{ name, prune = function(self, ctx, trial) ... end }`: a pruner written in Lua.
  var luaPrunerBinding: LuaBinding {
    LuaBinding("pruner", "spec: tuna.PrunerSpec", returns: "tuna.Pruner",
               "A pruner written in Lua; the spec table is its `self`, where it may keep state.") { [unowned self] l in
      try self.makeLuaPruner(l)
    }
  }

  private func makeLuaPruner(_ lua: Lua) throws -> Int32 {
    guard lua.type(at: 1) == .table else { throw ArgumentError(1, "table expected, got \(lua.typeName(1))") }
    // The table is the pruner's `self`: its other keys are the script's own state.
    let options = try Options(lua, at: 1, allowed: nil)
    let type = lua.rawGet(1, "prune")
    lua.pop()
    guard type == .function else {
      throw ArgumentError(1, type == .nil ? "a pruner needs a 'prune' function" : "'prune' must be a function, got \(type.name)")
    }
    let name = try options.string("name") ?? "lua"
    lua.pushValue(at: 1)
    let pruner = LuaPruner(ScriptPlugin(engine: self, name: name, from: lua))
    classes.pruner.push(PrunerBox(pruner, name: name), on: lua)
    return 1
  }
}

/// The pruner userdata: it has a name and nothing else to call.
enum PrunerMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<PrunerBox> {
    LuaClass(
      engine.state.lua, name: "tuna.Pruner", summary: "A pruner, built in (`tuna.pruners.*`) or written in Lua (`tuna.pruner`).",
      methods: [], fields: [LuaFieldDoc("name", "string", "The name it was made under (\"median\", or a Lua pruner's own).")],
      getter: { [unowned engine] l in
        let box = try engine.classes.pruner.check(1, on: l)
        if l.toString(2) == "name" { l.push(box.name) } else { l.pushNil() }
        return 1
      },
      recordingIn: engine.api)
  }
}

extension LuaClassDoc {
  /// The table a script gives `tuna.pruner`.
  static var prunerSpec: LuaClassDoc {
    LuaClassDoc(
      name: "tuna.PrunerSpec", summary: "A pruner written in Lua: its prune function, and any state the script keeps in it.",
      fields: [
        LuaFieldDoc("name", "string?", "Its name (default \"lua\")."),
        LuaFieldDoc(
          "prune", "fun(self: tuna.PrunerSpec, ctx: tuna.SamplingContext, trial: tuna.FrozenTrial): boolean?",
          "Whether to stop the running trial; `ctx` has no `rng` here."),
      ])
  }
}

/// A pruner whose `prune` is a Lua function: `prune(self, ctx, trial)` with `ctx` the study's
/// read-only view (as a sampler's, without `rng`) and `trial` the running trial's frozen table.
final class LuaPruner: Pruner {
  let plugin: ScriptPlugin
  init(_ plugin: ScriptPlugin) { self.plugin = plugin }

  func shouldPrune(_ context: PrunerContext) throws -> Bool {
    let lua = plugin.lua
    try plugin.call("prune", ContextBox(history: context.history), what: "a pruner", results: 1) {
      try plugin.engine.push(context.trial, on: lua)
      return 1
    }
    defer { lua.pop() }
    switch lua.type(at: -1) {
    case .nil: return false
    case .boolean: return lua.toBoolean(-1)
    default:
      throw ScriptError("pruner '\(plugin.name)': prune must return a boolean, got \(lua.describe(-1))")
    }
  }
}
