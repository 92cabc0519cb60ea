import Foundation
import TunaTrain
import XCTest

final class TreeTests: XCTestCase {
  // MARK: - Fitting

  func testUnrestrictedTreeFitsDistinctRowsPerfectly() throws {
    var rng = TreeTestRandom(seed: 7)
    let rows = (0..<300).map { _ in (0..<4).map { _ in Float(rng.normal()) } }
    let labels = (0..<300).map { _ in Int(rng.next() % 3) }
    let data = TreeFixtures.classification(rows, labels)
    for criterion in [Criterion.gini, .entropy] {
      let tree = try DecisionTree(options: TreeOptions(criterion: criterion))
      try tree.fit(data)
      XCTAssertEqual(try tree.score(data), 1.0, "\(criterion)")
      XCTAssertTrue(tree.nodes.filter(\.isLeaf).allSatisfy { $0.impurity == 0 })
      XCTAssertEqual(tree.nodeCount, 2 * tree.leafCount - 1)
    }

    let targets = (0..<300).map { _ in Float(rng.normal()) }
    let regression = try DecisionTree()
    try regression.fit(TreeFixtures.regression(rows, targets))
    XCTAssertEqual(try regression.predict(Matrix(rows)), targets)
  }

  func testXORNeedsTwoLevels() throws {
    let data = TreeFixtures.classification([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0])
    let tree = try DecisionTree()
    try tree.fit(data)
    XCTAssertEqual(try tree.predict(data.x), [0, 1, 1, 0])
    XCTAssertEqual(tree.depth, 2)
    XCTAssertEqual(tree.leafCount, 4)
    XCTAssertEqual(tree.nodes[0].threshold, 0.5)
    XCTAssertEqual(tree.nodes[0].impurity, 0.5)
  }

  func testHandCheckedSplitThresholdAndImpurities() throws {
    // Weighted Gini of the children at each threshold: 1.5 → 0.4, 2.5 → 4/15, 3.5 → 7/15,
    // 4.5 → 0.3; the best is 2.5.
    let data = TreeFixtures.classification([[1], [2], [3], [4], [5]], [0, 0, 1, 0, 1])
    let stump = try DecisionTree(options: TreeOptions(maxDepth: 1))
    try stump.fit(data)
    let nodes = stump.nodes
    XCTAssertEqual(nodes.count, 3)
    XCTAssertEqual(nodes[0].feature, 0)
    XCTAssertEqual(nodes[0].threshold, 2.5)
    XCTAssertEqual(nodes[0].impurity, 1 - (9.0 + 4.0) / 25, accuracy: 1e-12)  // 0.48
    XCTAssertEqual(nodes[0].value, [0.6, 0.4])
    XCTAssertEqual(nodes[1].samples, 2)
    XCTAssertEqual(nodes[1].value, [1, 0])
    XCTAssertEqual(nodes[2].samples, 3)
    XCTAssertEqual(nodes[2].impurity, 4.0 / 9, accuracy: 1e-12)
    XCTAssertEqual(nodes[2].value[1], 2.0 / 3, accuracy: 1e-6)
    let p = try stump.predictProbabilities(Matrix([[0], [2.4], [2.6], [9]]))
    XCTAssertEqual(p.row(0), [1, 0])
    XCTAssertEqual(p.row(3)[0], 1.0 / 3, accuracy: 1e-6)
    XCTAssertEqual(try stump.predict(Matrix([[2.5], [2.51]])), [0, 1])

    // Class counts 3:1 at the root: Gini 1 − (9 + 1)/16 = 0.375, entropy 0.811278 bits.
    let skewed = TreeFixtures.classification([[1], [2], [3], [4]], [0, 0, 0, 1])
    let gini = try DecisionTree(options: TreeOptions(criterion: .gini))
    try gini.fit(skewed)
    XCTAssertEqual(gini.nodes[0].impurity, 0.375, accuracy: 1e-12)
    XCTAssertEqual(gini.nodes[0].threshold, 3.5)
    let entropy = try DecisionTree(options: TreeOptions(criterion: .entropy))
    try entropy.fit(skewed)
    XCTAssertEqual(entropy.nodes[0].impurity, -(0.75 * log2(0.75) + 0.25 * log2(0.25)), accuracy: 1e-12)
    XCTAssertEqual(entropy.nodes[0].threshold, 3.5)
    XCTAssertEqual(entropy.leafCount, 2)
  }

