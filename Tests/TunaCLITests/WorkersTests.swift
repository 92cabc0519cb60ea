import Foundation
import XCTest

/// `workers = N` / `--workers N`: N Lua states share the study and its budget (design.md).
final class WorkersTests: XCTestCase {
  func testWorkersShareOneBudgetAndPrintOnce() throws {
    let result = try tuna(["run", "workers.lua"], timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    XCTAssertEqual(count("start", linesIn: result.stdout), 1, "the script's output prints once\n\(result.stdout)")
    assertLine(result.stdout, "trials 24 dense true")
    XCTAssertEqual(result.stdout.components(separatedBy: "Study workers (minimize)").count - 1, 1, "one summary")
    assertLine(result.stdout, "Study workers (minimize): 24 trials: 24 complete")
  }

  func testTheCommandLineSetsTheWorkerCount() throws {
    let one = try tuna(["run", "--workers", "1", "--seed", "4", "workers.lua"], timeout: 60)
    let four = try tuna(["run", "--workers", "4", "--seed", "4", "workers.lua"], timeout: 60)
    XCTAssertEqual(one.status, 0, one.transcript)
    XCTAssertEqual(four.status, 0, four.transcript)
    // Each trial's parameters derive from (seed, trial number): the same study either way.
    XCTAssertEqual(one.stdout, four.stdout)
    XCTAssertEqual(try tuna(["run", "--workers", "0", "workers.lua"]).status, 2)
  }

  func testStopInOneWorkerStopsAll() throws {
    let result = try tuna(["run", "workers.lua", "--", "stop"], timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    let line = try XCTUnwrap(result.stdout.split(separator: "\n").first { $0.hasPrefix("trials ") })
    let n = try XCTUnwrap(Int(line.split(separator: " ")[1]))
    XCTAssertLessThan(n, 24, "stop() ended the call early")
    XCTAssertTrue(line.hasSuffix("dense true"))
  }

  func testAFailureWithoutCatchStopsEveryWorkerAndIsRaised() throws {
    let result = try tuna(["run", "workers.lua", "--", "fail"], timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertContains(result.stdout, "error: ")
    assertContains(result.stdout, "trial seven fails")
    XCTAssertEqual(count("start", linesIn: result.stdout), 1)
  }
}
