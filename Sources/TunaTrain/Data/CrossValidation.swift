/// The scores of a cross-validation, one per fold, and their summary.
public struct CVResult: Sendable {
  /// One score per fold, in fold order.
  public let scores: [Double]
  public let mean: Double
  /// The population standard deviation (divisor n, numpy's default, as scikit-learn reports).
  public let std: Double

  public init(scores: [Double]) {
    self.scores = scores
    let n = Double(max(scores.count, 1))
    mean = scores.reduce(0, +) / n
    let m = mean
    std = (scores.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
  }
}

/// K-fold cross-validation, as scikit-learn's `cross_val_score`: for each fold, a fresh estimator
/// from `makeEstimator` is fitted on the other folds and scored on this one.
///
/// - Parameters:
///   - makeEstimator: makes a new, unfitted estimator (called once per fold).
///   - cv: the number of folds (≥ 2).
///   - scoring: accuracy for classification and R² for regression when nil.
///   - stratify: `StratifiedKFold` folds; when nil, true for classification and false for
///     regression, as scikit-learn.
///   - shuffle: rows are assigned to folds at random (seeded by `seed`). scikit-learn's default is
///     not to shuffle, which on data sorted by class (iris) gives unrepresentative folds unless
///     stratified; pass false for its exact fold layout.
///   - afterFold: called with each fold's index (from 0) and score as soon as it is known; what
///     it throws ends the cross-validation (a tuner prunes a hopeless configuration this way).
/// - Throws: `TrainError` for a bad `cv`, a scoring that does not fit the task, and whatever
///   making, fitting or scoring an estimator throws.
public func crossValScore(
  _ makeEstimator: () throws -> any Estimator, _ data: Dataset, cv: Int = 5, scoring: Scoring? = nil,
  stratify: Bool? = nil, shuffle: Bool = true, seed: UInt64 = 0,
  afterFold: ((_ fold: Int, _ score: Double) throws -> Void)? = nil
) throws -> CVResult {
  let scoring = scoring ?? .default(for: data.task)
  guard scoring.task == data.task else {
    throw TrainError(
      "cross_val_score: scoring '\(scoring.rawValue)' needs a \(scoring.task.rawValue) dataset; this one is \(data.task.rawValue)")
  }
  guard cv >= 2, cv <= data.nSamples else {
    throw TrainError(
      "cross_val_score: cv must be between 2 and the number of rows (\(data.nSamples)), got \(cv)")
  }
  let folds = try data.kfoldIndices(
    k: cv, stratify: stratify ?? (data.task == .classification), shuffle: shuffle, seed: seed)
  var scores: [Double] = []
  for fold in folds {
    let estimator = try makeEstimator()
    try estimator.fit(data.subset(fold.train))
    let score = try Metrics.score(scoring, estimator: estimator, data: data.subset(fold.valid))
    scores.append(score)
    try afterFold?(scores.count - 1, score)
  }
  return CVResult(scores: scores)
}
