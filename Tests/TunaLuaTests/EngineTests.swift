import LuaVM
import TunaLua
import TunaSearch
import XCTest

/// The engine as an embedding program sees it: configuration, events, errors, studies.
final class EngineTests: XCTestCase {
  private let script = """
    study = tuna.create_study{ name = "s", sampler = tuna.samplers.random{ seed = 1 } }
    study:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 5, timeout = 100 })
    """

  func testOverridesFromConfiguration() throws {
    var config = TunaEngine.Configuration()
    config.nTrials = 12
    config.seed = 99
    let a = try TunaEngine(configuration: config)
    try a.run(script)
    let b = try TunaEngine(configuration: config)
    try b.run(script.replacingOccurrences(of: "seed = 1", with: "seed = 2"))
    let ta = try a.studies[0].trials(), tb = try b.studies[0].trials()
    XCTAssertEqual(ta.count, 12)
    XCTAssertEqual(ta.map(\.params), tb.map(\.params), "the configured seed overrides the script's")
    XCTAssertEqual(a.studies[0].sampler.seed, 99)
  }

  func testScriptSeedReproducesTrialsAcrossEngines() throws {
    let a = try TunaEngine(), b = try TunaEngine()
    try a.run(script)
    try b.run(script)
    XCTAssertEqual(try a.studies[0].trials().map(\.params), try b.studies[0].trials().map(\.params))
  }

  func testEventsArriveInOrder() throws {
    let engine = try TunaEngine()
    var log: [String] = []
    engine.onEvent = { event in
      switch event {
      case .optimizeStarted(let s, let n, let show): log.append("start \(s.name) \(n ?? -1) \(show)")
      case .trialStarted(_, _, let number): log.append("started \(number)")
      case .trialFinished(_, let t): log.append("trial \(t.number) \(t.state.rawValue)")
      case .optimizeStopped(let s, let reason): log.append("stopped \(s.name): \(reason)")
      case .optimizeFinished(let s): log.append("end \(s.name)")
      }
    }
    try engine.run("""
      local s = tuna.create_study{ name = "e" }
      s:optimize(function(t) if t.number == 1 then error("x") end return 1 end, { n_trials = 3, show_progress = false })
      s:optimize(function(t) error("typo") end, { n_trials = 10, max_consecutive_failures = 2 })
      """)
    XCTAssertEqual(log, [
      "start e 3 false", "started 0", "trial 0 complete", "started 1", "trial 1 fail", "started 2", "trial 2 complete", "end e",
      "start e 10 true", "started 3", "trial 3 fail", "started 4", "trial 4 fail",
      "stopped e: 2 trials in a row failed (the last: chunk:3: typo)", "end e",
    ])
  }

  func testSyntaxAndRuntimeErrorsComeBackAsLuaErrors() throws {
    let engine = try TunaEngine()
    XCTAssertThrowsError(try engine.run("local x = = 1", chunkName: "bad.lua")) { error in
      let e = error as? LuaError
      XCTAssertEqual(e?.kind, .syntax)
      XCTAssertTrue(e?.message.hasPrefix("bad.lua:1:") ?? false, "\(error)")
    }
    XCTAssertThrowsError(try engine.run("\nerror('boom')", chunkName: "rt.lua")) { error in
      let e = error as? LuaError
      XCTAssertEqual(e?.kind, .runtime)
      XCTAssertEqual(e?.message, "rt.lua:2: boom")
      XCTAssertTrue(e?.traceback?.hasPrefix("stack traceback:") ?? false)
    }
  }

  func testPruneOutsideOptimizeIsExplained() throws {
    let engine = try TunaEngine()
    XCTAssertThrowsError(try engine.run("local s = tuna.create_study{} local t = s:ask() t:prune()")) { error in
      XCTAssertTrue("\(error)".contains("trial:prune() was called outside study:optimize"), "\(error)")
    }
  }

  func testCatchFalseReraisesTheObjectivesErrorWithItsTraceback() throws {
    let engine = try TunaEngine()
    XCTAssertThrowsError(try engine.run("""
      local s = tuna.create_study{}
      local function objective(t)
        error("inner failure")
      end
      s:optimize(objective, { n_trials = 3, catch = false })
      """, chunkName: "c.lua")) { error in
      let e = error as? LuaError
      XCTAssertEqual(e?.message, "c.lua:3: inner failure")
      XCTAssertTrue(e?.traceback?.contains("c.lua:3: in ") ?? false, "\(error)")
      XCTAssertTrue(e?.traceback?.contains("c.lua:5: in main chunk") ?? false, "\(error)")
    }
    XCTAssertEqual(try engine.studies[0].trials().map(\.state), [.fail], "the first failure stops optimize")
  }

