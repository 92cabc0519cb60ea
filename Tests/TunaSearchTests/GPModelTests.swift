import Foundation
@testable import TunaSearch
import XCTest

/// The numerical core of the GP sampler: linear algebra, kernel, likelihood, LogEI.
final class GPModelTests: XCTestCase {
  // MARK: Linear algebra

  func testCholeskyOfAHandExample() throws {
    // A = L Lᵀ with L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]].
    let a: [Double] = [4, 12, -16, 12, 37, -43, -16, -43, 98]
    let f = try CholeskyFactor(a, n: 3)
    XCTAssertEqual(f.jitter, 0)
    XCTAssertEqual(f.l, [2, 0, 0, 6, 1, 0, -8, 5, 3])
    XCTAssertEqual(f.logDeterminant, 2 * log(6.0), accuracy: 1e-12)
    let x = f.solve([1, 2, 3])
    for i in 0..<3 {
      let ax = (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * x[$1] }
      XCTAssertEqual(ax, [1, 2, 3][i], accuracy: 1e-10)
    }
    let inverse = f.inverse()
    for i in 0..<3 {
      for j in 0..<3 {
        let p = (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * inverse[$1 * 3 + j] }
        XCTAssertEqual(p, i == j ? 1 : 0, accuracy: 1e-10)
      }
    }
  }

  func testNearSingularMatrixIsFactoredWithJitter() throws {
    // Rank one: v vᵀ with v = (1, 2, 3), as a kernel matrix with duplicated points is.
    let v: [Double] = [1, 2, 3]
    let a = (0..<9).map { v[$0 / 3] * v[$0 % 3] }
    let f = try CholeskyFactor(a, n: 3)
    XCTAssertGreaterThan(f.jitter, 0)
    XCTAssertLessThan(f.jitter, 1e-6)
    // L Lᵀ is A + jitter I.
    for i in 0..<3 {
      for j in 0..<3 {
        let p = (0..<3).reduce(0.0) { $0 + f.l[i * 3 + $1] * f.l[j * 3 + $1] }
        XCTAssertEqual(p, a[i * 3 + j] + (i == j ? f.jitter : 0), accuracy: 1e-12)
      }
    }
    // An indefinite matrix stays an error.
    XCTAssertThrowsError(try CholeskyFactor([1, 2, 2, 1], n: 2))
  }

