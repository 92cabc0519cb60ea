import Foundation
import XCTest

/// Scripts written as an attacker or a careless user would: each runs through the real CLI and
/// must end in a Lua error with file and line (or a failed trial), never a crash, a hang or an
/// escape. One test per class of hole; every test failed before its fix.
final class HardeningTests: XCTestCase {
  var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("hardening-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// Writes `source` to NAME.lua in the scratch directory and runs it with `options`.
  func run(_ name: String, _ source: String, options: [String] = [], timeout: Double = 30) throws -> TunaResult {
    let script = directory.appendingPathComponent(name + ".lua")
    try source.write(to: script, atomically: true, encoding: .utf8)
    return try tuna(["run"] + options + [script.path], in: directory, timeout: timeout)
  }

  // MARK: Host metatables

  /// The metatables the host shares between its tables (params, distributions, trial lists,
  /// importances) cannot be read or changed, so no finalizer can be slipped into them.
  func testSharedHostMetatablesAreProtected() throws {
    let result = try run("metatables", """
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 3 })
      local best = study.best_trial
      for _, value in ipairs({ best.params, best.distributions, best.distributions.x, study:trials(),
                               tuna.importance(study), best.intermediate_values }) do
        assert(getmetatable(value) == false, "a protected metatable reads as false")
        local ok, err = pcall(setmetatable, value, {})
        assert(not ok and tostring(err):find("protected metatable"), tostring(err))
      end
      assert(not pcall(function() getmetatable(best.params).__gc = function() end end))
      print("protected")
      """, options: ["--sandbox"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "protected")
  }

  // MARK: Standard Lua

  /// Chunks are named `@path` as the lua program names them: `debug.getinfo` sees it, and a
  /// long path keeps its file name in messages.
  func testChunkNamesAreStandard() throws {
    let deep = directory.appendingPathComponent(String(repeating: "long-directory-name/", count: 4))
    try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
    let script = deep.appendingPathComponent("the_script.lua")
    try """
      local source = debug.getinfo(1, "S").source
      assert(source == "@" .. arg[0], source)
      error("boom")
      """.write(to: script, atomically: true, encoding: .utf8)
    let result = try tuna(["run", script.path], in: directory)
    XCTAssertEqual(result.status, 1)
    assertContains(result.stderr, "the_script.lua:3: boom")
  }

  /// Warnings start off, as in the lua program; warn("@on") and warn("@off") switch them.
  func testWarningsFollowTheirControlMessages() throws {
    let result = try run("warnings", """
      warn("hidden at first")
      warn("@on")
      warn("shown", " in two pieces")
      warn("@off")
      warn("hidden again")
      """)
    XCTAssertEqual(result.status, 0, result.transcript)
    XCTAssertEqual(result.stderr, "Lua warning: shown in two pieces\n")
  }

  /// The host keeps its limits without wrapping library functions in visible C frames: a script
  /// sees no hook it did not set, and hooks, tracebacks and argument errors around
  /// `debug.sethook`, `coroutine.create` and `coroutine.wrap` are what stock Lua shows (Lua
  /// 5.4.4's db.lua and locals.lua failed on the wrappers).
  func testHooksAndCoroutinesLookStandard() throws {
    let result = try run("hooks", """
      print("hook at start", debug.gethook())
      local events = {}
      local function record(e) events[#events + 1] = e .. " " .. tostring(debug.getinfo(2, "n").name) end
      debug.sethook(record, "cr")
      local co = coroutine.create(function(a) return a end)
      local w = coroutine.wrap(function() error("inside") end)
      debug.sethook()
      print(table.concat(events, ", "))
      print(select(2, pcall(debug.sethook, print, {})))
      print(select(2, pcall(w)))
      local study = tuna.create_study{}
      study:optimize(function() return 1 end, { n_trials = 1 })
      print("hook after optimize", debug.gethook())
      """)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "hook at start\tnil")
    assertLine(result.stdout, "return sethook, call create, return create, call wrap, return wrap, call sethook")
    assertLine(result.stdout, "bad argument #2 to 'debug.sethook' (string expected, got table)")
    assertContains(result.stdout, "hooks.lua:6: inside\n")
    assertLine(result.stdout, "hook after optimize\tnil")
  }

  /// In the sandbox, asking `load` for binary chunks only is refused (text is not loaded in
  /// their place).
  func testSandboxLoadRefusesBinaryOnlyMode() throws {
    let result = try run("binary", """
      local f, message = load("return 1", "chunk", "b")
      assert(f == nil and message:find("binary chunks are not allowed in the sandbox"), tostring(message))
      assert(load("return 2", "chunk", "bt")() == 2)
      print("refused")
      """, options: ["--sandbox"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "refused")
  }

  // MARK: Sizes and stack space

  /// A table of 42 entries whose length operator says 2^40 (a border Lua may pick), given to
  /// every function that reads an array: each refuses it with an error at the script's line
  /// instead of reserving room for 2^40 items.
  func testAbsurdArrayLengthsAreRefused() throws {
    let result = try run("border", """
      local src = { "return { 1, 2, [3] = true" }
      local k = 4
      while k <= 2^40 do src[#src + 1] = string.format(", [%d] = true", k); k = k * 2 end
      local border = load(table.concat(src) .. " }")()
      assert(#border == 2^40)
      local function refused(f, ...)
        local ok, err = pcall(f, ...)
        assert(not ok, "accepted")
        assert(tostring(err):find("array too long") or tostring(err):find("hole"), tostring(err))
      end
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      refused(tuna.create_study, { directions = border })
      refused(tuna.samplers.grid, { search_space = { x = border } })
      refused(study.trials, study, { states = border })
      refused(tuna.importance, study, { params = border })
      refused(tuna.nn.mlp, { hidden = border })
      refused(tuna.ml.grid_search_cv, { estimator = "random_forest", data = tuna.data.load("iris"), param_grid = { max_depth = border } })
      study:optimize(function(t)
        refused(t.suggest_categorical, t, "c", border)
        return 1
      end, { n_trials = 1 })
      local trial = study:ask()
      refused(study.tell, study, trial, border)
      -- An objective returning it fails its trial with a reason.
      study:optimize(function() return border end, { n_trials = 1 })
      local last = study:trials()[#study:trials()]
      assert(last.state == "fail" and last.fail_reason:find("table of length"), last.fail_reason)
      print("refused")
      """, options: ["--sandbox"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "refused")
  }

  /// Deep attributes come back through Lua with room reserved at every level; deeper than the
  /// bound is an error when stored, not a stack overflow when read.
  func testDeeplyNestedAttributesRoundTrip() throws {
    let result = try run("nested", """
      local function nest(depth)
        local t = { leaf = true }
        for _ = 1, depth do t = { t } end
        return t
      end
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(trial)
        trial:set_user_attr("deep", nest(400))
        return 1
      end, { n_trials = 1 })
      local back = study.best_trial.user_attrs.deep
      local depth = 0
      while back[1] do back = back[1]; depth = depth + 1 end
      assert(depth == 400 and back.leaf == true, depth)
      study:set_user_attr("deep", nest(400))
      assert(study.user_attrs.deep[1][1][1] ~= nil)
      local ok, err = pcall(study.set_user_attr, study, "deeper", nest(600))
      assert(not ok and tostring(err):find("nests deeper than 512 levels"), tostring(err))
      print("nested")
      """, options: ["--sandbox"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "nested")
  }

  /// A function that returns one result per argument reserves the stack space for them.
  func testOneResultPerArgumentHasRoom() throws {
    let result = try run("many", """
      local d = tuna.data.load("iris")
      local args = {}
      for i = 1, 300 do args[i] = d end
      local out = { tuna.data.standardize(table.unpack(args)) }
      assert(#out == 300, #out)
      for i = 1, 300 do assert(out[i].n_samples == 150) end
      print("room")
      """, options: ["--sandbox"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "room")
  }

  // MARK: Hostile numbers (found by the program fuzzer)

  /// Numbers at the edges of their types become argument errors instead of traps in Swift:
  /// QMC indices past the sequence's end and Halton dimensions past its bases, integer ranges as
  /// wide as Int under the GP sampler, a float step that makes more than 2^62 grid points,
  /// time limits and heartbeats of 1e308 s (Duration and Date trapped), and a finalizer that
  /// calls Tuna while the state closes at exit (it read an engine already freed).
  func testHostileNumbersAreErrorsNotCrashes() throws {
    let result = try run("numbers", """
      local function refused(pattern, f, ...)
        local ok, err = pcall(f, ...)
        assert(not ok, "accepted: " .. pattern)
        assert(tostring(err):find(pattern, 1, true), tostring(err))
      end
      refused("past the sequence's end", tuna.qmc.sobol, 1, 1, { skip = 2^53 })
      refused("skip must be >= 0", tuna.qmc.sobol, 1, 100, { skip = -1 })
      refused("past the sequence's end", tuna.qmc.halton, 3, 8, { skip = math.maxinteger })
      -- Zero points of 2^40 dimensions: a base per dimension, before any point (found by the fuzzer).
      refused("at most 100000 dimensions", tuna.qmc.halton, 2^40, 0, { scramble = false })
      -- The whole of 0 ... Int.max under the GP sampler: Int.max + 1 grid points.
      local gp = tuna.create_study{ sampler = tuna.samplers.gp{ seed = 42, n_startup_trials = 2 } }
      for i = 1, 4 do
        local t = gp:ask()
        local x = t:suggest_int("x", 0, math.maxinteger)
        local y = t:suggest_int("y", math.maxinteger - 10, math.maxinteger)
        assert(x >= 0 and y >= math.maxinteger - 10, "out of range")
        gp:tell(t, i)
      end
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      local inside = false
      study:optimize(function(t)
        refused("more than 2^62 grid points", t.suggest_float, t, "c", -10, 10, { step = 1e-300 })
        inside = true
        return 1
      end, { n_trials = 1, timeout = 1e308 })
      assert(inside, "the trial's check failed")
      refused("must be a number of seconds >= 0", study.optimize, study, function() return 1 end, { trial_timeout = 0/0 })
      refused("'heartbeat_interval' must be > 0 seconds, and finite", tuna.create_study, { heartbeat_interval = 1/0 })
      refused("'grace_period' must be > 0 seconds, and finite", tuna.create_study, { heartbeat_interval = 1e308 })
      keep = setmetatable({}, { __gc = function()
        local ok, err = pcall(tuna.create_study, {})
        io.stderr:write("at exit: ", tostring(err), string.char(10))
      end })
      print("refused all")
      """)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "refused all")
    assertContains(result.stderr, "at exit: host functions cannot be called while the script's state closes")
  }

  /// A loop of `create_study{}` makes tens of thousands of studies: their generated names never
  /// collide (8 hex digits did after ~20,000), and `--report` after Ctrl-C shows the studies
  /// that have trials instead of rendering every empty one for seconds.
  func testManyGeneratedStudies() throws {
    let report = directory.appendingPathComponent("many.html")
    let result = try run("many", """
      local s = tuna.create_study{ name = "the-one", sampler = tuna.samplers.random{ seed = 1 } }
      s:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 3 })
      local names = {}
      for i = 1, 60000 do
        local name = tuna.create_study{ sampler = tuna.samplers.random{} }.name
        assert(not names[name], "generated twice: " .. name)
        names[name] = true
      end
      print("made 60000")
      """, options: ["--quiet", "--report", report.path], timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "made 60000")
    let html = try String(contentsOf: report, encoding: .utf8)
    // One study: a page of its own (several would each have an <h1 class="study-name">).
    assertContains(html, "<h1>Study “the-one”")
    XCTAssertFalse(html.contains("<h1 class=\"study-name\">"), "only the study with trials")
    XCTAssertLessThan(result.seconds, 20)
  }

  /// A trusted script's debug library cannot reach into what the host keeps (found by the
  /// program fuzzer: a metatable set on the registry made the host read a number where it
  /// expected a table, and the process died): the registry is read-only, the host's protected
  /// metatables stay protected, and C functions' upvalues cannot be replaced.
  func testDebugLibraryCannotBreakTheHost() throws {
    let result = try run("debug", """
      local function refused(pattern, f, ...)
        local ok, err = pcall(f, ...)
        assert(not ok, "accepted: " .. pattern)
        assert(tostring(err):find(pattern, 1, true), tostring(err))
      end
      local study = tuna.create_study{}
      refused("the registry is read-only", function() debug.getregistry()[1] = 42 end)
      pcall(debug.setmetatable, debug.getregistry(), { __index = function() return 1 end })
      assert(debug.getmetatable(study) == false)
      refused("cannot change a protected metatable", debug.setmetatable, study, {})
      refused("upvalues cannot be set", debug.setupvalue, study.optimize, 1, 42)
      refused("upvalues cannot be set", debug.setupvalue, string.gmatch("a", "a"), 3, 42)
      assert(type(debug.getregistry()._LOADED) == "table")
      study:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 2 })
      print("host intact", #study:trials())
      """)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "host intact\t2")
  }

  // MARK: Sandbox side doors

  /// Under --sandbox, Tuna's own functions touch only granted directories: the CSV loader, a
  /// script's storage and the report; symbolic links out of a granted directory and device files
  /// are refused; the command line's own --storage stays the user's choice.
  func testSandboxFileAccessNeedsGrants() throws {
    let fm = FileManager.default
    let granted = directory.appendingPathComponent("granted"), outside = directory.appendingPathComponent("outside")
    try fm.createDirectory(at: granted, withIntermediateDirectories: true)
    try fm.createDirectory(at: outside, withIntermediateDirectories: true)
    let csv = "a,b,y\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n"
    try csv.write(to: granted.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
    try csv.write(to: outside.appendingPathComponent("secret.csv"), atomically: true, encoding: .utf8)
    try fm.createSymbolicLink(
      at: granted.appendingPathComponent("link.csv"), withDestinationURL: outside.appendingPathComponent("secret.csv"))
    // Links to files that do not exist yet (found by the program fuzzer: SQLite created the
    // link's target outside), and a link where SQLite puts its write-ahead log.
    try fm.createSymbolicLink(
      at: granted.appendingPathComponent("dangling.db"), withDestinationURL: outside.appendingPathComponent("made.db"))
    try fm.createSymbolicLink(
      at: granted.appendingPathComponent("w.db-wal"), withDestinationURL: outside.appendingPathComponent("made.db-wal"))
    let source = """
      local dir, out = arg[1], arg[2]
      local function refused(pattern, f, ...)
        local ok, err = pcall(f, ...)
        assert(not ok, "accepted")
        assert(tostring(err):find(pattern, 1, true), tostring(err))
      end
      assert(tuna.data.csv(dir .. "/data.csv", { target = "y" }).n_samples == 4)
      refused("reading " .. out .. "/secret.csv is not allowed in the sandbox", tuna.data.csv, out .. "/secret.csv", { target = "y" })
      refused("is not allowed in the sandbox", tuna.data.csv, dir .. "/link.csv", { target = "y" })
      refused("not a regular file", tuna.data.csv, "/dev/zero", { target = "y" })
      refused("writing " .. out .. "/s.db is not allowed", tuna.create_study, { storage = "sqlite:" .. out .. "/s.db" })
      refused("symbolic link to a file that does not exist", tuna.create_study, { storage = "sqlite:" .. dir .. "/dangling.db" })
      refused("w.db-wal beside it is a symbolic link", tuna.create_study, { storage = "sqlite:" .. dir .. "/w.db" })
      refused("symbolic link to a file that does not exist", tuna.report, tuna.create_study{}, dir .. "/dangling.db")
      local s = tuna.create_study{ name = "kept", storage = "sqlite:" .. dir .. "/s.db" }
      s:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 2 })
      tuna.report(s, dir .. "/r.html")
      refused("writing " .. out .. "/r.html is not allowed", tuna.report, s, out .. "/r.html")
      print("granted only")
      """
    let script = directory.appendingPathComponent("grants.lua")
    try source.write(to: script, atomically: true, encoding: .utf8)
    let result = try tuna(
      ["run", "--sandbox", "--allow-write", granted.path, "--allow-read", "/dev", script.path, "--", granted.path, outside.path],
      in: directory)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "granted only")
    XCTAssertTrue(fm.fileExists(atPath: granted.appendingPathComponent("r.html").path))
    XCTAssertFalse(fm.fileExists(atPath: outside.appendingPathComponent("s.db").path))
    XCTAssertFalse(fm.fileExists(atPath: outside.appendingPathComponent("made.db").path))
    XCTAssertFalse(fm.fileExists(atPath: outside.appendingPathComponent("made.db-wal").path))
    XCTAssertFalse(fm.fileExists(atPath: outside.appendingPathComponent("r.html").path))

    // The command line's --storage is the user's own: allowed without a grant.
    let own = try run("own", "tuna.create_study{ name = 'own' }:optimize(function(t) return 1 end, { n_trials = 1 })",
      options: ["--sandbox", "--storage", "sqlite:" + outside.appendingPathComponent("own.db").path])
    XCTAssertEqual(own.status, 0, own.transcript)
    let misuse = try run("misuse", "return 1", options: ["--allow-read", granted.path])
    XCTAssertEqual(misuse.status, 2)
    assertContains(misuse.stderr, "--allow-read grants directories to the sandbox: add --sandbox")
  }

  // MARK: Memory

  /// Under --memory-limit, large buffers made for the script in Swift — a generated dataset, a
  /// network, a forest, QMC points, a Gaussian process — are asked for first and refused when
  /// the limit does not leave them (the QMC request here used to take the machine's 24 GB).
  func testNativeAllocationsRespectTheMemoryLimit() throws {
    let result = try run("memory", """
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      local attempts = {
        function() tuna.data.make_classification{ n_samples = 2000000, n_features = 60, seed = 1 } end,
        function() tuna.nn.fit(tuna.nn.mlp{ hidden = { 100000, 100000 } }, tuna.data.load("iris"), { epochs = 1 }) end,
        function() tuna.ml.random_forest{ n_estimators = 100000 }:fit(tuna.data.load("digits")) end,
        function() tuna.qmc.sobol(20, 50000000) end,
        function()
          local x, y = {}, {}
          for i = 1, 3000 do x[i] = { i / 3000, (i % 7) / 7 }; y[i] = i % 5 end
          tuna.gp.fit{ x = x, y = y }
        end,
      }
      for _, attempt in ipairs(attempts) do
        study:optimize(function() attempt() return 1 end, { n_trials = 1 })
      end
      for _, t in ipairs(study:trials()) do
        assert(t.state == "fail" and t.fail_reason:find("more than the memory limit leaves"), t.fail_reason)
      end
      print("refused " .. #study:trials())
      """, options: ["--memory-limit", "64MB"], timeout: 30)
    XCTAssertEqual(result.status, noTrialCompleted, result.transcript)
    assertLine(result.stdout, "refused 5")
    XCTAssertLessThan(result.seconds, 10)
  }

  /// What a host function pushes counts against --memory-limit: a call whose results leave the
  /// script over its limit fails with Lua's memory error (after the garbage it made is
  /// collected), so a study's trial list cannot grow the state past the cap.
  func testHostPushesCountAgainstTheMemoryLimit() throws {
    let result = try run("pushes", """
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      for _ = 1, 20000 do
        local t = study:ask()
        t:suggest_float("x", 0, 1)
        study:tell(t, 1)
      end
      collectgarbage()
      local ok, err = pcall(study.trials, study)
      print("trials", ok, ok and #err or err)
      collectgarbage()
      print("held", collectgarbage("count") < 16 * 1024)
      """, options: ["--memory-limit", "16MB"], timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "trials\tfalse\tnot enough memory")
    assertLine(result.stdout, "held\ttrue")
  }

  /// What studies kept in memory hold counts against --memory-limit too: user attributes,
  /// intermediate values and the trials themselves are Swift memory the script made, and grew
  /// the process to 320 MB (300 attributes of 1 MB), 190 MB (10^7 reports) and 210 MB (an
  /// endless study of empty trials) under a 64 MB limit. Now the trial that fills the limit
  /// fails, no trial starts after it, and the peak stays near the limit.
  func testTrialsKeptInMemoryCountAgainstTheMemoryLimit() throws {
    let fills = [
      "attributes": "for i = 1, 300 do t:set_user_attr('k' .. i, big) end return 1",
      "reports": "for i = 1, 1e7 do t:report(i, i) end return 1",
      "trials": "return nil",
    ]
    for (name, objective) in fills {
      let result = try run("kept-\(name)", """
        local big = string.rep("x", 1e6)
        local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
        local ok, err = pcall(study.optimize, study, function(t) \(objective) end, { n_trials = 10000000, catch = true })
        big, study = nil, nil
        local peak
        for line in io.lines("/proc/self/status") do peak = peak or line:match("^VmHWM:%s+(%d+)") end
        print(ok, (tostring(err):gsub("%.%d+ MB", " MB")), "peak MB " .. math.floor(tonumber(peak) / 1024))
        """, options: ["--memory-limit", "64MB"], timeout: 60)
      XCTAssertEqual(result.status, noTrialCompleted, result.transcript)
      assertContains(result.stdout, "false\t", name)
      assertContains(result.stdout, "not enough memory", name)
      let peak = result.stdout.components(separatedBy: "peak MB ").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? .max
      XCTAssertLessThan(peak, 130, "\(name): the process peaked at \(peak) MB")
    }
  }

  /// An attribute's copy is bounded: a table naming one 1 MB string a million times costs the
  /// script a few MB, and its copy (a Swift string per mention) grew toward a terabyte that
  /// neither --memory-limit nor --trial-timeout stopped. Now each way of storing one refuses it
  /// at once, with or without a memory limit, and attributes of a sensible size still store.
  func testAttributesOfRepeatedStringsAreRefusedNotCopied() throws {
    for options in [[], ["--memory-limit", "256MB"]] {
      let result = try run("repeated", """
        local big = string.rep("x", 1e6)
        local t = {}
        for i = 1, 1e6 do t[i] = big end
        local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
        print(pcall(study.set_user_attr, study, "k", t))
        print(pcall(study.set_user_attr, study, "k", { nested = { deeper = t } }))
        print(pcall(study.enqueue_trial, study, { x = 1 }, { user_attrs = { k = t } }))
        study:optimize(function(trial)
          trial:suggest_float("x", 0, 1)
          print(pcall(trial.set_user_attr, trial, "k", t))
          trial:set_user_attr("fits", { big, big, big })
          return 1
        end, { n_trials = 1 })
        print("kept " .. #study:trials()[1].user_attrs.fits[3])
        """, options: options, timeout: 60)
      XCTAssertEqual(result.status, 0, result.transcript)
      let refusals = result.stdout.split(separator: "\n").filter { $0.hasPrefix("false\t") && $0.contains("to store") }
      XCTAssertEqual(refusals.count, 4, result.transcript)
      assertContains(result.stdout, "user_attrs would take more than", "\(options)")
      assertLine(result.stdout, "kept 1000000", "\(options)")
    }
  }

  /// Native objects the script keeps count against --memory-limit for as long as it holds them:
  /// forty 11 MB datasets kept in a table used to pass one by one (each fit what the limit
  /// left) and grew the process to 1.5 GB; now the sixth is refused, with one worker or four.
  /// With four, what one worker's trial holds for a moment never ends the others' call: every
  /// trial is refused on its own, and the call returns.
  func testKeptNativeObjectsCountAgainstTheMemoryLimit() throws {
    for (workers, trials) in [(1, 4), (4, 16)] {
      let result = try run("kept", """
        local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
        study:optimize(function(trial)
          local keep = {}
          for i = 1, 40 do keep[i] = tuna.data.make_classification{ n_samples = 50000, n_features = 60, seed = i } end
          return #keep
        end, { n_trials = \(trials), workers = \(workers), catch = true })
        local refused = 0
        for _, t in ipairs(study:trials()) do
          if t.state == "fail" and t.fail_reason:find("more than the memory limit leaves", 1, true) then refused = refused + 1 end
        end
        print("refused " .. refused)
        """, options: ["--memory-limit", "64MB"], timeout: 60)
      XCTAssertEqual(result.status, noTrialCompleted, result.transcript)
      assertLine(result.stdout, "refused \(trials)", "workers = \(workers)")
    }
  }

  /// Under --memory-limit the workers of one optimize call share the cap: four workers that
  /// each hold 24 MB at once cannot all fit under 64 MB (each alone can), so some of their
  /// trials fail with Lua's memory error while the others finish.
  func testWorkersShareOneMemoryLimit() throws {
    let barrier = directory.appendingPathComponent("barrier")
    try FileManager.default.createDirectory(at: barrier, withIntermediateDirectories: true)
    let result = try run("workers", """
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(trial)
        -- 24 MB in 1 MB pieces (one 24 MB string needs a 32 MB buffer on its way, and four
        -- workers racing for such buffers can all be refused)
        local block = {}
        for i = 1, 24 do block[i] = string.rep(string.char(64 + i), 1024 * 1024) end
        -- hold the block until all four trials got this far (or a moment has passed)
        io.open("\(barrier.path)/" .. trial.number, "w"):close()
        local started = os.clock()
        repeat
          local arrived = 0
          for i = 0, 3 do
            local f = io.open("\(barrier.path)/" .. i)
            if f then arrived = arrived + 1; f:close() end
          end
        until arrived == 4 or os.clock() - started > 2
        return #block
      end, { n_trials = 4, workers = 4, catch = true })
      local complete, memory = 0, 0
      for _, t in ipairs(study:trials()) do
        if t.state == "complete" then complete = complete + 1
        elseif t.fail_reason:find("not enough memory (memory limit 64 MB, shared by the workers)", 1, true) then memory = memory + 1 end
      end
      print("complete " .. complete .. " memory " .. memory)
      """, options: ["--memory-limit", "64MB"], timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("complete ") } ?? ""
    let counts = line.split(separator: " ").compactMap { Int($0) }
    XCTAssertEqual(counts.count, 2, result.transcript)
    XCTAssertEqual(counts.reduce(0, +), 4, result.transcript)
    XCTAssertGreaterThanOrEqual(counts.last ?? 0, 2, result.transcript)
    XCTAssertGreaterThanOrEqual(counts.first ?? 0, 1, result.transcript)
  }

  /// At exit the script's Lua state is closed, so its pending finalizers run; one that never
  /// returns (Lua runs finalizers with hooks off) is cut off 5 s after the script's end.
  func testFinalizersRunAtExitAndCannotHangIt() throws {
    let marker = directory.appendingPathComponent("finalized")
    let ran = try run("finalizer", """
      keep = setmetatable({}, { __gc = function() local f = io.open("\(marker.path)", "w") f:write("ran") f:close() end })
      """)
    XCTAssertEqual(ran.status, 0, ran.transcript)
    XCTAssertEqual(try String(contentsOf: marker, encoding: .utf8), "ran")
    let hung = try run("hanging", """
      keep = setmetatable({}, { __gc = function() while true do end end })
      print("bye")
      """, timeout: 20)
    XCTAssertEqual(hung.status, 1, hung.transcript)
    assertLine(hung.stdout, "bye")
    assertContains(hung.stderr, "tuna: the script's finalizers (__gc) did not finish within 5 s of its end")
    XCTAssertLessThan(hung.seconds, 10)
  }
}