  func testThresholdIsMidpointAndTiesStayTogether() throws {
    // Equal values never straddle a split.
    let data = TreeFixtures.classification([[1], [1], [1], [2], [2]], [0, 0, 1, 1, 1])
    let tree = try DecisionTree()
    try tree.fit(data)
    XCTAssertEqual(tree.nodes[0].threshold, 1.5)
    XCTAssertEqual(tree.leafCount, 2)
    XCTAssertEqual(tree.nodes[1].samples, 3)
  }

  // MARK: - Limits

  func testMaxDepthIsRespected() throws {
    let data = TreeFixtures.noisy(n: 400, seed: 1)
    for depth in [1, 3, 6] {
      let tree = try DecisionTree(options: TreeOptions(maxDepth: depth))
      try tree.fit(data)
      XCTAssertEqual(tree.depth, depth)
      XCTAssertLessThanOrEqual(tree.leafCount, 1 << depth)
    }
    let unlimited = try DecisionTree()
    try unlimited.fit(data)
    XCTAssertGreaterThan(unlimited.depth, 6)
  }

  func testMinSamplesSplitIsRespected() throws {
    let data = TreeFixtures.noisy(n: 400, seed: 2)
    for minSplit in [2, 10, 50] {
      let tree = try DecisionTree(options: TreeOptions(minSamplesSplit: minSplit))
      try tree.fit(data)
      let nodes = tree.nodes
      XCTAssertTrue(nodes.filter { !$0.isLeaf }.allSatisfy { $0.samples >= minSplit })
      // A leaf that could have been split (impure, big enough) is not left alone.
      if minSplit == 2 { XCTAssertTrue(nodes.filter(\.isLeaf).allSatisfy { $0.impurity == 0 }) }
    }
  }

  func testMinSamplesLeafIsRespected() throws {
    let data = TreeFixtures.noisy(n: 400, seed: 3)
    for minLeaf in [1, 5, 20] {
      let tree = try DecisionTree(options: TreeOptions(minSamplesLeaf: minLeaf))
      try tree.fit(data)
      let leaves = tree.nodes.filter(\.isLeaf)
      XCTAssertTrue(leaves.allSatisfy { $0.samples >= minLeaf })
      XCTAssertEqual(leaves.map(\.samples).reduce(0, +), 400)
      if minLeaf > 1 { XCTAssertTrue(leaves.contains { $0.samples < 2 * minLeaf }) }
    }
  }

  func testMaxFeaturesCounts() {
    XCTAssertEqual(MaxFeatures.all.count(for: 10), 10)
    XCTAssertEqual(MaxFeatures.sqrt.count(for: 10), 3)
    XCTAssertEqual(MaxFeatures.sqrt.count(for: 30), 5)
    XCTAssertEqual(MaxFeatures.log2.count(for: 10), 3)
    XCTAssertEqual(MaxFeatures.count(4).count(for: 10), 4)
    XCTAssertEqual(MaxFeatures.fraction(0.5).count(for: 10), 5)
    XCTAssertEqual(MaxFeatures.fraction(0.01).count(for: 10), 1)
    XCTAssertEqual(MaxFeatures.sqrt.count(for: 1), 1)
    XCTAssertEqual(MaxFeatures(name: "sqrt"), .sqrt)
    XCTAssertNil(MaxFeatures(name: "auto"))
  }

