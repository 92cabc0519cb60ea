import Foundation
import XCTest

/// SIGINT finishes cleanly: the running trial is marked failed ("interrupted"), no other trial
/// starts, the summary prints, and the exit code is 130.
final class InterruptTests: XCTestCase {
  func testSigintFailsTheRunningTrialAndExits130() throws {
    let executable = try XCTUnwrap(TunaProcess.executable, "the tuna executable was not found")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-int-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

    let process = Process()
    process.executableURL = executable
    process.arguments = ["run", "interrupt.lua"]
    process.currentDirectoryURL = TunaProcess.fixtures
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    func output() -> String { String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self) }
    let deadline = Date().addingTimeInterval(30)
    while !output().contains("looping"), process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    XCTAssertTrue(output().contains("looping"), "the script never reached its loop: \(output())")
    kill(process.processIdentifier, SIGINT)
    let exitBy = Date().addingTimeInterval(20)
    while process.isRunning, Date() < exitBy { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning {
      process.terminate()
      XCTFail("tuna did not stop after SIGINT")
      return
    }
    let stdout = output()
    let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 130, stdout + stderr)
    XCTAssertEqual(process.terminationReason, .exit)
    assertContains(stderr, "trial 3 failed: interrupted")
    assertContains(stderr, "tuna: interrupted")
    assertLine(stdout, "Study interrupt (minimize): 4 trials: 3 complete, 1 fail")
    XCTAssertFalse(stdout.contains("not reached"))
  }
}
