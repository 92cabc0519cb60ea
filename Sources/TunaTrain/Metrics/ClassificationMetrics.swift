import Foundation

extension Metrics {
  /// The mean negative log-likelihood of the true classes (cross-entropy), as scikit-learn's
  /// `log_loss`: `-(1/n) Σ log p[i, truth[i]]`, each probability first clipped to
  /// `[eps, 1 - eps]` so that a confident mistake costs about 34.5 rather than infinity.
  ///
  /// - Parameters:
  ///   - truth: class indices.
  ///   - probabilities: one row per sample, one column per class.
  /// - Precondition: one row per target, and every class index is a column.
  public static func logLoss(_ truth: [Float], probabilities: Matrix, eps: Double = 1e-15) -> Double {
    precondition(
      truth.count == probabilities.rows,
      "logLoss: \(truth.count) targets, \(probabilities.rows) rows of probabilities")
    guard !truth.isEmpty else { return 0 }
    var sum = 0.0
    for (i, t) in truth.enumerated() {
      let c = Int(t)
      precondition(c >= 0 && c < probabilities.cols, "logLoss: class \(c) has no column of probabilities")
      let p = min(max(Double(probabilities[i, c]), eps), 1 - eps)
      sum -= log(p)
    }
    return sum / Double(truth.count)
  }

  /// The F1 score, the harmonic mean of precision and recall: `2 tp / (2 tp + fp + fn)`.
  ///
  /// - For two classes (`nClasses == 2`, or when nil, labels all 0 or 1) it is the F1 of class 1,
  ///   as scikit-learn's `f1_score(average="binary")`.
  /// - For more it is the unweighted mean of each class's F1 over the classes that occur in
  ///   `truth` or `predicted`, as `f1_score(average="macro")`.
  ///
  /// A class with no true and no predicted samples scores 0 (scikit-learn's `zero_division=0`).
  public static func f1(_ truth: [Float], _ predicted: [Float], nClasses: Int? = nil) -> Double {
    precondition(truth.count == predicted.count, "f1: \(truth.count) targets, \(predicted.count) predictions")
    let binary = nClasses.map { $0 == 2 } ?? (truth + predicted).allSatisfy { $0 == 0 || $0 == 1 }
    func f1(of c: Float) -> Double {
      var tp = 0, fp = 0, fn = 0
      for (t, p) in zip(truth, predicted) {
        if p == c { if t == c { tp += 1 } else { fp += 1 } } else if t == c { fn += 1 }
      }
      let denominator = 2 * tp + fp + fn
      return denominator == 0 ? 0 : Double(2 * tp) / Double(denominator)
    }
    if binary { return f1(of: 1) }
    let labels = Set(truth).union(predicted).sorted()
    guard !labels.isEmpty else { return 0 }
    return labels.reduce(0.0) { $0 + f1(of: $1) } / Double(labels.count)
  }

  /// The area under the ROC curve of a binary classifier: the probability that a random positive
  /// (class 1) scores above a random negative (class 0), ties counting one half. Computed from
  /// ranks as the Mann–Whitney U statistic (Mann & Whitney 1947; Hanley & McNeil 1982), tied
  /// scores sharing their average rank, so it equals scikit-learn's `roc_auc_score`.
  ///
  /// - Parameters:
  ///   - truth: 0 or 1 per sample.
  ///   - scores: higher means more likely class 1 (a probability, a margin, …).
  /// - Throws: `TrainError` when a label is neither 0 nor 1, or only one class is present.
  public static func rocAUC(_ truth: [Float], scores: [Float]) throws -> Double {
    precondition(truth.count == scores.count, "rocAUC: \(truth.count) targets, \(scores.count) scores")
    guard truth.allSatisfy({ $0 == 0 || $0 == 1 }) else {
      throw TrainError("rocAUC: the labels must be 0 or 1 (binary classification)")
    }
    let nPositive = truth.filter { $0 == 1 }.count
    let nNegative = truth.count - nPositive
    guard nPositive > 0, nNegative > 0 else {
      throw TrainError("rocAUC: only one class is present in the labels, so ROC AUC is not defined")
    }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var positiveRankSum = 0.0
    var start = 0
    while start < order.count {
      var stop = start + 1
      while stop < order.count, scores[order[stop]] == scores[order[start]] { stop += 1 }
      let averageRank = Double(start + 1 + stop) / 2  // ranks start+1 ... stop
      for k in start..<stop where truth[order[k]] == 1 { positiveRankSum += averageRank }
      start = stop
    }
    let u = positiveRankSum - Double(nPositive) * Double(nPositive + 1) / 2
    return u / (Double(nPositive) * Double(nNegative))
  }
}