  func testSandboxConfigurationRemovesUnsafeLibraries() throws {
    var config = TunaEngine.Configuration()
    config.sandbox = true
    let engine = try TunaEngine(configuration: config)
    try engine.run("""
      assert(io == nil and os == nil and package == nil and debug == nil and dofile == nil and loadfile == nil)
      assert(require("tuna") == tuna)
      assert(not pcall(require, "os"))
      """)
  }

  func testMemoryLimitFailsOnlyTheRunawayTrial() throws {
    var config = TunaEngine.Configuration()
    config.memoryLimit = 32 << 20
    let engine = try TunaEngine(configuration: config)
    try engine.run("""
      local s = tuna.create_study{}
      s:optimize(function(t)
        if t.number == 1 then local big = {} for i = 1, 1e9 do big[i] = i end end
        return t.number
      end, { n_trials = 3 })
      """)
    let trials = try engine.studies[0].trials()
    XCTAssertEqual(trials.map(\.state), [.complete, .fail, .complete])
    XCTAssertEqual(trials[1].failReason, "not enough memory (memory limit 32 MB)")
    XCTAssertLessThan(engine.state.memoryUsed, 4 << 20, "the runaway table was collected")
  }

  func testTrialTimeoutFailsOnlyTheLoopingTrial() throws {
    var config = TunaEngine.Configuration()
    config.trialTimeout = 0.2
    let engine = try TunaEngine(configuration: config)
    let start = ContinuousClock.now
    try engine.run("""
      local s = tuna.create_study{}
      s:optimize(function(t)
        if t.number == 0 then while true do pcall(function() while true do end end) end end
        return 1
      end, { n_trials = 2 })
      """, chunkName: "loop.lua")
    XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    let trials = try engine.studies[0].trials()
    XCTAssertEqual(trials.map(\.state), [.fail, .complete])
    XCTAssertTrue(trials[0].failReason?.hasPrefix("loop.lua:3: trial exceeded its time limit of 0.2 s") ?? false,
                  trials[0].failReason ?? "nil")
  }

  func testSamplerFromAGlobal() throws {
    let engine = try TunaEngine()
    try engine.run("s = tuna.samplers.random{ seed = 5 } notsampler = {}")
    XCTAssertEqual(engine.sampler(global: "s")?.seed, 5)
    XCTAssertNil(engine.sampler(global: "notsampler"))
    XCTAssertNil(engine.sampler(global: "missing"))
  }

  func testPrunerFromAGlobal() throws {
    let engine = try TunaEngine()
    try engine.run("p = tuna.pruners.median{} notpruner = {}")
    XCTAssertTrue(engine.pruner(global: "p") is PercentilePruner)
    XCTAssertNil(engine.pruner(global: "notpruner"))
    XCTAssertNil(engine.pruner(global: "missing"))
  }

  func testPairsOverParamsIsSorted() throws {
    let engine = try TunaEngine()
    try engine.run("""
      local s = tuna.create_study{}
      s:optimize(function(t)
        for _, n in ipairs({ "z", "b", "y", "a", "m" }) do t:suggest_int(n, 0, 1) end
        return 0
      end, { n_trials = 1 })
      local names = {}
      for k in pairs(s.best_params) do names[#names + 1] = k end
      assert(table.concat(names, ",") == "a,b,m,y,z", table.concat(names, ","))
      """)
  }

  func testTrialTimeoutStopsTrainingAtAnEpochBoundary() throws {
    var config = TunaEngine.Configuration()
    config.trialTimeout = 0.3
    let engine = try TunaEngine(configuration: config)
    let start = ContinuousClock.now
    try engine.run("""
      local d = tuna.data.load("iris")
      local s = tuna.create_study{}
      s:optimize(function(t)
        local fit = tuna.nn.fit(tuna.nn.mlp{ hidden = { 64 } }, d, { epochs = 1000000 })
        return fit.train_loss
      end, { n_trials = 2 })
      """, chunkName: "long.lua")
    XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
    let trials = try engine.studies[0].trials()
    XCTAssertEqual(trials.map(\.state), [.fail, .fail])
    XCTAssertEqual(trials[0].failReason?.components(separatedBy: "\n").first, "long.lua:4: trial exceeded its time limit of 0.3 s")
  }
}
