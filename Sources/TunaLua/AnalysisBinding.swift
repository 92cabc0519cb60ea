import Foundation
import LuaVM
import TunaAnalysis
import TunaReport
import TunaSearch

// `tuna.importance`, `tuna.interactions` and `tuna.report` (lua-api.md §8).

extension TunaEngine {
  /// `tuna.importance`, `tuna.interactions`, `tuna.report`.
  var analysisBindings: [LuaBinding] {
    let target = "target?: integer|fun(trial: tuna.FrozenTrial): number?, direction?: \"minimize\"|\"maximize\""
    let importance = OptionTable(
      "evaluator?: \(literalUnion(ImportanceEvaluator.self)), params?: string[], \(target), seed?: integer, normalize?: boolean")
    let interactions = OptionTable("evaluator?: \"fanova\", top?: integer, params?: string[], \(target), seed?: integer")
    return [
      .named(
        "importance", "study: tuna.Study, options?: \(importance.type)", returns: "table<string, number>",
        "How much each parameter mattered (normalized to sum to 1 unless normalize = false); pairs() visits the most important first."
      ) { [unowned self] l, name in try self.importance(l, name, importance) },
      .named(
        "interactions", "study: tuna.Study, options?: \(interactions.type)", returns: "tuna.Interaction[]",
        "The pairs of parameters that act together, strongest first (functional ANOVA's share of variance)."
      ) { [unowned self] l, name in try self.interactions(l, name, interactions) },
      .named(
        "report", "study: tuna.Study, path: string, options?: { seed?: integer }",
        "Writes the study's self-contained HTML report to the file."
      ) { [unowned self] l, name in try self.report(l, name) },
    ]
  }

  /// `tuna.importance(study, { evaluator, params, target, direction, seed, normalize })`: a table
  /// of parameter → importance that `pairs` visits most important first.
  private func importance(_ lua: Lua, _ function: String, _ table: OptionTable) throws -> Int32 {
    let study = try classes.study.check(1, on: lua).study
    let options = try Options(lua, at: 2, table)
    var settings = ImportanceOptions()
    if let name = try options.string("evaluator") {
      guard let evaluator = ImportanceEvaluator(rawValue: name) else {
        throw ArgumentError(2, "'evaluator' must be \"ped_anova\" or \"fanova\", got \"\(name)\"")
      }
      settings.evaluator = evaluator
    }
    settings.params = try parameterNames(options)
    settings.seed = try seedValue(options) ?? 0
    settings.normalize = try options.bool("normalize") ?? true
    let trials = try study.trials()
    let ranked = try withTarget(options, study: study, on: lua, function: function) { target in
      settings.target = target
      return try parameterImportances(trials, directions: study.directions, options: settings)
    }
    lua.newTable(recordCount: Int32(ranked.count))
    for item in ranked {
      lua.push(item.importance)
      lua.rawSet(-2, item.name)
    }
    lua.push(descendingMetatable)
    lua.setMetatable(-2)
    return 1
  }

  /// `tuna.interactions(study, { evaluator = "fanova", top, params, target, direction, seed })`:
  /// `{ { a, b, fraction, std = … }, … }`, strongest first.
  private func interactions(_ lua: Lua, _ function: String, _ table: OptionTable) throws -> Int32 {
    let study = try classes.study.check(1, on: lua).study
    let options = try Options(lua, at: 2, table)
    if let name = try options.string("evaluator"), name != "fanova" {
      throw ArgumentError(2, "'evaluator' must be \"fanova\" (only functional ANOVA measures interactions), got \"\(name)\"")
    }
    let top = try options.integer("top")
    if let top, top < 0 { throw ArgumentError(2, "'top' must be >= 0, got \(top)") }
    var fanova = FanovaOptions()
    fanova.seed = try seedValue(options) ?? 0
    let params = try parameterNames(options)
    let trials = try study.trials()
    var pairs = try withTarget(options, study: study, on: lua, function: function) { target in
      try parameterInteractions(trials, directions: study.directions, params: params, target: target, options: fanova)
    }
    if let top { pairs = Array(pairs.prefix(top)) }
    lua.newTable(arrayCount: Int32(pairs.count))
    for (i, pair) in pairs.enumerated() {
      lua.newTable(arrayCount: 3, recordCount: 1)
      lua.push(pair.first); lua.rawSet(-2, index: 1)
      lua.push(pair.second); lua.rawSet(-2, index: 2)
      lua.push(pair.effect.fraction); lua.rawSet(-2, index: 3)
      lua.push(pair.effect.std); lua.rawSet(-2, "std")
      lua.rawSet(-2, index: i + 1)
    }
    return 1
  }

