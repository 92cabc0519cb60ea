import XCTest

@testable import TunaTrain

final class DataSplitTests: XCTestCase {
  /// A dataset whose single feature is the row number, so parts can be traced back to rows.
  private func numbered(_ labels: [Int]) -> Dataset {
    Dataset(
      x: Matrix(rows: labels.count, cols: 1, data: labels.indices.map(Float.init)),
      y: labels.map(Float.init), task: .classification)
  }

  private func rowsOf(_ d: Dataset) -> [Int] { d.x.data.map { Int($0) } }

  private func assertThrows<T>(
    _ message: String, _ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try body(), file: file, line: line) {
      XCTAssertEqual("\($0)", message, file: file, line: line)
    }
  }

  // MARK: split

  func testSplitSizesAndPartition() throws {
    let iris = try Dataset.load("iris")
    let (train, test) = try iris.splitIndices(testSize: 0.25, seed: 1)
    XCTAssertEqual(test.count, 38)  // ceil(0.25 * 150), as scikit-learn
    XCTAssertEqual(train.count, 112)
    XCTAssertEqual((train + test).sorted(), Array(0..<150))
    let (a, b) = try iris.split(testSize: 30, seed: 1)
    XCTAssertEqual(a.nSamples, 120)
    XCTAssertEqual(b.nSamples, 30)
    XCTAssertEqual(b.nClasses, 3)
    XCTAssertEqual(b.classNames, iris.classNames)
    // The parts hold the rows with their own targets.
    let d = numbered((0..<40).map { $0 % 4 })
    let (tr, te) = try d.split(testSize: 0.5, seed: 3)
    for part in [tr, te] {
      for (i, row) in rowsOf(part).enumerated() { XCTAssertEqual(part.labels[i], row % 4) }
    }
  }

  func testSplitSeeds() throws {
    let d = numbered(Array(repeating: 0, count: 50) + Array(repeating: 1, count: 50))
    XCTAssertEqual(try d.splitIndices(seed: 7).test, try d.splitIndices(seed: 7).test)
    XCTAssertNotEqual(try d.splitIndices(seed: 7).test, try d.splitIndices(seed: 8).test)
    XCTAssertEqual(
      try d.splitIndices(stratify: true, seed: 7).test, try d.splitIndices(stratify: true, seed: 7).test)
  }

  func testStratifiedSplitKeepsProportionsWithinOneSample() throws {
    let wine = try Dataset.load("wine")  // 59, 71, 48
    for (testSize, seed) in [(0.3, UInt64(0)), (0.2, 1), (0.5, 2), (17, 3)] {
      let (train, test) = try wine.split(testSize: testSize, stratify: true, seed: seed)
      let n = Double(wine.nSamples)
      for c in 0..<3 {
        let total = Double(wine.labels.filter { $0 == c }.count)
        let inTest = Double(test.labels.filter { $0 == c }.count)
        let inTrain = Double(train.labels.filter { $0 == c }.count)
        XCTAssertLessThan(abs(inTest - total * Double(test.nSamples) / n), 1, "class \(c), \(testSize)")
        XCTAssertLessThan(abs(inTrain - total * Double(train.nSamples) / n), 1, "class \(c), \(testSize)")
      }
      XCTAssertEqual(train.nSamples + test.nSamples, wine.nSamples)
    }
    let iris = try Dataset.load("iris")
    let (_, test) = try iris.split(testSize: 0.2, stratify: true, seed: 0)
    XCTAssertEqual((0..<3).map { c in test.labels.filter { $0 == c }.count }, [10, 10, 10])
    let (train, test2) = try iris.splitIndices(testSize: 0.2, stratify: true, seed: 9)
    XCTAssertEqual((train + test2).sorted(), Array(0..<150))
  }

  func testSplitErrors() throws {
    let d = numbered([0, 0, 1, 1, 1, 1])
    assertThrows("split: testSize must be a fraction in (0, 1) or a whole number of rows, got 0.0") {
      try d.split(testSize: 0)
    }
    assertThrows("split: testSize must be a fraction in (0, 1) or a whole number of rows, got 1.5") {
      try d.split(testSize: 1.5)
    }
    assertThrows("split: testSize 6.0 of 6 rows leaves 0 for training and 6 for testing; both need at least 1") {
      try d.split(testSize: 6)
    }
    assertThrows("split: stratify needs at least 2 rows of every class; class '0' has 1") {
      try numbered([0, 1, 1, 1]).split(stratify: true)
    }
    assertThrows(
      "split: with stratify, both parts need a row of each of the 2 classes, but the split is 5 training and 1 test rows"
    ) { try d.split(testSize: 1, stratify: true) }
    let regression = Dataset(x: Matrix(rows: 4, cols: 1), y: [1, 2, 3, 4], task: .regression)
    assertThrows("split: stratify needs a classification dataset; this one is regression") {
      try regression.split(stratify: true)
    }
  }

  // MARK: kfold

  func testKFoldPartitionsExactly() throws {
    let d = numbered((0..<23).map { $0 % 3 })
    for stratify in [false, true] {
      for shuffle in [false, true] {
        let folds = try d.kfoldIndices(k: 5, stratify: stratify, shuffle: shuffle, seed: 4)
        XCTAssertEqual(folds.count, 5)
        XCTAssertEqual(folds.flatMap(\.valid).sorted(), Array(0..<23))
        let sizes = folds.map(\.valid.count)
        XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1)
        for fold in folds {
          XCTAssertEqual((fold.train + fold.valid).sorted(), Array(0..<23))
          XCTAssertEqual(fold.train, fold.train.sorted())
        }
      }
    }
    // Without shuffling, plain k-fold takes consecutive blocks, the first ones one row longer.
    let blocks = try d.kfoldIndices(k: 5, shuffle: false)
    XCTAssertEqual(blocks.map(\.valid), [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18], [19, 20, 21, 22]])
    // The datasets hold the same rows as the indices.
    let parts = try d.kfold(k: 4, seed: 2)
    let indices = try d.kfoldIndices(k: 4, seed: 2)
    for (p, i) in zip(parts, indices) {
      XCTAssertEqual(rowsOf(p.valid), i.valid)
      XCTAssertEqual(rowsOf(p.train), i.train)
    }
  }

  func testStratifiedKFoldSpreadsEachClass() throws {
    let wine = try Dataset.load("wine")
    let folds = try wine.kfold(k: 5, stratify: true, seed: 0)
    for c in 0..<3 {
      let perFold = folds.map { f in f.valid.labels.filter { $0 == c }.count }
      XCTAssertLessThanOrEqual(perFold.max()! - perFold.min()!, 1, "class \(c): \(perFold)")
      XCTAssertEqual(perFold.reduce(0, +), wine.labels.filter { $0 == c }.count)
    }
    XCTAssertEqual(
      try wine.kfoldIndices(k: 5, stratify: true, seed: 3).map(\.valid),
      try wine.kfoldIndices(k: 5, stratify: true, seed: 3).map(\.valid))
    XCTAssertNotEqual(
      try wine.kfoldIndices(k: 5, stratify: true, seed: 3).map(\.valid),
      try wine.kfoldIndices(k: 5, stratify: true, seed: 4).map(\.valid))
  }

  func testKFoldErrors() {
    let d = numbered([0, 0, 1, 1, 1])
    assertThrows("kfold: k must be at least 2, got 1") { try d.kfold(k: 1) }
    assertThrows("kfold: k (6) is more than the number of rows (5)") { try d.kfold(k: 6) }
    assertThrows("kfold: k (4) is more than the number of rows in every class (largest: 3)") {
      try d.kfold(k: 4, stratify: true)
    }
  }
}
