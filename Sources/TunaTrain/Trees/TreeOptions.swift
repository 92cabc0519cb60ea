import Foundation

/// How the quality of a split is measured: the impurity that a split decreases.
///
/// The Gini index and the entropy are CART's classification criteria, the squared error its
/// least-squares regression criterion (Breiman, Friedman, Olshen & Stone, *Classification and
/// Regression Trees*, 1984, §4.3 and §8.3). The raw values are the names scikit-learn and the Lua
/// API use.
public enum Criterion: String, Sendable, CaseIterable {
  /// 1 − Σ pₖ² over the class proportions of a node.
  case gini
  /// −Σ pₖ log₂ pₖ over the class proportions of a node (in bits, as scikit-learn reports it).
  case entropy
  /// The variance of the targets in a node (regression).
  case squaredError = "squared_error"

  /// Whether the criterion is one for class labels.
  public var isClassification: Bool { self != .squaredError }

  /// The criterion a task gets when none is asked for: Gini for classification, squared error
  /// for regression.
  public static func defaultCriterion(for task: LearningTask) -> Criterion {
    task == .classification ? .gini : .squaredError
  }
}

/// How many features each split draws at random and compares (Breiman 2001, "Random Forests",
/// *Machine Learning* 45: the random choice of features at each node is what decorrelates the
/// trees of a forest).
public enum MaxFeatures: Sendable, Equatable, CustomStringConvertible {
  /// Every feature (a plain CART tree; a forest then only bags).
  case all
  /// ⌊√n⌋ features, at least one (scikit-learn's default for classification forests).
  case sqrt
  /// ⌊log₂ n⌋ features, at least one.
  case log2
  /// This many features (at least 1, at most the number of features).
  case count(Int)
  /// ⌊fraction · n⌋ features, at least one; fraction in (0, 1].
  case fraction(Double)

  /// The names the Lua API accepts for the cases without a number: "sqrt", "log2", "all".
  public init?(name: String) {
    switch name {
    case "sqrt": self = .sqrt
    case "log2": self = .log2
    case "all", "none": self = .all
    default: return nil
    }
  }

  /// The number of features a split compares when there are `nFeatures`, clamped to
  /// 1...nFeatures (``validate(nFeatures:)`` says when a `.count` is out of range).
  public func count(for nFeatures: Int) -> Int {
    guard nFeatures > 0 else { return 0 }
    let n = Double(nFeatures)
    let raw: Int
    switch self {
    case .all: raw = nFeatures
    case .sqrt: raw = Int(n.squareRoot())
    case .log2: raw = Int(Foundation.log2(n))
    case .count(let k): raw = k
    case .fraction(let f): raw = Int(f * n)
    }
    return min(max(raw, 1), nFeatures)
  }

  /// Checks the value on its own (a count of at least 1, a fraction in (0, 1]).
  public func validate() throws {
    switch self {
    case .count(let k) where k < 1:
      throw TrainError("maxFeatures must be >= 1, got \(k)")
    case .fraction(let f) where !(f > 0 && f <= 1):
      throw TrainError("maxFeatures must be a fraction in (0, 1], got \(f)")
    default: break
    }
  }

  /// Checks the value against a dataset's number of features.
  public func validate(nFeatures: Int) throws {
    try validate()
    if case .count(let k) = self, k > nFeatures {
      throw TrainError("maxFeatures must be <= the number of features (\(nFeatures)), got \(k)")
    }
  }

  public var description: String {
    switch self {
    case .all: return "all"
    case .sqrt: return "sqrt"
    case .log2: return "log2"
    case .count(let k): return String(k)
    case .fraction(let f): return String(f)
    }
  }
}

/// The growth settings of a CART tree, alone or in a forest. The names are scikit-learn's in
/// Swift's spelling (`maxDepth`, `minSamplesSplit`, …); the Lua API spells them as scikit-learn
/// does (`max_depth`), and its messages too.
public struct TreeOptions: Sendable, Equatable {
  /// The split criterion; `nil` picks by task at fit: Gini for classification, squared error
  /// for regression.
  public var criterion: Criterion?
  /// The deepest a leaf may lie (the root is at depth 0); `nil` grows until the other limits stop
  /// it or the leaves are pure.
  public var maxDepth: Int?
  /// The fewest training rows a node must hold to be split (≥ 2).
  public var minSamplesSplit: Int
  /// The fewest training rows each side of a split must keep (≥ 1).
  public var minSamplesLeaf: Int
  /// The features each split compares; `nil` is the estimator's default: every feature for a
  /// ``DecisionTree``, `.sqrt` for a classification ``RandomForest`` and every feature for a
  /// regression one (scikit-learn's defaults).
  public var maxFeatures: MaxFeatures?

  public init(
    criterion: Criterion? = nil, maxDepth: Int? = nil, minSamplesSplit: Int = 2,
    minSamplesLeaf: Int = 1, maxFeatures: MaxFeatures? = nil
  ) {
    self.criterion = criterion
    self.maxDepth = maxDepth
    self.minSamplesSplit = minSamplesSplit
    self.minSamplesLeaf = minSamplesLeaf
    self.maxFeatures = maxFeatures
  }

  /// Throws a `TrainError` naming the first option out of range.
  public func validate() throws {
    if let d = maxDepth, d < 1 { throw TrainError("maxDepth must be >= 1, got \(d)") }
    if minSamplesSplit < 2 {
      throw TrainError("minSamplesSplit must be >= 2, got \(minSamplesSplit)")
    }
    if minSamplesLeaf < 1 {
      throw TrainError("minSamplesLeaf must be >= 1, got \(minSamplesLeaf)")
    }
    try maxFeatures?.validate()
  }

  /// The settings for one fit on `data`, with every default decided.
  func resolved(for data: TreeData, defaultMaxFeatures: MaxFeatures) throws -> ResolvedTreeOptions {
    let criterion = self.criterion ?? Criterion.defaultCriterion(for: data.task)
    switch (criterion.isClassification, data.task) {
    case (true, .regression):
      throw TrainError("criterion '\(criterion.rawValue)' is for classification; a regression tree uses 'squared_error'")
    case (false, .classification):
      throw TrainError("criterion '\(criterion.rawValue)' is for regression; a classification tree uses 'gini' or 'entropy'")
    default: break
    }
    let maxFeatures = self.maxFeatures ?? defaultMaxFeatures
    try maxFeatures.validate(nFeatures: data.nFeatures)
    return ResolvedTreeOptions(
      criterion: criterion, maxDepth: maxDepth ?? Int.max, minSamplesSplit: minSamplesSplit,
      minSamplesLeaf: minSamplesLeaf, featuresPerSplit: maxFeatures.count(for: data.nFeatures))
  }
}

/// ``TreeOptions`` with the defaults decided for one dataset.
struct ResolvedTreeOptions: Sendable {
  var criterion: Criterion
  var maxDepth: Int
  var minSamplesSplit: Int
  var minSamplesLeaf: Int
  var featuresPerSplit: Int
}
