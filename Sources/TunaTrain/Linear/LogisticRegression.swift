import Foundation

/// L2-regularised logistic regression, as scikit-learn's `LogisticRegression(solver="lbfgs")`.
///
/// It minimises, over weights `W` and intercepts `b`,
///
///     Σᵢ −log pᵢ(yᵢ) + ‖W‖² / (2C)
///
/// where `pᵢ` is the softmax of `xᵢ W + b` over the classes (multinomial logistic regression) —
/// or, for two classes, the sigmoid of one score `xᵢ w + b` (the binomial model scikit-learn fits
/// for binary problems, not a two-class softmax, whose penalty would differ). The intercept is
/// not penalised. The solver is L-BFGS (`LBFGSMinimizer`) in Double on the objective divided by
/// n, which has the same minimiser; `tolerance` bounds its largest gradient component, like
/// scikit-learn's `tol`.
///
/// Classes absent from the training data get probability 0 (the model only knows the classes
/// it saw, as scikit-learn's `classes_`), so `predictProbabilities` always has one column per
/// class of the dataset.
public final class LogisticRegression: ProbabilisticClassifier {
  /// The inverse of the regularisation strength: smaller is stronger.
  public let c: Double
  public let maxIterations: Int
  public let tolerance: Double
  public let fitIntercept: Bool

  /// The class indices seen in training, ascending; the rows of `coefficients`.
  public private(set) var classes: [Int] = []
  /// One row of weights per class (a single row, for class 1, when there are two classes, like
  /// scikit-learn's `coef_`).
  public private(set) var coefficients: [[Double]] = []
  /// One intercept per row of `coefficients`.
  public private(set) var intercepts: [Double] = []
  /// L-BFGS iterations the last `fit` took.
  public private(set) var iterations = 0
  /// Whether the last `fit` met the tolerance within `maxIterations`.
  public private(set) var converged = false
  private var nClasses = 0
  private var nFeatures = 0

  /// - Throws: `TrainError` naming the argument out of range.
  public init(c: Double = 1.0, maxIterations: Int = 100, tolerance: Double = 1e-4, fitIntercept: Bool = true)
    throws
  {
    guard c > 0, c.isFinite else {
      throw TrainError("logistic_regression: c must be a finite number > 0, got \(c)")
    }
    guard maxIterations >= 1 else {
      throw TrainError("logistic_regression: maxIterations must be at least 1, got \(maxIterations)")
    }
    guard tolerance >= 0, tolerance.isFinite else {
      throw TrainError("logistic_regression: tolerance must be a finite number >= 0, got \(tolerance)")
    }
    self.c = c
    self.maxIterations = maxIterations
    self.tolerance = tolerance
    self.fitIntercept = fitIntercept
  }

  public func fit(_ data: Dataset) throws {
    let objective = try Objective(data, c: c, fitIntercept: fitIntercept)
    let minimizer = LBFGSMinimizer(maxIterations: maxIterations, gradientTolerance: tolerance)
    let start = [Double](repeating: 0, count: objective.parameterCount)
    let result = minimizer.minimize(start) { theta, gradient in
      objective.evaluate(theta, gradient: &gradient)
    }
    classes = objective.classes
    nClasses = data.nClasses
    nFeatures = data.nFeatures
    let (w, b) = objective.unpack(result.x)
    coefficients = w
    intercepts = b
    iterations = result.iterations
    converged = result.converged
  }

  /// The number of classes of the data it was fitted on.
  var fittedClassCount: Int { nClasses }

  /// Takes the fitted state a model file holds (`load(from:)`).
  func restore(
    classes: [Int], nClasses: Int, coefficients: [[Double]], intercepts: [Double], nFeatures: Int, iterations: Int,
    converged: Bool
  ) {
    self.classes = classes
    self.nClasses = nClasses
    self.coefficients = coefficients
    self.intercepts = intercepts
    self.nFeatures = nFeatures
    self.iterations = iterations
    self.converged = converged
  }

  /// The training objective `Σᵢ −log pᵢ(yᵢ) + ‖W‖² / (2C)` at the fitted parameters on `data`
  /// (classes as at `fit`), and its gradient in the parameter order: weights row-major by
  /// feature then class-row (`W[j][k]`), then the intercepts. Near zero after a converged fit.
  public func objective(on data: Dataset) throws -> (value: Double, gradient: [Double]) {
    guard !classes.isEmpty else { throw TrainError("logistic_regression: objective before fit") }
    let objective = try Objective(data, c: c, fitIntercept: fitIntercept, classes: classes)
    let m = coefficients.count
    var theta = [Double](repeating: 0, count: objective.parameterCount)
    for j in 0..<nFeatures { for k in 0..<m { theta[j * m + k] = coefficients[k][j] } }
    if fitIntercept { for k in 0..<m { theta[nFeatures * m + k] = intercepts[k] } }
    var gradient = [Double](repeating: 0, count: theta.count)
    let n = Double(data.nSamples)
    let value = objective.evaluate(theta, gradient: &gradient) * n
    return (value, gradient.map { $0 * n })
  }

  public func predictProbabilities(_ x: Matrix) throws -> Matrix {
    let scores = try decisionScores(x)
    let m = coefficients.count
    var p = Matrix(rows: x.rows, cols: nClasses)
    for i in 0..<x.rows {
      if m == 1 {
        let z = scores[i]
        let p1 = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
        p[i, classes[0]] = Float(1 - p1)
        p[i, classes[1]] = Float(p1)
      } else {
        let row = scores[(i * m)..<((i + 1) * m)]
        let top = row.max()!
        let total = row.reduce(0) { $0 + exp($1 - top) }
        for (k, z) in row.enumerated() { p[i, classes[k]] = Float(exp(z - top) / total) }
      }
    }
    return p
  }

