import TunaRandom

/// One node of a fitted ``DecisionTree``, for inspection.
public struct TreeNode: Sendable, Equatable {
  /// The feature a split tests (nil at a leaf).
  public var feature: Int?
  /// Rows with `x[feature] <= threshold` go left (0 at a leaf).
  public var threshold: Float
  /// The children's node indices (nil at a leaf).
  public var left: Int?
  public var right: Int?
  /// The training rows that reached the node.
  public var samples: Int
  /// The criterion's impurity of the node.
  public var impurity: Double
  /// The class proportions (classification) or the mean target (regression, one value).
  public var value: [Float]

  public var isLeaf: Bool { feature == nil }
}

/// A CART decision tree for classification or regression (Breiman, Friedman, Olshen & Stone,
/// *Classification and Regression Trees*, 1984): binary splits `x[f] <= t`, chosen greedily to
/// decrease the Gini index, the entropy or the squared error the most, grown depth first until
/// the options stop it or the leaves are pure. Without pruning, as scikit-learn's
/// `DecisionTreeClassifier` / `DecisionTreeRegressor`; a leaf predicts its class proportions or
/// its mean.
///
/// The task comes from the dataset given to ``fit(_:)``. The seed decides the order in which
/// features are compared, which matters only for ties and when `maxFeatures` draws fewer than
/// all features.
public final class DecisionTree: ProbabilisticClassifier {
  public let options: TreeOptions
  public let seed: UInt64
  private(set) var tree: FittedTree?
  private var shape: TreeModelShape?

  /// Throws a `TrainError` naming an option out of range.
  public init(options: TreeOptions = TreeOptions(), seed: UInt64 = 0) throws {
    try options.validate()
    self.options = options
    self.seed = seed
  }

  /// Takes the fitted state a model file holds (`load(from:)`).
  func restore(tree: FittedTree, shape: TreeModelShape) {
    self.tree = tree
    self.shape = shape
  }

  /// The fitted tree's shape (nil before `fit`).
  var fittedShape: TreeModelShape? { shape }

  public func fit(_ data: Dataset) throws {
    let treeData = try TreeData(data)
    let resolved = try options.resolved(for: treeData, defaultMaxFeatures: .all)
    var rng = RandomSource(seed: seed)
    let builder = TreeBuilder(data: treeData, options: resolved)
    builder.cancellation = Cancellation.current
    let grown = builder.grow(bootstrap: false, rng: &rng)
    if builder.stopped { throw TrainingStopped() }
    tree = grown
    shape = TreeModelShape(treeData)
  }

  private func fitted(_ x: Matrix) throws -> (FittedTree, TreeModelShape) {
    guard let tree, let shape else { throw TrainError("the decision tree is not fitted; call fit first") }
    try shape.check(x, model: "decision tree")
    return (tree, shape)
  }

  /// The class index (as a Float) or the value of each row.
  public func predict(_ x: Matrix) throws -> [Float] {
    let (tree, shape) = try fitted(x)
    return shape.predictions(from: shape.averageLeafValues([tree], x, threads: 1), rows: x.rows)
  }

  /// The class proportions of each row's leaf (classification).
  public func predictProbabilities(_ x: Matrix) throws -> Matrix {
    let (tree, shape) = try fitted(x)
    return try shape.probabilities(
      from: shape.averageLeafValues([tree], x, threads: 1), rows: x.rows, model: "decision tree")
  }

  /// The index (into ``nodes``) of the leaf each row falls into.
  public func apply(_ x: Matrix) throws -> [Int] {
    try fitted(x).0.leaves(x)
  }

  /// The task of the last fit (nil before one).
  public var task: LearningTask? { shape?.task }
  /// The number of classes of the last fit (0 for regression or before a fit).
  public var nClasses: Int { shape?.nClasses ?? 0 }
  /// The depth of the deepest leaf (the root is at depth 0; 0 before a fit).
  public var depth: Int { tree?.depth ?? 0 }
  /// The number of leaves (0 before a fit).
  public var leafCount: Int { tree?.leafCount ?? 0 }
  /// The number of nodes, splits and leaves (0 before a fit).
  public var nodeCount: Int { tree?.nodeCount ?? 0 }

  /// Each feature's share of the impurity decrease of all splits (weighted by the rows through
  /// each split; sums to 1, or all zeros for a tree that is one leaf; empty before a fit).
  public var featureImportances: [Double] {
    guard let tree, let shape else { return [] }
    return tree.featureImportances(nFeatures: shape.nFeatures)
  }

  /// The nodes, the root first; a split's children follow it in depth-first order.
  public var nodes: [TreeNode] {
    guard let tree else { return [] }
    return (0..<tree.nodeCount).map { i in
      let s = tree.splits[i]
      let leaf = s.feature < 0
      return TreeNode(
        feature: leaf ? nil : Int(s.feature), threshold: leaf ? 0 : s.threshold,
        left: leaf ? nil : Int(s.left), right: leaf ? nil : Int(s.left) + 1,
        samples: Int(tree.samples[i]), impurity: tree.impurity[i],
        value: Array(tree.values[(i * tree.width)..<((i + 1) * tree.width)]))
    }
  }
}
