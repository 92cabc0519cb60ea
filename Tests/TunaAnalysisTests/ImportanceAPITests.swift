import Foundation
import TunaSearch
import XCTest

@testable import TunaAnalysis

/// `parameterImportances` and `parameterInteractions`: what every caller relies on.
final class ImportanceAPITests: XCTestCase {
  func mixed() throws -> Fixture { try Fixture("mixed") }

  func testNormalizedImportancesSumToOneInDescendingOrder() throws {
    let f = try mixed()
    for evaluator in ImportanceEvaluator.allCases {
      let imp = try parameterImportances(f.trials, directions: f.directions, options: ImportanceOptions(evaluator: evaluator))
      XCTAssertEqual(imp.reduce(0) { $0 + $1.importance }, 1, accuracy: 1e-12, "\(evaluator)")
      XCTAssertEqual(imp.map(\.importance), imp.map(\.importance).sorted(by: >), "\(evaluator)")
      XCTAssertEqual(Set(imp.map(\.name)), ["lr", "wd", "layers", "units", "dropout", "act", "noise"])
      XCTAssertEqual(imp.first?.name, "lr", "\(evaluator): lr matters most")
    }
  }

  /// A parameter that does nothing scores about 0 under both evaluators.
  func testAParameterThatDoesNothingScoresNearZero() throws {
    let f = try mixed()
    for evaluator in ImportanceEvaluator.allCases {
      let imp = try parameterImportances(f.trials, directions: f.directions, options: ImportanceOptions(evaluator: evaluator))
      let noise = try XCTUnwrap(imp.first { $0.name == "noise" })
      XCTAssertLessThan(noise.importance, 0.02, "\(evaluator)")
    }
  }

  func testFanovaReportsTheSpreadOverTrees() throws {
    let f = try mixed()
    var options = ImportanceOptions(evaluator: .fanova)
    options.normalize = false
    let imp = try parameterImportances(f.trials, directions: f.directions, options: options)
    XCTAssertTrue(imp.allSatisfy { ($0.std ?? -1) >= 0 })
    XCTAssertGreaterThan(imp[0].std!, 0)
    XCTAssertLessThan(imp.reduce(0) { $0 + $1.importance }, 1 + 1e-9, "raw fractions of variance")
    let pedAnova = try parameterImportances(f.trials, directions: f.directions)
    XCTAssertTrue(pedAnova.allSatisfy { $0.std == nil })
  }

  func testParamsSelectsAndUnknownNamesAreErrors() throws {
    let f = try mixed()
    for evaluator in ImportanceEvaluator.allCases {
      let imp = try parameterImportances(
        f.trials, directions: f.directions, options: ImportanceOptions(evaluator: evaluator, params: ["layers", "lr"]))
      XCTAssertEqual(Set(imp.map(\.name)), ["layers", "lr"])
      XCTAssertThrowsError(
        try parameterImportances(f.trials, directions: f.directions, options: ImportanceOptions(evaluator: evaluator, params: ["nope"]))
      ) { XCTAssertTrue("\($0)".contains("'nope'"), "\($0)") }
    }
  }

  func testTooFewTrialsGiveEqualShares() throws {
    let f = try Fixture("tiny_1")
    for evaluator in ImportanceEvaluator.allCases {
      let imp = try parameterImportances(f.trials, directions: f.directions, options: ImportanceOptions(evaluator: evaluator))
      XCTAssertEqual(imp.count, 7)
      for item in imp { XCTAssertEqual(item.importance, 1.0 / 7, accuracy: 1e-12, "\(evaluator) \(item.name)") }
      XCTAssertEqual(imp.map(\.name), imp.map(\.name).sorted(), "equal importances in name order")
    }
    XCTAssertEqual(try parameterInteractions(f.trials, directions: f.directions), [])
    XCTAssertEqual(try parameterImportances([], directions: [.minimize]), [])
  }

