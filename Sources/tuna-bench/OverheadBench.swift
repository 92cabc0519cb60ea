import LuaVM
import TunaLua
import TunaSearch

/// The per-trial cost of a study run from a Lua script, against the search core driven from
/// Swift and against the bare Lua objective call.
enum OverheadBench: Measurement {
  /// The per-trial overhead the project aims for at 10,000 trials.
  static let targetMicroseconds = 20.0

  enum Path: String, Codable {
    /// A Lua script run by `TunaEngine`: `tuna.create_study` + `study:optimize`.
    case engine
    /// `Study.create` + `Study.optimize` with a Swift closure objective: the core's own cost.
    case core
    /// The Lua objective called from Swift with a stub trial: the bridge alone, no study.
    case bareCall
  }

  struct Row: Codable {
    var path: Path
    var space: Space
    var trials: Int
    var best: Timing
    var microsecondsPerTrial: Double
    /// `microsecondsPerTrial` over the core's for the same space and trial count.
    var ratioToCore: Double
  }

  /// A figure measured elsewhere (anchors.md), printed for reference only.
  struct Anchor: Codable {
    var name: String
    var space: Space
    var trials: Int
    var microsecondsPerTrial: Double
    var source: String
  }

  struct Results: Codable {
    var rows: [Row]
    var targetMicrosecondsPerTrial: Double
    var targetTrials: Int
    var meetsTarget: Bool
    /// µs/trial at the largest trial count over that at the smallest (1.0 = flat).
    var engineGrowthRatio: Double
    var coreGrowthRatio: Double
    var anchors: [Anchor]
    var memory: MemoryProbe.Results
  }

  static let anchorSource = "anchors.md: Optuna 5.0.0 RandomSampler, in-memory, another run on this kind of machine; not measured here"
  static let anchors = [
    Anchor(name: "Optuna random", space: .a, trials: 100, microsecondsPerTrial: 240, source: anchorSource),
    Anchor(name: "Optuna random", space: .a, trials: 1_000, microsecondsPerTrial: 250, source: anchorSource),
    Anchor(name: "Optuna random", space: .b, trials: 1_000, microsecondsPerTrial: 270, source: anchorSource),
  ]

  static func run(_ settings: BenchSettings) throws -> Results {
    // Every study size in one interleaved set, so that a noisy spell cannot fake growth.
    let paths: [Path] = [.engine, .core, .bareCall]
    let variants = settings.trialCounts.flatMap { n -> [() throws -> Timing] in
      [{ try engineStudy(.oneFloat, trials: n) }, { try coreStudy(.oneFloat, trials: n) }, { try bareCalls(n) }]
    }
    let times = try bestTimes(repetitions: settings.repetitions, variants)
    var rows: [Row] = []
    for (i, n) in settings.trialCounts.enumerated() {
      let best = Array(times[(i * paths.count)..<((i + 1) * paths.count)])
      rows += zip(paths, best).map { path, timing in row(path, .oneFloat, n, timing, core: best[1]) }
    }
    let n = settings.spaceTrials
    for space in [Space.a, .b] {
      let best = try bestTimes(repetitions: settings.repetitions, [
        { try engineStudy(space, trials: n) },
        { try coreStudy(space, trials: n) },
      ])
      rows += [row(.engine, space, n, best[0], core: best[1]), row(.core, space, n, best[1], core: best[1])]
    }

    func cost(_ path: Path, _ n: Int) -> Double {
      rows.first { $0.path == path && $0.space == .oneFloat && $0.trials == n }!.microsecondsPerTrial
    }
    let small = settings.trialCounts.first!, large = settings.trialCounts.last!
    return Results(
      rows: rows, targetMicrosecondsPerTrial: targetMicroseconds, targetTrials: large,
      meetsTarget: cost(.engine, large) <= targetMicroseconds,
      engineGrowthRatio: cost(.engine, large) / cost(.engine, small),
      coreGrowthRatio: cost(.core, large) / cost(.core, small),
      anchors: anchors,
      memory: try MemoryProbe.run(settings))
  }

  private static func row(_ path: Path, _ space: Space, _ trials: Int, _ timing: Timing, core: Timing) -> Row {
    Row(path: path, space: space, trials: trials, best: timing,
        microsecondsPerTrial: timing.cpuSeconds / Double(trials) * 1e6,
        ratioToCore: timing.cpuSeconds / core.cpuSeconds)
  }

  // MARK: The three paths

  /// A fresh engine runs the study script; the time covers `engine.run` only.
  static func engineStudy(_ space: Space, trials: Int) throws -> Timing {
    let engine = try TunaEngine()
    let script = space.script(trials: trials)
    let timing = try measure { try engine.run(script, chunkName: "overhead.lua") }
    try checkComplete(engine.studies.last, trials: trials)
    return timing
  }