  public func predict(_ x: Matrix) throws -> [Float] {
    let scores = try decisionScores(x)
    let m = coefficients.count
    return (0..<x.rows).map { i in
      if m == 1 { return Float(scores[i] > 0 ? classes[1] : classes[0]) }
      var best = 0
      for k in 1..<m where scores[i * m + k] > scores[i * m + best] { best = k }
      return Float(classes[best])
    }
  }

  /// `x W + b`: n × (rows of `coefficients`).
  private func decisionScores(_ x: Matrix) throws -> [Double] {
    guard !classes.isEmpty else { throw TrainError("logistic_regression: predict before fit") }
    guard x.cols == nFeatures else {
      throw TrainError("logistic_regression: fitted on \(nFeatures) features, given \(x.cols)")
    }
    let m = coefficients.count, d = nFeatures
    var w = [Double](repeating: 0, count: d * m)
    for j in 0..<d { for k in 0..<m { w[j * m + k] = coefficients[k][j] } }
    var z = [Double](repeating: 0, count: x.rows * m)
    DoubleAlgebra.gemm(x.data.map(Double.init), w, m: x.rows, n: m, k: d, into: &z)
    for i in 0..<x.rows { for k in 0..<m { z[i * m + k] += intercepts[k] } }
    return z
  }

  /// The mean objective `(1/n)[Σᵢ −log pᵢ(yᵢ) + ‖W‖²/(2C)]` and its gradient. Parameters: `W` as
  /// d×m row-major, then m intercepts when fitted; m = 1 (binomial) for two classes, else one
  /// column per class.
  struct Objective {
    let x: [Double]
    /// Compact labels: positions in `classes`.
    let labels: [Int]
    let classes: [Int]
    let n: Int, d: Int, m: Int
    let c: Double
    let fitIntercept: Bool
    var parameterCount: Int { d * m + (fitIntercept ? m : 0) }

    init(_ data: Dataset, c: Double, fitIntercept: Bool, classes known: [Int]? = nil) throws {
      guard data.task == .classification else {
        throw TrainError(
          "logistic_regression needs a classification dataset; this one is regression (use linear_regression)")
      }
      guard data.nSamples >= 1 else { throw TrainError("logistic_regression: the dataset has no rows") }
      let present = known ?? Set(data.labels).sorted()
      guard present.count >= 2 else {
        throw TrainError(
          "logistic_regression needs at least 2 classes in the training data; it has only class '\(data.classNames[present[0]])'")
      }
      var position: [Int: Int] = [:]
      for (k, cls) in present.enumerated() { position[cls] = k }
      labels = try data.labels.map {
        guard let k = position[$0] else { throw TrainError("logistic_regression: class \($0) was not seen in fit") }
        return k
      }
      classes = present
      x = data.x.data.map(Double.init)
      n = data.nSamples
      d = data.nFeatures
      m = present.count == 2 ? 1 : present.count
      self.c = c
      self.fitIntercept = fitIntercept
    }

    func evaluate(_ theta: [Double], gradient: inout [Double]) -> Double {
      let w = Array(theta[0..<(d * m)])
      var z = [Double](repeating: 0, count: n * m)
      DoubleAlgebra.gemm(x, w, m: n, n: m, k: d, into: &z)
      if fitIntercept {
        for i in 0..<n { for k in 0..<m { z[i * m + k] += theta[d * m + k] } }
      }
      // Loss per row, and z overwritten with ∂loss/∂z (probabilities minus the one-hot truth).
      var loss = 0.0
      if m == 1 {
        for i in 0..<n {
          let zi = z[i], yi = Double(labels[i])
          loss += max(zi, 0) + log1p(exp(-abs(zi))) - yi * zi  // softplus(z) − y z
          let p = zi >= 0 ? 1 / (1 + exp(-zi)) : exp(zi) / (1 + exp(zi))
          z[i] = p - yi
        }
      } else {
        for i in 0..<n {
          var top = -Double.infinity
          for k in 0..<m { top = max(top, z[i * m + k]) }
          var total = 0.0
          for k in 0..<m { total += exp(z[i * m + k] - top) }
          let logSum = top + log(total)
          loss += logSum - z[i * m + labels[i]]
          for k in 0..<m { z[i * m + k] = exp(z[i * m + k] - logSum) }
          z[i * m + labels[i]] -= 1
        }
      }
      let scale = 1 / Double(n)
      var gW = [Double](repeating: 0, count: d * m)
      DoubleAlgebra.gemm(x, transposeA: true, z, m: d, n: m, k: n, alpha: scale, into: &gW)
      var penalty = 0.0
      let penaltyScale = 1 / (c * Double(n))
      for t in 0..<(d * m) {
        penalty += w[t] * w[t]
        gradient[t] = gW[t] + w[t] * penaltyScale
      }
      if fitIntercept {
        for k in 0..<m {
          var s = 0.0
          for i in 0..<n { s += z[i * m + k] }
          gradient[d * m + k] = s * scale
        }
      }
      return loss * scale + 0.5 * penalty * penaltyScale
    }

    /// Weights as rows per class (one row for the binomial model) and intercepts.
    func unpack(_ theta: [Double]) -> (weights: [[Double]], intercepts: [Double]) {
      let weights = (0..<m).map { k in (0..<d).map { j in theta[j * m + k] } }
      let intercepts = fitIntercept ? Array(theta[(d * m)..<(d * m + m)]) : [Double](repeating: 0, count: m)
      return (weights, intercepts)
    }
  }
}
