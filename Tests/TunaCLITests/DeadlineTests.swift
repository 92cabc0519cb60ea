import Foundation
import XCTest

/// One deadline that always holds: every way a script found to run past `--trial-timeout` or
/// `--timeout` ends, within about a second past the limit, in a failed trial or a script error.
final class DeadlineTests: XCTestCase {
  var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("deadline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// Runs `source` with `options`; the process must end within `within` seconds.
  func run(_ source: String, options: [String], within: Double = 15) throws -> TunaResult {
    let script = directory.appendingPathComponent("script.lua")
    try source.write(to: script, atomically: true, encoding: .utf8)
    let result = try tuna(["run"] + options + [script.path], in: directory, timeout: within)
    XCTAssertFalse(result.timedOut, "ran past \(within) s: the limit did not hold")
    return result
  }

  /// The trial's limit trips first inside a coroutine; the main thread then loops in pcall,
  /// which would swallow every raise if only the coroutine were re-armed.
  func testATripInsideACoroutineReachesEveryThread() throws {
    let result = try run("""
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t)
        local co = coroutine.create(function() while true do end end)
        coroutine.resume(co)
        while true do pcall(function() while true do end end) end
      end, { n_trials = 1 })
      """, options: ["--trial-timeout", "0.5"])
    XCTAssertEqual(result.status, noTrialCompleted, result.transcript)
    assertContains(result.stderr, "trial 0 failed")
    assertContains(result.stderr, "trial exceeded its time limit of 0.5 s")
  }

  /// A nested optimize inside a trial hands the outer trial's deadline back on its way out.
  func testANestedOptimizeRestoresTheOuterDeadline() throws {
    let result = try run("""
      local outer = tuna.create_study{ name = "outer", sampler = tuna.samplers.random{ seed = 1 } }
      local inner = tuna.create_study{ name = "inner", sampler = tuna.samplers.random{ seed = 2 } }
      outer:optimize(function(t)
        inner:optimize(function(u) return u:suggest_float("y", 0, 1) end, { n_trials = 2, trial_timeout = 100 })
        while true do end
      end, { n_trials = 1, trial_timeout = 0.5 })
      """, options: [])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertContains(result.stderr, "trial exceeded its time limit of 0.5 s")
  }

  /// A callback runs under the limit of the trial that caused it.
  func testCallbacksRunUnderTheTrialLimit() throws {
    let result = try run("""
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      local ok, err = pcall(study.optimize, study, function(t) return t:suggest_float("x", 0, 1) end,
        { n_trials = 2, callbacks = { function() while true do end end } })
      assert(not ok)
      print("stopped: " .. tostring(err))
      """, options: ["--trial-timeout", "0.5"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertContains(result.stdout, "stopped: ")
    assertContains(result.stdout, "time limit of 0.5 s")
  }

  /// Command-line limits bound a call's own: the shorter holds either way, and an option a flag
  /// replaces is still checked (`timeout = {}` under --timeout ran an endless study, found by
  /// the program fuzzer).
  func testFlagsBoundTheScriptsOwnLimitsAndCheckThem() throws {
    let result = try run("""
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      for _, bad in ipairs({ { timeout = {} }, { trial_timeout = "1" }, { n_trials = -1 }, { workers = 0 } }) do
        local ok, err = pcall(study.optimize, study, function() return 1 end, bad)
        assert(not ok, "accepted " .. next(bad))
        print("refused: " .. err)
      end
      local t0 = os.time()
      study:optimize(function() return 1 end, { timeout = 0.3 })
      print("own timeout held: " .. tostring(os.time() - t0 <= 2))
      study:optimize(function() while true do end end, { n_trials = 1, trial_timeout = 0.3 })
      print("trial limit: " .. study:trials()[#study:trials()].state)
      """, options: ["--timeout", "30", "--trial-timeout", "20", "--workers", "1"], within: 12)
    XCTAssertEqual(result.status, 0, result.transcript)
    for key in ["'timeout' must be a number", "'trial_timeout' must be a number", "'n_trials' must be >= 0", "'workers' must be >= 1"] {
      assertContains(result.stdout, key)
    }
    assertLine(result.stdout, "own timeout held: true")
    assertLine(result.stdout, "trial limit: fail")
    assertContains(result.stderr, "trial exceeded its time limit of 0.3 s")
  }

  /// Code outside any trial — the main chunk — is bounded by --timeout.
  func testTheWholeScriptIsBoundedByTimeout() throws {
    let result = try run("while true do end", options: ["--timeout", "0.5"])
    XCTAssertEqual(result.status, 1, result.transcript)
    assertContains(result.stderr, "script.lua:1: the script exceeded its time limit of 0.5 s")
  }

  /// A Lua sampler's hooks reached through study:ask() run under the trial limit.
  func testSamplerHooksThroughAskAreBounded() throws {
    let result = try run("""
      local sampler = tuna.sampler{ sample_independent = function() while true do end end }
      local study = tuna.create_study{ sampler = sampler }
      local trial = study:ask()
      local ok, err = pcall(trial.suggest_float, trial, "x", 0, 1)
      print("suggest: " .. tostring(err))
      """, options: ["--trial-timeout", "0.5"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertContains(result.stdout, "time limit of 0.5 s")
  }

  /// In a trusted script, debug.sethook cannot take the host's hook away while a limit is armed
  /// (and works as usual when none is).
  func testDebugSethookCannotRemoveTheLimit() throws {
    let result = try run("""
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t)
        local ok, err = pcall(debug.sethook)
        assert(not ok and err:find("debug.sethook is not available while a time limit is armed"), tostring(err))
        while true do end
      end, { n_trials = 1 })
      local lines = 0
      debug.sethook(function() lines = lines + 1 end, "l")
      local x = 1
      debug.sethook()
      assert(lines > 0)
      """, options: ["--trial-timeout", "0.5"])
    XCTAssertEqual(result.status, noTrialCompleted, result.transcript)
    assertContains(result.stderr, "trial exceeded its time limit of 0.5 s")
  }

  /// Found by the program fuzzer: a study optimized inside a trial, with one-line trials and no
  /// end, re-armed the hook for every inner trial and so restarted its count each time — the
  /// outer limit was never checked. Arming now trips a deadline already past.
  func testNestedStudiesOfShortTrialsStopAtTheOuterLimit() throws {
    let result = try run("""
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t)
        t.study:optimize(function() end, {})
        return 1
      end, { n_trials = 1 })
      """, options: ["--trial-timeout", "1"])
    XCTAssertEqual(result.status, noTrialCompleted, result.transcript)
    assertContains(result.stderr, "trial exceeded its time limit of 1 s")
    XCTAssertLessThan(result.seconds, 2.5, result.transcript)
  }

  /// Found by the program fuzzer: checking that 100,000 categorical choices are distinct compared
  /// every pair (8 s, in one Swift call no limit could stop); it is one pass now.
  func testManyCategoricalChoicesAreCheckedInOnePass() throws {
    let result = try run("""
      local choices = {}
      for i = 1, 300000 do choices[i] = i end
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t) return t:suggest_categorical("c", choices) end, { n_trials = 2 })
      print("chosen", #study:trials())
      """, options: ["--trial-timeout", "1"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "chosen\t2")
    XCTAssertFalse(result.stderr.contains("time limit"), result.transcript)
  }

  /// Native work — a random forest growing on every core, a network training, a big generated
  /// dataset, a Gaussian process fitting its kernel (40 s for these 1,200 points) — polls the limit and stops within a fraction of a second of it (a forest fit
  /// used to run to its end: 7.7 s under a 1 s limit).
  func testNativeWorkStopsAtTheLimit() throws {
    for (name, body) in [
      ("forest", "tuna.ml.random_forest{ n_estimators = 2000, seed = 1 }:fit(data)"),
      ("network", "tuna.nn.fit(tuna.nn.mlp{ hidden = { 512, 512 } }, data, { epochs = 1, batch_size = 20000 })"),
      ("generator", "tuna.data.make_classification{ n_samples = 300000, n_features = 200, seed = 2 }"),
      ("gaussian process", """
        local x, y = {}, {}
        for i = 1, 1200 do x[i] = { (i * 0.618) % 1, (i * 0.377) % 1, (i * 0.131) % 1 }; y[i] = math.sin(i) end
        tuna.gp.fit{ x = x, y = y }
        """),
    ] {
      let result = try run("""
        local data = tuna.data.make_classification{ n_samples = 20000, n_features = 40, n_informative = 10, seed = 1 }
        local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
        local started = os.clock()
        study:optimize(function(t) \(body) return 1 end, { n_trials = 1 })
        """, options: ["--trial-timeout", "1"])
      XCTAssertEqual(result.status, noTrialCompleted, "\(name)\n\(result.transcript)")
      assertContains(result.stderr, "trial exceeded its time limit of 1 s", name)
      XCTAssertLessThan(result.seconds, 4, "\(name): the limit is 1 s")
    }
  }

  /// Long lists of trials pushed from host calls look at the clock as they go: a hundred lists
  /// of 2,000 trials read from a gsub callback (few Lua instructions between them, so the count
  /// hook never fired) ran 3 s past a 1 s trial limit (found by the program fuzzer).
  func testLongTrialListsStopAtTheLimit() throws {
    let result = try run("""
      local s = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      for i = 1, 2000 do local t = s:ask() t:suggest_float("x", 0, 1) s:tell(t, i) end
      local outer = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      outer:optimize(function(t)
        string.gsub(string.rep("a", 1000), "a", function() s:trials() end)
        return 1
      end, { n_trials = 1 })
      """, options: ["--trial-timeout", "1", "--quiet"])
    XCTAssertEqual(result.status, 0, "the first study completed its trials\n\(result.transcript)")
    assertContains(result.stderr, "trial 0 failed: ")
    assertContains(result.stderr, "trial exceeded its time limit of 1 s")
    XCTAssertLessThan(result.seconds, 4, "the limit is 1 s")
  }
}
