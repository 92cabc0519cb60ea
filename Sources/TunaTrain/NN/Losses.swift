import Foundation

/// Softmax cross-entropy over logits, for classification: for a row z with label y,
/// L = −log softmax(z)_y = log Σ_j e^{z_j − m} − (z_y − m), m = max_j z_j (shifting by the max
/// keeps every exponent ≤ 0, so nothing overflows). Fused with the softmax, the gradient is
/// simply dL/dz_j = softmax(z)_j − [j = y].
enum SoftmaxCrossEntropy {
  /// The summed loss of `rows` rows of `classes` logits; when `gradient` is given it receives
  /// `scale · (softmax(z) − onehot(y))` (scale = 1 / batch size for a mean loss). Labels are
  /// class indices stored as Floats, as `Dataset.y` keeps them.
  static func loss(
    logits: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int, classes: Int,
    gradient: UnsafeMutablePointer<Float>? = nil, scale: Float = 1
  ) -> Double {
    var total = 0.0
    for r in 0..<rows {
      let z = logits + r * classes
      let y = Int(labels[r])
      var m = z[0]
      for j in 1..<classes where z[j] > m { m = z[j] }
      var sum: Float = 0
      for j in 0..<classes { sum += Foundation.exp(z[j] - m) }
      let logSum = Foundation.log(sum)
      total += Double(logSum - (z[y] - m))
      if let gradient {
        let g = gradient + r * classes
        let inv = scale / sum
        for j in 0..<classes { g[j] = Foundation.exp(z[j] - m) * inv }
        g[y] -= scale
      }
    }
    return total
  }

  /// Softmax of each row, in place.
  static func probabilities(_ z: UnsafeMutablePointer<Float>, rows: Int, classes: Int) {
    for r in 0..<rows {
      let row = z + r * classes
      var m = row[0]
      for j in 1..<classes where row[j] > m { m = row[j] }
      var sum: Float = 0
      for j in 0..<classes {
        row[j] = Foundation.exp(row[j] - m)
        sum += row[j]
      }
      let inv = 1 / sum
      for j in 0..<classes { row[j] *= inv }
    }
  }

  /// The index of the largest value of a row (the first on ties; NaNs never win).
  @inline(__always)
  static func argmax(_ row: UnsafePointer<Float>, count: Int) -> Int {
    var best = 0
    for j in 1..<count where row[j] > row[best] { best = j }
    return best
  }
}

/// Mean squared error, for regression: L = (ŷ − y)² per row, dL/dŷ = 2(ŷ − y). The network has
/// one linear output.
enum SquaredError {
  /// The summed squared error of `rows` predictions; when `gradient` is given it receives
  /// `scale · 2(ŷ − y)`.
  static func loss(
    predictions: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int,
    gradient: UnsafeMutablePointer<Float>? = nil, scale: Float = 1
  ) -> Double {
    var total = 0.0
    for r in 0..<rows {
      let d = predictions[r] - targets[r]
      total += Double(d) * Double(d)
      gradient?[r] = scale * 2 * d
    }
    return total
  }
}
