import Foundation
import XCTest

/// `tuna-bench`'s commands at their smallest sizes: each one runs, prints its header and tables,
/// and writes its results under its own name in the JSON report. Figures are not judged here
/// (they are measured in release runs, never in tests); that each command still works is.
final class BenchCommandTests: XCTestCase {
  private var bench: URL!
  private var directory: URL!

  override func setUpWithError() throws {
    guard let tuna = TunaProcess.executable else { throw XCTSkip("the tuna executable was not found") }
    bench = tuna.deletingLastPathComponent().appendingPathComponent("tuna-bench")
    guard FileManager.default.isExecutableFile(atPath: bench.path) else {
      return XCTFail("tuna-bench is not beside tuna at \(bench.path) (build with --build-tests)")
    }
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    if let directory { try? FileManager.default.removeItem(at: directory) }
  }

  /// Runs `tuna-bench command … --json`, and returns the report's top-level object.
  private func run(
    _ command: String, _ arguments: [String] = [], timeout: Double = 120, file: StaticString = #filePath, line: UInt = #line
  ) throws -> [String: Any] {
    let json = directory.appendingPathComponent("\(command).json")
    let result = try TunaProcess.runProgram(
      bench, [command, "--quick", "--repetitions", "1", "--json", json.path] + arguments, in: directory, timeout: timeout)
    XCTAssertFalse(result.timedOut, "tuna-bench \(command) ran past \(timeout) s", file: file, line: line)
    XCTAssertEqual(result.status, 0, result.transcript, file: file, line: line)
    assertContains(result.stdout, "tuna-bench \(command) --quick: ", file: file, line: line)
    assertContains(result.stdout, "results written to \(json.path)", file: file, line: line)
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any] ?? [:]
    XCTAssertEqual(object["tool"] as? String, "tuna-bench", file: file, line: line)
    XCTAssertEqual(object["command"] as? String, command, file: file, line: line)
    XCTAssertEqual((object["settings"] as? [String: Any])?["quick"] as? Bool, true, file: file, line: line)
    return object
  }

  func testEveryCommandWritesItsResultsUnderItsName() throws {
    for command in ["bridge", "train", "forest", "parallel", "prune", "analysis", "storage"] {
      let report = try run(command)
      XCTAssertNotNil(report[command], "\(command): \(report.keys.sorted())")
    }
    let samplers = try run("samplers", ["--samplers", "random,tpe"])
    let rows = samplers["samplers"] as? [[String: Any]] ?? []
    XCTAssertEqual(Set(rows.compactMap { $0["sampler"] as? String }), ["random", "tpe"])
    let regret = try run("regret", ["--seeds", "1", "--samplers", "random", "--problems", "Branin"])
    let regretRows = regret["regret"] as? [[String: Any]] ?? []
    XCTAssertEqual(regretRows.map { $0["budget"] as? Int }, [50, 200])
    XCTAssertTrue(regretRows.allSatisfy { $0["function"] as? String == "Branin" && $0["sampler"] as? String == "random" })
  }

  func testAllRunsBridgeAndOverhead() throws {
    let report = try run("all")
    XCTAssertNotNil(report["bridge"])
    XCTAssertNotNil(report["overhead"])
  }

  func testUsageErrorsAreRefusedBeforeAnythingRuns() throws {
    for arguments in [["regret", "--seeds", "0"], ["prune", "--seeds", "-1"], ["bridge", "--repetitions", "0"], ["nope"]] {
      let result = try TunaProcess.runProgram(bench, arguments, in: directory, timeout: 30)
      XCTAssertEqual(result.status, 64, "\(arguments): \(result.transcript)")
      XCTAssertTrue(result.stdout.isEmpty, "\(arguments) measured nothing: \(result.stdout)")
    }
    let help = try TunaProcess.runProgram(bench, ["--help"], in: directory, timeout: 30)
    XCTAssertEqual(help.status, 0)
    for command in ["all", "bridge", "overhead", "train", "forest", "samplers", "regret", "parallel", "prune", "storage", "analysis"] {
      XCTAssertTrue(help.stdout.contains("  \(command)"), "\(command) missing from:\n\(help.stdout)")
    }
    XCTAssertFalse(help.stdout.contains("_memory"), "the internal probe is hidden")
  }
}
