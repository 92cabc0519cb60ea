import Foundation
import XCTest

/// The string library's pattern functions are Tuna's own matcher (so a time limit and Ctrl-C
/// can stop a long backtracking match). It must give what stock Lua gives: the same fixture of
/// random patterns and subjects runs through `lua5.4` and `tuna run` and the outputs are
/// compared line by line, error messages included.
final class PatternTests: XCTestCase {
  /// The stock interpreter the test command installs (Debian's `lua5.4`).
  static let stockLua = ["/usr/bin/lua5.4", "/usr/local/bin/lua5.4"].first { FileManager.default.isExecutableFile(atPath: $0) }

  func testRandomPatternsMatchStockLua() throws {
    let lua = try XCTUnwrap(Self.stockLua, "lua5.4 is not installed (scripts/test.sh installs it)")
    for seed in ["1", "2"] {
      let arguments = ["patterns_differential.lua", "4000", seed]
      let stock = try TunaProcess.runProgram(URL(fileURLWithPath: lua), arguments, in: TunaProcess.fixtures, timeout: 120)
      XCTAssertEqual(stock.status, 0, stock.transcript)
      let ours = try tuna(["run", arguments[0], "--"] + arguments.dropFirst(), in: TunaProcess.fixtures, timeout: 120)
      XCTAssertEqual(ours.status, 0, ours.transcript)
      let expected = stock.stdoutLines, actual = ours.stdoutLines
      XCTAssertGreaterThan(expected.count, 30_000)
      XCTAssertEqual(expected.count, actual.count)
      // The first differing line, with the case it belongs to, rather than two 30,000-line blobs.
      if let i = expected.indices.first(where: { $0 < actual.count && expected[$0] != actual[$0] }) {
        let start = expected[...i].lastIndex { !$0.hasPrefix("  ") } ?? i
        XCTFail("seed \(seed), line \(i + 1): \(expected[start...i].joined(separator: "\n")) — tuna gave \(actual[i])")
      }
    }
  }

  /// A backtracking match that stock Lua cannot interrupt ("(.-)(.-)(.-)b" over 3,000 a's runs
  /// for minutes inside one C call) fails each trial at `--trial-timeout`.
  func testBacktrackingMatchStopsAtTheTrialLimit() throws {
    let source = """
      local s = string.rep("a", 3000)
      local study = tuna.create_study{ name = "patterns" }
      study:optimize(function(trial)
        trial:suggest_float("x", 0, 1)
        local ok, err = pcall(string.gsub, s, "(.-)(.-)(.-)b", "%3")
        return 0
      end, { n_trials = 2 })
      for _, t in ipairs(study:trials()) do print(t.state) end
      """
    let result = try runScript(source, options: ["--trial-timeout", "1"])
    XCTAssertEqual(result.status, noTrialCompleted, result.transcript)
    XCTAssertEqual(count("fail", linesIn: result.stdout), 2, result.transcript)
    assertContains(result.stderr, "time limit")
    XCTAssertLessThan(result.seconds, 2 * 1.2 + 0.5, result.transcript)
  }

  /// The same match in the main chunk stops at `--timeout` (plus its grace), and the message
  /// names the script's line.
  func testBacktrackingMatchStopsAtTheScriptLimit() throws {
    let source = """
      local s = string.rep("a", 3000)
      print(string.find(s, "(.-)(.-)(.-)b"))
      """
    let result = try runScript(source, options: ["--timeout", "1"])
    XCTAssertNotEqual(result.status, 0, result.transcript)
    assertContains(result.stderr, "match.lua:2: the script exceeded its time limit of 1 s")
    XCTAssertLessThan(result.seconds, 2.5, result.transcript)
  }

  private func runScript(_ source: String, options: [String]) throws -> TunaResult {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patterns-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try source.write(to: directory.appendingPathComponent("match.lua"), atomically: true, encoding: .utf8)
    return try tuna(["run"] + options + ["match.lua"], in: directory, timeout: 30)
  }
}
