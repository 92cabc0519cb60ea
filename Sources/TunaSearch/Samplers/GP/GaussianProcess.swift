import Foundation

// MARK: - The posterior

/// A Gaussian process conditioned on n observations: inputs in the unit cube (some of them
/// categorical), outputs already standardized. Holds the Cholesky factor of K + σ²_noise I and
/// α = (K + σ²_noise I)⁻¹ y, so a prediction costs O(n d) for the mean and O(n²) for the
/// variance.
final class GPPosterior {
  let n: Int
  let dimensions: Int
  /// Inputs, row-major n × dimensions.
  let x: [Double]
  /// The same inputs column-major (dimensions × n), for vectorized distances.
  let xT: [Double]
  let categorical: [Bool]
  let parameters: KernelParameters
  /// L with L Lᵀ = K + (σ²_noise + jitter) I, row-major n × n.
  let factor: [Double]
  let alpha: [Double]

  init(x: [Double], n: Int, categorical: [Bool], parameters: KernelParameters, factor: [Double], alpha: [Double]) {
    self.n = n
    self.dimensions = categorical.count
    self.x = x
    self.xT = transpose(x, rows: n, columns: categorical.count)
    self.categorical = categorical
    self.parameters = parameters
    self.factor = factor
    self.alpha = alpha
  }

  /// Conditions on (x, y) with fixed kernel parameters. Nil when K is not positive definite even
  /// with jitter.
  convenience init?(x: [Double], y: [Double], categorical: [Bool], parameters: KernelParameters) {
    let n = y.count
    var a = [Double](repeating: 0, count: n * n)
    GPLikelihood.fillCovariance(x: x, n: n, categorical: categorical, parameters: parameters, into: &a)
    guard let factor = try? CholeskyFactor(a, n: n) else { return nil }
    self.init(x: x, n: n, categorical: categorical, parameters: parameters, factor: factor.l, alpha: factor.solve(y))
  }

  /// The unit-variance kernel between `point` and every training input, written to `k`; with
  /// `derivative`, also dk/dr² there. Returns the posterior mean.
  @inline(__always)
  private func kernelColumn(
    _ point: UnsafePointer<Double>, _ k: UnsafeMutablePointer<Double>, _ derivative: UnsafeMutablePointer<Double>?
  ) -> Double {
    let n = self.n
    k.update(repeating: 0, count: n)
    parameters.inverseSquaredLengthscales.withUnsafeBufferPointer { ls in
      categorical.withUnsafeBufferPointer { cat in
        xT.withUnsafeBufferPointer { xs in
          Matern52.accumulateSquaredDistances(
            from: point, to: xs.baseAddress!, stride: n, count: n, inverseSquaredLengthscales: ls.baseAddress!,
            categorical: cat.baseAddress!, dimensions: dimensions, into: k)
        }
      }
    }
    Matern52.evaluate(k, derivatives: derivative, count: n)
    return alpha.withUnsafeBufferPointer { LinearAlgebra.dot($0.baseAddress!, k, n) } * parameters.signalVariance
  }

  /// The posterior mean and variance of the latent function at `point`.
  func predict(_ point: [Double]) -> (mean: Double, variance: Double) {
    precondition(point.count == dimensions, "the point has \(point.count) coordinates, the model \(dimensions)")
    var k = [Double](repeating: 0, count: n)
    return point.withUnsafeBufferPointer { p in
      k.withUnsafeMutableBufferPointer { kp in
        let mean = kernelColumn(p.baseAddress!, kp.baseAddress!, nil)
        let s = parameters.signalVariance
        for i in 0..<n { kp[i] *= s }
        factor.withUnsafeBufferPointer { LinearAlgebra.solveLower($0.baseAddress!, n, kp.baseAddress!) }
        let reduction = LinearAlgebra.dot(kp.baseAddress!, kp.baseAddress!, n)
        return (mean, max(s - reduction, 0))
      }
    }
  }

