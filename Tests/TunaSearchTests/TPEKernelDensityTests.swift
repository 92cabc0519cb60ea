import Foundation
@testable import TunaSearch
import XCTest

/// The Parzen estimator behind TPE: the normal-distribution helpers, Optuna's bandwidth rule,
/// densities against values worked out by hand and by Optuna 5's `_ParzenEstimator`, and
/// normalization (densities integrate to 1, masses sum to 1).
final class TPEKernelDensityTests: XCTestCase {
  // MARK: Normal helpers

  func testNormalCDFAndQuantile() {
    XCTAssertEqual(NormalMath.cdf(0), 0.5, accuracy: 1e-16)
    XCTAssertEqual(NormalMath.cdf(1.96), 0.9750021048517795, accuracy: 1e-15)
    XCTAssertEqual(NormalMath.cdf(-3), 0.0013498980316300933, accuracy: 1e-17)
    for p in [1e-300, 1e-20, 1e-8, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.999, 1 - 1e-12] {
      let x = NormalMath.quantile(p)
      let back = x <= 0 ? NormalMath.cdf(x) : 1 - NormalMath.cdf(-x)
      XCTAssertEqual(back, p, accuracy: max(p, 1 - p) * 1e-13 + (x <= 0 ? p * 1e-12 : 0), "p = \(p)")
    }
    XCTAssertEqual(NormalMath.quantile(0.975), 1.959963984540054, accuracy: 1e-12)
    XCTAssertEqual(NormalMath.quantile(1e-10), -6.361340902404056, accuracy: 1e-10)
  }

  func testLogMassInTheTails() {
    // Far in the left tail, where Φ itself underflows: log Φ(−40) from the asymptotic series.
    XCTAssertEqual(NormalMath.logCDF(-40), -804.6084420137538, accuracy: 1e-9)
    XCTAssertEqual(NormalMath.logCDF(-10), log(7.619853024160478e-24), accuracy: 1e-12)
    XCTAssertEqual(NormalMath.logCDF(10), -7.619853024160478e-24, accuracy: 1e-36)
    // Mass of [1, 2] equals that of [−2, −1]; of [−1, 1] about 0.6827.
    XCTAssertEqual(NormalMath.logMass(1, 2), log(0.13590512198327787), accuracy: 1e-13)
    XCTAssertEqual(NormalMath.logMass(-2, -1), NormalMath.logMass(1, 2), accuracy: 1e-15)
    XCTAssertEqual(NormalMath.logMass(-1, 1), log(0.6826894921370859), accuracy: 1e-13)
    // A narrow cell 50 σ out, where both ends underflow: SciPy's log_ndtr gives the same.
    XCTAssertEqual(NormalMath.logMass(50, 50.1), -1254.838074594395, accuracy: 1e-9)
    XCTAssertEqual(NormalMath.logMass(1, 1), -.infinity)
    // A far end too small to matter (Φ(−20) next to Φ(−5)) is left out: SciPy's log_ndtr(−5).
    XCTAssertEqual(NormalMath.logMass(5, 20), -15.064998393988725, accuracy: 1e-12)
    XCTAssertEqual(NormalMath.logMass(-20, -5), -15.064998393988725, accuracy: 1e-12)
  }

  func testTruncatedDrawsStayInsideAndFollowTheCDF() {
    var rng = RandomSource(seed: 3)
    let (a, b) = (-0.5, 3.0)
    let mass = NormalMath.cdf(b) - NormalMath.cdf(a)
    var below1 = 0
    let n = 40_000
    for _ in 0..<n {
      let z = NormalMath.truncatedDraw(a, b, u: rng.unit())
      XCTAssertTrue(z >= a && z <= b)
      if z < 1 { below1 += 1 }
    }
    let expected = (NormalMath.cdf(1) - NormalMath.cdf(a)) / mass
    XCTAssertEqual(Double(below1) / Double(n), expected, accuracy: 0.01)
    // The ends of u map to the ends of the interval, even when one is far out.
    XCTAssertEqual(NormalMath.truncatedDraw(-100, 0.2, u: 0), -100, accuracy: 1e-9)
    XCTAssertEqual(NormalMath.truncatedDraw(-0.2, 100, u: 1 - 1e-16), 100, accuracy: 100 - 8.2)
  }

