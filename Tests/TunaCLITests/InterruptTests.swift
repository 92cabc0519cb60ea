import Foundation
import XCTest

/// SIGINT finishes cleanly: the running trial is marked failed ("interrupted"), no other trial
/// starts, the summary prints, and the exit code is 130.
final class InterruptTests: XCTestCase {
  func testSigintFailsTheRunningTrialAndExits130() throws {
    let (status, stdout, stderr) = try runInterrupted([])
    XCTAssertEqual(status, 130, stdout + stderr)
    assertContains(stderr, "trial 3 failed: interrupted")
    assertContains(stderr, "tuna: interrupted")
    assertLine(stdout, "Study interrupt (minimize): 4 trials: 3 complete, 1 fail")
    XCTAssertFalse(stdout.contains("not reached"))
  }

  /// `--report` is written after Ctrl-C too, with the interrupted trial in it.
  func testSigintStillWritesTheReport() throws {
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("interrupted-\(UUID().uuidString).html")
    defer { try? FileManager.default.removeItem(at: report) }
    let (status, stdout, stderr) = try runInterrupted(["--report", report.path])
    XCTAssertEqual(status, 130, stdout + stderr)
    assertLine(stdout, "Report written to \(report.path)")
    let html = try String(contentsOf: report, encoding: .utf8)
    assertContains(html, "3 complete, 1 fail")
    assertContains(html, "<td class=\"reason\">interrupted</td>")
  }

  /// SIGTERM is the first Ctrl-C with another exit code: the trial fails as interrupted, the
  /// summary prints, exit 143.
  func testSigtermEndsLikeTheFirstCtrlC() throws {
    let (status, stdout, stderr) = try runInterrupted([], signal: SIGTERM)
    XCTAssertEqual(status, 143, stdout + stderr)
    assertContains(stderr, "trial 3 failed: interrupted")
    assertContains(stderr, "tuna: terminated")
    assertLine(stdout, "Study interrupt (minimize): 4 trials: 3 complete, 1 fail")
  }

  /// The first signal is never lost, whichever thread the kernel hands it to.
  func testEveryFirstCtrlCIsHeard() throws {
    for _ in 0..<15 {
      let (status, stdout, stderr) = try runInterrupted([])
      XCTAssertEqual(status, 130, stdout + stderr)
    }
  }

  /// Runs interrupt.lua with `extra` arguments, sends `signal` while trial 3 loops, and returns
  /// the exit status and both streams.
  private func runInterrupted(_ extra: [String], signal: Int32 = SIGINT) throws -> (Int32, String, String) {
    let executable = try XCTUnwrap(TunaProcess.executable, "the tuna executable was not found")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-int-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

    let process = Process()
    process.executableURL = executable
    process.arguments = ["run", "interrupt.lua"] + extra
    process.currentDirectoryURL = TunaProcess.fixtures
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    func output() -> String { String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self) }
    let deadline = Date().addingTimeInterval(30)
    while !output().contains("looping"), process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    XCTAssertTrue(output().contains("looping"), "the script never reached its loop: \(output())")
    kill(process.processIdentifier, signal)
    let exitBy = Date().addingTimeInterval(20)
    while process.isRunning, Date() < exitBy { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning {
      process.terminate()
      XCTFail("tuna did not stop after signal \(signal)")
    }
    process.waitUntilExit()
    XCTAssertEqual(process.terminationReason, .exit)
    return (process.terminationStatus, output(), String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
  }
}