  func testConstantObjective() throws {
    let f = try Fixture("constant_objective")
    for evaluator in ImportanceEvaluator.allCases {
      let imp = try parameterImportances(f.trials, directions: f.directions, options: ImportanceOptions(evaluator: evaluator))
      for item in imp { XCTAssertEqual(item.importance, 1.0 / 3, accuracy: 1e-12, "\(evaluator) \(item.name)") }
    }
    for pair in try parameterInteractions(f.trials, directions: f.directions) { XCTAssertEqual(pair.effect.fraction, 0) }
  }

  /// A custom target: the value negated and maximized ranks as the value minimized.
  func testCustomTarget() throws {
    let f = try mixed()
    let negated = AnalysisTarget(name: "minus value", direction: .maximize) { -($0.value ?? .nan) }
    for evaluator in ImportanceEvaluator.allCases {
      let a = try parameterImportances(f.trials, directions: f.directions, options: ImportanceOptions(evaluator: evaluator))
      let b = try parameterImportances(
        f.trials, directions: f.directions, options: ImportanceOptions(evaluator: evaluator, target: negated))
      XCTAssertEqual(a.map(\.name), b.map(\.name), "\(evaluator)")
      for (x, y) in zip(a, b) { XCTAssertEqual(x.importance, y.importance, accuracy: 1e-6, "\(evaluator) \(x.name)") }
    }
  }

  /// Two objectives, each driven by its own parameter: each objective's importance names it.
  func testMultiObjectivePerObjectiveAndByParetoRank() throws {
    var rng = RandomSource(seed: 3)
    let d = try Distribution.float(0, 1)
    let trials = (0..<400).map { i -> FrozenTrial in
      let x = rng.uniform(0, 1), y = rng.uniform(0, 1), z = rng.uniform(0, 1)
      return FrozenTrial(
        id: i, number: i, state: .complete, values: [x * x, (y - 1) * (y - 1)],
        params: ["x": .float(x), "y": .float(y), "z": .float(z)], distributions: ["x": d, "y": d, "z": d])
    }
    let directions: [StudyDirection] = [.minimize, .minimize]
    for evaluator in ImportanceEvaluator.allCases {
      let first = try parameterImportances(
        trials, directions: directions, options: ImportanceOptions(evaluator: evaluator, target: .objective(0, of: directions)))
      XCTAssertEqual(first.first?.name, "x", "\(evaluator)")
      let second = try parameterImportances(
        trials, directions: directions, options: ImportanceOptions(evaluator: evaluator, target: .objective(1, of: directions)))
      XCTAssertEqual(second.first?.name, "y", "\(evaluator)")
    }
    // PED-ANOVA without a target takes the top trials by Pareto rank: both x and y matter, z not.
    let pareto = try parameterImportances(trials, directions: directions)
    XCTAssertEqual(pareto.last?.name, "z")
    XCTAssertThrowsError(try parameterImportances(trials, directions: directions, options: ImportanceOptions(evaluator: .fanova))) {
      XCTAssertTrue("\($0)".contains("2 objectives"), "\($0)")
    }
    XCTAssertThrowsError(try AnalysisTarget.objective(2, of: directions))
  }

  func testInteractionsAreOrderedAndNamed() throws {
    let trials = uniformTrials(count: 800, names: ["x1", "x2", "x3"], low: -.pi, high: .pi, seed: 1, ishigami)
    let pairs = try parameterInteractions(trials, directions: [.minimize])
    XCTAssertEqual(pairs.count, 3)
    XCTAssertEqual(pairs.map(\.effect.fraction), pairs.map(\.effect.fraction).sorted(by: >))
    XCTAssertEqual(Set([pairs[0].first, pairs[0].second]), ["x1", "x3"])
  }

