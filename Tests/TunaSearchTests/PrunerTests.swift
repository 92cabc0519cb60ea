import Foundation
@testable import TunaSearch
import TunaTestSupport
import XCTest

/// Builds studies from hand-made tables of intermediate values and asks a pruner about a trial.
private struct Table {
  let study: Study

  init(direction: StudyDirection = .minimize, pruner: any Pruner, name: String = "table") throws {
    study = try Study.create(name: name, direction: direction, sampler: RandomSampler(seed: 1), pruner: pruner)
  }

  /// A finished trial with these reports (step → value); complete with its last value unless
  /// `state` says otherwise.
  @discardableResult
  func add(_ reports: [Int: Double], state: TrialState = .complete, askEachStep: Bool = false) throws -> FrozenTrial {
    let trial = try study.ask()
    for (step, value) in reports.sorted(by: { $0.key < $1.key }) {
      try trial.report(value, step: step)
      if askEachStep { _ = try trial.shouldPrune() }
    }
    let last = reports.max { $0.key < $1.key }?.value ?? 0
    return try study.tell(trial, values: state == .complete ? [last] : nil, state: state)
  }

  /// A running trial with these reports (in the order given), and the pruner's answer.
  func ask(_ reports: [(Int, Double)]) throws -> (Trial, Bool) {
    let trial = try study.ask()
    for (step, value) in reports { try trial.report(value, step: step) }
    return (trial, try trial.shouldPrune())
  }

  func prunes(_ reports: [(Int, Double)]) throws -> Bool { try ask(reports).1 }
}

final class PercentilePrunerTests: XCTestCase {
  /// Five complete trials whose values at step 1 are 1…5 (median 3).
  private func table(_ pruner: PercentilePruner, direction: StudyDirection = .minimize) throws -> Table {
    let t = try Table(direction: direction, pruner: pruner)
    for v in [1.0, 2, 3, 4, 5] { try t.add([0: v + 10, 1: v, 2: v - 0.5]) }
    return t
  }

  func testMedianComparesTheBestValueSoFarWithTheMedianAtTheStep() throws {
    let t = try table(try .median())
    XCTAssertTrue(try t.prunes([(0, 20), (1, 3.5)]))  // best so far 3.5 > median 3
    XCTAssertFalse(try t.prunes([(0, 20), (1, 3.0)]))  // equal is not worse
    XCTAssertFalse(try t.prunes([(0, 2.0), (1, 9.0)]))  // best so far (2) beats the median 3 at step 1
  }

  func testMaximizeUsesTheMirroredPercentile() throws {
    // 25th percentile for maximize compares with the 75th percentile of the values: 4 at step 1.
    let t = try table(try PercentilePruner(percentile: 25), direction: .maximize)
    XCTAssertTrue(try t.prunes([(0, 0), (1, 3.9)]))
    XCTAssertFalse(try t.prunes([(0, 0), (1, 4.0)]))
    let minimize = try table(try PercentilePruner(percentile: 25))
    XCTAssertTrue(try minimize.prunes([(0, 30), (1, 2.1)]))  // 25th percentile of 1…5 is 2
    XCTAssertFalse(try minimize.prunes([(0, 30), (1, 2.0)]))
  }

  func testStartupWarmupAndMinTrials() throws {
    let startup = try table(try .median(nStartupTrials: 6))
    XCTAssertFalse(try startup.prunes([(1, 100)]))  // only 5 complete
    let warm = try table(try .median(nWarmupSteps: 2))
    XCTAssertFalse(try warm.prunes([(1, 100)]))
    XCTAssertTrue(try warm.prunes([(1, 100), (2, 100)]))
    let few = try table(try .median(nMinTrials: 6))
    XCTAssertFalse(try few.prunes([(1, 100)]))
  }

