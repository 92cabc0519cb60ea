import Foundation
import XCTest

/// The command line: overrides, script arguments, usage errors, quiet and non-terminal output, help.
final class CommandLineTests: XCTestCase {
  private func lines(_ prefix: String, in result: TunaResult) -> [String] {
    result.stdoutLines.filter { $0.hasPrefix(prefix) }
  }

  func testTrialsAndSeedOverrideTheScript() throws {
    let first = try tuna(["run", "--seed", "123", "--trials", "7", "seeded.lua"])
    let second = try tuna(["run", "--seed", "123", "--trials", "7", "seeded.lua"])
    XCTAssertEqual(first.status, 0, first.transcript)
    XCTAssertEqual(first.stdout, second.stdout, "the same --seed gives the same output")
    XCTAssertEqual(lines("a ", in: first).count, 7, "--trials overrides n_trials = 50")
    XCTAssertEqual(lines("b ", in: first).count, 7)
    assertLine(first.stdout, "Study seeded (minimize): 7 trials: 7 complete")
    assertLine(first.stdout, "Study default-sampler (minimize): 7 trials: 7 complete")

    let other = try tuna(["run", "--seed", "124", "--trials", "7", "seeded.lua"])
    XCTAssertNotEqual(lines("a ", in: other), lines("a ", in: first), "another --seed samples differently")
    XCTAssertNotEqual(lines("b ", in: other), lines("b ", in: first), "--seed reaches the default sampler too")

    // Without --seed the script's seed (1) holds for the seeded sampler.
    let scriptSeed = try tuna(["run", "--trials", "7", "seeded.lua"])
    let seedOne = try tuna(["run", "--seed", "1", "--trials", "7", "seeded.lua"])
    XCTAssertNotEqual(lines("a ", in: scriptSeed), lines("a ", in: first), "--seed overrides the script's seed")
    XCTAssertEqual(lines("a ", in: scriptSeed), lines("a ", in: seedOne))

    let full = try tuna(["run", "--quiet", "seeded.lua"])
    XCTAssertEqual(lines("a ", in: full).count, 50, "without --trials the script's n_trials holds")
  }

  func testTimeoutEndsAnUnboundedOptimize() throws {
    let result = try tuna(["run", "--timeout", "0.3", "endless.lua"], timeout: 30)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "ok endless")
    XCTAssertLessThan(result.seconds, 10)
  }

  func testScriptArgumentsAfterDoubleDash() throws {
    let result = try tuna(["run", "args.lua", "--", "a", "--quiet", "b c"])
    XCTAssertEqual(result.status, 0, result.transcript)
    XCTAssertEqual(result.stdout, "args: 3|3|a|--quiet|b c\n", "flags after -- belong to the script")

    let none = try tuna(["run", "args.lua"])
    XCTAssertEqual(none.stdout, "args: 0|0\n")
  }

  func testUsageErrorsExitTwo() throws {
    let cases: [(arguments: [String], mentions: String)] = [
      (["run", "no_such_script.lua"], "no_such_script.lua"),
      (["run"], "<script>"),
      (["run", "--bogus", "catch.lua"], "--bogus"),
      (["run", "--memory-limit", "lots", "catch.lua"], "--memory-limit"),
      (["run", "--memory-limit", "-5MB", "catch.lua"], "--memory-limit"),
      (["run", "--trials", "many", "catch.lua"], "--trials"),
      (["run", "--trial-timeout", "0", "catch.lua"], "--trial-timeout"),
      // A number without a unit, a negative count and a storage URL Tuna cannot open are usage
      // mistakes found before the script runs, each with what was expected.
      (["run", "--memory-limit", "64", "catch.lua"], "with a unit, like 256MB"),
      (["run", "--trials", "-3", "catch.lua"], "--trials must be >= 0, got -3"),
      (["run", "--workers", "-1", "catch.lua"], "--workers must be >= 1, got -1"),
      (["run", "--timeout", "-2", "catch.lua"], "--timeout must be > 0 seconds"),
      (["run", "--storage", "foo:bar", "catch.lua"], "--storage: unrecognized storage URL 'foo:bar'"),
      (["run", "--storage", "sqlite://host/x.db", "catch.lua"], "--storage: unrecognized storage URL"),
      (["walk"], "walk"),
      (["run", "--fail-after", "0", "catch.lua"], "--fail-after must be >= 1"),
      (["run", "--log-format", "xml", "catch.lua"], "--log-format"),
    ]
    for (arguments, mentions) in cases {
      let result = try tuna(arguments)
      XCTAssertEqual(result.status, 2, "tuna \(arguments.joined(separator: " "))\n\(result.transcript)")
      assertContains(result.stderr, mentions, "tuna \(arguments.joined(separator: " "))")
      // One prefix for every message of Tuna's own, usage errors (exit 2) as others (exit 1).
      XCTAssertTrue(result.stderr.hasPrefix("tuna: "), "tuna \(arguments.joined(separator: " ")): \(result.stderr)")
      XCTAssertFalse(result.stdout.contains("ok catch"), "the script must not run")
    }
  }

  /// A negative seed is a seed like any other.
  func testNegativeSeed() throws {
    let result = try tuna(["run", "--seed", "-5", "--quiet", "catch.lua"])
    XCTAssertEqual(result.status, 0, result.transcript)
  }

  func testQuietPrintsNoSummary() throws {
    let result = try tuna(["run", "--quiet", "catch.lua"])
    XCTAssertEqual(result.status, 0, result.transcript)
    XCTAssertEqual(result.stdout, "ok catch\n", "only the script's own output")
  }

  func testNoControlCharactersWhenNotATerminal() throws {
    for arguments in [["run", "catch.lua"], ["run", "--trials", "300", "seeded.lua"], ["run", "runtime_error.lua"]] {
      let result = try tuna(arguments)
      let text = result.stdout + result.stderr
      let controls = text.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || $0.value == 0x7F }
      XCTAssertTrue(controls.isEmpty, "control characters \(controls.map { $0.value }) in the output of \(arguments)")
      XCTAssertFalse(text.contains("\r"))
      XCTAssertFalse(text.contains("\u{1B}"))
    }
  }

  func testHelp() throws {
    let root = try tuna(["--help"])
    XCTAssertEqual(root.status, 0, root.transcript)
    assertContains(root.stdout + root.stderr, "run")

    let run = try tuna(["run", "--help"])
    XCTAssertEqual(run.status, 0, run.transcript)
    for flag in ["--trials", "--timeout", "--seed", "--trial-timeout", "--memory-limit", "--sandbox", "--quiet"] {
      assertContains(run.stdout + run.stderr, flag)
    }
  }

  /// The helper's own guard: a process that never ends is killed at the limit, not waited for.
  func testHangingProcessIsKilledAtTheLimit() throws {
    let result = try TunaProcess.run(["run", "endless.lua"], in: TunaProcess.fixtures, timeout: 1)
    XCTAssertTrue(result.timedOut)
    XCTAssertLessThan(result.seconds, 5)
    XCTAssertNotEqual(result.status, 0)
  }

  /// A study opened twice (load_if_exists) is one study: the summary lists it once.
  func testSummaryListsEachStudyOnce() throws {
    let result = try tuna(["run", "loaded_twice.lua"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "ok loaded_twice")
    XCTAssertEqual(count("Study twice (minimize): 5 trials: 5 complete", linesIn: result.stdout), 1, result.stdout)
  }
}
