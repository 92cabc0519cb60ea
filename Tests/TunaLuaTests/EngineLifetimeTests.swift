import Foundation
import TunaLua
import XCTest

/// Engines and their Lua states are freed when their owner lets go — worker engines included —
/// and closing a state runs the script's pending finalizers.
final class EngineLifetimeTests: XCTestCase {
  func testAnEngineIsFreedWithItsState() throws {
    let before = TunaEngine.liveCount
    weak var weakEngine: TunaEngine?
    try {
      let engine = try TunaEngine()
      try engine.run("""
        local s = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
        s:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 6, workers = 3 })
        local p = tuna.pruner{ prune = function() return false end }
        local q = tuna.sampler{ sample_independent = function(self, ctx, name, d) return d:sample(ctx.rng) end }
        """)
      weakEngine = engine
    }()
    XCTAssertNil(weakEngine, "the engine outlived its owner (a retain cycle through its Lua state)")
    XCTAssertEqual(TunaEngine.liveCount, before, "worker engines are freed too")
  }

  func testClosingTheStateRunsPendingFinalizers() throws {
    let marker = FileManager.default.temporaryDirectory.appendingPathComponent("finalized-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: marker) }
    try {
      let engine = try TunaEngine()
      try engine.run("""
        keep = setmetatable({}, { __gc = function() local f = io.open("\(marker.path)", "w") f:write("done") f:close() end })
        """)
    }()
    XCTAssertEqual(try? String(contentsOf: marker, encoding: .utf8), "done")
  }
}
