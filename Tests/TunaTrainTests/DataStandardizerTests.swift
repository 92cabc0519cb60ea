import XCTest

@testable import TunaTrain

final class DataStandardizerTests: XCTestCase {
  private func columnStats(_ x: Matrix, _ j: Int) -> (mean: Double, std: Double) {
    let v = (0..<x.rows).map { Double(x[$0, j]) }
    let mean = v.reduce(0, +) / Double(v.count)
    return (mean, (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)).squareRoot())
  }

  func testFittedSetHasMeanZeroStdOne() throws {
    let wine = try Dataset.load("wine")
    let (train, test) = try wine.split(testSize: 0.3, seed: 0)
    let out = try standardize(train, test)
    XCTAssertEqual(out.count, 2)
    for j in 0..<wine.nFeatures {
      let (mean, std) = columnStats(out[0].x, j)
      XCTAssertEqual(mean, 0, accuracy: 1e-5)
      XCTAssertEqual(std, 1, accuracy: 1e-5)
    }
    XCTAssertEqual(out[0].y, train.y)
    XCTAssertEqual(out[1].y, test.y)
  }

  func testOthersGetTheFittedTransform() throws {
    let train = Dataset(x: Matrix([[1, 10, 5], [3, 20, 5], [5, 60, 5]]), y: [0, 1, 0], task: .classification)
    let other = Dataset(x: Matrix([[7, 0, 6]]), y: [1], task: .classification)
    let s = Standardizer(fitting: train)
    XCTAssertEqual(s.mean, [3, 30, 5])
    XCTAssertEqual(s.scale[0], (8.0 / 3).squareRoot(), accuracy: 1e-12)
    XCTAssertEqual(s.scale[1], (1400.0 / 3).squareRoot(), accuracy: 1e-12)
    XCTAssertEqual(s.scale[2], 1)  // constant: centred only
    let t = s.transform(other)
    XCTAssertEqual(Double(t.x[0, 0]), 4 / (8.0 / 3).squareRoot(), accuracy: 1e-6)
    XCTAssertEqual(Double(t.x[0, 1]), -30 / (1400.0 / 3).squareRoot(), accuracy: 1e-6)
    XCTAssertEqual(t.x[0, 2], 1)
    XCTAssertEqual(try standardize(train, other)[1].x, t.x)
    let fitted = s.transform(train).x
    XCTAssertEqual((0..<3).map { fitted[$0, 2] }, [0, 0, 0])
  }

  func testMismatchedFeatures() {
    let a = Dataset(x: Matrix([[1, 2]]), y: [0], task: .regression)
    let b = Dataset(x: Matrix([[1]]), y: [0], task: .regression)
    XCTAssertThrowsError(try standardize(a, a, b)) {
      XCTAssertEqual("\($0)", "standardize: dataset 3 has 1 features; the first has 2")
    }
  }
}
