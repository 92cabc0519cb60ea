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
}
