import LuaVM
import TunaLua
import TunaSearch
import TunaTestSupport
import XCTest

/// Pruners written in Lua pass the same conformance suite as the built-in ones, and the built-in
/// pruners are reachable from Lua with their options checked.
final class LuaPrunerTests: XCTestCase {
  /// Engines must outlive the pruners they made.
  private var engines: [TunaEngine] = []

  private func luaPruner(_ source: String) throws -> any Pruner {
    let engine = try TunaEngine()
    engines.append(engine)
    try engine.run(source, chunkName: "pruner.lua")
    return try XCTUnwrap(engine.pruner(global: "pruner"))
  }

  func testMedianRuleWrittenInLuaPasses() throws {
    // The median stopping rule in a page of Lua: the trial's best so far against the median of
    // the complete trials' values at its latest step.
    let source = """
      pruner = tuna.pruner{
        name = "lua-median",
        prune = function(self, ctx, trial)
          local last
          for step in pairs(trial.intermediate_values) do
            if last == nil or step > last then last = step end
          end
          if last == nil then return false end
          local maximize = ctx.direction == "maximize"
          local best
          for _, v in pairs(trial.intermediate_values) do
            if v == v and (best == nil or (maximize and v > best) or (not maximize and v < best)) then best = v end
          end
          if best == nil then return true end
          local others = {}
          for _, t in ipairs(ctx:trials{ states = { "complete" } }) do
            local v = t.intermediate_values[last]
            if v ~= nil and v == v then others[#others + 1] = v end
          end
          if #others < 3 then return false end
          table.sort(others)
          local n = #others
          local median = n % 2 == 1 and others[(n + 1) // 2] or (others[n // 2] + others[n // 2 + 1]) / 2
          if maximize then return best < median else return best > median end
        end,
      }
      """
    try checkPruner({ try self.luaPruner(source) }, name: "lua median")
  }

  func testBuiltInPrunersFromLuaPass() throws {
    let constructors = [
      "tuna.pruners.median{}", "tuna.pruners.percentile{ percentile = 30, n_warmup_steps = 1 }",
      "tuna.pruners.successive_halving{ min_resource = 1, reduction_factor = 3 }",
      "tuna.pruners.successive_halving{ min_resource = \"auto\" }",
      "tuna.pruners.hyperband{ min_resource = 1, max_resource = 9 }",
      "tuna.pruners.patient{ wrapped = tuna.pruners.median{}, patience = 1, min_delta = 0.1 }",
      "tuna.pruners.wilcoxon{ p_threshold = 0.1 }",
    ]
    for c in constructors {
      try checkPruner({ try self.luaPruner("pruner = \(c)") }, name: c)
    }
    try checkPruner({ try self.luaPruner("pruner = tuna.pruners.threshold{ lower = -100, upper = 1000 }") },
                    name: "threshold", directionSymmetric: false)
    try checkPruner({ try self.luaPruner("pruner = tuna.pruners.nop{}") }, name: "nop", expectsPruning: false)
  }

  func testOptionsAreChecked() throws {
    let engine = try TunaEngine()
    let cases: [(String, String)] = [
      ("tuna.pruners.median{ n_startup = 5 }", "bad argument #1 to 'median' (unknown option 'n_startup' (known: n_startup_trials, n_warmup_steps, interval_steps, n_min_trials))"),
      ("tuna.pruners.percentile{ percentile = 120 }", "bad argument #1 to 'percentile' (percentile must be between 0 and 100, got 120)"),
      ("tuna.pruners.successive_halving{ min_resource = \"soon\" }", "bad argument #1 to 'successive_halving' ('min_resource' must be an integer or \"auto\", got \"soon\")"),
      ("tuna.pruners.hyperband{ min_resource = 10, max_resource = 5 }", "bad argument #1 to 'hyperband' (max_resource must be greater than min_resource, got 5 <= 10)"),
      ("tuna.pruners.threshold{}", "bad argument #1 to 'threshold' (threshold needs lower, upper or both)"),
      ("tuna.pruners.patient{ wrapped = 3 }", "bad argument #1 to 'patient' ('wrapped' must be a pruner, got 3)"),
      ("tuna.pruners.wilcoxon{ p_threshold = -1 }", "bad argument #1 to 'wilcoxon' (p_threshold must be between 0 and 1, got -1)"),
      ("tuna.pruner{}", "bad argument #1 to 'pruner' (a pruner needs a 'prune' function)"),
      ("tuna.pruner{ prune = 1 }", "bad argument #1 to 'pruner' ('prune' must be a function, got number)"),
    ]
    for (code, message) in cases {
      XCTAssertThrowsError(try engine.run("local p = \(code)", chunkName: "opts.lua"), code) { error in
        XCTAssertTrue(String(describing: error).contains(message), "\(code): \(error)")
        XCTAssertTrue(String(describing: error).contains("opts.lua:1"), "\(code): \(error)")
      }
    }
  }

  func testALuaPrunerThatFailsFailsItsTrialWithTheScriptLine() throws {
    let engine = try TunaEngine()
    try engine.run("""
      local p = tuna.pruner{ prune = function(self, ctx, trial) return "yes" end }
      local q = tuna.pruner{ prune = function(self, ctx, trial) error("broken pruner") end }
      study = tuna.create_study{ pruner = p }
      study:optimize(function(t) t:report(1, 0); t:should_prune(); return 1 end, { n_trials = 1 })
      study2 = tuna.create_study{ pruner = q }
      study2:optimize(function(t) t:report(1, 0); t:should_prune(); return 1 end, { n_trials = 1 })
      local a = study:trials()[1]
      local b = study2:trials()[1]
      reasons = { a.state, a.fail_reason, b.state, b.fail_reason }
      """, chunkName: "bad_pruner.lua")
    try engine.run("""
      assert(reasons[1] == "fail", reasons[1])
      assert(reasons[2]:find("prune must return a boolean, got \\"yes\\"", 1, true), reasons[2])
      assert(reasons[3] == "fail")
      assert(reasons[4]:find("bad_pruner.lua:2: broken pruner", 1, true), reasons[4])
      """, chunkName: "check.lua")
  }
}
