/// Ordinary least squares, or ridge regression when `l2 > 0`: the coefficients `w` and intercept
/// `b` minimising `‖y − X w − b‖² + l2 ‖w‖²` (the intercept is not penalised), as scikit-learn's
/// `LinearRegression` and `Ridge(alpha=l2)`.
///
/// Solved in Double through the normal equations on centred data, `(XcᵀXc + l2 I) w = Xcᵀ yc`,
/// by a Cholesky factorisation; when that system is singular (collinear features and `l2 = 0`),
/// by its pseudo-inverse, which gives the minimum-norm solution as `numpy.linalg.lstsq` does.
/// Then `b = mean(y) − mean(X) · w`. (The normal equations square the condition number, which is
/// harmless for the well-scaled, modest feature counts this is meant for.)
public final class LinearRegression: Estimator {
  /// The ridge penalty (scikit-learn's `alpha`); 0 for ordinary least squares.
  public let l2: Double
  public let fitIntercept: Bool
  /// One coefficient per feature, after `fit`.
  public private(set) var coefficients: [Double] = []
  /// After `fit`; 0 without `fitIntercept`.
  public private(set) var intercept: Double = 0
  /// Whether `fit` fell back to the pseudo-inverse (the system was singular).
  public private(set) var rankDeficient = false
  private var fitted = false

  /// - Throws: `TrainError` when `l2` is negative or not finite.
  public init(l2: Double = 0, fitIntercept: Bool = true) throws {
    guard l2 >= 0, l2.isFinite else {
      throw TrainError("linear_regression: l2 must be a finite number >= 0, got \(l2)")
    }
    self.l2 = l2
    self.fitIntercept = fitIntercept
  }

  /// Takes the fitted state a model file holds (`load(from:)`).
  func restore(coefficients: [Double], intercept: Double, rankDeficient: Bool) {
    self.coefficients = coefficients
    self.intercept = intercept
    self.rankDeficient = rankDeficient
    fitted = true
  }

  public func fit(_ data: Dataset) throws {
    guard data.task == .regression else {
      throw TrainError(
        "linear_regression needs a regression dataset; this one is classification (use logistic_regression)")
    }
    let n = data.nSamples, d = data.nFeatures
    guard n >= 1 else { throw TrainError("linear_regression: the dataset has no rows") }
    var x = data.x.data.map(Double.init)
    var y = data.y.map(Double.init)
    var xMean = [Double](repeating: 0, count: d), yMean = 0.0
    if fitIntercept {
      for i in 0..<n { for j in 0..<d { xMean[j] += x[i * d + j] } }
      for j in 0..<d { xMean[j] /= Double(n) }
      yMean = y.reduce(0, +) / Double(n)
      for i in 0..<n {
        for j in 0..<d { x[i * d + j] -= xMean[j] }
        y[i] -= yMean
      }
    }
    var gram = [Double](repeating: 0, count: d * d)
    DoubleAlgebra.gemm(x, transposeA: true, x, m: d, n: d, k: n, into: &gram)
    var rhs = [Double](repeating: 0, count: d)
    DoubleAlgebra.gemm(x, transposeA: true, y, m: d, n: 1, k: n, into: &rhs)
    for j in 0..<d { gram[j * d + j] += l2 }
    if let w = DoubleAlgebra.choleskySolve(gram, rhs, n: d) {
      coefficients = w
      rankDeficient = false
    } else {
      coefficients = DoubleAlgebra.pseudoInverseSolve(gram, rhs, n: d)
      rankDeficient = true
    }
    intercept = fitIntercept ? yMean - DoubleAlgebra.dot(xMean, coefficients) : 0
    fitted = true
  }

  public func predict(_ x: Matrix) throws -> [Float] {
    guard fitted else { throw TrainError("linear_regression: predict before fit") }
    guard x.cols == coefficients.count else {
      throw TrainError(
        "linear_regression: fitted on \(coefficients.count) features, given \(x.cols)")
    }
    let d = x.cols
    return (0..<x.rows).map { i in
      var s = intercept
      for j in 0..<d { s += Double(x.data[i * d + j]) * coefficients[j] }
      return Float(s)
    }
  }
}