  /// Means and variances at `count` points (row-major in `points`), eight at a time: the
  /// triangular solves for eight right-hand sides share each row of the factor.
  func predictBatch(
    _ points: UnsafePointer<Double>, count: Int, means: UnsafeMutablePointer<Double>,
    variances: UnsafeMutablePointer<Double>
  ) {
    let block = 8
    let s = parameters.signalVariance
    var column = [Double](repeating: 0, count: n)
    // v holds the right-hand sides interleaved: v[i * 8 + c] is row i of point c of the block.
    var v = [Double](repeating: 0, count: n * block)
    factor.withUnsafeBufferPointer { lp in
      column.withUnsafeMutableBufferPointer { col in
        v.withUnsafeMutableBufferPointer { vp in
          let l = lp.baseAddress!, vb = vp.baseAddress!
          var start = 0
          while start < count {
            let width = min(block, count - start)
            for c in 0..<block {
              if c < width {
                means[start + c] = kernelColumn(points + (start + c) * dimensions, col.baseAddress!, nil)
                for i in 0..<n { vb[i * block + c] = col[i] * s }
              } else {
                for i in 0..<n { vb[i * block + c] = 0 }
              }
            }
            LinearAlgebra.solveLowerBlock8(l, n, vb)
            var acc0 = SIMD4<Double>(), acc1 = SIMD4<Double>()
            let raw = UnsafeRawPointer(vb)
            for i in 0..<n {
              let a = raw.loadUnaligned(fromByteOffset: i * 64, as: SIMD4<Double>.self)
              let b = raw.loadUnaligned(fromByteOffset: i * 64 + 32, as: SIMD4<Double>.self)
              acc0 += a * a
              acc1 += b * b
            }
            for c in 0..<width {
              let reduction = c < 4 ? acc0[c] : acc1[c - 4]
              variances[start + c] = max(s - reduction, 0)
            }
            start += width
          }
        }
      }
    }
  }

  /// Scratch space for `valueAndGradient`, reused across calls.
  final class Workspace {
    var k: [Double]
    var dk: [Double]
    var v: [Double]
    init(n: Int) {
      k = [Double](repeating: 0, count: n)
      dk = [Double](repeating: 0, count: n)
      v = [Double](repeating: 0, count: n)
    }
  }

  /// An acquisition a(mean, variance) at `point` and its gradient with respect to the point's
  /// continuous coordinates (categorical ones get 0). `acquisition` returns the value and its
  /// partial derivatives in the mean and in the variance.
  func valueAndGradient(
    _ point: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?, workspace: Workspace,
    acquisition: (_ mean: Double, _ variance: Double) -> (value: Double, dMean: Double, dVariance: Double)
  ) -> Double {
    let s = parameters.signalVariance
    let n = self.n
    return workspace.k.withUnsafeMutableBufferPointer { kp in
      workspace.dk.withUnsafeMutableBufferPointer { dkp in
        workspace.v.withUnsafeMutableBufferPointer { vp in
          let k = kp.baseAddress!, dk = dkp.baseAddress!, v = vp.baseAddress!
          let mean = kernelColumn(point, k, gradient == nil ? nil : dk)
          for i in 0..<n { v[i] = k[i] * s }
          factor.withUnsafeBufferPointer { LinearAlgebra.solveLower($0.baseAddress!, n, v) }
          let variance = max(s - LinearAlgebra.dot(v, v, n), 0)
          let (value, dMean, dVariance) = acquisition(mean, variance)
          guard let gradient else { return value }
          // w = K⁻¹ k; d mean/dx = Σ α_i dk_i/dx; d var/dx = −2 Σ w_i dk_i/dx, where
          // dk_i/dx_d = σ² k'(r²_i) · 2 (x_d − X_id) / ℓ_d². With c_i = σ² k'_i (dMean α_i −
          // 2 dVariance w_i): ∂a/∂x_d = 2/ℓ_d² (x_d Σ c_i − Σ c_i X_id).
          factor.withUnsafeBufferPointer { LinearAlgebra.solveLowerTransposed($0.baseAddress!, n, v) }
          alpha.withUnsafeBufferPointer { al in
            for i in 0..<n { k[i] = s * dk[i] * (dMean * al[i] - 2 * dVariance * v[i]) }
          }
          var total = 0.0
          for i in 0..<n { total += k[i] }
          parameters.inverseSquaredLengthscales.withUnsafeBufferPointer { ls in
            xT.withUnsafeBufferPointer { xs in
              for d in 0..<dimensions {
                let weighted = LinearAlgebra.dot(k, xs.baseAddress! + d * n, n)
                gradient[d] = categorical[d] ? 0 : 2 * ls[d] * (point[d] * total - weighted)
              }
            }
          }
          return value
        }
      }
    }
  }
}

