import Foundation
import XCTest

/// The HTML report as a person sees it: rendered in headless Chromium (scripts/lib/page_check.py),
/// failing on any console error, resource that does not load, or missing element, with a
/// full-page screenshot saved under .build/report-screenshots/ to look at.
final class ReportBrowserTests: XCTestCase {
  static let screenshots = TunaProcess.packageRoot.appendingPathComponent(".build/report-screenshots")
  static let checker = TunaProcess.packageRoot.appendingPathComponent("scripts/lib/page_check.py")

  var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-browser-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// Runs the checker on `page`; its output lines, after asserting it found the page clean.
  @discardableResult
  func checkInBrowser(
    _ page: URL, screenshot name: String, expect: [String], file: StaticString = #filePath, line: UInt = #line
  ) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let png = Self.screenshots.appendingPathComponent(name + ".png")
    process.arguments = ["python3", Self.checker.path, page.path, "--full-page", "--screenshot", png.path]
      + expect.flatMap { ["--expect", $0] }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(
      process.terminationStatus, 0,
      "the page checker found problems (exit 2: no browser — scripts/test.sh installs Chromium):\n\(text)", file: file, line: line)
    XCTAssertTrue(FileManager.default.fileExists(atPath: png.path), "no screenshot at \(png.path)", file: file, line: line)
    return text.split(separator: "\n").map(String.init)
  }

  /// A real study with every kind of plot, and a two-objective one, in one page.
  func testReportOfARealStudy() throws {
    let script = TunaProcess.fixtures.appendingPathComponent("report_study.lua").path
    let run = try tuna(["run", script, "--report", "report.html"], in: directory, timeout: 120)
    XCTAssertEqual(run.status, 0, run.transcript)
    try checkInBrowser(
      directory.appendingPathComponent("report.html"), screenshot: "report-demo",
      expect: [
        "#s0-summary table.facts", "#s0-summary .best-value=1",
        "#s0-importance svg>=2", "#s0-importance table.importance-table tbody tr=5", "#s0-importance ol.pairs li>=1",
        "#s0-history svg=1", "#s0-slices .grid svg>=5", "#s0-slices figure.contour svg=1",
        "#s0-parallel svg=1", "#s0-intermediate svg=1", "#s0-timeline svg=1",
        "#s0-trials table.trials tbody tr=60", "#s0-trials tr.pruned>=1", "#s0-trials tr.fail>=1",
        "#s1-importance svg>=4", "#s1-history svg=2", "#s1-pareto svg=1", "#s1-summary table.front tbody tr>=5",
        "svg title>=20", "svg text>=100",
      ])
  }

  /// Studies with almost nothing in them still make a clean page: one complete trial, and only
  /// failures.
  func testReportOfNearlyEmptyStudies() throws {
    let script = directory.appendingPathComponent("tiny.lua")
    try """
      local one = tuna.create_study{ name = "one" }
      one:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 1 })
      local failing = tuna.create_study{ name = "failing" }
      failing:optimize(function(t) t:suggest_int("n", 1, 3) error("always") end, { n_trials = 3 })
      """.write(to: script, atomically: true, encoding: .utf8)
    let run = try tuna(["run", script.path, "--report", "tiny.html"], in: directory)
    XCTAssertEqual(run.status, 0, run.transcript)
    try checkInBrowser(
      directory.appendingPathComponent("tiny.html"), screenshot: "report-tiny",
      expect: ["#s0-summary .best-value=1", "#s0-history svg=1", "#s0-importance p.note=1", "#s1-trials table.trials tbody tr=3",
               "#s1-importance p.note=1", "#s1-trials tr.fail=3"])
  }
}