  func testIntervalChecksTheFirstReportPastEachCheckpoint() throws {
    let t = try Table(pruner: try PercentilePruner.median(nStartupTrials: 1, nWarmupSteps: 1, intervalSteps: 3))
    try t.add(Dictionary(uniqueKeysWithValues: (0...9).map { ($0, 0.0) }))
    XCTAssertFalse(try t.prunes([(0, 5)]))  // before warm-up
    XCTAssertTrue(try t.prunes([(1, 5)]))  // checkpoint 1
    XCTAssertFalse(try t.prunes([(1, 5), (2, 5)]))  // 2 is not a checkpoint
    XCTAssertTrue(try t.prunes([(1, 5), (2, 5), (4, 5)]))  // checkpoint 4
    XCTAssertTrue(try t.prunes([(1, 5), (6, 5)]))  // skipped past 4: first report in [4, 7)
    XCTAssertFalse(try t.prunes([(1, 5), (5, 5), (6, 5)]))  // 5 already checked that interval
  }

  func testTrialsReportingAtOtherStepsAreInterpolated() throws {
    let t = try Table(pruner: try PercentilePruner.median(nStartupTrials: 1))
    try t.add([0: 10, 4: 2])  // at step 2: 6 on the line
    XCTAssertTrue(try t.prunes([(2, 6.5)]))
    XCTAssertFalse(try t.prunes([(2, 5.5)]))
    XCTAssertFalse(try t.prunes([(5, 100)]))  // beyond its last report: no value, no comparison
  }

  func testNaN() throws {
    let t = try table(try .median())
    XCTAssertTrue(try t.prunes([(0, .nan), (1, .nan)]))  // nothing usable
    XCTAssertFalse(try t.prunes([(0, 1), (1, .nan)]))  // best so far is 1
    let withNaN = try Table(pruner: try PercentilePruner.median(nStartupTrials: 1))
    try withNaN.add([0: .nan, 1: .nan])
    XCTAssertFalse(try withNaN.prunes([(1, 100)]))  // no complete value at the step
  }

  func testOutOfOrderReports() throws {
    let t = try table(try .median())
    // The latest step is 2 whatever the order; best so far 10 > median 2.5 at step 2.
    XCTAssertTrue(try t.prunes([(2, 10), (0, 11)]))
  }

  func testArguments() {
    assertThrows(InvalidArgument("percentile", "percentile must be between 0 and 100, got 101")) {
      try PercentilePruner(percentile: 101)
    }
    assertThrows(InvalidArgument("intervalSteps", "intervalSteps must be >= 1, got 0")) {
      try PercentilePruner.median(intervalSteps: 0)
    }
  }
}

final class SuccessiveHalvingPrunerTests: XCTestCase {
  func testRungStepsFollowThePaper() {
    // min_resource · η^(s + k): η = 3, r = 2, s = 1 → 6, 18, 54.
    XCTAssertEqual((0..<3).map { SuccessiveHalvingPruner.rungStep(minResource: 2, reductionFactor: 3, rate: 1 + $0) }, [6, 18, 54])
    XCTAssertNil(SuccessiveHalvingPruner.rungStep(minResource: 2, reductionFactor: 10, rate: 40))
  }

  func testTopOneOverEtaIsPromotedAndDecisionsStick() throws {
    let sha = try SuccessiveHalvingPruner(minResource: .steps(1), reductionFactor: 2)
    let t = try Table(pruner: sha)
    // The first trial at rung 0 (step 1) is alone: promoted.
    let (first, p0) = try t.ask([(0, 9), (1, 5)])
    XCTAssertFalse(p0)
    // Second: 2 competitors, keep max(2/2, 1) = 1: the better of 5 and 6 → pruned.
    XCTAssertTrue(try t.prunes([(1, 6)]))
    // Third: 3 competitors {5, 6, 4}: keep 1 → 4 is the best → promoted.
    XCTAssertTrue(try !t.prunes([(1, 4)]))
    // Fourth: {5, 6, 4, 4.5}: keep 2 → bar 4.5 → promoted; 4.6 would not be.
    XCTAssertFalse(try t.prunes([(1, 4.5)]))
    XCTAssertTrue(try t.prunes([(1, 4.6)]))
    // The first trial was promoted at rung 0 and stays so; at step 2 (rung 1 at 2) it is alone.
    try first.report(5, step: 2)
    XCTAssertFalse(try first.shouldPrune())
    let stored = try first.frozen().systemAttrs
    XCTAssertEqual(stored["sha:rung_0"], .double(5))
    XCTAssertEqual(stored["sha:rung_1"], .double(5))
  }

