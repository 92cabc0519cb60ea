import Foundation
import TunaTrain
import XCTest

final class ForestTests: XCTestCase {
  // MARK: - Determinism

  func testSameSeedGivesBitIdenticalForestsWhateverTheThreads() throws {
    let data = TreeFixtures.noisy(n: 400, seed: 21)
    let test = TreeFixtures.noisy(n: 700, seed: 22)  // 700 rows x 40 trees: predicted in parallel blocks
    func fitted(seed: UInt64, jobs: Int?) throws -> RandomForest {
      let forest = try RandomForest(nEstimators: 40, options: TreeOptions(maxDepth: 8), seed: seed, nJobs: jobs)
      try forest.fit(data)
      return forest
    }
    let reference = try fitted(seed: 5, jobs: 1)
    let referenceP = try reference.predictProbabilities(test.x)
    let referenceY = try reference.predict(test.x)
    for jobs in [2, 4, nil] {
      let forest = try fitted(seed: 5, jobs: jobs)
      XCTAssertEqual(try forest.predictProbabilities(test.x).data, referenceP.data, "nJobs \(String(describing: jobs))")
      XCTAssertEqual(try forest.predict(test.x), referenceY)
      XCTAssertEqual(forest.featureImportances, reference.featureImportances)
      XCTAssertEqual(forest.treeDepths, reference.treeDepths)
    }

    // Two forests fitted at the same time on different threads, each itself parallel.
    let results = ForestResults()
    DispatchQueue.concurrentPerform(iterations: 2) { i in
      do {
        let forest = try RandomForest(nEstimators: 40, options: TreeOptions(maxDepth: 8), seed: 5, nJobs: 3)
        try forest.fit(data)
        results.set(i, try forest.predictProbabilities(test.x).data)
      } catch {
        results.set(i, [])
      }
    }
    XCTAssertEqual(results.get(0), referenceP.data)
    XCTAssertEqual(results.get(1), referenceP.data)

    let other = try fitted(seed: 6, jobs: nil)
    XCTAssertNotEqual(try other.predictProbabilities(test.x).data, referenceP.data)
  }

  // MARK: - Quality

  func testForestBeatsASingleDepthLimitedTreeOnNoisyData() throws {
    let train = TreeFixtures.noisy(n: 600, informative: 4, noise: 6, flip: 0.15, seed: 31)
    let test = TreeFixtures.noisy(n: 1000, informative: 4, noise: 6, flip: 0.15, seed: 32)
    let tree = try DecisionTree(options: TreeOptions(maxDepth: 6), seed: 0)
    try tree.fit(train)
    let forest = try RandomForest(nEstimators: 100, options: TreeOptions(maxDepth: 6), seed: 0)
    try forest.fit(train)
    let treeAccuracy = try tree.score(test)
    let forestAccuracy = try forest.score(test)
    XCTAssertGreaterThan(forestAccuracy, treeAccuracy + 0.03, "forest \(forestAccuracy), tree \(treeAccuracy)")
  }

  func testIrisFiveFoldAccuracy() throws {
    let iris = try Dataset.load("iris")
    XCTAssertEqual(iris.nClasses, 3)
    let accuracy = try TreeFixtures.crossValidate(iris, seed: 0) {
      try RandomForest(nEstimators: 100, seed: 0)
    }
    XCTAssertGreaterThanOrEqual(accuracy, 0.93)
  }

  func testBreastCancerFiveFoldAccuracy() throws {
    let cancer = try Dataset.load("breast_cancer")
    XCTAssertEqual(cancer.nFeatures, 30)
    let accuracy = try TreeFixtures.crossValidate(cancer, seed: 0) {
      try RandomForest(nEstimators: 100, seed: 0)
    }
    XCTAssertGreaterThanOrEqual(accuracy, 0.93)
  }

