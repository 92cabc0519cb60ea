import Foundation
@testable import TunaSearch
import XCTest

final class OutputWarpTests: XCTestCase {
  /// λ = 1 is the identity on both sides of 0; λ = 0 is log(1 + y) for y ≥ 0, λ = 2 is
  /// −log(1 − y) for y < 0; the transform is increasing.
  func testTransformKnownValues() {
    for y in [-3.0, -0.5, 0, 0.25, 4] { XCTAssertEqual(OutputWarp.transform(y, 1), y, accuracy: 1e-12) }
    XCTAssertEqual(OutputWarp.transform(2, 0), log(3), accuracy: 1e-12)
    XCTAssertEqual(OutputWarp.transform(-2, 2), -log(3), accuracy: 1e-12)
    XCTAssertEqual(OutputWarp.transform(3, 0.5), (2 - 1) / 0.5, accuracy: 1e-12)
    for lambda in stride(from: -3.0, through: 3, by: 0.5) {
      let ys = stride(from: -5.0, through: 5, by: 0.25).map { OutputWarp.transform($0, lambda) }
      XCTAssertEqual(ys, ys.sorted(), "λ = \(lambda)")
      XCTAssertEqual(Set(ys).count, ys.count, "λ = \(lambda)")
    }
  }

  private func skewness(_ v: [Double]) -> Double {
    let n = Double(v.count), m = v.reduce(0, +) / n
    let s2 = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n
    return v.reduce(0) { $0 + pow($1 - m, 3) } / n / pow(s2, 1.5)
  }

  /// A heavy tail (log-normal values, or Rosenbrock-like: many good values and a few very bad
  /// ones) comes out near-symmetric, in the same order; near-normal values are not touched.
  func testFitRemovesSkewAndKeepsOrder() {
    var rng = RandomSource(seed: 11)
    let lognormal = (0..<200).map { _ in exp(rng.normal(0, 1)) }
    let warped = OutputWarp.yeoJohnson(lognormal)
    XCTAssertGreaterThan(skewness(lognormal), 2)
    XCTAssertLessThan(abs(skewness(warped)), 0.5)
    XCTAssertEqual(warped.indices.sorted { warped[$0] < warped[$1] }, lognormal.indices.sorted { lognormal[$0] < lognormal[$1] })
    let badTail = lognormal.map { -$0 * $0 }  // maximized: a long tail of bad values
    XCTAssertLessThan(abs(skewness(OutputWarp.yeoJohnson(badTail))), abs(skewness(badTail)) / 3)
    let normal = (0..<200).map { _ in rng.normal(0, 1) }
    XCTAssertEqual(OutputWarp.yeoJohnson([1, 1, 1]), [1, 1, 1], "constant values are left alone")
    XCTAssertEqual(OutputWarp.yeoJohnson(normal), normal, "near-normal values are left alone")
  }
}
