/// The partition one fitted tree makes of its input space, in flat arrays, for analyses that
/// read a model rather than call it (functional ANOVA reads each tree's leaves as boxes).
///
/// Node 0 is the root. A split node `i` sends rows with `x[feature[i]] <= threshold[i]` to node
/// `left[i]` and the others to `left[i] + 1`; a leaf has `feature[i] == -1`.
public struct TreeStructure: Sendable {
  public let feature: [Int32]
  public let threshold: [Float]
  public let left: [Int32]
  /// `width` numbers per node: the class proportions (classification) or the mean (regression).
  public let values: [Float]
  public let width: Int

  public var nodeCount: Int { feature.count }

  /// The value of node `i` for regression (its first number otherwise).
  public func value(_ i: Int) -> Float { values[i * width] }

  /// A tree given node by node (tests and tools build small ones by hand).
  public init(feature: [Int32], threshold: [Float], left: [Int32], values: [Float], width: Int = 1) {
    precondition(threshold.count == feature.count && left.count == feature.count && values.count == feature.count * width)
    self.feature = feature
    self.threshold = threshold
    self.left = left
    self.values = values
    self.width = width
  }

  init(_ tree: FittedTree) {
    feature = tree.splits.map(\.feature)
    threshold = tree.splits.map(\.threshold)
    left = tree.splits.map(\.left)
    values = tree.values
    width = tree.width
  }
}

extension RandomForest {
  /// Each tree's partition of the input space (empty before a fit).
  public var treeStructures: [TreeStructure] { trees.map(TreeStructure.init) }
}

extension DecisionTree {
  /// The tree's partition of the input space (nil before a fit).
  public var structure: TreeStructure? { tree.map(TreeStructure.init) }
}
