import Foundation
import TunaSearch
import XCTest

@testable import TunaAnalysis

/// PED-ANOVA against Optuna 5.0.0's `PedAnovaImportanceEvaluator` on the same trials
/// (`Fixtures/`). Agreement to ±0.02 per normalized importance would do; the implementations
/// agree far more closely than that, and these tests hold them to it.
final class PedAnovaReferenceTests: XCTestCase {
  /// The fixture result keys and the options that produced them.
  static let variants: [(key: String, normalize: Bool, options: PedAnovaOptions)] = {
    func options(_ target: Double, _ region: Double, local: Bool = true) -> PedAnovaOptions {
      var o = PedAnovaOptions()
      o.targetQuantile = target
      o.regionQuantile = region
      o.evaluateOnLocal = local
      return o
    }
    return [
      ("ped_anova_normalized", true, options(0.1, 1)),
      ("ped_anova_raw", false, options(0.1, 1)),
      ("ped_anova_raw_global", false, options(0.1, 1, local: false)),
      ("ped_anova_raw_tq0.2", false, options(0.2, 1)),
      ("ped_anova_raw_tq0.1_rq0.5", false, options(0.1, 0.5)),
      ("ped_anova_raw_tq0.05_rq0.3", false, options(0.05, 0.3)),
    ]
  }()

  func check(_ name: String, params: [String]? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
    let fixture = try Fixture(name)
    var checked = 0
    for variant in Self.variants {
      let key = (params.map { "params=" + $0.joined(separator: ",") + "/" } ?? (name == "conditional" ? "default_params/" : "")) + variant.key
      guard let expected = fixture.results[key] else { continue }
      var options = ImportanceOptions(evaluator: .pedAnova, params: params)
      options.normalize = variant.normalize
      options.pedAnova = variant.options
      let got = try parameterImportances(fixture.trials, directions: fixture.directions, options: options)
      XCTAssertEqual(Set(got.map(\.name)), Set(expected.keys), "\(name) \(variant.key): parameters", file: file, line: line)
      for item in got {
        let want = expected[item.name] ?? .nan
        let tolerance = variant.normalize ? 1e-9 : 1e-9 * max(abs(want), 1e-6)
        XCTAssertEqual(item.importance, want, accuracy: tolerance, "\(name) \(variant.key): \(item.name)", file: file, line: line)
      }
      checked += 1
    }
    XCTAssertGreaterThan(checked, 0, "\(name): no PED-ANOVA figures in the fixture", file: file, line: line)
  }

  func testIshigami() throws { try check("ishigami") }
  func testMixedSpace() throws { try check("mixed") }
  func testMaximizeMatchesMinimizeOfTheNegation() throws {
    try check("maximize")
    let a = try Fixture("mixed"), b = try Fixture("maximize")
    let ia = try parameterImportances(a.trials, directions: a.directions)
    let ib = try parameterImportances(b.trials, directions: b.directions)
    XCTAssertEqual(ia, ib)
  }
  func testTiesAtTheCutoffAreAllKept() throws { try check("ties") }
  func testConstantParameterAndSingleDistribution() throws { try check("constant_param") }
  func testConstructedFunction() throws { try check("constructed") }

  /// Conditional parameters count over the trials that have them; a parameter no top trial has
  /// scores 0.
  func testConditionalParameters() throws {
    try check("conditional")
    for params in [["p"], ["p", "r"], ["p", "q"], ["model", "r"]] { try check("conditional", params: params) }
  }

  /// A complete trial with an infinite value and a failed trial change nothing.
  func testNonFiniteAndFailedTrialsAreLeftOut() throws { try check("nonfinite") }

  func testConstantObjective() throws { try check("constant_objective") }

  func testSmallStudies() throws {
    try check("small")
    try check("tiny_2")
    try check("tiny_5")
    try check("tiny_1")
  }
}
