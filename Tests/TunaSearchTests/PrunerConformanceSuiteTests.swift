import Foundation
import TunaSearch
@testable import TunaTestSupport
import XCTest

/// The pruner conformance suite must fail for broken pruners: each one below breaks one rule.
final class PrunerConformanceSuiteTests: XCTestCase {
  private func failures(
    directionSymmetric: Bool = true, expectsPruning: Bool = true, _ make: @escaping () -> any Pruner
  ) throws -> [String] {
    var failures: [String] = []
    let r = ConformanceReporter(subject: "test", file: #filePath, line: #line) { failures.append($0) }
    try prunerConformance(make, directionSymmetric: directionSymmetric, expectsPruning: expectsPruning, r)
    return failures
  }

  private func assertReports(_ failures: [String], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(
      failures.contains { $0.contains(fragment) }, "no failure mentions '\(fragment)'; got \(failures.prefix(5))",
      file: file, line: line)
  }

  private final class Broken: Pruner {
    // A pruner that writes reports through the storage can no longer be written: its context
    // offers no storage, only the trial's system attributes (a decision, which the suite checks
    // for consistency by asking twice).
    enum Flaw { case throwsOnNaN, ignoresDirection, flips, decidesBackwards, prunesUnreported, never }
    let flaw: Flaw
    var calls = 0
    init(_ flaw: Flaw) { self.flaw = flaw }

    func shouldPrune(_ context: PrunerContext) throws -> Bool {
      let trial = context.trial
      calls += 1
      switch flaw {
      case .throwsOnNaN:
        if trial.intermediateValues.values.contains(where: \.isNaN) { throw StudyError("NaN!") }
        return false
      case .ignoresDirection:
        return (trial.lastStep?.value ?? 0) > 1_000
      case .flips:
        return calls % 2 == 0
      case .decidesBackwards:
        // Remembers a decision, then contradicts it when asked again.
        let asked = try context.currentTrial().systemAttrs["broken:asked"] != nil
        try context.setSystemAttr("broken:asked", .bool(true))
        return asked
      case .prunesUnreported:
        return true
      case .never:
        return false
      }
    }
  }

  func testSoundPrunerPasses() throws {
    let median: () -> any Pruner = { (try? PercentilePruner.median()) ?? NopPruner() }
    XCTAssertEqual(try failures(median), [])
    XCTAssertEqual(try failures(expectsPruning: false) { NopPruner() }, [])
  }

  func testEachBrokenRuleIsReported() throws {
    assertReports(try failures { Broken(.throwsOnNaN) }, "unexpected error: NaN!")
    assertReports(try failures { Broken(.ignoresDirection) }, "minimizing v answered true, maximizing -v answered false")
    XCTAssertFalse(try failures(directionSymmetric: false) { Broken(.ignoresDirection) }.contains { $0.contains("[direction]") })
    assertReports(try failures { Broken(.flips) }, "asked twice it answered")
    assertReports(try failures { Broken(.decidesBackwards) }, "asked twice it answered")
    assertReports(try failures { Broken(.prunesUnreported) }, "a trial with no reports was pruned")
    assertReports(try failures { Broken(.never) }, "was never pruned")
  }
}