  /// A random symmetric positive definite matrix, B Bᵀ + n I.
  private func randomSPD(_ n: Int, seed: UInt64) -> [Double] {
    var rng = RandomSource(seed: seed)
    let b = (0..<n * n).map { _ in rng.normal() }
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var s = i == j ? Double(n) : 0
        for k in 0..<n { s += b[i * n + k] * b[j * n + k] }
        a[i * n + j] = s
      }
    }
    return a
  }

  func testBlockedKernelsAgreeWithTheDefinitionAtEverySize() throws {
    // Sizes around the 2 × 2, 4-wide and 8-column blocks.
    for n in [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33] {
      let a = randomSPD(n, seed: UInt64(n))
      let f = try CholeskyFactor(a, n: n)
      XCTAssertEqual(f.jitter, 0)
      // L Lᵀ = A, L lower triangular.
      for i in 0..<n {
        for j in 0..<n {
          if j > i { XCTAssertEqual(f.l[i * n + j], 0) }
          let p = (0..<n).reduce(0.0) { $0 + f.l[i * n + $1] * f.l[j * n + $1] }
          XCTAssertEqual(p, a[i * n + j], accuracy: 1e-9 * Double(n), "n = \(n), (\(i), \(j))")
        }
      }
      let inverse = f.inverse()
      for i in 0..<n {
        for j in 0..<n {
          XCTAssertEqual(inverse[i * n + j], inverse[j * n + i], "symmetric")
          let p = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * inverse[$1 * n + j] }
          XCTAssertEqual(p, i == j ? 1 : 0, accuracy: 1e-10, "n = \(n), A A⁻¹ at (\(i), \(j))")
        }
      }
      // Eight right-hand sides at once give what one at a time gives.
      var rng = RandomSource(seed: 77)
      var block = (0..<n * 8).map { _ in rng.normal() }
      let columns = (0..<8).map { c in (0..<n).map { block[$0 * 8 + c] } }
      f.l.withUnsafeBufferPointer { l in
        block.withUnsafeMutableBufferPointer { LinearAlgebra.solveLowerBlock8(l.baseAddress!, n, $0.baseAddress!) }
      }
      for c in 0..<8 {
        let single = f.solveLower(columns[c])
        for i in 0..<n { XCTAssertEqual(block[i * 8 + c], single[i], accuracy: 1e-12) }
      }
    }
  }

  // MARK: Kernel

  func testVectorExpMatchesFoundation() {
    var worst = 0.0
    var x = -700.0
    while x <= 0 {
      let v = SIMD4<Double>(x, x / 3, x / 100, x * 1e-6)
      let e = Matern52.negativeExp(v)
      for c in 0..<4 { worst = max(worst, abs(e[c] - exp(v[c])) / exp(v[c])) }
      x += 0.37
    }
    XCTAssertLessThan(worst, 1e-14)
    XCTAssertEqual(Matern52.negativeExp(SIMD4(repeating: 0))[0], 1)
    XCTAssertEqual(Matern52.negativeExp(SIMD4(repeating: -1e6))[0], exp(-700), accuracy: 1e-300)
  }

  func testMaternValuesAndDerivatives() {
    var values = [0, 1e-12, 0.01, 0.5, 1, 2.5, 10, 100, 1e4]
    let r2 = values
    var derivatives = [Double](repeating: 0, count: values.count)
    values.withUnsafeMutableBufferPointer { v in
      derivatives.withUnsafeMutableBufferPointer {
        Matern52.evaluate(v.baseAddress!, derivatives: $0.baseAddress!, count: r2.count)
      }
    }
    for (i, r) in r2.enumerated() {
      XCTAssertEqual(values[i], Matern52.value(r), accuracy: 1e-15)
      let h = max(1e-7, r * 1e-6)
      let numeric = (Matern52.value(r + h) - Matern52.value(max(r - h, 0))) / (r + h - max(r - h, 0))
      XCTAssertEqual(derivatives[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "r² = \(r)")
    }
    XCTAssertEqual(values[0], 1)
    XCTAssertEqual(derivatives[0], -5.0 / 6.0)
  }

  // MARK: Likelihood

  /// Random inputs in the unit cube (the last input categorical with 3 choices) and outputs.
  private func data(n: Int, dimensions: Int, seed: UInt64) -> (x: [Double], y: [Double], categorical: [Bool]) {
    var rng = RandomSource(seed: seed)
    var x: [Double] = []
    var y: [Double] = []
    for _ in 0..<n {
      var row = (0..<dimensions - 1).map { _ in rng.unit() }
      row.append((Double(rng.integer(0, 2)) + 0.5) / 3)
      y.append(sin(6 * row[0]) + row[1] * row[1] + (row.last! > 0.5 ? 0.3 : 0) + 0.05 * rng.normal())
      x += row
    }
    return (x, y, (0..<dimensions).map { $0 == dimensions - 1 })
  }

  func testLikelihoodGradientMatchesFiniteDifferences() {
    for (n, fixedNoise) in [(23, false), (40, false), (17, true)] {
      let (x, y, categorical) = data(n: n, dimensions: 4, seed: UInt64(n))
      let likelihood = GPLikelihood(x: x, y: y, categorical: categorical, minimumNoise: 1e-6, fixedNoise: fixedNoise)
      let theta = [log(2.0), log(0.5), log(8.0), log(1.5), log(1.3), log(0.02)]
      var gradient: [Double]? = []
      let value = likelihood.loss(theta, gradient: &gradient)
      XCTAssertTrue(value.isFinite)
      for k in theta.indices {
        let h = 1e-5
        var plus = theta, minus = theta
        plus[k] += h
        minus[k] -= h
        var none: [Double]? = nil
        let numeric = (likelihood.loss(plus, gradient: &none) - likelihood.loss(minus, gradient: &none)) / (2 * h)
        XCTAssertEqual(gradient![k], numeric, accuracy: 1e-5 * max(1, abs(numeric)), "n = \(n), θ[\(k)]")
      }
      if fixedNoise { XCTAssertEqual(gradient![5], 0) }
    }
  }

  func testFittingRaisesTheLikelihood() throws {
    let (x, y, categorical) = data(n: 30, dimensions: 3, seed: 5)
    let likelihood = GPLikelihood(x: x, y: y, categorical: categorical, minimumNoise: 1e-6, fixedNoise: false)
    var none: [Double]? = nil
    let initial = likelihood.loss(likelihood.theta(.initial(dimensions: 3)), gradient: &none)
    let posterior = try XCTUnwrap(GPFit.fit(x: x, y: y, categorical: categorical, starts: []))
    let fitted = likelihood.loss(likelihood.theta(posterior.parameters), gradient: &none)
    XCTAssertLessThan(fitted, initial - 1)
    // The first input matters most (sin(6x)), the categorical least: its lengthscale is longest.
    let ls = posterior.parameters.inverseSquaredLengthscales
    XCTAssertGreaterThan(ls[0], ls[2])
  }

  // MARK: Posterior

  func testPosteriorInterpolatesAndIsCertainAtTheData() throws {
    let xs: [[Double]] = [[0.1, 0.2], [0.4, 0.9], [0.8, 0.3], [0.5, 0.5], [0.9, 0.8], [0.2, 0.7]]
    let ys = xs.map { sin(5 * $0[0]) + $0[1] }
    let gp = try GaussianProcess.fit(x: xs, y: ys, deterministic: true, seed: 1)
    let scale = gp.signalVariance
    for (p, v) in zip(xs, ys) {
      let (mean, variance) = gp.predict(p)
      XCTAssertEqual(mean, v, accuracy: 1e-4)
      XCTAssertLessThan(variance, 1e-5 * scale)
    }
    // Away from the data the variance grows, towards the prior variance far out.
    let near = gp.predict([0.45, 0.55]).variance
    let between = gp.predict([0.65, 0.65]).variance
    let far = gp.predict([5, -5]).variance
    XCTAssertGreaterThan(near, gp.predict([0.5, 0.5]).variance)
    XCTAssertGreaterThan(between, near)
    XCTAssertEqual(far, scale, accuracy: 1e-6 * scale)
    XCTAssertEqual(gp.predict([5, -5]).mean, ys.reduce(0, +) / Double(ys.count), accuracy: 1e-6)
  }

  func testScaledInputsAndErrors() throws {
    // The same data in other units gives the same predictions.
    let xs: [[Double]] = [[1], [3], [4.5], [7], [9]]
    let ys = xs.map { $0[0] * $0[0] / 10 }
    let gp = try GaussianProcess.fit(x: xs, y: ys, lows: [0], highs: [10], seed: 2)
    let unit = try GaussianProcess.fit(x: xs.map { [$0[0] / 10] }, y: ys, seed: 2)
    XCTAssertEqual(gp.predict([6]).mean, unit.predict([0.6]).mean, accuracy: 1e-9)
    XCTAssertEqual(gp.lengthscales[0], unit.lengthscales[0] * 10, accuracy: 1e-9)
    XCTAssertEqual(gp.predict([6]).mean, 3.6, accuracy: 0.2)

    // Bad inputs are the core's one argument error, naming the argument at fault.
    let blamed = { (fit: () throws -> GaussianProcess) -> String? in
      do { _ = try fit() } catch let error as InvalidArgument { return error.argument } catch { return "\(error)" }
      return nil
    }
    XCTAssertEqual(blamed { try GaussianProcess.fit(x: [], y: []) }, "x")
    XCTAssertEqual(blamed { try GaussianProcess.fit(x: [[1], [2]], y: [1]) }, "y")
    XCTAssertEqual(blamed { try GaussianProcess.fit(x: [[1], [2, 3]], y: [1, 2]) }, "x")
    XCTAssertEqual(blamed { try GaussianProcess.fit(x: [[1]], y: [.nan]) }, "y")
    XCTAssertEqual(blamed { try GaussianProcess.fit(x: [[1]], y: [1], lows: [2], highs: [2]) }, "lows")
    // A fit told to stop ends with a cancellation, not an argument error.
    XCTAssertThrowsError(try GaussianProcess.fit(x: xs, y: ys, lows: [0], highs: [10], shouldStop: { true })) {
      XCTAssertTrue($0 is CancellationError, "\($0)")
    }
    // One point, or equal values, still fit.
    XCTAssertEqual(try GaussianProcess.fit(x: [[0.5]], y: [3]).predict([0.5]).mean, 3, accuracy: 1e-6)
    XCTAssertEqual(try GaussianProcess.fit(x: [[0.2], [0.7]], y: [1, 1]).predict([0.4]).mean, 1, accuracy: 1e-6)
  }

  func testBatchPredictionsMatchSinglePredictions() throws {
    let (x, y, categorical) = data(n: 37, dimensions: 3, seed: 9)
    let posterior = try XCTUnwrap(GPFit.fit(x: x, y: y, categorical: categorical, starts: []))
    var rng = RandomSource(seed: 4)
    let count = 21
    var points = (0..<count * 3).map { _ in rng.unit() }
    for i in 0..<count { points[i * 3 + 2] = (Double(rng.integer(0, 2)) + 0.5) / 3 }
    var means = [Double](repeating: 0, count: count), variances = means
    points.withUnsafeBufferPointer { p in
      means.withUnsafeMutableBufferPointer { m in
        variances.withUnsafeMutableBufferPointer {
          posterior.predictBatch(p.baseAddress!, count: count, means: m.baseAddress!, variances: $0.baseAddress!)
        }
      }
    }
    for i in 0..<count {
      let (m, v) = posterior.predict(Array(points[i * 3..<(i + 1) * 3]))
      XCTAssertEqual(means[i], m, accuracy: 1e-12)
      XCTAssertEqual(variances[i], v, accuracy: 1e-12)
    }
  }

  func testAcquisitionGradientMatchesFiniteDifferences() throws {
    let (x, y, categorical) = data(n: 25, dimensions: 3, seed: 11)
    let posterior = try XCTUnwrap(GPFit.fit(x: x, y: y, categorical: categorical, starts: []))
    let best = y.max()!
    let workspace = GPPosterior.Workspace(n: posterior.n)
    func acquisition(_ point: [Double], _ gradient: inout [Double]) -> Double {
      point.withUnsafeBufferPointer { p in
        gradient.withUnsafeMutableBufferPointer { g in
          posterior.valueAndGradient(p.baseAddress!, gradient: g.baseAddress!, workspace: workspace) { m, v in
            Acquisition.logEIWithDerivatives(mean: m, variance: v + 1e-12, best: best)
          }
        }
      }
    }
    var rng = RandomSource(seed: 8)
    for _ in 0..<5 {
      let point = [rng.unit(), rng.unit(), 0.5]
      var gradient = [0.0, 0, 0]
      _ = acquisition(point, &gradient)
      XCTAssertEqual(gradient[2], 0, "categorical coordinates have no gradient")
      for d in 0..<2 {
        let h = 1e-6
        var plus = point, minus = point, scratch = [0.0, 0, 0]
        plus[d] += h
        minus[d] -= h
        let numeric = (acquisition(plus, &scratch) - acquisition(minus, &scratch)) / (2 * h)
        XCTAssertEqual(gradient[d], numeric, accuracy: 1e-5 * max(1, abs(numeric)), "at \(point), d = \(d)")
      }
    }
  }

  // MARK: LogEI

  func testLogEIMatchesTheDirectFormula() {
    func directEI(_ mean: Double, _ variance: Double, _ best: Double, _ minimize: Bool) -> Double {
      let sigma = variance.squareRoot()
      let z = (minimize ? best - mean : mean - best) / sigma
      let pdf = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
      let cdf = 0.5 * erfc(-z / 2.0.squareRoot())
      return sigma * (pdf + z * cdf)
    }
    for mean in stride(from: -3.0, through: 3.0, by: 0.25) {
      for variance in [0.01, 0.3, 1, 4] {
        for minimize in [true, false] {
          let direct = directEI(mean, variance, 0.5, minimize)
          guard direct > 1e-250 else { continue }
          XCTAssertEqual(
            Acquisition.logEI(mean: mean, variance: variance, best: 0.5, minimize: minimize), log(direct),
            accuracy: 1e-9 * max(1, abs(log(direct))), "mean \(mean), variance \(variance), minimize \(minimize)")
        }
      }
    }
    // Minimizing and maximizing mirror each other.
    XCTAssertEqual(
      Acquisition.logEI(mean: 1, variance: 2, best: 0, minimize: true),
      Acquisition.logEI(mean: -1, variance: 2, best: 0, minimize: false), accuracy: 1e-15)
  }

  func testLogEIStaysFiniteWhereEIUnderflows() {
    // log h(z), h(z) = φ(z) + z Φ(z), against 50-digit values (mpmath).
    let reference: [(Double, Double)] = [
      (-1, -2.4851210257126413368), (-5, -16.744301162660990143), (-20, -206.91783850942509785),
      (-29.9, -454.7229981194962739), (-30.1, -460.73628739874303834), (-40, -808.29856835661996024),
      (-1000, -500014.73445209115845), (3, 1.0987396653277077727),
    ]
    for (z, expected) in reference {
      XCTAssertEqual(Acquisition.logH(z).value, expected, accuracy: 1e-12 * max(1, abs(expected)), "z = \(z)")
      // EI itself underflows below z ≈ −38; log EI does not.
      XCTAssertEqual(
        Acquisition.logEI(mean: -z, variance: 1, best: 0, minimize: true), expected,
        accuracy: 1e-12 * max(1, abs(expected)))
    }
    XCTAssertTrue(Acquisition.logEI(mean: 1e6, variance: 1e-6, best: 0).isFinite)
    // Monotone: a worse mean is worth less, more variance is worth more.
    var previous = Double.infinity
    for mean in stride(from: 0.0, through: 200, by: 0.5) {
      let v = Acquisition.logEI(mean: mean, variance: 0.25, best: 0)
      XCTAssertLessThan(v, previous)
      previous = v
    }
    XCTAssertGreaterThan(Acquisition.logEI(mean: 5, variance: 2, best: 0), Acquisition.logEI(mean: 5, variance: 1, best: 0))
    // Zero variance: the improvement itself.
    XCTAssertEqual(Acquisition.logEI(mean: -2, variance: 0, best: 0), log(2.0))
    XCTAssertEqual(Acquisition.logEI(mean: 2, variance: 0, best: 0), -.infinity)
  }

  func testLogEIDerivatives() {
    for (mean, variance) in [(0.3, 0.5), (-2.0, 0.01), (-8.0, 0.04), (1.0, 2.0), (-40.0, 1.0)] {
      let (_, dMean, dVariance) = Acquisition.logEIWithDerivatives(mean: mean, variance: variance, best: 0)
      let h = 1e-6
      func f(_ m: Double, _ v: Double) -> Double { Acquisition.logEIWithDerivatives(mean: m, variance: v, best: 0).value }
      XCTAssertEqual(dMean, (f(mean + h, variance) - f(mean - h, variance)) / (2 * h), accuracy: 1e-5 * max(1, abs(dMean)))
      let hv = variance * 1e-6
      XCTAssertEqual(
        dVariance, (f(mean, variance + hv) - f(mean, variance - hv)) / (2 * hv), accuracy: 1e-5 * max(1, abs(dVariance)))
    }
  }

  func testErfcx() {
    let reference: [(Double, Double)] = [
      (0, 1), (0.5, 0.6156903441929258), (3, 0.17900115118138998), (10, 0.05614099274382259),
      (24.9, 0.022639987776049506), (25.1, 0.02245987581758139), (30, 0.018795888861416754),
      (100, 0.005641613782989433), (1e4, 5.641895807268084e-05),
    ]
    for (x, expected) in reference {
      XCTAssertEqual(Acquisition.erfcx(x), expected, accuracy: 1e-13 * expected, "erfcx(\(x))")
    }
  }
}