  // MARK: Bandwidths

  func testBandwidthRule() {
    // [0, 10] with observations 2 and 6: the sorted list with the bounds is 0, 2, 6, 10. Without
    // endpoints each extreme observation uses its inner gap (4, 4); with them the larger gap to
    // either neighbour (max(2, 4), max(4, 4)). The magic clip's floor is 10 / min(100, 4) = 2.5.
    XCTAssertEqual(NumericAxis.bandwidths([2, 6], low: 0, high: 10, considerEndpoints: false), [4, 4])
    XCTAssertEqual(NumericAxis.bandwidths([6, 2], low: 0, high: 10, considerEndpoints: true), [4, 4])
    // One observation: the larger distance to a bound.
    XCTAssertEqual(NumericAxis.bandwidths([3], low: 0, high: 10, considerEndpoints: false), [7])
    // Close observations are widened to the floor 10 / min(100, 5) = 2; far ones capped at 10.
    XCTAssertEqual(NumericAxis.bandwidths([5, 5.1, 5.2], low: 0, high: 10, considerEndpoints: false), [2, 2, 2])
    let wide = NumericAxis.bandwidths([0, 10], low: 0, high: 10, considerEndpoints: true)
    XCTAssertEqual(wide, [10, 10])
    // Many observations: the floor is width / 100.
    let many = (0..<200).map { Double($0) / 2000 }
    XCTAssertEqual(NumericAxis.bandwidths(many, low: 0, high: 1, considerEndpoints: false).min()!, 0.01, accuracy: 1e-15)
  }

  // MARK: Densities against Optuna 5's _ParzenEstimator (default weights, prior weight 1)

  private func assertLogPDFs(
    _ kde: KernelDensity, _ points: [[Double]], _ expected: [Double], accuracy: Double = 1e-9,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    for (x, e) in zip(points, expected) {
      XCTAssertEqual(kde.logPDF(x), e, accuracy: accuracy, "at \(x)", file: file, line: line)
    }
  }

  func testContinuousByHand() throws {
    let kde = try KernelDensity(observations: [[2], [6]], low: [0], high: [10])
    // Kernels N(2, 4), N(6, 4) and the prior N(5, 10), each truncated to [0, 10], weights 1/3.
    func density(_ x: Double) -> Double {
      func truncated(_ mu: Double, _ sigma: Double) -> Double {
        let z = (x - mu) / sigma
        let phi = exp(-0.5 * z * z) / (sigma * (2 * Double.pi).squareRoot())
        return phi / (NormalMath.cdf((10 - mu) / sigma) - NormalMath.cdf((0 - mu) / sigma))
      }
      return (truncated(2, 4) + truncated(6, 4) + truncated(5, 10)) / 3
    }
    for x in [0, 3, 5.5, 9.9] { XCTAssertEqual(kde.logPDF([x]), log(density(x)), accuracy: 1e-12) }
    assertLogPDFs(kde, [[0], [3], [5.5], [9.9]], [-2.4252556022332183, -2.166086390428792, -2.196643448568783, -2.740242522708588])
    XCTAssertEqual(kde.logPDF([-0.1]), -.infinity)
    XCTAssertEqual(kde.logPDF([10.1]), -.infinity)
    XCTAssertTrue(kde.logPDF([1, 2]).isNaN, "a point with the wrong number of coordinates")
    XCTAssertTrue(kde.logPDF([.nan]).isNaN)

    let endpoints = try KernelDensity(observations: [[2], [6]], low: [0], high: [10], priorWeight: 0.5, considerEndpoints: true)
    assertLogPDFs(endpoints, [[0], [3], [5.5], [9.9]], [-2.4331677953989934, -2.144501421143033, -2.183910991378522, -2.8304523950015783])

    let empty = try KernelDensity(observations: [], low: [0], high: [10])
    assertLogPDFs(empty, [[0], [5], [10]], [-2.386607292503096, -2.261607292503096, -2.386607292503096])
  }

