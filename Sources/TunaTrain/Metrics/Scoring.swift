/// How `crossValScore` and model selection score a fitted estimator, named as scikit-learn's
/// scorers. Greater is better for all of them, so errors and losses are negated
/// (`neg_mean_squared_error` is −MSE).
public enum Scoring: String, CaseIterable, Sendable {
  case accuracy
  /// F1 of class 1 for two classes, macro-averaged for more (see `Metrics.f1`).
  case f1
  /// ROC AUC of the probability of class 1 (binary classification, a `ProbabilisticClassifier`).
  case roc_auc
  /// −log loss of the predicted probabilities (a `ProbabilisticClassifier`).
  case neg_log_loss
  case r2
  case neg_mean_squared_error
  case neg_mean_absolute_error

  /// The scoring called `name`.
  ///
  /// - Throws: `TrainError` listing the known names.
  public init(named name: String) throws {
    guard let s = Scoring(rawValue: name) else {
      throw TrainError(
        "unknown scoring '\(name)' (known: \(Scoring.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    self = s
  }

  /// The task the scoring applies to.
  public var task: LearningTask {
    switch self {
    case .accuracy, .f1, .roc_auc, .neg_log_loss: return .classification
    case .r2, .neg_mean_squared_error, .neg_mean_absolute_error: return .regression
    }
  }

  /// The scikit-learn default: accuracy for classification, R² for regression.
  public static func `default`(for task: LearningTask) -> Scoring {
    task == .classification ? .accuracy : .r2
  }
}

extension Metrics {
  /// `estimator`'s score on `data` by `scoring` (greater is better).
  ///
  /// - Throws: `TrainError` when the scoring does not fit the dataset's task, when `roc_auc` is
  ///   asked of a dataset without exactly 2 classes, when `roc_auc` or `neg_log_loss` is asked of
  ///   an estimator that gives no probabilities; and whatever the estimator throws.
  public static func score(_ scoring: Scoring, estimator: any Estimator, data: Dataset) throws -> Double {
    guard scoring.task == data.task else {
      throw TrainError(
        "scoring '\(scoring.rawValue)' needs a \(scoring.task.rawValue) dataset; this one is \(data.task.rawValue)")
    }
    switch scoring {
    case .accuracy: return accuracy(data.y, try estimator.predict(data.x))
    case .f1: return f1(data.y, try estimator.predict(data.x), nClasses: data.nClasses)
    case .r2: return r2(data.y, try estimator.predict(data.x))
    case .neg_mean_squared_error: return -mse(data.y, try estimator.predict(data.x))
    case .neg_mean_absolute_error: return -mae(data.y, try estimator.predict(data.x))
    case .roc_auc, .neg_log_loss:
      guard let classifier = estimator as? any ProbabilisticClassifier else {
        throw TrainError(
          "scoring '\(scoring.rawValue)' needs class probabilities, which \(type(of: estimator)) does not give")
      }
      if scoring == .roc_auc && data.nClasses != 2 {
        throw TrainError(
          "scoring 'roc_auc' needs a binary classification dataset; this one has \(data.nClasses) classes")
      }
      let p = try classifier.predictProbabilities(data.x)
      guard p.rows == data.nSamples, p.cols == data.nClasses else {
        throw TrainError(
          "scoring '\(scoring.rawValue)': \(type(of: estimator)) gave \(p.rows)x\(p.cols) probabilities for \(data.nSamples) rows and \(data.nClasses) classes")
      }
      if scoring == .roc_auc {
        return try rocAUC(data.y, scores: (0..<p.rows).map { p[$0, 1] })
      }
      return -logLoss(data.y, probabilities: p)
    }
  }
}