/// The column-major copy of a row-major rows × columns matrix.
func transpose(_ a: [Double], rows: Int, columns: Int) -> [Double] {
  var t = [Double](repeating: 0, count: a.count)
  for i in 0..<rows { for j in 0..<columns { t[j * rows + i] = a[i * columns + j] } }
  return t
}

// MARK: - The marginal likelihood

/// The negative log marginal likelihood of the kernel parameters, minus their log prior, as a
/// function of θ = (log 1/ℓ_1², …, log 1/ℓ_d², log σ², log(σ²_noise − minimum noise)), with its
/// analytic gradient (Rasmussen and Williams 2006, eq. 5.9):
///
///     loss = ½ yᵀα + Σ log L_ii + n/2 log 2π − log p(θ),
///     ∂loss/∂θ_j = −½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j) − ∂ log p/∂θ_j.
///
/// The priors are Optuna's weak ones: −(0.1 ℓ⁻² + 0.1 ℓ²) on each inverse squared lengthscale,
/// Gamma(2, 1) on σ² and Gamma(1.1, 30) on the noise variance.
final class GPLikelihood {
  let n: Int
  let dimensions: Int
  let x: [Double]
  let xT: [Double]
  let y: [Double]
  let categorical: [Bool]
  let minimumNoise: Double
  /// The noise is held at the minimum (a deterministic objective).
  let fixedNoise: Bool

  private var base: [Double]  // unit kernel values, lower triangle
  private var baseDerivative: [Double]  // dk/dr², lower triangle
  private var work: [Double]  // the factor L
  private var inverted: [Double]  // L⁻ᵀ
  private var inverse: [Double]  // K⁻¹
  private var alpha: [Double]
  /// The θ whose factor `work` holds, and its loss.
  private var cached: (theta: [Double], loss: Double)?
  private(set) var evaluations = 0

  init(x: [Double], y: [Double], categorical: [Bool], minimumNoise: Double, fixedNoise: Bool) {
    n = y.count
    dimensions = categorical.count
    self.x = x
    self.xT = transpose(x, rows: y.count, columns: categorical.count)
    self.y = y
    self.categorical = categorical
    self.minimumNoise = minimumNoise
    self.fixedNoise = fixedNoise
    base = [Double](repeating: 0, count: n * n)
    baseDerivative = [Double](repeating: 0, count: n * n)
    work = [Double](repeating: 0, count: n * n)
    inverted = [Double](repeating: 0, count: n * n)
    inverse = [Double](repeating: 0, count: n * n)
    alpha = [Double](repeating: 0, count: n)
  }

  func parameters(_ theta: [Double]) -> KernelParameters {
    KernelParameters(
      inverseSquaredLengthscales: theta[0..<dimensions].map { exp($0) },
      signalVariance: exp(theta[dimensions]),
      noiseVariance: fixedNoise ? minimumNoise : minimumNoise + exp(theta[dimensions + 1]))
  }

  func theta(_ p: KernelParameters) -> [Double] {
    p.inverseSquaredLengthscales.map { log($0) } + [log(p.signalVariance), log(max(p.noiseVariance - minimumNoise, 1e-300))]
  }

  /// Bounds on θ that keep every quantity finite: lengthscales 0.01 … 100 (the unit cube's
  /// scale), signal variance 10⁻³ … 10³ (outputs are standardized), noise up to 10.
  func bounds() -> (lower: [Double], upper: [Double]) {
    let lower = Array(repeating: log(1e-4), count: dimensions) + [log(1e-3), fixedNoise ? 0 : log(1e-9)]
    let upper = Array(repeating: log(1e4), count: dimensions) + [log(1e3), fixedNoise ? 0 : log(10)]
    return (lower, upper)
  }