  func testOtherKindsAgainstOptuna() throws {
    let int = try KernelDensity(observations: [[2], [2], [5]], dimensions: [.init(.int(1, 5))])
    assertLogPDFs(int, (1...5).map { [Double($0)] }, [-1.6335859270253217, -1.378150549104864, -1.4920205134885605, -1.734241740747553, -1.8886510399885927])

    let logFloat = try KernelDensity(observations: [[log(0.01)], [log(0.1)]], dimensions: [.init(.float(1e-3, 1, log: true))])
    assertLogPDFs(logFloat, [1e-3, 0.01, 0.05, 1].map { [log($0)] }, [-2.3360836571112733, -1.8144800075275656, -1.7553349274049066, -2.3360836571112733])

    let logInt = try KernelDensity(observations: [[log(3)], [log(50)]], dimensions: [.init(.int(1, 100, log: true))])
    assertLogPDFs(logInt, [1, 3, 10, 50, 100].map { [log($0)] }, [-1.7465896428782846, -2.742223139088023, -3.8770956794848193, -5.557350253019562, -6.342314692001882])

    let cat = try KernelDensity(observations: [[0], [0], [2]], dimensions: [.categorical(count: 3)])
    assertLogPDFs(cat, [[0], [1], [2]], [-0.7419373447293773, -1.6582280766035324, -1.0986122886681098])

    let mixed = try KernelDensity(
      observations: [[1, 4, 0], [-2, 8, 1], [3, 4, 1]],
      dimensions: [.init(.float(-5, 5)), .init(.int(0, 10, step: 2)), .categorical(count: 2)])
    assertLogPDFs(mixed, [[0, 4, 1], [1, 0, 0], [-4.5, 10, 1]], [-4.410609353510827, -5.143813762187291, -4.920164436387295])

    // 30 observations with Optuna's recency weights (the 5 oldest ramp up from 1/30).
    let obs: [Double] = [
      0.549, 0.715, 0.603, 0.545, 0.424, 0.646, 0.438, 0.892, 0.964, 0.383, 0.792, 0.529, 0.568, 0.926, 0.071, 0.087,
      0.02, 0.833, 0.778, 0.87, 0.979, 0.799, 0.461, 0.781, 0.118, 0.64, 0.143, 0.945, 0.522, 0.415,
    ]
    let weighted = try KernelDensity(observations: obs.map { [$0] }, low: [0], high: [1], weights: TPESampler.defaultWeights(30))
    assertLogPDFs(weighted, [[0.1], [0.5], [0.77]], [0.2691099573451785, 0.11231430771714135, 0.4112778341784784])
  }

  // MARK: Normalization

  func testContinuousDensitiesIntegrateToOne() throws {
    var rng = RandomSource(seed: 11)
    let obs = (0..<40).map { _ in [rng.uniform(-3, 1)] }
    for endpoints in [false, true] {
      let kde = try KernelDensity(observations: obs, low: [-3], high: [2], priorWeight: 0.7, considerEndpoints: endpoints)
      // Midpoint rule over 20,000 cells.
      let cells = 20_000
      let h = 5.0 / Double(cells)
      var total = 0.0
      for i in 0..<cells { total += exp(kde.logPDF([-3 + (Double(i) + 0.5) * h])) * h }
      XCTAssertEqual(total, 1, accuracy: 1e-4, "endpoints \(endpoints)")
    }
    // Two dimensions: the product kernels integrate to 1 over the box.
    let kde2 = try KernelDensity(observations: [[0.2, 0.9], [0.5, 0.1], [0.9, 0.8]], low: [0, 0], high: [1, 1])
    let cells = 400
    let h = 1 / Double(cells)
    var total = 0.0
    for i in 0..<cells {
      for j in 0..<cells { total += exp(kde2.logPDF([(Double(i) + 0.5) * h, (Double(j) + 0.5) * h])) * h * h }
    }
    XCTAssertEqual(total, 1, accuracy: 1e-3)
  }