  func testAPrunedDecisionIsRemembered() throws {
    let t = try Table(pruner: try SuccessiveHalvingPruner(minResource: .steps(1), reductionFactor: 2))
    try t.add([1: 1], askEachStep: true)
    let (trial, pruned) = try t.ask([(1, 3)])
    XCTAssertTrue(pruned)
    try trial.report(0, step: 5)  // improving later changes nothing: ASHA judged it at rung 0
    XCTAssertTrue(try trial.shouldPrune())
  }

  func testMinEarlyStoppingRateDelaysTheFirstRung() throws {
    let t = try Table(pruner: try SuccessiveHalvingPruner(minResource: .steps(1), reductionFactor: 3, minEarlyStoppingRate: 1))
    try t.add([3: 1], askEachStep: true)
    XCTAssertFalse(try t.prunes([(1, 100), (2, 100)]))  // rung 0 sits at step 3
    XCTAssertTrue(try t.prunes([(3, 100)]))
  }

  func testMaximize() throws {
    let t = try Table(direction: .maximize, pruner: try SuccessiveHalvingPruner(minResource: .steps(1), reductionFactor: 2))
    try t.add([1: 0.9], askEachStep: true)
    XCTAssertTrue(try t.prunes([(1, 0.5)]))
    XCTAssertFalse(try t.prunes([(1, 0.95)]))
  }

  func testNaNAtARungIsPruned() throws {
    let t = try Table(pruner: try SuccessiveHalvingPruner(minResource: .steps(1), reductionFactor: 2))
    XCTAssertFalse(try t.prunes([(0, .nan)]))  // below the first rung
    XCTAssertTrue(try t.prunes([(1, .nan)]))
  }

  func testBootstrapCount() throws {
    let t = try Table(pruner: try SuccessiveHalvingPruner(minResource: .steps(1), reductionFactor: 2, bootstrapCount: 2))
    XCTAssertTrue(try t.prunes([(1, 1)]))  // alone at the rung: not enough to promote
    XCTAssertTrue(try t.prunes([(1, 0.5)]))  // two: still not more than 2
    XCTAssertFalse(try t.prunes([(1, 0.1)]))  // three, and the best
  }

  func testAutoMinResourceWaitsForACompleteTrial() throws {
    let t = try Table(pruner: try SuccessiveHalvingPruner(minResource: .auto, reductionFactor: 2))
    XCTAssertFalse(try t.prunes([(500, 9)]))
    try t.add(Dictionary(uniqueKeysWithValues: (0..<300).map { ($0, 1.0) }))  // last step 299 → min resource 2
    let (trial, pruned) = try t.ask([(1, 100)])
    XCTAssertFalse(pruned)  // step 1 < 2
    try trial.report(100, step: 2)
    XCTAssertFalse(try trial.shouldPrune())  // alone at rung 0 (the complete trial never asked)
    XCTAssertTrue(try t.prunes([(2, 200)]))
  }

  func testArguments() {
    assertThrows(InvalidArgument("reductionFactor", "reductionFactor must be >= 2, got 1")) {
      try SuccessiveHalvingPruner(reductionFactor: 1)
    }
    assertThrows(InvalidArgument("minResource", "minResource must be >= 1 or \"auto\", got 0")) {
      try SuccessiveHalvingPruner(minResource: .steps(0))
    }
  }
}