  func testMaxFeaturesOneStillSplitsEveryImpureNode() throws {
    // Constant features drawn at a node do not make it a leaf: the draw goes on until a
    // feature that varies there has been compared.
    var rows: [[Float]] = []
    var labels: [Int] = []
    for i in 0..<60 {
      rows.append([0, Float(i), 0, 0, 0])
      labels.append(i % 3 == 0 ? 1 : 0)
    }
    let tree = try DecisionTree(options: TreeOptions(maxFeatures: .count(1)), seed: 3)
    try tree.fit(TreeFixtures.classification(rows, labels))
    XCTAssertEqual(try tree.score(TreeFixtures.classification(rows, labels)), 1)
    XCTAssertTrue(tree.nodes.allSatisfy { $0.isLeaf || $0.feature == 1 })
  }

  // MARK: - Regression

  func testRegressionTreeOnAStepFunction() throws {
    let xs = (0..<100).map { Float($0) / 100 }
    let ys = xs.map { x -> Float in x < 0.3 ? 1 : (x < 0.7 ? 5 : -2) }
    let data = TreeFixtures.regression(xs.map { [$0] }, ys)
    let tree = try DecisionTree()
    try tree.fit(data)
    XCTAssertEqual(tree.leafCount, 3)
    XCTAssertEqual(tree.depth, 2)
    XCTAssertEqual(try tree.score(data), 1)
    let thresholds = tree.nodes.filter { !$0.isLeaf }.map(\.threshold).sorted()
    XCTAssertEqual(thresholds[0], 0.295, accuracy: 1e-6)
    XCTAssertEqual(thresholds[1], 0.695, accuracy: 1e-6)
    XCTAssertEqual(try tree.predict(Matrix([[-1], [0.5], [0.69], [3]])), [1, 5, 5, -2])
    // Mean and variance at the root: y takes 1 (30 rows), 5 (40), -2 (30).
    let mean = (30.0 + 200 - 60) / 100
    let variance = (30.0 * 1 + 40 * 25 + 30 * 4) / 100 - mean * mean
    XCTAssertEqual(Double(tree.nodes[0].value[0]), mean, accuracy: 1e-6)
    XCTAssertEqual(tree.nodes[0].impurity, variance, accuracy: 1e-9)

    // A large common offset changes nothing but the values.
    let shifted = try DecisionTree()
    try shifted.fit(TreeFixtures.regression(xs.map { [$0] }, ys.map { $0 + 1_000_000 }))
    XCTAssertEqual(shifted.nodes.map(\.threshold), tree.nodes.map(\.threshold))
    XCTAssertEqual(try shifted.predict(Matrix([[0.5]])), [1_000_005])

    let stump = try DecisionTree(options: TreeOptions(maxDepth: 1))
    try stump.fit(data)
    // The first cut separates the -2 plateau (the largest decrease in squared error).
    XCTAssertEqual(stump.nodes[0].threshold, 0.695, accuracy: 1e-6)
    XCTAssertThrowsError(try stump.predictProbabilities(data.x))
  }

  // MARK: - Importances and probabilities

  func testFeatureImportancesSumToOneAndFindTheInformativeFeature() throws {
    var rng = TreeTestRandom(seed: 11)
    var rows: [[Float]] = []
    var labels: [Int] = []
    for _ in 0..<500 {
      let row = (0..<5).map { _ in Float(rng.normal()) }
      rows.append(row)
      labels.append(row[2] > 0.2 ? 1 : 0)
    }
    let tree = try DecisionTree(options: TreeOptions(maxDepth: 4))
    try tree.fit(TreeFixtures.classification(rows, labels))
    let importances = tree.featureImportances
    XCTAssertEqual(importances.count, 5)
    XCTAssertEqual(importances.reduce(0, +), 1, accuracy: 1e-12)
    XCTAssertEqual(importances.firstIndex(of: importances.max()!), 2)
    XCTAssertEqual(importances[2], 1, accuracy: 1e-12)  // one split separates the classes

    let single = try DecisionTree()
    try single.fit(TreeFixtures.classification([[1], [2]], [1, 1]))
    XCTAssertEqual(single.featureImportances, [0])
    XCTAssertEqual(single.leafCount, 1)
    XCTAssertEqual(single.depth, 0)
  }