  /// Writes the unit-variance kernel between input i and inputs 0 ..< i into row i of `values`
  /// (and dk/dr² into row i of `derivatives`), for every row: the lower triangle of k(X, X).
  static func fillKernel(
    x: [Double], xT: [Double], n: Int, categorical: [Bool], inverseSquaredLengthscales: [Double],
    values: UnsafeMutablePointer<Double>, derivatives: UnsafeMutablePointer<Double>?
  ) {
    let dimensions = categorical.count
    x.withUnsafeBufferPointer { xs in
      xT.withUnsafeBufferPointer { xts in
        inverseSquaredLengthscales.withUnsafeBufferPointer { ls in
          categorical.withUnsafeBufferPointer { cat in
            for i in 1..<max(n, 1) {
              let row = values + i * n
              row.update(repeating: 0, count: i)
              Matern52.accumulateSquaredDistances(
                from: xs.baseAddress! + i * dimensions, to: xts.baseAddress!, stride: n, count: i,
                inverseSquaredLengthscales: ls.baseAddress!, categorical: cat.baseAddress!, dimensions: dimensions,
                into: row)
              Matern52.evaluate(row, derivatives: derivatives.map { $0 + i * n }, count: i)
            }
          }
        }
      }
    }
  }

  /// Writes σ² k(x_i, x_j) + σ²_noise δ_ij into the lower triangle of `a` (n × n).
  static func fillCovariance(x: [Double], n: Int, categorical: [Bool], parameters: KernelParameters, into a: inout [Double]) {
    let s = parameters.signalVariance
    let xT = transpose(x, rows: n, columns: categorical.count)
    a.withUnsafeMutableBufferPointer { ap in
      fillKernel(
        x: x, xT: xT, n: n, categorical: categorical, inverseSquaredLengthscales: parameters.inverseSquaredLengthscales,
        values: ap.baseAddress!, derivatives: nil)
      for i in 0..<n {
        for j in 0..<i { ap[i * n + j] *= s }
        ap[i * n + i] = s + parameters.noiseVariance
      }
    }
  }

  /// The loss at θ, and its gradient when asked. +∞ when the covariance cannot be factored.
  func loss(_ theta: [Double], gradient: inout [Double]?) -> Double {
    let value: Double
    if let cached, cached.theta == theta {
      value = cached.loss
    } else {
      value = factor(theta)
      cached = (theta, value)
    }
    guard gradient != nil, value.isFinite else { return value }
    gradient = lossGradient(theta)
    return value
  }

  private func logPrior(_ p: KernelParameters) -> Double {
    var lp = 0.0
    for l in p.inverseSquaredLengthscales { lp -= 0.1 / l + 0.1 * l }
    lp += log(p.signalVariance) - p.signalVariance
    lp += 0.1 * log(p.noiseVariance) - 30 * p.noiseVariance
    return lp
  }

  /// The posterior at θ, reusing the factorization when θ was the last point evaluated.
  func posterior(_ theta: [Double]) -> GPPosterior? {
    let p = parameters(theta)
    guard let cached, cached.theta == theta, cached.loss.isFinite else {
      return GPPosterior(x: x, y: y, categorical: categorical, parameters: p)
    }
    var factor = work
    for i in 0..<n { for j in (i + 1)..<n { factor[i * n + j] = 0 } }
    return GPPosterior(x: x, n: n, categorical: categorical, parameters: p, factor: factor, alpha: alpha)
  }