final class HyperbandPrunerTests: XCTestCase {
  func testBracketsAndTheirSharesFollowThePaper() throws {
    // R = 81, r = 1, η = 3: s_max = 4, five brackets; n_s = ⌈5 · 3^s / (s + 1)⌉ for s = 4…0.
    let hb = try HyperbandPruner(minResource: 1, maxResource: 81, reductionFactor: 3)
    XCTAssertEqual(hb.brackets.count, 5)
    XCTAssertEqual(hb.weights, [81, 34, 15, 8, 5])
    XCTAssertEqual(hb.brackets.map(\.minEarlyStoppingRate), [0, 1, 2, 3, 4])
    // The last bracket's first rung is at the maximum resource.
    XCTAssertEqual(SuccessiveHalvingPruner.rungStep(minResource: 1, reductionFactor: 3, rate: 4), 81)
    // R = 20, r = 1, η = 3: s_max = 2 (9 ≤ 20 < 27).
    XCTAssertEqual(try HyperbandPruner(minResource: 1, maxResource: 20, reductionFactor: 3).brackets.count, 3)
  }

  func testTrialsSpreadOverBracketsInProportion() throws {
    let hb = try HyperbandPruner(minResource: 1, maxResource: 81, reductionFactor: 3)
    var counts = [Int](repeating: 0, count: 5)
    for n in 0..<14_300 { counts[hb.bracket(ofTrial: n, studyName: "s")] += 1 }
    let total = Double(hb.weights.reduce(0, +))
    for (i, w) in hb.weights.enumerated() {
      XCTAssertEqual(Double(counts[i]) / 14_300, Double(w) / total, accuracy: 0.02, "bracket \(i)")
    }
    XCTAssertEqual(hb.bracket(ofTrial: 7, studyName: "s"), hb.bracket(ofTrial: 7, studyName: "s"))
  }

  func testBracketsKeepSeparateRungs() throws {
    let hb = try HyperbandPruner(minResource: 1, maxResource: 9, reductionFactor: 3)
    let t = try Table(pruner: hb, name: "hb")
    var decisions: [Int: [Bool]] = [:]
    for _ in 0..<40 {
      let trial = try t.study.ask()
      let bracket = hb.bracket(ofTrial: trial.number, studyName: "hb")
      try trial.report(Double(40 - trial.number), step: 9)  // every trial better than all before it
      decisions[bracket, default: []].append(try trial.shouldPrune())
      let keys = try trial.frozen().systemAttrs.keys.filter { $0.hasPrefix("hyperband:") }
      XCTAssertTrue(keys.allSatisfy { $0.hasPrefix("hyperband:\(bracket):") }, "\(keys)")
      try t.study.tell(trial, values: [1])
    }
    // Improving trials are always promoted in every bracket.
    XCTAssertEqual(decisions.values.flatMap { $0 }.filter { $0 }.count, 0)
  }

  func testSamplersSeeOnlyTheirBracket() throws {
    let hb = try HyperbandPruner(minResource: 1, maxResource: 27, reductionFactor: 3)
    final class Spy: Sampler {
      let seed: UInt64 = 0
      var seen: [(trial: Int, numbers: [Int])] = []
      func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
        seen.append((try context.trial().number, try context.history.trials().map(\.number)))
        return .float(0.5)
      }
    }
    let spy = Spy()
    let study = try Study.create(name: "brackets", direction: .minimize, sampler: spy, pruner: hb)
    try study.optimize(nTrials: 30) { t in try t.suggestFloat("x", 0, 1) }
    XCTAssertEqual(spy.seen.count, 30)
    for (trial, numbers) in spy.seen {
      let mine = hb.bracket(ofTrial: trial, studyName: "brackets")
      XCTAssertTrue(numbers.allSatisfy { hb.bracket(ofTrial: $0, studyName: "brackets") == mine })
      XCTAssertTrue(numbers.contains(trial))
    }
    XCTAssertTrue(Set(spy.seen.map { hb.bracket(ofTrial: $0.trial, studyName: "brackets") }).count > 1)
  }

  func testArguments() {
    assertThrows(InvalidArgument("maxResource", "maxResource must be greater than minResource, got 3 <= 3")) {
      try HyperbandPruner(minResource: 3, maxResource: 3)
    }
  }
}

