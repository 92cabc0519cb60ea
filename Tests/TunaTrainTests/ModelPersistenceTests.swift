import Foundation
@testable import TunaTrain
import XCTest

/// Models saved and loaded again predict bit for bit as before; a file of another kind, cut
/// short, from a newer format or not a model at all is refused with a message naming it.
final class ModelPersistenceTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-models-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  private func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }
  private func bits(_ m: Matrix) -> [UInt32] { m.data.map(\.bitPattern) }

  func testNetworksRoundTripBitForBit() throws {
    let digits = try Dataset.load("digits")
    let net = try MLP(MLPConfig(hidden: [24, 12], activation: .tanh, dropout: 0.1))
    _ = try fit(net, digits, options: FitOptions(epochs: 2, batchSize: 64, seed: 3))
    try net.save(to: path("net.tuna"))
    let loaded = try MLP.load(from: path("net.tuna"))
    XCTAssertEqual(loaded.config, net.config)
    XCTAssertEqual(loaded.layerSizes, net.layerSizes)
    XCTAssertEqual(bits(loaded.parameters), bits(net.parameters))
    XCTAssertEqual(bits(try loaded.predict(digits.x)), bits(try net.predict(digits.x)))
    XCTAssertEqual(bits(try loaded.predictProbabilities(digits.x)), bits(try net.predictProbabilities(digits.x)))
    // A loaded network goes on training like the saved one.
    _ = try fit(net, digits, options: FitOptions(epochs: 1, batchSize: 64, seed: 4))
    _ = try fit(loaded, digits, options: FitOptions(epochs: 1, batchSize: 64, seed: 4))
    XCTAssertEqual(bits(loaded.parameters), bits(net.parameters))

    let diabetes = try Dataset.load("diabetes")
    let regressor = try MLP(MLPConfig(hidden: [8]))
    _ = try fit(regressor, diabetes, options: FitOptions(epochs: 2, batchSize: 32, seed: 1))
    try regressor.save(to: path("regressor.tuna"))
    XCTAssertEqual(bits(try MLP.load(from: path("regressor.tuna")).predict(diabetes.x)), bits(try regressor.predict(diabetes.x)))
  }

  func testForestsTreesAndLinearModelsRoundTripBitForBit() throws {
    let iris = try Dataset.load("iris")
    let diabetes = try Dataset.load("diabetes")
    let forest = try RandomForest(nEstimators: 15, options: TreeOptions(maxDepth: 5, maxFeatures: .fraction(0.5)), seed: 2)
    try forest.fit(iris)
    try forest.save(to: path("forest.tuna"))
    let f = try RandomForest.load(from: path("forest.tuna"))
    XCTAssertEqual(f.nEstimators, 15)
    XCTAssertEqual(f.options, forest.options)
    XCTAssertEqual(bits(try f.predictProbabilities(iris.x)), bits(try forest.predictProbabilities(iris.x)))
    XCTAssertEqual(bits(try f.predict(iris.x)), bits(try forest.predict(iris.x)))

    let regressionForest = try RandomForest(nEstimators: 5, seed: 1)
    try regressionForest.fit(diabetes)
    try regressionForest.save(to: path("rf.tuna"))
    XCTAssertEqual(bits(try RandomForest.load(from: path("rf.tuna")).predict(diabetes.x)), bits(try regressionForest.predict(diabetes.x)))

    let tree = try DecisionTree(options: TreeOptions(criterion: .entropy, maxDepth: 4), seed: 9)
    try tree.fit(iris)
    try tree.save(to: path("tree.tuna"))
    let t = try DecisionTree.load(from: path("tree.tuna"))
    XCTAssertEqual(bits(try t.predictProbabilities(iris.x)), bits(try tree.predictProbabilities(iris.x)))
    XCTAssertEqual(try t.apply(iris.x), try tree.apply(iris.x))

    let logistic = try LogisticRegression(c: 0.5)
    try logistic.fit(iris)
    try logistic.save(to: path("logistic.tuna"))
    let lg = try LogisticRegression.load(from: path("logistic.tuna"))
    XCTAssertEqual(lg.coefficients, logistic.coefficients)
    XCTAssertEqual(lg.classes, logistic.classes)
    XCTAssertEqual(bits(try lg.predictProbabilities(iris.x)), bits(try logistic.predictProbabilities(iris.x)))

    let linear = try LinearRegression(l2: 0.1)
    try linear.fit(diabetes)
    try linear.save(to: path("linear.tuna"))
    let ln = try LinearRegression.load(from: path("linear.tuna"))
    XCTAssertEqual(bits(try ln.predict(diabetes.x)), bits(try linear.predict(diabetes.x)))
    XCTAssertEqual(try ModelFile.kind(at: path("linear.tuna")), "linear_regression")
  }

  func testBadFilesAreRefusedWithTheirName() throws {
    let iris = try Dataset.load("iris")
    let tree = try DecisionTree(options: TreeOptions(maxDepth: 2))
    try tree.fit(iris)
    try tree.save(to: path("tree.tuna"))
    func refuses(_ what: String, _ body: () throws -> Any, _ expected: String) {
      XCTAssertThrowsError(try body(), what) { error in
        XCTAssertTrue(String(describing: error).contains(expected), "\(what): \(error)")
      }
    }
    refuses("another kind", { try RandomForest.load(from: self.path("tree.tuna")) }, "holds a decision tree, not a random forest")
    refuses("no file", { try MLP.load(from: self.path("missing.tuna")) }, "missing.tuna")
    try Data("hello, world, not a model".utf8).write(to: URL(fileURLWithPath: path("text.tuna")))
    refuses("not a model", { try MLP.load(from: self.path("text.tuna")) }, "is not a Tuna model file")
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("tree.tuna"))))
    try Data(bytes.prefix(bytes.count - 9)).write(to: URL(fileURLWithPath: path("short.tuna")))
    refuses("cut short", { try DecisionTree.load(from: self.path("short.tuna")) }, "cut short")
    bytes[8] = 99
    try Data(bytes).write(to: URL(fileURLWithPath: path("newer.tuna")))
    refuses("newer", { try DecisionTree.load(from: self.path("newer.tuna")) }, "written by a newer Tuna (model format 99)")
    refuses("unfitted", { try DecisionTree().save(to: self.path("x.tuna")) }, "not fitted")
    refuses("unfitted net", { try MLP(MLPConfig()).save(to: self.path("x.tuna")) }, "not fitted")
  }

  /// Crafted files whose numbers do not fit are refused before anything is allocated or walked:
  /// an array count that would overflow, tree sizes that overflow, a tree whose child points
  /// back (predict would never end), a network shape that does not match its weights, a
  /// logistic regression whose classes and rows disagree.
  func testCraftedFilesAreRefusedNotTrusted() throws {
    func refused(_ what: String, _ body: () throws -> Any) {
      XCTAssertThrowsError(try body(), what) { error in
        XCTAssertTrue(String(describing: error).contains("not a"), "\(what): \(error)")
      }
    }
    // A raw file whose one array claims 2^61 doubles.
    let header = #"{"arrays":[{"count":2305843009213693952,"name":"parameters","type":"f64"}],"kind":"mlp","meta":{},"version":1}"#
    var bytes = Array("TUNAMODL".utf8) + [1, 0, 0, 0]
    let h = Array(header.utf8)
    bytes += [UInt8(h.count & 0xFF), UInt8(h.count >> 8 & 0xFF), 0, 0] + h
    try Data(bytes).write(to: URL(fileURLWithPath: path("huge.tuna")))
    refused("a count past the file") { try MLP.load(from: self.path("huge.tuna")) }

    let shape = TreeModelShape(task: .classification, nFeatures: 2, nClasses: 2)
    var cycle = FittedTree(width: 2)
    cycle.splits = [.init(feature: 0, left: 0, threshold: .infinity), .init(feature: -1, left: -1, threshold: 0)]
    cycle.samples = [2, 1]
    cycle.weightedSamples = [2, 1]
    cycle.impurity = [0.5, 0]
    cycle.values = [0.5, 0.5, 1, 0]
    let meta = TreeMeta(options: TreeOptions(), seed: 0, shape: shape, trees: [cycle])
    try ModelFile.write(kind: "decision_tree", meta: meta, arrays: TreeMeta.arrays([cycle]), to: path("cycle.tuna"))
    refused("a child pointing back") { try DecisionTree.load(from: self.path("cycle.tuna")) }
    var overflowing = meta
    overflowing.nodes = [Int.max, 1]
    overflowing.depths = [0, 0]
    overflowing.leaves = [1, 1]
    try ModelFile.write(kind: "random_forest", meta: overflowing, arrays: TreeMeta.arrays([cycle]), to: path("sizes.tuna"))
    refused("tree sizes that overflow") { try RandomForest.load(from: self.path("sizes.tuna")) }
    var wide = meta
    wide.nFeatures = 3_000_000_000
    try ModelFile.write(kind: "decision_tree", meta: wide, arrays: TreeMeta.arrays([cycle]), to: path("wide.tuna"))
    refused("more features than a tree can index") { try DecisionTree.load(from: self.path("wide.tuna")) }

    for (sizes, hidden) in [([-3, 2, 1], [2]), ([100_000, 100_000, 100_000, 1], [100_000, 100_000]), ([4, 3, 2], [3])] {
      let net = MLP.Meta(hidden: hidden, activation: "relu", dropout: 0, task: "classification", layerSizes: sizes)
      try ModelFile.write(kind: "mlp", meta: net, arrays: [("parameters", .f32([1, 2, 3, 4, 5]))], to: path("net.tuna"))
      refused("layer sizes \(sizes) for 5 weights") { try MLP.load(from: self.path("net.tuna")) }
    }

    let logistic = LogisticRegression.Meta(
      c: 1, maxIterations: 10, tolerance: 1e-4, fitIntercept: true, classes: [0], nClasses: 3, nFeatures: 2, iterations: 1,
      converged: true)
    try ModelFile.write(
      kind: "logistic_regression", meta: logistic, arrays: [("coefficients", .f64([1, 2])), ("intercepts", .f64([0]))],
      to: path("logistic.tuna"))
    refused("one class") { try LogisticRegression.load(from: self.path("logistic.tuna")) }
    var negative = logistic
    negative.classes = [0, 1]
    negative.nClasses = -1
    try ModelFile.write(
      kind: "logistic_regression", meta: negative, arrays: [("coefficients", .f64([1, 2])), ("intercepts", .f64([0]))],
      to: path("negative.tuna"))
    refused("a negative class count") { try LogisticRegression.load(from: self.path("negative.tuna")) }
  }
}
