import Foundation
import XCTest

/// `tuna importance`, `tuna report` and `tuna run --report` on a study `tuna run` stored, once
/// per test class.
final class AnalysisCommandsTests: XCTestCase {
  nonisolated(unsafe) static var directory: URL!
  static let storage = "sqlite:report.db"

  override class func setUp() {
    super.setUp()
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("analysis-cli-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let script = TunaProcess.fixtures.appendingPathComponent("report_study.lua").path
    let run = try! TunaProcess.run(["run", script, "--storage", storage, "--report", "run.html"], in: directory, timeout: 120)
    precondition(run.status == 0, run.transcript)
  }

  override class func tearDown() {
    try? FileManager.default.removeItem(at: directory)
    super.tearDown()
  }

  var directory: URL { Self.directory }

  func testRunWritesTheReportAtTheEnd() throws {
    let html = try String(contentsOf: directory.appendingPathComponent("run.html"), encoding: .utf8)
    assertContains(html, "<h1 class=\"study-name\">Study “report-demo”</h1>")
    assertContains(html, "<h1 class=\"study-name\">Study “report-two”</h1>")
  }

  func testImportanceTable() throws {
    let result = try tuna(["importance", "report-demo", "--storage", Self.storage], in: directory)
    XCTAssertEqual(result.status, 0, result.transcript)
    let lines = result.stdoutLines
    XCTAssertTrue(lines[0].hasPrefix("Importance of 5 parameters in study 'report-demo' (ped_anova, normalized; "), lines[0])
    XCTAssertEqual(lines[1].split(separator: " ", omittingEmptySubsequences: true), ["parameter", "importance"])
    let rows = lines.dropFirst(2).filter { !$0.isEmpty }.map { $0.split(separator: " ").map(String.init) }
    XCTAssertEqual(Set(rows.map { $0[0] }), ["lr", "batch_size", "layers", "optimizer", "momentum"])
    let values = rows.map { Double($0[1])! }
    XCTAssertEqual(values, values.sorted(by: >), "most important first")
    XCTAssertEqual(values.reduce(0, +), 1, accuracy: 5e-4)
  }

  func testImportanceFanovaWithPairsAsJSON() throws {
    let result = try tuna(
      ["importance", "report-demo", "--storage", Self.storage, "--evaluator", "fanova", "--pairs", "--top", "3", "--format", "json"],
      in: directory)
    XCTAssertEqual(result.status, 0, result.transcript)
    let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["evaluator"] as? String, "fanova")
    let importances = try XCTUnwrap(json["importances"] as? [[String: Any]])
    XCTAssertEqual(importances.count, 5)
    let total = importances.reduce(0.0) { $0 + ($1["importance"] as! Double) }
    XCTAssertEqual(total, 1, accuracy: 1e-9)
    XCTAssertTrue(importances.allSatisfy { $0["std"] is Double })
    let pairs = try XCTUnwrap(json["interactions"] as? [[String: Any]])
    XCTAssertEqual(pairs.count, 3)
    let fractions = pairs.map { $0["fraction"] as! Double }
    XCTAssertEqual(fractions, fractions.sorted(by: >))
  }

  func testImportanceOfEachObjective() throws {
    for objective in ["1", "2"] {
      let result = try tuna(
        ["importance", "report-two", "--storage", Self.storage, "--objective", objective, "--evaluator", "fanova"], in: directory)
      XCTAssertEqual(result.status, 0, result.transcript)
      // Objective 2 is width alone; objective 1 is mostly width too, with dropout.
      XCTAssertTrue(result.stdoutLines[2].hasPrefix("width"), result.stdout)
    }
    let paretoRank = try tuna(["importance", "report-two", "--storage", Self.storage], in: directory)
    XCTAssertEqual(paretoRank.status, 0, paretoRank.transcript)
  }

  func testImportanceMistakes() throws {
    let fanova = try tuna(["importance", "report-two", "--storage", Self.storage, "--evaluator", "fanova"], in: directory)
    XCTAssertEqual(fanova.status, 1)
    assertContains(fanova.stderr, "tuna: study 'report-two' has 2 objectives: fanova needs --objective N (1 to 2)")
    let objective = try tuna(["importance", "report-demo", "--storage", Self.storage, "--objective", "2"], in: directory)
    XCTAssertEqual(objective.status, 1)
    assertContains(objective.stderr, "--objective 2: study 'report-demo' has 1 objective")
    let zero = try tuna(["importance", "report-demo", "--storage", Self.storage, "--objective", "0"], in: directory)
    XCTAssertEqual(zero.status, 2, zero.transcript)
    let top = try tuna(["importance", "report-demo", "--storage", Self.storage, "--top", "2"], in: directory)
    XCTAssertEqual(top.status, 2, top.transcript)
    assertContains(top.stderr, "--top limits the pairs: add --pairs")
    let unknown = try tuna(["importance", "nope", "--storage", Self.storage], in: directory)
    XCTAssertEqual(unknown.status, 1)
    assertContains(unknown.stderr, "no study named 'nope'")
    let param = try tuna(["importance", "report-demo", "--storage", Self.storage, "--params", "lr,nope"], in: directory)
    XCTAssertEqual(param.status, 1)
    assertContains(param.stderr, "'nope'")
    let evaluator = try tuna(["importance", "report-demo", "--storage", Self.storage, "--evaluator", "shap"], in: directory)
    XCTAssertEqual(evaluator.status, 2)
  }

  func testReportCommandWritesOneSelfContainedPage() throws {
    let result = try tuna(["report", "report-demo", "report-two", "--storage", Self.storage, "-o", "both.html"], in: directory)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "Wrote both.html (110 trials).")
    let html = try String(contentsOf: directory.appendingPathComponent("both.html"), encoding: .utf8)
    XCTAssertFalse(html.contains("<script"), "no script needed to read it")
    XCTAssertFalse(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"), "nothing from the network")
    for id in ["s0-summary", "s0-importance", "s0-history", "s0-slices", "s0-parallel", "s0-intermediate", "s0-timeline", "s0-trials", "s1-pareto"] {
      assertContains(html, "id=\"\(id)\"")
    }
    let unknown = try tuna(["report", "nope", "--storage", Self.storage], in: directory)
    XCTAssertEqual(unknown.status, 1)
    let unwritable = try tuna(["report", "report-demo", "--storage", Self.storage, "-o", "/nonexistent/dir/r.html"], in: directory)
    XCTAssertEqual(unwritable.status, 1)
    assertContains(unwritable.stderr, "tuna: cannot write /nonexistent/dir/r.html")
  }

  /// The sandbox writes only into directories granted with --allow-write: `tuna.report` says
  /// how to get the report otherwise.
  func testReportFromLuaIsRefusedInTheSandbox() throws {
    let script = directory.appendingPathComponent("sandboxed_report.lua")
    try """
      local s = tuna.create_study{ name = "s" }
      s:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 3 })
      tuna.report(s, "out.html")
      """.write(to: script, atomically: true, encoding: .utf8)
    let result = try tuna(["run", "--sandbox", script.path], in: directory)
    XCTAssertEqual(result.status, 1)
    assertContains(result.stderr, "tuna.report: writing out.html is not allowed in the sandbox (grant its directory with --allow-write DIR); or run with --report out.html")
    XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out.html").path))
    let granted = try tuna(["run", "--sandbox", "--allow-write", ".", script.path], in: directory)
    XCTAssertEqual(granted.status, 0, granted.transcript)
    XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out.html").path))
  }
}