  func testDiscreteMassesSumToOne() throws {
    let cases: [(Distribution, [Double])] = [
      (try .int(-3, 7), [-3, 0, 0, 6]),
      (try .int(0, 100, step: 7), [14, 98]),
      (try .int(1, 1000, log: true), [2, 2, 900]),
      (try .float(0, 1, step: 0.25), [0.25, 1]),
      (try .float(-2.5, 3.7, step: 0.4), [-2.5, 1.5]),
      (try .categorical(choices: [.string("a"), .string("b"), .string("c"), .int(4)]), [1, 1, 3]),
    ]
    for (distribution, values) in cases {
      let kde = try KernelDensity(
        observations: values.map { v in
          if case .categorical = distribution { return [v] }
          return [distribution.toInternal(.float(v))!]
        },
        dimensions: [.init(distribution)],
        priorWeight: 0.3)
      var total = 0.0
      var points = 0
      switch distribution {
      case .int(let low, let high, _, let step):
        for v in stride(from: low, through: high, by: step) {
          total += exp(kde.logPDF([distribution.toInternal(.int(v))!]))
          points += 1
        }
      case .float(let low, let high, _, let step?):
        for k in 0...Int(((high - low) / step).rounded()) {
          total += exp(kde.logPDF([low + Double(k) * step]))
          points += 1
        }
      case .categorical(let choices):
        for c in choices.indices { total += exp(kde.logPDF([Double(c)])) }
        points = choices.count
      default: XCTFail("not discrete")
      }
      XCTAssertEqual(total, 1, accuracy: 1e-12, "\(distribution) over \(points) points")
    }
  }

  func testSamplesFollowTheDensity() throws {
    // Discrete: frequencies match the masses, and every draw is a grid point.
    let d = try Distribution.int(0, 20, step: 4)
    let kde = try KernelDensity(observations: [[4], [8], [8]], dimensions: [.init(d)])
    var rng = RandomSource(seed: 5)
    let n = 30_000
    var counts = [Double: Int]()
    for x in kde.sample(count: n, rng: &rng) { counts[x[0], default: 0] += 1 }
    XCTAssertEqual(Set(counts.keys), [0, 4, 8, 12, 16, 20])
    for (v, c) in counts {
      XCTAssertEqual(Double(c) / Double(n), exp(kde.logPDF([v])), accuracy: 0.01, "P(\(v))")
    }
    // Continuous: the share of draws in [0, 0.25] matches the integral of the density.
    let cont = try KernelDensity(observations: [[0.1], [0.15], [0.7]], low: [0], high: [1])
    let draws = cont.sample(count: n, rng: &rng)
    XCTAssertTrue(draws.allSatisfy { $0[0] >= 0 && $0[0] <= 1 })
    let share = Double(draws.filter { $0[0] <= 0.25 }.count) / Double(n)
    var integral = 0.0
    for i in 0..<2_500 { integral += exp(cont.logPDF([(Double(i) + 0.5) * 1e-4])) * 1e-4 }
    XCTAssertEqual(share, integral, accuracy: 0.01)
    // Log grid: draws are integers' logs.
    let logInt = try KernelDensity(observations: [[log(3)]], dimensions: [.init(.int(1, 50, log: true))])
    for x in logInt.sample(count: 500, rng: &rng) {
      let v = exp(x[0])
      XCTAssertEqual(v, v.rounded(), accuracy: 1e-9)
      XCTAssertTrue(v >= 1 && v <= 50)
    }
  }