final class ThresholdPatientWilcoxonTests: XCTestCase {
  func testThreshold() throws {
    let t = try Table(pruner: try ThresholdPruner(lower: 0, upper: 1))
    XCTAssertFalse(try t.prunes([(0, 0.5)]))
    XCTAssertTrue(try t.prunes([(0, 1.5)]))
    XCTAssertTrue(try t.prunes([(0, -0.1)]))
    XCTAssertTrue(try t.prunes([(0, .nan)]))
    XCTAssertFalse(try t.prunes([(3, 0.5), (0, 5)]))  // the latest step is 3
    let warm = try Table(pruner: try ThresholdPruner(upper: 1, nWarmupSteps: 2))
    XCTAssertFalse(try warm.prunes([(1, 9)]))
    XCTAssertTrue(try warm.prunes([(1, 9), (2, 9)]))
    assertThrows(InvalidArgument("lower", "threshold needs lower, upper or both")) { try ThresholdPruner() }
    assertThrows(InvalidArgument("lower", "lower must be <= upper, got 2 > 1")) { try ThresholdPruner(lower: 2, upper: 1) }
  }

  func testPatientWaitsForPatiencePlusOneReportsWithoutImprovement() throws {
    let t = try Table(pruner: try PatientPruner(wrapped: nil, patience: 2))
    XCTAssertFalse(try t.prunes([(0, 5), (1, 5), (2, 5)]))  // only 3 reports: no "before" part
    XCTAssertFalse(try t.prunes([(0, 5), (1, 5), (2, 5), (3, 5)]))  // holding the best is not getting worse
    XCTAssertTrue(try t.prunes([(0, 5), (1, 6), (2, 6), (3, 5.5)]))  // best of the last 3 (5.5) is worse than 5
    XCTAssertFalse(try t.prunes([(0, 5), (1, 6), (2, 6), (3, 4.9)]))  // improved inside the window
    let delta = try Table(pruner: try PatientPruner(wrapped: nil, patience: 1, minDelta: 0.5))
    XCTAssertTrue(try delta.prunes([(0, 5), (1, 4.8), (2, 4.7)]))  // improved by 0.3 < 0.5
    XCTAssertFalse(try delta.prunes([(0, 5), (1, 4.4), (2, 4.7)]))
    // Maximize, and reports out of order.
    let up = try Table(direction: .maximize, pruner: try PatientPruner(wrapped: nil, patience: 1))
    XCTAssertTrue(try up.prunes([(2, 0.5), (0, 0.9), (1, 0.6)]))
    XCTAssertFalse(try up.prunes([(2, 0.95), (0, 0.9), (1, 0.6)]))
    // NaN in the window is no improvement.
    XCTAssertTrue(try t.prunes([(0, 5), (1, .nan), (2, .nan), (3, .nan)]))
  }

  func testPatientDefersToTheWrappedPruner() throws {
    let never = try Table(pruner: try PatientPruner(wrapped: NopPruner(), patience: 0))
    XCTAssertFalse(try never.prunes([(0, 5), (1, 6)]))
    let bounded = try Table(pruner: try PatientPruner(wrapped: try ThresholdPruner(upper: 10), patience: 0))
    XCTAssertFalse(try bounded.prunes([(0, 5), (1, 6)]))
    XCTAssertTrue(try bounded.prunes([(0, 5), (1, 11)]))
  }

  func testSignedRankPValuesMatchPublishedValues() {
    // All 5 positive: exact P = 1/32.
    XCTAssertEqual(SignedRankTest.pValueGreater([1, 2, 3, 4, 5]), 1.0 / 32, accuracy: 1e-12)
    // W+ = 2 + 4 + 5 = 11 (ranks of 2, 4, 5 among |d| = 1…5): P(W+ ≥ 11) = 7/32.
    XCTAssertEqual(SignedRankTest.pValueGreater([-1, 2, -3, 4, 5]), 7.0 / 32, accuracy: 1e-12)
    // Zeros are dropped; nothing left gives 1.
    XCTAssertEqual(SignedRankTest.pValueGreater([0, 0]), 1)
    XCTAssertEqual(SignedRankTest.pValueGreater([0, 1]), 0.5, accuracy: 1e-12)
    // Ties share ranks: |d| = 1, 1 → ranks 1.5, 1.5; both positive: P = 1/4.
    XCTAssertEqual(SignedRankTest.pValueGreater([1, 1]), 0.25, accuracy: 1e-12)
    // The normal approximation agrees with the exact tail near n = 50.
    let d = (1...60).map { Double($0) * ($0 % 4 == 0 ? -1 : 1) }
    let exactish = SignedRankTest.pValueGreater(Array(d.prefix(50)))
    XCTAssertTrue(exactish > 0 && exactish < 0.01)
    let approx = SignedRankTest.pValueGreater(d)
    XCTAssertTrue(approx > 0 && approx < 0.01, "\(approx)")
  }

