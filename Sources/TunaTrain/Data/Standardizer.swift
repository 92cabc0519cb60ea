/// Centres each feature on its mean and divides by its standard deviation, both learned from
/// one dataset and then applied unchanged to others (scikit-learn's `StandardScaler`).
public struct Standardizer: Sendable {
  /// Each feature's mean on the fitted data.
  public let mean: [Double]
  /// Each feature's population standard deviation on the fitted data (divisor n, as numpy's
  /// default), or 1 for a constant feature, which is then only centred.
  public let scale: [Double]

  /// Learns the mean and scale of each feature of `data` (in Double, two passes).
  public init(fitting data: Dataset) {
    let n = data.nSamples, d = data.nFeatures
    var mean = [Double](repeating: 0, count: d)
    var variance = [Double](repeating: 0, count: d)
    data.x.data.withUnsafeBufferPointer { x in
      for i in 0..<n { for j in 0..<d { mean[j] += Double(x[i * d + j]) } }
      if n > 0 { for j in 0..<d { mean[j] /= Double(n) } }
      for i in 0..<n {
        for j in 0..<d {
          let t = Double(x[i * d + j]) - mean[j]
          variance[j] += t * t
        }
      }
    }
    self.mean = mean
    self.scale = zip(variance, mean).map { v, m in
      let std = n > 0 ? (v / Double(n)).squareRoot() : 0
      // Constant up to rounding: like scikit-learn's `_handle_zeros_in_scale`, leave unscaled.
      return std <= 1e-12 * Swift.max(1, abs(m)) ? 1 : std
    }
  }

  /// `data` with each feature standardized; the targets are unchanged.
  ///
  /// - Precondition: `data` has as many features as the fitted dataset.
  public func transform(_ data: Dataset) -> Dataset {
    var out = data
    out.x = transform(data.x)
    return out
  }

  /// `x` with each column standardized.
  ///
  /// - Precondition: `x` has as many columns as the fitted dataset has features.
  public func transform(_ x: Matrix) -> Matrix {
    precondition(
      x.cols == mean.count, "Standardizer: fitted on \(mean.count) features, given \(x.cols)")
    var out = x
    let d = x.cols
    out.data.withUnsafeMutableBufferPointer { v in
      for i in 0..<x.rows {
        for j in 0..<d { v[i * d + j] = Float((Double(v[i * d + j]) - mean[j]) / scale[j]) }
      }
    }
    return out
  }
}

/// Standardizes `first` and every dataset in `others` with the mean and scale learned from
/// `first` (`tuna.data.standardize(train, test)`): the usual way to scale a training set and
/// the sets it is evaluated on without leaking their statistics into the model.
///
/// - Returns: the datasets in the order given, `first` first.
/// - Throws: `TrainError` when a dataset has a different number of features.
public func standardize(_ first: Dataset, _ others: Dataset...) throws -> [Dataset] {
  try standardize(first, others)
}

/// `standardize(_:_:...)` with the other datasets in an array.
public func standardize(_ first: Dataset, _ others: [Dataset]) throws -> [Dataset] {
  for (k, d) in others.enumerated() where d.nFeatures != first.nFeatures {
    throw TrainError(
      "standardize: dataset \(k + 2) has \(d.nFeatures) features; the first has \(first.nFeatures)")
  }
  let s = Standardizer(fitting: first)
  return [s.transform(first)] + others.map(s.transform)
}