  /// Builds the covariance at θ, factors it (adding jitter if needed) and solves for α.
  private func factor(_ theta: [Double]) -> Double {
    evaluations += 1
    let p = parameters(theta)
    let s = p.signalVariance
    let n = self.n
    base.withUnsafeMutableBufferPointer { bp in
      baseDerivative.withUnsafeMutableBufferPointer { dp in
        Self.fillKernel(
          x: x, xT: xT, n: n, categorical: categorical, inverseSquaredLengthscales: p.inverseSquaredLengthscales,
          values: bp.baseAddress!, derivatives: dp.baseAddress!)
      }
    }
    var jitter = 0.0
    var ok = false
    while !ok {
      base.withUnsafeBufferPointer { bp in
        work.withUnsafeMutableBufferPointer { wp in
          for i in 0..<n {
            let row = wp.baseAddress! + i * n
            let b = bp.baseAddress! + i * n
            for j in 0..<i { row[j] = s * b[j] }
            row[i] = s + p.noiseVariance + jitter
          }
          ok = LinearAlgebra.choleskyInPlace(wp.baseAddress!, n)
        }
      }
      if !ok {
        jitter = jitter == 0 ? 1e-10 * s : jitter * 10
        if jitter > 1e-2 * s { return .infinity }
      }
    }
    var logDet = 0.0
    for i in 0..<n { alpha[i] = y[i] }
    work.withUnsafeBufferPointer { wp in
      alpha.withUnsafeMutableBufferPointer { ap in
        LinearAlgebra.solveLower(wp.baseAddress!, n, ap.baseAddress!)
        let quadratic = LinearAlgebra.dot(ap.baseAddress!, ap.baseAddress!, n)
        for i in 0..<n { logDet += log(wp[i * n + i]) }
        LinearAlgebra.solveLowerTransposed(wp.baseAddress!, n, ap.baseAddress!)
        logDet = 0.5 * quadratic + logDet
      }
    }
    let value = logDet + 0.5 * Double(n) * log(2 * Double.pi) - logPrior(p)
    return value.isFinite ? value : .infinity
  }