  func testWilcoxonPrunesATrialWorseOnMostFolds() throws {
    let t = try Table(pruner: try WilcoxonPruner(pThreshold: 0.1, nStartupSteps: 2))
    let folds = [0.10, 0.20, 0.15, 0.30, 0.25]
    try t.add(Dictionary(uniqueKeysWithValues: folds.enumerated().map { ($0, $1) }))  // the best trial
    // Worse on every one of 4 folds: P = 1/16 < 0.1.
    XCTAssertTrue(try t.prunes(folds.prefix(4).enumerated().map { ($0, $1 + 0.05) }))
    // Worse on 3 folds: P = 1/8 ≥ 0.1.
    XCTAssertFalse(try t.prunes(folds.prefix(3).enumerated().map { ($0, $1 + 0.05) }))
    // Only one fold: before n_startup_steps.
    XCTAssertFalse(try t.prunes([(0, 9)]))
    // Better on average even though worse on most folds: kept.
    XCTAssertFalse(try t.prunes([(0, 0.11), (1, 0.21), (2, 0.16), (3, 0.31), (4, -0.5)]))
    // NaN counts as worse.
    XCTAssertTrue(try t.prunes([(0, .nan), (1, .nan), (2, .nan), (3, .nan)]))
    // Steps out of order are paired by step.
    XCTAssertTrue(try t.prunes([(3, 0.35), (0, 0.15), (2, 0.2), (1, 0.25)]))
  }

  func testWilcoxonMaximize() throws {
    let t = try Table(direction: .maximize, pruner: try WilcoxonPruner())
    try t.add([0: 0.9, 1: 0.8, 2: 0.85, 3: 0.95])
    XCTAssertTrue(try t.prunes([(0, 0.8), (1, 0.7), (2, 0.75), (3, 0.85)]))
    XCTAssertFalse(try t.prunes([(0, 0.95), (1, 0.85), (2, 0.9), (3, 0.99)]))
  }
}

/// Every built-in pruner passes the conformance suite.
final class PrunerConformanceTests: XCTestCase {
  func testBuiltInPrunersPass() throws {
    try checkPruner({ NopPruner() }, name: "nop", expectsPruning: false)
    try checkPruner({ try PercentilePruner.median() }, name: "median")
    try checkPruner({ try PercentilePruner(percentile: 25, nWarmupSteps: 1, intervalSteps: 2) }, name: "percentile")
    try checkPruner({ try SuccessiveHalvingPruner() }, name: "successive_halving")
    try checkPruner({ try SuccessiveHalvingPruner(minResource: .auto, reductionFactor: 3) }, name: "successive_halving auto")
    try checkPruner({ try HyperbandPruner(minResource: 1, maxResource: 9, reductionFactor: 3) }, name: "hyperband")
    try checkPruner({ try ThresholdPruner(lower: -100, upper: 1_000) }, name: "threshold", directionSymmetric: false)
    try checkPruner({ try PatientPruner(wrapped: nil, patience: 2, minDelta: 0.1) }, name: "patient")
    try checkPruner({ try PatientPruner(wrapped: try PercentilePruner.median(), patience: 1, minDelta: 0.1) }, name: "patient(median)")
    try checkPruner({ try WilcoxonPruner() }, name: "wilcoxon")
  }
}
