import XCTest

@testable import TunaTrain

final class DataGeneratorTests: XCTestCase {
  private func assertThrows(
    _ message: String, _ body: () throws -> Dataset, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try body(), file: file, line: line) {
      XCTAssert($0 is TrainError, file: file, line: line)
      XCTAssertEqual("\($0)", message, file: file, line: line)
    }
  }

  // MARK: makeClassification

  func testClassificationShapeAndSeeds() throws {
    let a = try Dataset.makeClassification(nSamples: 300, nFeatures: 7, nInformative: 3, nClasses: 3, seed: 42)
    XCTAssertEqual(a.nSamples, 300)
    XCTAssertEqual(a.nFeatures, 7)
    XCTAssertEqual(a.nClasses, 3)
    XCTAssertEqual(a.task, .classification)
    let b = try Dataset.makeClassification(nSamples: 300, nFeatures: 7, nInformative: 3, nClasses: 3, seed: 42)
    XCTAssertEqual(a.x, b.x)
    XCTAssertEqual(a.y, b.y)
    let c = try Dataset.makeClassification(nSamples: 300, nFeatures: 7, nInformative: 3, nClasses: 3, seed: 43)
    XCTAssertNotEqual(a.x, c.x)
    XCTAssertNotEqual(a.y, c.y)
  }

  func testClassificationIsBalancedWithoutFlips() throws {
    let d = try Dataset.makeClassification(nSamples: 1000, nFeatures: 5, nInformative: 3, nClasses: 3, flipY: 0, seed: 1)
    let counts = (0..<3).map { c in d.labels.filter { $0 == c }.count }
    XCTAssertEqual(counts, [334, 333, 333])
    // With the default 1% flips, still close to balanced.
    let flipped = try Dataset.makeClassification(nSamples: 1000, seed: 2)
    let ones = flipped.labels.filter { $0 == 1 }.count
    XCTAssert(abs(ones - 500) <= 15, "\(ones)")
  }

  func testClassificationStructure() throws {
    // Unshuffled columns: informative, redundant, noise. Redundant columns are exact linear
    // combinations of the informative ones; noise columns are standard normal.
    let d = try Dataset.makeClassification(
      nSamples: 2000, nFeatures: 6, nInformative: 2, nRedundant: 2, flipY: 0, shuffle: false, seed: 3)
    for r in 2..<4 {
      let target = (0..<d.nSamples).map { d.x[$0, r] }
      let informative = Dataset(x: d.x.columns([0, 1]), y: target, task: .regression)
      let model = try LinearRegression()
      try model.fit(informative)
      XCTAssertEqual(try model.score(informative), 1, accuracy: 1e-6)
    }
    for j in 4..<6 {
      let column = (0..<d.nSamples).map { Double(d.x[$0, j]) }
      let mean = column.reduce(0, +) / Double(column.count)
      let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
      XCTAssertEqual(mean, 0, accuracy: 0.1)
      XCTAssertEqual(variance, 1, accuracy: 0.1)
    }
    // Well separated classes are learnable from the informative features.
    let easy = try Dataset.makeClassification(nSamples: 500, classSep: 3, flipY: 0, seed: 4)
    let model = try LogisticRegression()
    try model.fit(easy)
    XCTAssertGreaterThan(try model.score(easy), 0.9)
  }

  func testClassificationValidation() {
    assertThrows("makeClassification: nSamples must be at least 1, got 0") {
      try Dataset.makeClassification(nSamples: 0, seed: 0)
    }
    assertThrows("makeClassification: nInformative + nRedundant (6) must be at most nFeatures (5)") {
      try Dataset.makeClassification(nFeatures: 5, nInformative: 4, seed: 0)
    }
    assertThrows("makeClassification: nClasses * nClustersPerClass (6) must be at most 2^nInformative (2^2)") {
      try Dataset.makeClassification(nClasses: 3, seed: 0)
    }
    assertThrows("makeClassification: flipY must be between 0 and 1, got 1.5") {
      try Dataset.makeClassification(flipY: 1.5, seed: 0)
    }
    assertThrows("makeClassification: nClasses must be at least 2, got 1") {
      try Dataset.makeClassification(nClasses: 1, seed: 0)
    }
  }

  // MARK: makeRegression

  func testRegressionShapeSeedsAndInformativeFeatures() throws {
    let d = try Dataset.makeRegression(nSamples: 120, nFeatures: 20, nInformative: 5, bias: 3, seed: 7)
    XCTAssertEqual(d.nSamples, 120)
    XCTAssertEqual(d.nFeatures, 20)
    XCTAssertEqual(d.task, .regression)
    let again = try Dataset.makeRegression(nSamples: 120, nFeatures: 20, nInformative: 5, bias: 3, seed: 7)
    XCTAssertEqual(d.x, again.x)
    XCTAssertEqual(d.y, again.y)
    XCTAssertNotEqual(d.y, try Dataset.makeRegression(nSamples: 120, nFeatures: 20, nInformative: 5, seed: 8).y)
    // Noiseless: y is exactly linear with 5 non-zero coefficients in [0, 100) and intercept `bias`.
    let model = try LinearRegression()
    try model.fit(d)
    XCTAssertEqual(try model.score(d), 1, accuracy: 1e-9)
    let nonZero = model.coefficients.filter { abs($0) > 1e-3 }
    XCTAssertEqual(nonZero.count, 5)
    XCTAssert(nonZero.allSatisfy { $0 > 0 && $0 < 100 })
    XCTAssertEqual(model.intercept, 3, accuracy: 1e-3)
    // Noise shows up as residual variance.
    let noisy = try Dataset.makeRegression(nSamples: 2000, nFeatures: 3, nInformative: 3, noise: 2, seed: 9)
    try model.fit(noisy)
    let residual = Metrics.mse(noisy.y, try model.predict(noisy.x))
    XCTAssertEqual(residual, 4, accuracy: 0.5)
  }

  func testRegressionValidation() throws {
    assertThrows("makeRegression: noise must be a finite number >= 0, got -1.0") {
      try Dataset.makeRegression(noise: -1, seed: 0)
    }
    // Like scikit-learn, more informative features than features means all of them.
    XCTAssertEqual(try Dataset.makeRegression(nSamples: 10, nFeatures: 3, seed: 0).nFeatures, 3)
  }

  // MARK: makeMoons

  func testMoonsGeometry() throws {
    let d = try Dataset.makeMoons(nSamples: 101, seed: 5)
    XCTAssertEqual(d.nSamples, 101)
    XCTAssertEqual(d.nFeatures, 2)
    XCTAssertEqual(d.nClasses, 2)
    XCTAssertEqual(d.labels.filter { $0 == 0 }.count, 50)
    XCTAssertEqual(d.labels.filter { $0 == 1 }.count, 51)
    for i in 0..<d.nSamples {
      let x = Double(d.x[i, 0]), y = Double(d.x[i, 1])
      if d.labels[i] == 0 {  // upper half of the unit circle
        XCTAssertEqual(x * x + y * y, 1, accuracy: 1e-5)
        XCTAssertGreaterThanOrEqual(y, -1e-6)
      } else {  // lower half of the unit circle centred at (1, 0.5)
        XCTAssertEqual((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5), 1, accuracy: 1e-5)
        XCTAssertLessThanOrEqual(y, 0.5 + 1e-6)
      }
    }
    // Rows are shuffled, noise moves points off the circles, seeds reproduce.
    XCTAssertNotEqual(d.labels, d.labels.sorted())
    let noisy = try Dataset.makeMoons(nSamples: 200, noise: 0.1, seed: 5)
    XCTAssertEqual(noisy.x, try Dataset.makeMoons(nSamples: 200, noise: 0.1, seed: 5).x)
    XCTAssertNotEqual(noisy.x, try Dataset.makeMoons(nSamples: 200, noise: 0.1, seed: 6).x)
    let offCircle = (0..<noisy.nSamples).filter { i in
      let x = Double(noisy.x[i, 0]), y = Double(noisy.x[i, 1])
      let r2 = noisy.labels[i] == 0 ? x * x + y * y : (x - 1) * (x - 1) + (y - 0.5) * (y - 0.5)
      return abs(r2 - 1) > 1e-3
    }
    XCTAssertGreaterThan(offCircle.count, 190)
    assertThrows("makeMoons: nSamples must be at least 2, got 1") { try Dataset.makeMoons(nSamples: 1, seed: 0) }
  }
}

extension Matrix {
  /// The columns at `indices` (test helper).
  fileprivate func columns(_ indices: [Int]) -> Matrix {
    Matrix((0..<rows).map { i in indices.map { self[i, $0] } })
  }
}
