import Foundation
import XCTest

/// What one `tuna` process did.
struct TunaResult {
  var status: Int32
  var stdout: String
  var stderr: String
  /// Wall-clock seconds from launch to exit.
  var seconds: Double
  /// The process ran past its limit and was killed.
  var timedOut: Bool

  var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
  var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

  /// Both streams, for failure messages.
  var transcript: String { "exit \(status)\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)" }
}

/// Finds and runs the built `tuna` executable.
enum TunaProcess {
  /// This package's root: three levels above this file (Tests/TunaCLITests/TunaProcess.swift).
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  static let testScripts = packageRoot.appendingPathComponent("scripts/tests")
  static let examples = packageRoot.appendingPathComponent("scripts/examples")

  /// `$TUNA_EXECUTABLE`, else `tuna` next to the test bundle (the products directory of the
  /// build that built these tests), else `.build/debug/tuna` in this file's package.
  static let executable: URL? = {
    let fm = FileManager.default
    var candidates: [URL] = []
    if let path = ProcessInfo.processInfo.environment["TUNA_EXECUTABLE"], !path.isEmpty {
      candidates.append(URL(fileURLWithPath: path))
    }
    candidates.append(Bundle.main.bundleURL.appendingPathComponent("tuna"))
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tuna"))
    for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
      candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("tuna"))
    }
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while dir.path != "/" {
      candidates.append(dir.appendingPathComponent(".build/debug/tuna"))
      dir.deleteLastPathComponent()
    }
    return candidates.first { url in
      var isDirectory: ObjCBool = false
      return fm.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        && fm.isExecutableFile(atPath: url.path)
    }
  }()

  /// Runs `tuna arguments…` in `directory`, with stdout and stderr captured through files (so a
  /// chatty process can never block on a full pipe) and killed after `timeout` seconds.
  static func run(_ arguments: [String], in directory: URL, timeout: Double) throws -> TunaResult {
    guard let executable else {
      throw NSError(domain: "TunaCLITests", code: 1, userInfo: [
        NSLocalizedDescriptionKey: "the tuna executable was not found (build with --build-tests, or set TUNA_EXECUTABLE)",
      ])
    }
    return try runProgram(executable, arguments, in: directory, timeout: timeout)
  }

  /// Runs any program the same way (a reference interpreter beside `tuna`, for instance).
  static func runProgram(_ executable: URL, _ arguments: [String], in directory: URL, timeout: Double) throws -> TunaResult {
    let fm = FileManager.default
    let scratch = fm.temporaryDirectory.appendingPathComponent("tuna-cli-\(UUID().uuidString)")
    try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    _ = fm.createFile(atPath: outURL.path, contents: nil)
    _ = fm.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)

    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err

    let start = Date()
    try process.run()
    try? out.close()
    try? err.close()
    var timedOut = false
    let deadline = start.addingTimeInterval(timeout)
    while process.isRunning {
      if Date() >= deadline {
        timedOut = true
        process.terminate()
        let grace = Date().addingTimeInterval(2)
        while process.isRunning && Date() < grace { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        break
      }
      usleep(5_000)
    }
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
    let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
    return TunaResult(status: process.terminationStatus, stdout: stdout, stderr: stderr, seconds: seconds, timedOut: timedOut)
  }
}

/// `tuna run`'s exit code when trials ran and none completed (every one failed or was pruned):
/// the scripts that test limits fail every trial on purpose.
let noTrialCompleted: Int32 = 3

extension XCTestCase {
  /// Runs `tuna arguments…` (in the fixtures folder unless told otherwise) and fails the test,
  /// instead of hanging, when it runs past `timeout`.
  func tuna(
    _ arguments: [String], in directory: URL = TunaProcess.fixtures, timeout: Double = 30,
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> TunaResult {
    let result = try TunaProcess.run(arguments, in: directory, timeout: timeout)
    if result.timedOut {
      XCTFail("tuna \(arguments.joined(separator: " ")) ran past \(timeout) s and was killed\n\(result.transcript)",
              file: file, line: line)
    }
    return result
  }

  /// Asserts `text` has a line equal to `line`.
  func assertLine(
    _ text: String, _ expected: String, _ message: String = "", file: StaticString = #filePath, line: UInt = #line
  ) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    XCTAssertTrue(lines.contains(expected), "no line '\(expected)' in:\n\(text)\n\(message)", file: file, line: line)
  }

  /// Asserts `text` contains `part`.
  func assertContains(
    _ text: String, _ part: String, _ message: String = "", file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertTrue(text.contains(part), "'\(part)' not found in:\n\(text)\n\(message)", file: file, line: line)
  }

  /// How many lines of `text` are exactly `expected`.
  func count(_ expected: String, linesIn text: String) -> Int {
    text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0 == expected }.count
  }
}
