import Foundation
import XCTest

/// Runs every behaviour script in scripts/tests/ and every example in scripts/examples/ through
/// the built CLI. Each behaviour script asserts with Lua's `assert` and ends by printing
/// `ok <name>`; one test per script, so a failure names its area.
final class LuaScriptTests: XCTestCase {
  /// The scripts in scripts/tests/ that have a test below.
  static let covered: Set<String> = ["studies", "trials", "samplers", "lua_samplers", "module", "training", "model_samplers", "pruners", "storage", "analysis"]

  func testStudiesScript() throws { try checkTestScript("studies") }
  func testPrunersScript() throws { try checkTestScript("pruners") }
  func testStorageScript() throws { try checkTestScript("storage") }
  func testTrialsScript() throws { try checkTestScript("trials") }
  func testSamplersScript() throws { try checkTestScript("samplers") }
  func testLuaSamplersScript() throws { try checkTestScript("lua_samplers") }
  func testModuleScript() throws { try checkTestScript("module") }
  func testTrainingScript() throws { try checkTestScript("training") }
  func testModelSamplersScript() throws { try checkTestScript("model_samplers") }
  func testAnalysisScript() throws { try checkTestScript("analysis") }

  /// A new script in scripts/tests/ needs its own test method above.
  func testEveryTestScriptHasATest() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: TunaProcess.testScripts.path)
      .filter { $0.hasSuffix(".lua") }
      .map { String($0.dropLast(4)) }
    XCTAssertFalse(names.isEmpty, "no scripts in \(TunaProcess.testScripts.path)")
    XCTAssertEqual(Set(names), Self.covered, "scripts/tests/ and LuaScriptTests.covered disagree")
  }

  func testExamplesRunEndToEnd() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: TunaProcess.examples.path)
      .filter { $0.hasSuffix(".lua") }.sorted()
    XCTAssertFalse(names.isEmpty, "no examples in \(TunaProcess.examples.path)")
    // From a scratch directory: an example may write files (interactions.lua writes its report).
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("examples-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    for name in names {
      let result = try tuna(["run", TunaProcess.examples.appendingPathComponent(name).path], in: scratch, timeout: 60)
      XCTAssertEqual(result.status, 0, "\(name)\n\(result.transcript)")
      assertContains(result.stdout, "Study ", "\(name) prints the summary")
      XCTAssertFalse(result.stderr.contains("failed"), "\(name)\n\(result.transcript)")
    }
  }

  /// The interactions example answers its questions: learning rate first, and its pair with the
  /// batch size the strongest interaction.
  func testInteractionsExample() throws {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("interactions-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let result = try tuna(
      ["run", TunaProcess.examples.appendingPathComponent("interactions.lua").path, "--", "report.html"], in: scratch, timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    let lines = result.stdoutLines
    let table = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Which hyperparameters mattered") })
    XCTAssertTrue(lines[table + 2].hasPrefix("  lr "), result.stdout)
    let pairs = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Which acted together") })
    XCTAssertTrue(lines[pairs + 1].hasPrefix("  batch_size × lr "), result.stdout)
    assertLine(result.stdout, "report: report.html")
    XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("report.html").path))
  }

  func testQuickstartExample() throws {
    let result = try tuna(["run", "scripts/examples/quickstart.lua"], in: TunaProcess.packageRoot)
    XCTAssertEqual(result.status, 0, result.transcript)
    // Off a terminal: one line per finished trial, nothing else.
    XCTAssertEqual(result.stderrLines.filter { !$0.isEmpty }.count, 200, result.stderr)
    XCTAssertTrue(result.stderrLines.allSatisfy { $0.isEmpty || $0.hasPrefix("trial ") }, result.stderr)
    assertContains(result.stdout, "best value ")
    assertLine(result.stdout, "Study quickstart (minimize): 200 trials: 200 complete")
    assertContains(result.stdout, "Best value: ")
    for name in ["activation", "layers", "lr", "x"] { assertContains(result.stdout, "  \(name) = ") }
    // Seeded in the script: the same output twice.
    let again = try tuna(["run", "scripts/examples/quickstart.lua"], in: TunaProcess.packageRoot)
    XCTAssertEqual(again.stdout, result.stdout)
  }

  /// Runs scripts/tests/NAME.lua (with the arguments of its `-- tuna-test-args:` line, if any)
  /// and expects exit 0 and the line `ok NAME`.
  private func checkTestScript(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let path = "scripts/tests/\(name).lua"
    let source = try String(contentsOf: TunaProcess.packageRoot.appendingPathComponent(path), encoding: .utf8)
    var arguments = ["run", path]
    if let argsLine = source.split(separator: "\n").first(where: { $0.hasPrefix("-- tuna-test-args:") }) {
      arguments.append("--")
      arguments += argsLine.dropFirst("-- tuna-test-args:".count).split(separator: " ").map(String.init)
    }
    let result = try tuna(arguments, in: TunaProcess.packageRoot, timeout: 60, file: file, line: line)
    XCTAssertEqual(result.status, 0, "\(path) failed:\n\(result.stderr)", file: file, line: line)
    assertLine(result.stdout, "ok \(name)", "", file: file, line: line)
  }
}
