import LuaVM
import TunaLua
import TunaSearch
import TunaTestSupport
import XCTest

/// Samplers written in Lua pass the same conformance suite as the built-in ones.
final class LuaSamplerConformanceTests: XCTestCase {
  /// Engines must outlive the samplers they made.
  private var engines: [TunaEngine] = []

  private func luaSampler(_ source: String, seed: UInt64) throws -> any Sampler {
    let engine = try TunaEngine()
    engines.append(engine)
    try engine.run("seed = \(Int64(bitPattern: seed))\n" + source, chunkName: "sampler.lua")
    return try XCTUnwrap(engine.sampler(global: "sampler"))
  }

  func testIndependentLuaSampler() throws {
    try checkSampler({ seed in
      try self.luaSampler("""
        sampler = tuna.sampler{
          name = "uniform", seed = seed,
          sample_independent = function(self, ctx, name, dist) return dist:sample(ctx.rng) end,
        }
        """, seed: seed)
    }, name: "lua independent")
  }

  func testRelativeLuaSamplerWithHooks() throws {
    try checkSampler({ seed in
      try self.luaSampler("""
        sampler = tuna.sampler{
          name = "relative", seed = seed, started = 0, finished = 0,
          sample_independent = function(self, ctx, name, dist) return dist:sample(ctx.rng) end,
          infer_relative_search_space = function(self, ctx) return ctx:intersection_search_space() end,
          sample_relative = function(self, ctx, space)
            local out = {}
            for name, dist in pairs(space) do
              if dist.kind == "categorical" then
                out[name] = dist.choices[ctx.rng:integer(1, #dist.choices)]
              else
                local lo, hi = dist:to_internal(dist.low), dist:to_internal(dist.high)
                out[name] = dist:from_internal(ctx.rng:uniform(lo, hi))
              end
            end
            return out
          end,
          before_trial = function(self, ctx, trial) self.started = self.started + 1 end,
          after_trial = function(self, ctx, trial) self.finished = self.finished + 1 end,
        }
        """, seed: seed)
    }, name: "lua relative")
  }

  func testBuiltInSamplerAsDelegate() throws {
    try checkSampler({ seed in
      try self.luaSampler("""
        local rnd = tuna.samplers.random{ seed = seed }
        sampler = tuna.sampler{
          name = "delegate", seed = seed,
          sample_independent = function(self, ctx, name, dist) return rnd:sample_independent(ctx, name, dist) end,
        }
        """, seed: seed)
    }, name: "lua delegate")
  }

  func testLuaSamplerValueOutsideItsDistributionFailsTheTrial() throws {
    let engine = try TunaEngine()
    try engine.run("""
      local bad = tuna.sampler{ name = "liar", sample_independent = function() return 42 end }
      study = tuna.create_study{ sampler = bad }
      study:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 2 })
      """, chunkName: "liar.lua")
    let trials = try engine.studies[0].trials()
    XCTAssertEqual(trials.map(\.state), [.fail, .fail])
    let reason = try XCTUnwrap(trials[0].failReason)
    XCTAssertTrue(reason.contains("sampler 'liar': sample_independent returned 42 for 'x'"), reason)
    XCTAssertTrue(reason.contains("liar.lua:3:"), reason)
  }

  func testLuaSamplerErrorNamesTheSamplersLine() throws {
    let engine = try TunaEngine()
    try engine.run("""
      local broken = tuna.sampler{
        sample_independent = function(self, ctx, name, dist)
          return nil + 1
        end,
      }
      study = tuna.create_study{ sampler = broken }
      study:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 1 })
      """, chunkName: "broken.lua")
    let reason = try XCTUnwrap(engine.studies[0].trials()[0].failReason)
    XCTAssertTrue(reason.hasPrefix("broken.lua:3: attempt to perform arithmetic on a nil value"), reason)
    XCTAssertTrue(reason.contains("stack traceback:"), reason)
    XCTAssertTrue(reason.contains("broken.lua:7:"), reason)  // the objective's line, through the host call
  }
}
