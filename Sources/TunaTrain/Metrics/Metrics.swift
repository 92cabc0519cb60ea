/// Scores of predictions against targets.
public enum Metrics {
  /// The fraction of predictions equal to their targets.
  public static func accuracy(_ truth: [Float], _ predicted: [Float]) -> Double {
    precondition(truth.count == predicted.count, "accuracy: \(truth.count) targets, \(predicted.count) predictions")
    guard !truth.isEmpty else { return 0 }
    var hits = 0
    for i in truth.indices where truth[i] == predicted[i] { hits += 1 }
    return Double(hits) / Double(truth.count)
  }

  /// The coefficient of determination: 1 − SSres / SStot (0 when the targets are constant and
  /// the predictions are not exact, as scikit-learn reports).
  public static func r2(_ truth: [Float], _ predicted: [Float]) -> Double {
    precondition(truth.count == predicted.count, "r2: \(truth.count) targets, \(predicted.count) predictions")
    guard !truth.isEmpty else { return 0 }
    let mean = truth.reduce(0.0) { $0 + Double($1) } / Double(truth.count)
    var res = 0.0, tot = 0.0
    for i in truth.indices {
      let d = Double(truth[i]) - Double(predicted[i])
      res += d * d
      let t = Double(truth[i]) - mean
      tot += t * t
    }
    if tot == 0 { return res == 0 ? 1 : 0 }
    return 1 - res / tot
  }
}