  /// The gradient at the θ last factored.
  private func lossGradient(_ theta: [Double]) -> [Double] {
    let p = parameters(theta)
    let s = p.signalVariance
    let n = self.n, dimensions = self.dimensions
    work.withUnsafeBufferPointer { wp in
      inverted.withUnsafeMutableBufferPointer { up in
        inverse.withUnsafeMutableBufferPointer { ip in
          LinearAlgebra.invertFactor(wp.baseAddress!, n, into: up.baseAddress!)
          LinearAlgebra.inverseFromInvertedFactor(up.baseAddress!, n, into: ip.baseAddress!)
        }
      }
    }
    // Row by row over the pairs j < i: w_ij = α_i α_j − K⁻¹_ij, then the signal term Σ w k and,
    // per input, Σ w k' δ².
    var gLength = [Double](repeating: 0, count: dimensions)
    var weights = [Double](repeating: 0, count: n)
    var gSignal = 0.0, trace = 0.0
    x.withUnsafeBufferPointer { xs in
      xT.withUnsafeBufferPointer { xts in
        categorical.withUnsafeBufferPointer { cat in
          base.withUnsafeBufferPointer { bp in
            baseDerivative.withUnsafeBufferPointer { dp in
              inverse.withUnsafeBufferPointer { kinv in
                alpha.withUnsafeBufferPointer { al in
                  weights.withUnsafeMutableBufferPointer { wt in
                    gLength.withUnsafeMutableBufferPointer { gl in
                      for i in 0..<n {
                        let ai = al[i]
                        let krow = kinv.baseAddress! + i * n
                        let brow = bp.baseAddress! + i * n, drow = dp.baseAddress! + i * n
                        for j in 0..<i {
                          let w = ai * al[j] - krow[j]
                          gSignal += w * brow[j]
                          wt[j] = w * drow[j]
                        }
                        Matern52.accumulateWeightedSquaredDifferences(
                          from: xs.baseAddress! + i * dimensions, to: xts.baseAddress!, stride: n, count: i,
                          weights: wt.baseAddress!, categorical: cat.baseAddress!, dimensions: dimensions,
                          into: gl.baseAddress!)
                        trace += ai * ai - krow[i]
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    var g = [Double](repeating: 0, count: dimensions + 2)
    // Off-diagonal pairs count twice in the trace; ½ of that cancels the 2.
    for d in 0..<dimensions {
      let l = p.inverseSquaredLengthscales[d]
      g[d] = -s * l * gLength[d] - (0.1 / l - 0.1 * l)
    }
    g[dimensions] = -0.5 * s * (2 * gSignal + trace) - (1 - s)
    if fixedNoise {
      g[dimensions + 1] = 0
    } else {
      let e = p.noiseVariance - minimumNoise
      g[dimensions + 1] = -0.5 * e * trace - (0.1 / p.noiseVariance - 30) * e
    }
    return g
  }
}

// MARK: - Fitting

enum GPFit {
  /// Fits the kernel parameters to (x, y) by maximizing the marginal likelihood plus the log
  /// prior with bounded L-BFGS from each start (the best wins), and conditions on the data.
  ///
  /// - Parameters:
  ///   - starts: starting parameters; the default start (unit lengthscales) is added when empty.
  ///   - maxEvaluations: likelihood evaluations allowed per start.
  ///   - maxIterations: quasi-Newton steps allowed per start.
  static func fit(
    x: [Double], y: [Double], categorical: [Bool], starts: [KernelParameters], minimumNoise: Double = 1e-6,
    deterministic: Bool = false, maxEvaluations: Int = 200, maxIterations: Int = 200, gradientTolerance: Double = 1e-2,
    shouldStop: @escaping () -> Bool = { false }
  ) -> GPPosterior? {
    let likelihood = GPLikelihood(
      x: x, y: y, categorical: categorical, minimumNoise: minimumNoise, fixedNoise: deterministic)
    let (lower, upper) = likelihood.bounds()
    var optimizer = BoundedLBFGS()
    optimizer.maxEvaluations = maxEvaluations
    optimizer.maxIterations = maxIterations
    optimizer.gradientTolerance = gradientTolerance
    optimizer.valueTolerance = 1e-9
    optimizer.shouldStop = shouldStop
    var best: (theta: [Double], loss: Double)?
    let initial = starts.isEmpty ? [KernelParameters.initial(dimensions: categorical.count)] : starts
    for start in initial where !shouldStop() {
      let result = optimizer.minimize(from: likelihood.theta(start), lower: lower, upper: upper) { theta, gradient in
        likelihood.loss(theta, gradient: &gradient)
      }
      if result.value.isFinite, best == nil || result.value < best!.loss { best = (result.x, result.value) }
    }
    if shouldStop() { return nil }
    if let best, let posterior = likelihood.posterior(best.theta) { return posterior }
    return GPPosterior(x: x, y: y, categorical: categorical, parameters: KernelParameters.initial(dimensions: categorical.count))
  }
}

// MARK: - Public model

/// Gaussian-process regression for scripts and strategies: a Matérn 5/2 kernel with one
/// lengthscale per input, signal and noise variance fitted by maximizing the marginal likelihood
/// (with Optuna's weak priors), the same model `GPSampler` uses.
///
/// ```swift
/// let gp = try GaussianProcess.fit(x: [[0.1], [0.5], [0.9]], y: [1.0, 0.2, 0.7])
/// let (mean, variance) = gp.predict([0.3])
/// ```
///
/// Inputs are scaled to the unit cube by `lows` and `highs` (by default they are taken to be in
/// [0, 1] already); outputs are standardized for the fit and predictions come back in the
/// outputs' units. A fit of n points costs O(n³) per likelihood evaluation.
public final class GaussianProcess {
  public let dimensions: Int
  let posterior: GPPosterior
  let lows: [Double]
  let highs: [Double]
  let yMean: Double
  let yScale: Double

  init(posterior: GPPosterior, lows: [Double], highs: [Double], yMean: Double, yScale: Double) {
    self.posterior = posterior
    self.dimensions = posterior.dimensions
    self.lows = lows
    self.highs = highs
    self.yMean = yMean
    self.yScale = yScale
  }

  /// Fits a Gaussian process to observations `y` at inputs `x`.
  ///
  /// - Parameters:
  ///   - x: n points of d coordinates each (n ≥ 1).
  ///   - y: n finite values.
  ///   - lows, highs: the box the inputs live in (nil: [0, 1] in every coordinate).
  ///   - deterministic: hold the noise at its minimum (an objective without noise), so the mean
  ///     interpolates the data.
  ///   - seed: seeds the extra random starts of the hyperparameter search.
  ///   - shouldStop: asked between likelihood evaluations (each one factorization, O(n³)); true
  ///     abandons the fit with a `CancellationError`.
  /// - Throws: `InvalidArgument` for empty or ragged inputs, non-finite values, an empty box, or
  ///   points whose covariance cannot be factored; `CancellationError` when `shouldStop` said so.
  public static func fit(
    x: [[Double]], y: [Double], lows: [Double]? = nil, highs: [Double]? = nil, deterministic: Bool = false,
    seed: UInt64 = 0, shouldStop: @escaping () -> Bool = { false }
  ) throws -> GaussianProcess {
    guard !x.isEmpty else { throw InvalidArgument("x", "fit needs at least one point") }
    guard x.count == y.count else { throw InvalidArgument("y", "x has \(x.count) points but y has \(y.count) values") }
    let d = x[0].count
    guard d > 0 else { throw InvalidArgument("x", "points need at least one coordinate") }
    for (i, p) in x.enumerated() {
      guard p.count == d else { throw InvalidArgument("x", "point \(i + 1) has \(p.count) coordinates, point 1 has \(d)") }
      guard p.allSatisfy(\.isFinite) else { throw InvalidArgument("x", "point \(i + 1) has a non-finite coordinate") }
    }
    for (i, v) in y.enumerated() where !v.isFinite {
      throw InvalidArgument("y", "y[\(i + 1)] is \(v), not a finite number")
    }
    let lows = lows ?? Array(repeating: 0, count: d)
    let highs = highs ?? Array(repeating: 1, count: d)
    guard lows.count == d, highs.count == d else {
      throw InvalidArgument("lows", "lows and highs need \(d) entries each, got \(lows.count) and \(highs.count)")
    }
    for k in 0..<d where !(lows[k] < highs[k]) || !lows[k].isFinite || !highs[k].isFinite {
      throw InvalidArgument("lows", "coordinate \(k + 1) needs finite lows < highs, got \(lows[k]) and \(highs[k])")
    }
    var flat: [Double] = []
    flat.reserveCapacity(x.count * d)
    for p in x { for k in 0..<d { flat.append((p[k] - lows[k]) / (highs[k] - lows[k])) } }
    let (standardized, mean, scale) = standardize(y)
    var starts = [KernelParameters.initial(dimensions: d)]
    var rng = RandomSource(seed: seed)
    for _ in 0..<2 {
      starts.append(KernelParameters(
        inverseSquaredLengthscales: (0..<d).map { _ in exp(rng.uniform(log(0.1), log(30))) },
        signalVariance: exp(rng.uniform(log(0.3), log(3))), noiseVariance: exp(rng.uniform(log(1e-4), log(0.1)))))
    }
    let categorical = [Bool](repeating: false, count: d)
    guard
      let posterior = GPFit.fit(
        x: flat, y: standardized, categorical: categorical, starts: starts, deterministic: deterministic,
        shouldStop: shouldStop),
      !shouldStop()
    else {
      if shouldStop() { throw CancellationError() }
      throw InvalidArgument("x", "the covariance matrix of the points could not be factored")
    }
    return GaussianProcess(posterior: posterior, lows: lows, highs: highs, yMean: mean, yScale: scale)
  }

  /// Standardized values, their mean and their scale (the standard deviation, or 1 when the
  /// values are all equal).
  static func standardize(_ y: [Double]) -> (values: [Double], mean: Double, scale: Double) {
    let n = Double(y.count)
    let mean = y.reduce(0, +) / n
    let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    let sd = variance.squareRoot()
    let scale = sd > 1e-12 * max(1, abs(mean)) ? sd : 1
    return (y.map { ($0 - mean) / scale }, mean, scale)
  }

  /// The posterior mean and variance of the function (without observation noise) at `x`.
  public func predict(_ x: [Double]) -> (mean: Double, variance: Double) {
    precondition(x.count == dimensions, "predict needs \(dimensions) coordinates, got \(x.count)")
    let u = (0..<dimensions).map { (x[$0] - lows[$0]) / (highs[$0] - lows[$0]) }
    let (m, v) = posterior.predict(u)
    return (yMean + yScale * m, yScale * yScale * v)
  }

  /// The fitted lengthscales, in the units of the inputs.
  public var lengthscales: [Double] {
    (0..<dimensions).map { (highs[$0] - lows[$0]) / posterior.parameters.inverseSquaredLengthscales[$0].squareRoot() }
  }

  /// The fitted prior variance of the function, in the outputs' units squared.
  public var signalVariance: Double { posterior.parameters.signalVariance * yScale * yScale }

  /// The fitted observation noise variance, in the outputs' units squared.
  public var noiseVariance: Double { posterior.parameters.noiseVariance * yScale * yScale }
}
