/// What a dataset's target is.
public enum LearningTask: String, Sendable {
  case classification, regression
}

/// Rows of features and a target per row.
///
/// For classification the target of each row is its class index (0, 1, …, `nClasses - 1`)
/// stored as a `Float`, and `classNames` keeps the original labels; for regression it is the value.
public struct Dataset: Sendable {
  public var x: Matrix
  public var y: [Float]
  public var task: LearningTask
  /// The number of classes (0 for regression).
  public var nClasses: Int
  public var featureNames: [String]
  public var targetName: String
  /// The original label of each class index (classification).
  public var classNames: [String]
  /// The categories of each text column a CSV file had, by column name, in the order of their
  /// codes: with one-hot encoding category `k` is the feature `column=category`, with ordinal
  /// encoding the feature `column` holds `k` (see `CSVOptions.CategoricalEncoding`). Empty for
  /// data without text columns.
  public var categories: [String: [String]] = [:]

  public init(
    x: Matrix, y: [Float], task: LearningTask, nClasses: Int? = nil, featureNames: [String]? = nil,
    targetName: String = "target", classNames: [String]? = nil
  ) {
    precondition(x.rows == y.count, "Dataset: \(x.rows) rows but \(y.count) targets")
    self.x = x
    self.y = y
    self.task = task
    let k = task == .classification ? (nClasses ?? (y.map { Int($0) }.max().map { $0 + 1 } ?? 0)) : 0
    self.nClasses = k
    self.featureNames = featureNames ?? (0..<x.cols).map { "x\($0)" }
    self.targetName = targetName
    self.classNames = classNames ?? (0..<k).map(String.init)
  }

  public var nSamples: Int { x.rows }
  public var nFeatures: Int { x.cols }

  /// Class indices (classification).
  public var labels: [Int] { y.map { Int($0) } }

  /// The rows at `indices`, in that order.
  public func subset(_ indices: [Int]) -> Dataset {
    var d = self
    d.x = x.rows(indices)
    d.y = indices.map { y[$0] }
    return d
  }
}

/// A failure of the training core, worded for the person who called it.
public struct TrainError: Error, CustomStringConvertible, Sendable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// A model that learns from a dataset: the shape every classical model and `crossValScore`
/// share.
public protocol Estimator: AnyObject {
  /// Learns from `data`, replacing anything learned before.
  func fit(_ data: Dataset) throws
  /// One prediction per row: a class index (as a Float) or a value.
  func predict(_ x: Matrix) throws -> [Float]
  /// Accuracy for classification, R² for regression.
  func score(_ data: Dataset) throws -> Double
}

extension Estimator {
  public func score(_ data: Dataset) throws -> Double {
    let predicted = try predict(data.x)
    switch data.task {
    case .classification: return Metrics.accuracy(data.y, predicted)
    case .regression: return Metrics.r2(data.y, predicted)
    }
  }
}

/// Classifiers that give class probabilities (for log loss and ROC AUC).
public protocol ProbabilisticClassifier: Estimator {
  /// One row per sample, one column per class; rows sum to 1.
  func predictProbabilities(_ x: Matrix) throws -> Matrix
}