  /// Failed, pruned and running trials, and complete ones with NaN or infinite values, are left out.
  func testOnlyCompleteTrialsWithFiniteTargetsCount() throws {
    let f = try mixed()
    var trials = f.trials
    var noisy = trials
    for (i, state) in [TrialState.fail, .pruned, .running].enumerated() {
      noisy.append(FrozenTrial(id: 1000 + i, number: 1000 + i, state: state, values: state == .pruned ? [-1e9] : nil, params: trials[0].params, distributions: trials[0].distributions))
    }
    noisy.append(FrozenTrial(id: 2000, number: 2000, state: .complete, values: [-.infinity], params: trials[1].params, distributions: trials[1].distributions))
    noisy.append(FrozenTrial(id: 2001, number: 2001, state: .complete, values: [.nan], params: trials[2].params, distributions: trials[2].distributions))
    for evaluator in ImportanceEvaluator.allCases {
      let options = ImportanceOptions(evaluator: evaluator)
      XCTAssertEqual(
        try parameterImportances(noisy, directions: f.directions, options: options),
        try parameterImportances(trials, directions: f.directions, options: options), "\(evaluator)")
    }
    trials.removeAll()
  }

  /// Ranges and values at the edges of what a study can hold: an integer range spanning all of
  /// Int, one far from zero, a parameter asked on a linear and later a log range, and objective
  /// values near the largest doubles. Nothing traps, every figure is finite, and a parameter that
  /// decides the value is found wherever its range lies.
  func testExtremeRangesAndValues() throws {
    var rng = RandomSource(seed: 8)
    let wide = try Distribution.int(0, Int.max)
    let far = try Distribution.int(1 << 40, (1 << 40) + 100)
    let linear = try Distribution.float(0, 1), logScaled = try Distribution.float(1e-3, 1, log: true)
    let trials = (0..<300).map { n -> FrozenTrial in
      let w = rng.integer(0, Int.max - 1), f = rng.integer(1 << 40, (1 << 40) + 100)
      let x = n < 150 ? rng.uniform(0, 1) : exp(rng.uniform(log(1e-3), 0))
      let value = 1e200 * (Double(f - (1 << 40)) / 100) + 1e199 * x
      return FrozenTrial(
        id: n, number: n, state: .complete, values: [value], params: ["wide": .int(w), "far": .int(f), "x": .float(x)],
        distributions: ["wide": wide, "far": far, "x": n < 150 ? linear : logScaled])
    }
    for evaluator in ImportanceEvaluator.allCases {
      let imp = try parameterImportances(trials, directions: [.minimize], options: ImportanceOptions(evaluator: evaluator))
      XCTAssertTrue(imp.allSatisfy { $0.importance.isFinite }, "\(evaluator): \(imp)")
      XCTAssertEqual(imp.first?.name, "far", "\(evaluator): \(imp)")
    }
    let fanova = try FunctionalANOVA(trials: trials, target: .objective(0, of: [.minimize]))
    XCTAssertFalse(fanova.parameters.first { $0.name == "x" }!.isLog, "merged from a linear and a log range: linear")
    for name in ["wide", "far", "x"] {
      let m = try fanova.marginal(name, points: 20)
      XCTAssertTrue(m.mean.allSatisfy(\.isFinite), name)
      XCTAssertTrue(m.positions.count >= 2 && m.positions.count <= 101, name)
    }
    XCTAssertTrue(try fanova.pairMarginal("wide", "far", points: 10).mean.allSatisfy(\.isFinite))
  }

  /// A named parameter that only trials without a finite value have scores 0 under both
  /// evaluators (rather than being unknown to one of them).
  func testAParameterOnlyInUnusableTrialsScoresZero() throws {
    let f = try mixed()
    var trials = f.trials
    let d = try Distribution.float(0, 1)
    trials.append(FrozenTrial(
      id: 999, number: 999, state: .complete, values: [.nan], params: trials[0].params.merging(["ghost": .float(0.5)]) { a, _ in a },
      distributions: trials[0].distributions.merging(["ghost": d]) { a, _ in a }))
    for evaluator in ImportanceEvaluator.allCases {
      var options = ImportanceOptions(evaluator: evaluator, params: ["lr", "ghost"])
      options.normalize = false
      let imp = try parameterImportances(trials, directions: f.directions, options: options)
      XCTAssertEqual(imp.first { $0.name == "ghost" }?.importance, 0, "\(evaluator)")
    }
  }
}
