import TunaSearch
import TunaTrain
import XCTest

@testable import TunaAnalysis

/// One tree's functional ANOVA against figures worked out by hand.
final class TreeDecompositionTests: XCTestCase {
  func parameter(_ name: String, _ d: Distribution, inactive: Double = 0) -> AnalysisParameter {
    AnalysisParameter(name: name, distribution: d, inactiveShare: inactive)
  }

  /// f(x, y) = 4 when x > 0.5 and y > 0.5, else 0, on [0, 1]²: mean 1, variance 3; each
  /// marginal is 0 or 2 (variance 1), so V_x = V_y = 1 and the pure interaction is 3 − 1 − 1 = 1.
  func testCornerFunction() throws {
    let unit = try Distribution.float(0, 1)
    let params = [parameter("x", unit), parameter("y", unit)]
    let tree = TreeStructure(
      feature: [0, -1, 1, -1, -1], threshold: [0.5, 0, 0.5, 0, 0], left: [1, -1, 3, -1, -1], values: [0, 0, 0, 0, 4])
    let d = TreeDecomposition(tree: tree, encoding: ForestEncoding(params), parameters: params)
    XCTAssertEqual(d.mean, 1, accuracy: 1e-12)
    XCTAssertEqual(d.variance, 3, accuracy: 1e-12)
    XCTAssertEqual(d.mainVariance[0], 1, accuracy: 1e-12)
    XCTAssertEqual(d.mainVariance[1], 1, accuracy: 1e-12)
    XCTAssertEqual(d.pairVariance(0, 1) - d.mainVariance[0] - d.mainVariance[1], 1, accuracy: 1e-12)
    XCTAssertEqual(d.main[0], [0, 2])
    XCTAssertEqual(d.pairMarginal(0, 1), [0, 0, 0, 4])
  }

  /// Thresholds outside the range and uneven cells: f = 1 for x <= 0.25, 3 for 0.25 < x <= 2
  /// (the range is [0, 1]), on x alone — mean 0.25 + 2.25 = 2.5, variance 0.25·2.25 + 0.75·0.25.
  func testUnevenCellsAndThresholdsOutsideTheRange() throws {
    let params = [parameter("x", try .float(0, 1)), parameter("z", try .float(-1, 1))]
    let tree = TreeStructure(
      feature: [0, -1, 0, -1, -1], threshold: [0.25, 0, 2, 0, 0], left: [1, -1, 3, -1, -1], values: [0, 1, 0, 3, 7])
    let d = TreeDecomposition(tree: tree, encoding: ForestEncoding(params), parameters: params)
    XCTAssertEqual(d.values.count, 2, "the leaf beyond the range has no mass and is dropped")
    XCTAssertEqual(d.mean, 2.5, accuracy: 1e-12)
    XCTAssertEqual(d.variance, 0.25 * 2.25 + 0.75 * 0.25, accuracy: 1e-12)
    XCTAssertEqual(d.mainVariance[0], d.variance, accuracy: 1e-12)
    XCTAssertEqual(d.mainVariance[1], 0, accuracy: 1e-12)
  }

  /// A categorical parameter in one-hot columns: the split "choice b or not" gives b the value 6
  /// and the other two choices 0 — mean 2, variance 8, all of it the categorical's.
  func testOneHotCategorical() throws {
    let params = [parameter("c", try .categorical(choices: [.string("a"), .string("b"), .string("c")])), parameter("x", try .float(0, 1))]
    let encoding = ForestEncoding(params)
    XCTAssertEqual(encoding.columns, [0..<3, 3..<4])
    let tree = TreeStructure(feature: [1, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], values: [0, 0, 6])
    let d = TreeDecomposition(tree: tree, encoding: encoding, parameters: params)
    XCTAssertEqual(d.mean, 2, accuracy: 1e-12)
    XCTAssertEqual(d.variance, 8, accuracy: 1e-12)
    XCTAssertEqual(d.main[0], [0, 6, 0])
    XCTAssertEqual(d.mainVariance[0], 8, accuracy: 1e-12)
  }

  /// A conditional parameter absent from 40% of the trials: its inactive cell holds 0.4 of the
  /// mass; the tree gives inactive rows (at -1 in the column) 10 and active ones 0 → mean 4,
  /// variance 24.
  func testInactiveCell() throws {
    let params = [parameter("p", try .float(0, 1), inactive: 0.4), parameter("x", try .float(0, 1))]
    let encoding = ForestEncoding(params)
    XCTAssertEqual(ForestEncoding.inactiveValue, -1)
    let tree = TreeStructure(feature: [0, -1, -1], threshold: [-0.5, 0, 0], left: [1, -1, -1], values: [0, 10, 0])
    let d = TreeDecomposition(tree: tree, encoding: encoding, parameters: params)
    XCTAssertEqual(d.cells[0].masses, [0.4, 0.6])
    XCTAssertEqual(d.mean, 4, accuracy: 1e-12)
    XCTAssertEqual(d.variance, 24, accuracy: 1e-12)
    XCTAssertEqual(d.mainVariance[0], 24, accuracy: 1e-12)
  }
}
