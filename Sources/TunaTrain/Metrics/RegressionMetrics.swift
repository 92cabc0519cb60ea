extension Metrics {
  /// The mean squared error, `(1/n) Σ (truth - predicted)²` (in Double).
  public static func mse(_ truth: [Float], _ predicted: [Float]) -> Double {
    precondition(truth.count == predicted.count, "mse: \(truth.count) targets, \(predicted.count) predictions")
    guard !truth.isEmpty else { return 0 }
    var sum = 0.0
    for (t, p) in zip(truth, predicted) {
      let d = Double(t) - Double(p)
      sum += d * d
    }
    return sum / Double(truth.count)
  }

  /// The mean absolute error, `(1/n) Σ |truth - predicted|` (in Double).
  public static func mae(_ truth: [Float], _ predicted: [Float]) -> Double {
    precondition(truth.count == predicted.count, "mae: \(truth.count) targets, \(predicted.count) predictions")
    guard !truth.isEmpty else { return 0 }
    var sum = 0.0
    for (t, p) in zip(truth, predicted) { sum += abs(Double(t) - Double(p)) }
    return sum / Double(truth.count)
  }
}
