import Foundation
import XCTest

/// What `tuna run` says while it runs: a line per finished trial off a terminal, log levels and
/// JSON, the progress line that keeps moving during a long trial, the exit code of a run whose
/// trials all failed, and --fail-after.
final class RunLogTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-log-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try """
      local s = tuna.create_study{ name = "log", sampler = tuna.samplers.random{ seed = 1 } }
      s:optimize(function(t)
        local x = t:suggest_float("x", 0, 1)
        local kind = t:suggest_categorical("kind", { "a", "b" })
        if t.number == 2 then error("bad luck") end
        if t.number == 3 then t:report(0.5, 4) t:prune() end
        return x
      end, { n_trials = 5 })
      """.write(to: directory.appendingPathComponent("mixed.lua"), atomically: true, encoding: .utf8)
    try """
      local s = tuna.create_study{ name = "typo" }
      s:optimize(function(t) local x = t:suggest_float("x", 0, 1) return x.y end, { n_trials = 100 })
      """.write(to: directory.appendingPathComponent("typo.lua"), atomically: true, encoding: .utf8)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  private func run(_ arguments: [String]) throws -> TunaResult { try tuna(["run"] + arguments, in: directory) }

  func testOneLinePerTrialOffATerminal() throws {
    let result = try run(["mixed.lua"])
    XCTAssertEqual(result.status, 0, result.transcript)
    let lines = result.stderrLines.filter { !$0.isEmpty }
    XCTAssertEqual(lines.count, 5, result.stderr)
    XCTAssertTrue(lines[0].hasPrefix("trial 0 complete in "), lines[0])
    XCTAssertTrue(lines[0].contains(": value ") && lines[0].contains("kind = \"") && lines[0].contains("x = "), lines[0])
    XCTAssertTrue(lines[0].hasSuffix("(trial 0)"), lines[0])
    XCTAssertEqual(lines[2], "trial 2 failed: mixed.lua:5: bad luck")
    XCTAssertTrue(lines[3].hasPrefix("trial 3 pruned at step 4 in "), lines[3])
    XCTAssertTrue(lines[3].contains(": value 0.5;"), lines[3])
    assertLine(result.stdout, "Study log (minimize): 5 trials: 3 complete, 1 pruned, 1 fail")
  }

  func testLevels() throws {
    let quiet = try run(["--quiet", "mixed.lua"])
    XCTAssertEqual(quiet.status, 0, quiet.transcript)
    XCTAssertEqual(quiet.stderr, "trial 2 failed: mixed.lua:5: bad luck\n")
    XCTAssertEqual(quiet.stdout, "")
    let errors = try run(["--log-level", "error", "mixed.lua"])
    XCTAssertEqual(errors.stderr, "")
    XCTAssertEqual(errors.stdout, "")
    let info = try run(["--log-level", "info", "mixed.lua"])
    XCTAssertEqual(info.stderrLines.filter { !$0.isEmpty }.count, 5)
    let debug = try run(["-v", "mixed.lua"])
    XCTAssertEqual(debug.stderrLines.filter { $0.hasSuffix(" started") }.count, 5, debug.stderr)
    let both = try run(["--quiet", "--verbose", "mixed.lua"])
    XCTAssertEqual(both.status, 2, both.transcript)
    let bad = try run(["--log-level", "loud", "mixed.lua"])
    XCTAssertEqual(bad.status, 2, bad.transcript)
  }

  func testJSONLog() throws {
    let result = try run(["--log-format", "json", "mixed.lua"])
    XCTAssertEqual(result.status, 0, result.transcript)
    let events = try result.stderrLines.filter { !$0.isEmpty }.map { line in
      try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }
    XCTAssertEqual(events.compactMap { $0["event"] as? String }, ["optimize_started"] + Array(repeating: "trial_finished", count: 5) + ["optimize_finished"])
    for event in events {
      let time = try XCTUnwrap(event["time"] as? String)
      XCTAssertNotNil(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/), time)
      XCTAssertEqual(event["study"] as? String, "log")
    }
    let trials = events.filter { $0["event"] as? String == "trial_finished" }
    XCTAssertEqual(trials.compactMap { $0["state"] as? String }, ["complete", "complete", "fail", "pruned", "complete"])
    XCTAssertEqual(trials[2]["level"] as? String, "warning")
    XCTAssertTrue((trials[2]["fail_reason"] as? String)?.hasPrefix("mixed.lua:5: bad luck\nstack traceback:") ?? false)
    XCTAssertEqual((trials[0]["params"] as? [String: Any])?.keys.sorted(), ["kind", "x"])
    XCTAssertEqual(trials[4]["best_trial"] as? Int, [0, 1, 4].min { (trials[$0]["values"] as! [Double])[0] < (trials[$1]["values"] as! [Double])[0] })
  }

  /// Every trial failing is not success: exit 3 (a script error stays 1). --fail-after stops a
  /// study whose trials all fail the same way.
  func testExitCodesAndFailAfter() throws {
    let all = try run(["typo.lua", "--trials", "6"])
    XCTAssertEqual(all.status, noTrialCompleted, all.transcript)
    assertContains(all.stderr, "trials 0-5 failed: typo.lua:2: attempt to index a number value (local 'x') (repeated 6 times)")
    assertContains(all.stderr, "tuna: no trial completed (6 finished, none complete)")
    let stopped = try run(["typo.lua", "--fail-after", "3"])
    XCTAssertEqual(stopped.status, noTrialCompleted, stopped.transcript)
    assertContains(stopped.stderr, "study typo stopped: 3 trials in a row failed (the last: typo.lua:2: attempt to index")
    assertLine(stopped.stdout, "Study typo (minimize): 3 trials: 3 fail")
    // With workers the failures in a row count across them: one stop, a handful of trials.
    let workers = try run(["typo.lua", "--fail-after", "3", "--workers", "2"])
    XCTAssertEqual(workers.status, noTrialCompleted, workers.transcript)
    XCTAssertEqual(workers.stderr.components(separatedBy: "study typo stopped: ").count - 1, 1, workers.stderr)
    let total = try XCTUnwrap(workers.stdout.firstMatch(of: /Study typo \(minimize\): (\d+) trials/).flatMap { Int($0.1) })
    XCTAssertTrue((3...4).contains(total), workers.stdout)
    try "error('at the top')\n".write(to: directory.appendingPathComponent("broken.lua"), atomically: true, encoding: .utf8)
    XCTAssertEqual(try run(["broken.lua"]).status, 1)
    XCTAssertEqual(try run(["typo.lua", "--fail-after", "0"]).status, 2)
    // In a script: max_consecutive_failures.
    try """
      local s = tuna.create_study{ name = "k" }
      s:optimize(function(t) if t.number >= 2 then error("broke") end return 1 end, { n_trials = 50, max_consecutive_failures = 4 })
      print(#s:trials())
      """.write(to: directory.appendingPathComponent("k.lua"), atomically: true, encoding: .utf8)
    let k = try run(["k.lua", "--quiet"])
    XCTAssertEqual(k.status, 0, k.transcript)
    XCTAssertEqual(k.stdout, "6\n")
  }

  /// On a terminal the progress line is redrawn while a long trial runs, with the trial's time
  /// and its last reported value.
  func testTheProgressLineMovesDuringALongTrial() throws {
    try """
      local s = tuna.create_study{ name = "slow" }
      s:optimize(function(t)
        local start = os.clock()
        local step = 0
        while os.clock() - start < 2.5 do
          local tick = os.clock()
          while os.clock() - tick < 0.2 do end
          step = step + 1
          t:report(step / 10, step)
        end
        return 1
      end, { n_trials = 1 })
      """.write(to: directory.appendingPathComponent("slow.lua"), atomically: true, encoding: .utf8)
    let executable = try XCTUnwrap(TunaProcess.executable)
    let out = directory.appendingPathComponent("tty.txt")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    p.arguments = ["-qec", "'\(executable.path)' run slow.lua", "/dev/null"]
    p.currentDirectoryURL = directory
    p.standardOutput = try FileHandle(forWritingTo: out)
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    let text = String(decoding: try Data(contentsOf: out), as: UTF8.self)
    let drawings = text.components(separatedBy: "\u{1B}[2K").filter { $0.contains("trial 0 running") }
    XCTAssertGreaterThanOrEqual(drawings.count, 2, text.debugDescription)
    XCTAssertTrue(drawings.last?.contains("(step ") ?? false, text.debugDescription)
  }
}
