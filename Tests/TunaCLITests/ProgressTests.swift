import Foundation
import XCTest

/// The progress line on a terminal, seen through a pseudo-terminal made by util-linux `script`.
final class ProgressTests: XCTestCase {
  /// Runs `tuna arguments…` in the fixtures folder with a terminal as its stdout and stderr;
  /// returns everything it wrote (both streams, as the terminal saw them).
  private func onTerminal(_ arguments: [String]) throws -> (status: Int32, text: String) {
    let executable = try XCTUnwrap(TunaProcess.executable, "the tuna executable was not found")
    let command = ([executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-tty-\(UUID().uuidString).txt")
    defer { try? FileManager.default.removeItem(at: out) }
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]
    process.currentDirectoryURL = TunaProcess.fixtures
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(60)
    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning {
      process.terminate()
      XCTFail("tuna \(arguments) did not finish on the terminal")
    }
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: try Data(contentsOf: out), as: UTF8.self))
  }

  func testProgressLineAndSummaryCountPrunedTrials() throws {
    let plain = try tuna(["run", "pruning.lua"])
    XCTAssertEqual(plain.status, 0, plain.transcript)
    let pruned = try XCTUnwrap(plain.stdout.split(separator: "\n").first { $0.hasPrefix("pruned ") }.flatMap { Int($0.dropFirst(7)) })
    XCTAssertGreaterThan(pruned, 0)
    assertLine(plain.stdout, "Study pruning (minimize): 30 trials: \(30 - pruned) complete, \(pruned) pruned")

    let terminal = try onTerminal(["run", "pruning.lua"])
    XCTAssertEqual(terminal.status, 0, terminal.text)
    // The last drawing of the line, after the last erase, has the final counts.
    let drawn = terminal.text.components(separatedBy: "\u{1B}[2K").last ?? ""
    XCTAssertTrue(drawn.hasPrefix("30/30 trials (\(pruned) pruned)"), "progress line: \(drawn.debugDescription)")
    assertContains(terminal.text, "Study pruning (minimize): 30 trials: \(30 - pruned) complete, \(pruned) pruned")
  }
}