  func testProbabilitiesSumToOne() throws {
    let data = TreeFixtures.noisy(n: 300, seed: 5)
    let tree = try DecisionTree(options: TreeOptions(maxDepth: 3))
    try tree.fit(data)
    let p = try tree.predictProbabilities(data.x)
    XCTAssertEqual(p.cols, 2)
    for i in 0..<p.rows { XCTAssertEqual(p.row(i).reduce(0, +), 1, accuracy: 1e-5) }
    let predicted = try tree.predict(data.x)
    for i in 0..<p.rows { XCTAssertEqual(predicted[i], p[i, 1] > p[i, 0] ? 1 : 0) }
    XCTAssertEqual(try tree.apply(data.x).count, 300)
  }

  func testSameSeedSameTreeAndTreesAreDeterministic() throws {
    let data = TreeFixtures.noisy(n: 300, seed: 6)
    let options = TreeOptions(maxFeatures: .sqrt)
    let a = try DecisionTree(options: options, seed: 1)
    let b = try DecisionTree(options: options, seed: 1)
    try a.fit(data)
    try b.fit(data)
    XCTAssertEqual(a.nodes, b.nodes)
  }

  // MARK: - Errors

  func testOptionValidationNamesTheOption() {
    XCTAssertEqual(
      TreeFixtures.errorMessage { _ = try DecisionTree(options: TreeOptions(minSamplesSplit: 1)) },
      "minSamplesSplit must be >= 2, got 1")
    XCTAssertEqual(
      TreeFixtures.errorMessage { _ = try DecisionTree(options: TreeOptions(maxDepth: 0)) },
      "maxDepth must be >= 1, got 0")
    XCTAssertEqual(
      TreeFixtures.errorMessage { _ = try DecisionTree(options: TreeOptions(minSamplesLeaf: 0)) },
      "minSamplesLeaf must be >= 1, got 0")
    XCTAssertEqual(
      TreeFixtures.errorMessage { _ = try DecisionTree(options: TreeOptions(maxFeatures: .count(0))) },
      "maxFeatures must be >= 1, got 0")
    XCTAssertEqual(
      TreeFixtures.errorMessage { _ = try DecisionTree(options: TreeOptions(maxFeatures: .fraction(1.5))) },
      "maxFeatures must be a fraction in (0, 1], got 1.5")
  }

  func testFitAndPredictErrors() throws {
    let data = TreeFixtures.classification([[1, 2], [3, 4]], [0, 1])
    let tree = try DecisionTree(options: TreeOptions(maxFeatures: .count(3)))
    XCTAssertTrue(TreeFixtures.errorMessage { try tree.fit(data) }.hasPrefix("maxFeatures must be <="))

    let plain = try DecisionTree()
    XCTAssertTrue(TreeFixtures.errorMessage { _ = try plain.predict(data.x) }.contains("not fitted"))
    try plain.fit(data)
    XCTAssertEqual(
      TreeFixtures.errorMessage { _ = try plain.predict(Matrix([[1, 2, 3]])) },
      "x has 3 features, but the decision tree was fitted on 2")

    let regressionWithGini = try DecisionTree(options: TreeOptions(criterion: .gini))
    XCTAssertTrue(
      TreeFixtures.errorMessage { try regressionWithGini.fit(TreeFixtures.regression([[1], [2]], [0.5, 1])) }
        .contains("criterion 'gini' is for classification"))
    let classificationWithMSE = try DecisionTree(options: TreeOptions(criterion: .squaredError))
    XCTAssertTrue(
      TreeFixtures.errorMessage { try classificationWithMSE.fit(data) }
        .contains("criterion 'squared_error' is for regression"))

    let nan = TreeFixtures.classification([[1, .nan], [3, 4]], [0, 1])
    XCTAssertEqual(
      TreeFixtures.errorMessage { try plain.fit(nan) }, "features must be finite; row 1, feature 2 has nan")
    let empty = Dataset(x: Matrix(rows: 0, cols: 2), y: [], task: .classification, nClasses: 2)
    XCTAssertEqual(TreeFixtures.errorMessage { try plain.fit(empty) }, "cannot fit a tree on an empty dataset")
  }
}