  /// `tuna.report(study, path, { seed })`: writes the study's HTML report (in the sandbox, only
  /// into a directory granted with --allow-write; `tuna run --report PATH` writes it from
  /// outside).
  private func report(_ lua: Lua, _ function: String) throws -> Int32 {
    let study = try classes.study.check(1, on: lua).study
    guard lua.type(at: 2) == .string, let path = lua.toString(2), !path.isEmpty else {
      throw ArgumentError(2, "a file path expected, got \(lua.describe(2))")
    }
    let options = try Options(lua, at: 3, allowed: ["seed"])
    if state.isSandboxed {
      do { _ = try configuration.files.checkWrite(path, for: "tuna.\(function)") } catch let refused as ScriptError {
        throw ScriptError(refused.message + "; or run with --report \(path)")
      }
    }
    var settings = ReportOptions()
    settings.seed = try seedValue(options) ?? 0
    do {
      try StudyReport.write([try StudySnapshot(study)], to: path, options: settings)
    } catch let error as ReportError {
      throw ScriptError("\(function): \(error)")
    }
    return 0
  }

  /// `params = { "a", "b" }`, or nil.
  private func parameterNames(_ options: Options) throws -> [String]? {
    try options.with("params") { type in
      guard type != .nil else { return nil }
      let lua = options.lua
      guard type == .table else { throw options.bad("params", "an array of parameter names") }
      return try lua.readArray(-1, argument: options.position) { _ in
        guard lua.type(at: -1) == .string, let name = lua.toString(-1) else {
          throw options.bad("params", "an array of parameter names")
        }
        return name
      }
    }
  }

  /// Runs `body` with the target the options name: an objective's index (from 1), a function of
  /// the frozen trial (lower is better unless `direction = "maximize"`), or nil for the study's
  /// objective.
  private func withTarget<R>(
    _ options: Options, study: Study, on lua: Lua, function: String, _ body: (AnalysisTarget?) throws -> R
  ) throws -> R {
    let direction: StudyDirection? = try options.string("direction").map { text in
      guard let d = StudyDirection(rawValue: text) else {
        throw ArgumentError(options.position, "'direction' must be \"minimize\" or \"maximize\", got \"\(text)\"")
      }
      return d
    }
    switch options.with("target", { $0 }) {
    case .nil:
      if direction != nil { throw ArgumentError(options.position, "'direction' goes with a target function") }
      return try body(nil)
    case .number:
      let index = try options.integer("target")!
      guard index >= 1, index <= study.directions.count else {
        throw ArgumentError(
          options.position, "'target' must be an objective's index from 1 to \(study.directions.count), got \(index)")
      }
      if direction != nil { throw ArgumentError(options.position, "'direction' goes with a target function") }
      return try body(try AnalysisTarget.objective(index - 1, of: study.directions))
    case .function:
      let ref = options.with("target") { _ in
        lua.pushValue(at: -1)
        return lua.ref()
      }
      defer { lua.release(ref) }
      let target = AnalysisTarget(name: "target", direction: direction ?? .minimize) { [unowned self] trial in
        lua.push(ref)
        try self.push(trial, on: lua)
        try lua.pcall(arguments: 1, results: 1)
        defer { lua.pop() }
        switch lua.type(at: -1) {
        case .nil: return nil
        case .number: return lua.toNumber(-1)
        default:
          throw ScriptError("\(function): the target function must return a number or nil, got \(lua.describe(-1)) for trial \(trial.number)")
        }
      }
      return try body(target)
    default:
      throw options.with("target") { _ in options.bad("target", "an objective's index or a function of the trial") }
    }
  }
}

extension LuaClassDoc {
  /// One entry of `tuna.interactions`.
  static var interaction: LuaClassDoc {
    LuaClassDoc(
      name: "tuna.Interaction", summary: "A pair of parameters and the share of variance they explain only together.",
      fields: [
        LuaFieldDoc("[1]", "string", "One parameter."),
        LuaFieldDoc("[2]", "string", "The other."),
        LuaFieldDoc("[3]", "number", "The share of the objective's variance."),
        LuaFieldDoc("std", "number", "Its spread over the forest's trees."),
      ])
  }
}
