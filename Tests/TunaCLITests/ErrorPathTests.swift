import Foundation
import XCTest

/// How scripts fail: syntax and runtime errors, caught trial failures, bad arguments, the
/// per-trial time and memory limits, the sandbox. Scripts are in Fixtures/ and run from there,
/// so messages start with the bare file name.
final class ErrorPathTests: XCTestCase {
  func testSyntaxErrorNamesFileAndLine() throws {
    let result = try tuna(["run", "syntax_error.lua"])
    XCTAssertEqual(result.status, 1, result.transcript)
    XCTAssertEqual(result.stderrLines.first, "syntax_error.lua:4: unexpected symbol near '='", result.transcript)
    XCTAssertFalse(result.stdout.contains("never printed"))
    XCTAssertFalse(result.stdout.contains("Study "), "nothing ran, so there is no summary")
  }

  func testRuntimeErrorWithoutCatchPrintsTraceback() throws {
    let result = try tuna(["run", "runtime_error.lua"])
    XCTAssertEqual(result.status, 1, result.transcript)
    XCTAssertFalse(result.stdout.contains("never printed"))
    let lines = result.stderrLines
    XCTAssertTrue(lines.contains { $0.hasPrefix("runtime_error.lua:6: objective exploded at x = ") }, result.transcript)
    guard let traceback = lines.firstIndex(of: "stack traceback:") else {
      return XCTFail("no 'stack traceback:' line\n\(result.transcript)")
    }
    let frames = lines[(traceback + 1)...]
    XCTAssertTrue(frames.contains { $0.hasPrefix("\t") && $0.contains("runtime_error.lua:6:") },
                  "the traceback names the objective's line\n\(result.transcript)")
    XCTAssertTrue(frames.contains { $0.contains("runtime_error.lua:9:") && $0.contains("main chunk") },
                  "the traceback reaches the optimize call\n\(result.transcript)")
  }

  func testCatchRecordsFailuresAndTheStudyGoesOn() throws {
    let result = try tuna(["run", "catch.lua"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "ok catch")
    assertLine(result.stdout, "Study catch (minimize): 6 trials: 2 complete, 4 fail")
    assertLine(result.stderr, "trial 0 failed: catch.lua:7: trial zero fails")
    assertLine(result.stderr, "trial 1 failed: the objective returned nan")
    let lines = result.stderrLines
    XCTAssertTrue(lines.contains { $0.hasPrefix("trial 2 failed: ") && $0.contains("string") }, result.transcript)
    XCTAssertTrue(lines.contains { $0.hasPrefix("trial 3 failed: ") && $0.contains("nil") }, result.transcript)
    XCTAssertFalse(result.stderr.contains("trial 4 failed"))
    XCTAssertFalse(result.stderr.contains("trial 5 failed"))
    XCTAssertEqual(lines.filter { $0.contains("failed:") }.count, 4, result.transcript)
    XCTAssertFalse(result.stdout.contains("failed"), "failure warnings go to stderr")
  }

  func testBadSuggestArgumentsAreReportedAtTheScriptsLine() throws {
    let result = try tuna(["run", "bad_suggest.lua"])
    XCTAssertEqual(result.status, 1, result.transcript)
    let message = "bad argument #3 to 'suggest_float' (low must be <= high, got 5 > 1)"
    assertLine(result.stderr, "trial 0 failed: bad_suggest.lua:4: " + message)
    // The same failure again is counted, not printed again.
    assertLine(result.stderr, "trials 0-1 failed: bad_suggest.lua:4: " + message + " (repeated 2 times)")
    XCTAssertFalse(result.stderr.contains("trial 1 failed"), result.transcript)
    assertLine(result.stderr, "bad_suggest.lua:8: " + message)
    XCTAssertFalse(result.stdout.contains("never printed"))
  }

  /// A typo fails every trial the same way: its first line, then one line with the count, not
  /// twenty lines; a different failure, or a trial that does not fail, ends the run of them.
  func testRepeatedFailuresAreCounted() throws {
    let result = try tuna(["run", "typo.lua"])
    XCTAssertEqual(result.status, 0, result.transcript)
    let failures = result.stderrLines.filter { $0.contains("failed: ") }
    XCTAssertEqual(failures, [
      "trial 0 failed: typo.lua:5: attempt to call a nil value (method 'suggest_flot')",
      "trials 0-19 failed: typo.lua:5: attempt to call a nil value (method 'suggest_flot') (repeated 20 times)",
      "trial 21 failed: typo.lua:3: other",
    ], result.transcript)
  }

  func testTrialTimeoutFailsOnlyTheLoopingTrials() throws {
    let result = try tuna(["run", "--trial-timeout", "0.3", "infinite_loop.lua"], timeout: 30)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "ok loops")
    assertLine(result.stdout, "Study loops (minimize): 5 trials: 2 complete, 3 fail")
    for n in 1...3 {
      XCTAssertTrue(result.stderrLines.contains { $0.hasPrefix("trial \(n) failed: ") && $0.contains("time limit of 0.3 s") },
                    "trial \(n)\n\(result.transcript)")
    }
    XCTAssertFalse(result.stderr.contains("trial 0 failed"))
    XCTAssertFalse(result.stderr.contains("trial 4 failed"))
    XCTAssertLessThan(result.seconds, 10, "three 0.3 s timeouts should not take \(result.seconds) s")
  }

  /// The limit bounds every trial (lua-api.md §7), the Lua sampler's hooks included: a hook that
  /// loops forever must not hang the host.
  func testTrialTimeoutAlsoBoundsLuaSamplerHooks() throws {
    for hook in ["sample_independent", "before_trial", "after_trial"] {
      let result = try TunaProcess.run(["run", "--trial-timeout", "0.3", "hook_loop.lua", "--", hook],
                                       in: TunaProcess.fixtures, timeout: 8)
      guard !result.timedOut else {
        XCTFail("a Lua sampler's \(hook) looping forever hangs tuna despite --trial-timeout 0.3 (killed after 8 s)")
        continue
      }
      XCTAssertTrue(result.stderr.contains("time limit of 0.3 s"), "\(hook)\n\(result.transcript)")
      if hook == "sample_independent" {
        XCTAssertEqual(result.status, 0, result.transcript)
        assertLine(result.stdout, "Study hooks (minimize): 3 trials: 2 complete, 1 fail")
      }
    }
  }

  func testMemoryLimitFailsOnlyTheRunawayTrial() throws {
    let result = try tuna(["run", "--memory-limit", "64MB", "memory.lua"], timeout: 30)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "ok memory")
    assertLine(result.stdout, "Study memory (minimize): 3 trials: 2 complete, 1 fail")
    XCTAssertTrue(result.stderrLines.contains { $0.hasPrefix("trial 1 failed: ") && $0.contains("memory") }, result.transcript)
    XCTAssertEqual(result.stderrLines.filter { $0.contains("failed:") }.count, 1, result.transcript)
    XCTAssertLessThan(result.seconds, 20)
  }

  func testSandbox() throws {
    let result = try tuna(["run", "--sandbox", "sandbox.lua"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "ok sandbox")
    assertLine(result.stdout, "Study sandboxed (minimize): 3 trials: 3 complete")

    // The same script outside the sandbox finds io and fails its first assert.
    let open = try tuna(["run", "sandbox.lua"])
    XCTAssertEqual(open.status, 1, open.transcript)
    assertContains(open.stderr, "sandbox.lua:3: io")
  }
}