  func testOneDimensionalConstructor() throws {
    let a = try KernelDensity(values: [2, 6], low: 0, high: 10)
    let b = try KernelDensity(observations: [[2], [6]], low: [0], high: [10])
    for x in [0.0, 3, 9.9] { XCTAssertEqual(a.logPDF([x]), b.logPDF([x])) }
    // A discrete coordinate between grid points reads as the point whose cell holds it.
    let int = try KernelDensity(observations: [[2], [2], [5]], dimensions: [.init(.int(1, 5))])
    XCTAssertEqual(int.logPDF([2.4]), int.logPDF([2]))
    XCTAssertEqual(int.logPDF([0.4]), -.infinity)
    XCTAssertEqual(int.logPDF([0.6]), int.logPDF([1]))
  }

  func testZeroPriorWeightAndWeights() throws {
    // Without a prior, an unobserved choice has no mass.
    let cat = try KernelDensity(observations: [[0], [2]], dimensions: [.categorical(count: 3)], priorWeight: 0)
    XCTAssertEqual(cat.logPDF([1]), -.infinity)
    XCTAssertEqual(exp(cat.logPDF([0])) + exp(cat.logPDF([2])), 1, accuracy: 1e-12)
    // Weights shift the mass towards the heavier observation.
    let heavy = try KernelDensity(observations: [[0], [2]], dimensions: [.categorical(count: 3)], weights: [3, 1], priorWeight: 0)
    XCTAssertEqual(exp(heavy.logPDF([0])), 0.75, accuracy: 1e-12)
    XCTAssertEqual(heavy.weights, [0.75, 0.25, 0])
    var rng = RandomSource(seed: 1)
    XCTAssertTrue(heavy.sample(count: 200, rng: &rng).allSatisfy { $0[0] != 1 })
  }

  func testInvalidArguments() {
    func message(_ body: () throws -> KernelDensity) -> String {
      do {
        _ = try body()
        return "no error"
      } catch { return String(describing: error) }
    }
    XCTAssertEqual(message { try KernelDensity(observations: [], low: [0, 1], high: [1]) }, "low and high must have the same length, got 2 and 1")
    XCTAssertEqual(message { try KernelDensity(observations: [[0.5]], low: [1], high: [1]) }, "dimension 1: needs finite bounds with low < high, got [1.0, 1.0]")
    XCTAssertEqual(message { try KernelDensity(observations: [[0.5, 1]], low: [0], high: [1]) }, "observation 1 has 2 values, expected 1 (one per dimension)")
    XCTAssertEqual(message { try KernelDensity(observations: [[.nan]], low: [0], high: [1]) }, "observation 1 has a non-finite value nan")
    XCTAssertEqual(message { try KernelDensity(observations: [[0.5]], low: [0], high: [1], weights: [1, 2]) }, "weights must have one value per observation, got 2 for 1")
    XCTAssertEqual(message { try KernelDensity(observations: [[0.5]], low: [0], high: [1], weights: [0]) }, "weights must not all be 0")
    XCTAssertEqual(message { try KernelDensity(observations: [[0.5]], low: [0], high: [1], priorWeight: -1) }, "priorWeight must be finite and >= 0, got -1.0")
    XCTAssertEqual(message { try KernelDensity(observations: [[3]], dimensions: [.categorical(count: 3)]) }, "observation 1: 3.0 is not a choice index in 0..<3")
    XCTAssertEqual(message { try KernelDensity(observations: [], dimensions: []) }, "an estimator needs at least one dimension")
    // Points outside the bounds are clamped into them.
    XCTAssertEqual(
      try KernelDensity(observations: [[-5]], low: [0], high: [1]).logPDF([0]),
      try KernelDensity(observations: [[0]], low: [0], high: [1]).logPDF([0]))
  }
}