  func testRegressionForestAveragesValues() throws {
    var rng = TreeTestRandom(seed: 41)
    func sample(_ n: Int) -> Dataset {
      let rows = (0..<n).map { _ in [Float(rng.unit() * 6), Float(rng.normal())] }
      let ys = rows.map { Float(sin(Double($0[0]))) + Float(0.1 * rng.normal()) }
      return TreeFixtures.regression(rows, ys)
    }
    let train = sample(500)
    let test = sample(300)
    let forest = try RandomForest(nEstimators: 60, seed: 1)
    try forest.fit(train)
    XCTAssertEqual(forest.task, .regression)
    XCTAssertGreaterThan(try forest.score(test), 0.9)
    let importances = forest.featureImportances
    XCTAssertGreaterThan(importances[0], importances[1])
    XCTAssertThrowsError(try forest.predictProbabilities(test.x))

    // With one tree and no bootstrap, a forest of every feature is that tree.
    let one = try RandomForest(nEstimators: 1, options: TreeOptions(maxDepth: 4), bootstrap: false, seed: 3)
    try one.fit(train)
    let tree = try DecisionTree(options: TreeOptions(maxDepth: 4))
    try tree.fit(train)
    XCTAssertEqual(try one.predict(test.x), try tree.predict(test.x))
  }

  // MARK: - Importances and probabilities

  func testFeatureImportancesSumToOneAndRankInformativeAboveNoise() throws {
    let data = TreeFixtures.noisy(n: 600, informative: 2, noise: 6, flip: 0.05, seed: 51)
    let forest = try RandomForest(nEstimators: 50, seed: 2)
    try forest.fit(data)
    let importances = forest.featureImportances
    XCTAssertEqual(importances.count, 8)
    XCTAssertEqual(importances.reduce(0, +), 1, accuracy: 1e-9)
    let noiseMax = importances[2...].max()!
    XCTAssertGreaterThan(importances[0], noiseMax)
    XCTAssertGreaterThan(importances[1], noiseMax)
  }

  func testProbabilitiesAreAveragesOverTrees() throws {
    let data = TreeFixtures.noisy(n: 300, seed: 61)
    let forest = try RandomForest(nEstimators: 25, options: TreeOptions(maxDepth: 3), seed: 4)
    try forest.fit(data)
    let p = try forest.predictProbabilities(data.x)
    XCTAssertEqual(p.rows, 300)
    XCTAssertEqual(p.cols, 2)
    for i in 0..<p.rows { XCTAssertEqual(p.row(i).reduce(0, +), 1, accuracy: 1e-5) }
    XCTAssertEqual(forest.treeDepths.count, 25)
    XCTAssertTrue(forest.treeDepths.allSatisfy { $0 <= 3 })
    XCTAssertEqual(forest.nClasses, 2)
  }

  // MARK: - Errors

  func testForestOptionValidation() throws {
    XCTAssertEqual(
      TreeFixtures.errorMessage { _ = try RandomForest(nEstimators: 0) }, "nEstimators must be >= 1, got 0")
    XCTAssertEqual(TreeFixtures.errorMessage { _ = try RandomForest(nJobs: 0) }, "nJobs must be >= 1, got 0")
    XCTAssertEqual(
      TreeFixtures.errorMessage { _ = try RandomForest(options: TreeOptions(minSamplesSplit: 1)) },
      "minSamplesSplit must be >= 2, got 1")
    let forest = try RandomForest(nEstimators: 3, options: TreeOptions(maxFeatures: .count(5)))
    let data = TreeFixtures.classification([[1, 2], [3, 4]], [0, 1])
    XCTAssertEqual(
      TreeFixtures.errorMessage { try forest.fit(data) },
      "maxFeatures must be <= the number of features (2), got 5")
    let unfitted = try RandomForest()
    XCTAssertTrue(TreeFixtures.errorMessage { _ = try unfitted.predict(data.x) }.contains("not fitted"))
    XCTAssertEqual(unfitted.featureImportances, [])
  }
}

/// Results written by concurrent workers.
private final class ForestResults: @unchecked Sendable {
  private let lock = NSLock()
  private var values: [Int: [Float]] = [:]

  func set(_ i: Int, _ v: [Float]) {
    lock.lock()
    values[i] = v
    lock.unlock()
  }

  func get(_ i: Int) -> [Float]? {
    lock.lock()
    defer { lock.unlock() }
    return values[i]
  }
}