  /// The same study from Swift; the time covers `optimize` only.
  static func coreStudy(_ space: Space, trials: Int) throws -> Timing {
    let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 1))
    let objective = space.swiftObjective
    let timing = try measure { try study.optimize(nTrials: trials, objective) }
    try checkComplete(study, trials: trials)
    return timing
  }

  /// The 1-float Lua objective called `calls` times from Swift through `pcallStatus`, with a
  /// stub trial: a table whose `suggest_float` is a host function returning 0.5.
  static func bareCalls(_ calls: Int) throws -> Timing {
    let state = try LuaState()
    let lua = state.lua
    try state.load(string: "return " + Space.oneFloat.luaObjective, chunkName: "objective")
    try lua.pcall(arguments: 0, results: 1)
    let objective = lua.ref()
    lua.newTable(recordCount: 1)
    lua.push(function: { l in
      l.push(0.5)
      return 1
    })
    lua.rawSet(-2, "suggest_float")
    let stub = lua.ref()
    var sum = 0.0
    var status: Int32 = 0
    let timing = measure {
      for _ in 0..<calls {
        lua.push(objective)
        lua.push(stub)
        status = lua.pcallStatus(arguments: 1, results: 1)
        if status != 0 { break }
        sum += lua.toNumber(-1) ?? .nan
        lua.pop()
      }
    }
    if status != 0 { throw lua.popError(status: status) }
    guard sum == 0.25 * Double(calls) else { throw BenchError("bare objective calls summed to \(sum)") }
    return timing
  }

  private static func checkComplete(_ study: Study?, trials: Int) throws {
    guard let study else { throw BenchError("the script created no study") }
    let complete = try study.trials(states: [.complete]).count
    guard complete == trials else { throw BenchError("\(complete) of \(trials) trials completed") }
  }

  // MARK: Tables

  static func tables(_ results: Results, _ settings: BenchSettings) -> [Table] {
    let large = results.targetTrials
    var main = Table(
      "Per-trial overhead: random sampler, in-memory study, objective `x = t:suggest_float(\"x\", -5, 5); return x * x`",
      headers: ["path", "trials", "µs/trial", "× core", "target / reference"], leftAligned: [0, 4])
    let names: [Path: String] = [
      .engine: "engine: Lua script through TunaEngine",
      .core: "core: Study.optimize, Swift closure",
      .bareCall: "bare Lua objective call, stub trial",
    ]
    for r in results.rows where r.space == .oneFloat {
      let note = r.path == .engine && r.trials == large
        ? "target ≤ \(fixed(targetMicroseconds, 0)) µs: \(verdict(results.meetsTarget))" : ""
      main.add(names[r.path]!, grouped(r.trials), fixed(r.microsecondsPerTrial, 2), fixed(r.ratioToCore, 2), note)
    }
    for a in results.anchors where a.space == .a {
      main.add("Optuna random, \(a.space.rawValue) [reference]", grouped(a.trials), fixed(a.microsecondsPerTrial, 0), "",
               "anchors.md, not measured here")
    }
    let engine = results.rows.first { $0.path == .engine && $0.space == .oneFloat && $0.trials == large }!
    let core = results.rows.first { $0.path == .core && $0.space == .oneFloat && $0.trials == large }!
    let bare = results.rows.first { $0.path == .bareCall && $0.trials == large }!
    let binding = engine.microsecondsPerTrial - core.microsecondsPerTrial - bare.microsecondsPerTrial
    main.notes = [
      "µs/trial = best total time of \(settings.repetitions) / trials. Growth with study size (µs/trial at \(grouped(large)) ÷ at \(grouped(settings.trialCounts.first!))):",
      "engine \(fixed(results.engineGrowthRatio, 2)), core \(fixed(results.coreGrowthRatio, 2)) (1.00 = flat).",
      "At \(grouped(large)) trials the engine's \(fixed(engine.microsecondsPerTrial, 2)) µs = core \(fixed(core.microsecondsPerTrial, 2))"
        + " + bare objective call \(fixed(bare.microsecondsPerTrial, 2)) + TunaLua binding \(fixed(binding, 2)) (the rest).",
      "Optuna's space A has 5 floats, this objective 1: compare the space rows below for like with like.",
    ]

    var spaces = Table(
      "The spaces of anchors.md, \(grouped(settings.spaceTrials)) trials, random sampler",
      headers: ["space", "path", "µs/trial", "× core", "Optuna random [reference]", "Optuna ÷ engine"],
      leftAligned: [0, 1])
    for space in [Space.a, .b] {
      let anchor = results.anchors.first { $0.space == space && $0.trials == 1_000 }!
      for r in results.rows where r.space == space {
        let isEngine = r.path == .engine
        spaces.add(
          space.rawValue, r.path.rawValue, fixed(r.microsecondsPerTrial, 2), fixed(r.ratioToCore, 2),
          isEngine ? "\(fixed(anchor.microsecondsPerTrial, 0)) µs at n=1,000" : "",
          isEngine ? fixed(anchor.microsecondsPerTrial / r.microsecondsPerTrial, 1) : "")
      }
    }
    spaces.notes = ["Optuna figures: \(anchorSource) (±30%)."]
    return [main, spaces] + MemoryProbe.tables(results.memory, settings: settings)
  }
}
