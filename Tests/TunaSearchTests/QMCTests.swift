import Foundation
@testable import TunaSearch
import TunaTestSupport
import XCTest

final class QMCTests: XCTestCase {
  // MARK: Sobol

  func testSobolFirstPointsMatchThePublishedSequence() {
    // SciPy's qmc.Sobol(3, scramble=False).random(8): dimension 1 is van der Corput in base 2
    // in Gray-code order.
    let expected: [[Double]] = [
      [0, 0, 0], [0.5, 0.5, 0.5], [0.75, 0.25, 0.25], [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625], [0.875, 0.875, 0.125], [0.625, 0.125, 0.875], [0.125, 0.625, 0.375],
    ]
    XCTAssertEqual(QMC.sobol(dimensions: 3, count: 8, scrambleSeed: nil), expected)
  }

  func testSobolHigherDimensionsMatchJoeKuo() {
    // Points 1 ... 3 of dimensions 31 ... 40 (SciPy, new-joe-kuo-6.21201).
    let points = QMC.sobol(dimensions: 40, count: 4, scrambleSeed: nil)
    XCTAssertEqual(points[1][30...].map { $0 }, Array(repeating: 0.5, count: 10))
    XCTAssertEqual(points[2][30...].map { $0 }, [0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.25, 0.25])
    XCTAssertEqual(points[3][30...].map { $0 }, [0.75, 0.75, 0.75, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75])
  }

  func testSobolSkipContinuesTheSequence() {
    let all = QMC.sobol(dimensions: 7, count: 40, scrambleSeed: nil)
    XCTAssertEqual(QMC.sobol(dimensions: 7, count: 13, skip: 27, scrambleSeed: nil), Array(all[27...]))
    let scrambled = QMC.sobol(dimensions: 7, count: 40, scrambleSeed: 5)
    XCTAssertEqual(QMC.sobol(dimensions: 7, count: 9, skip: 31, scrambleSeed: 5), Array(scrambled[31...]))
  }

  func testSobolIsAStratifiedNet() {
    // The first 2^m points put exactly one point in each interval [k, k + 1) / 2^m of every
    // dimension, scrambled or not (the scramble keeps the net property).
    for seed: UInt64? in [nil, 1, 99] {
      let points = QMC.sobol(dimensions: 12, count: 64, scrambleSeed: seed)
      for d in 0..<12 {
        let cells = Set(points.map { Int($0[d] * 64) })
        XCTAssertEqual(cells.count, 64, "dimension \(d + 1), seed \(String(describing: seed))")
      }
      // And 2-D projections of the first 16 points: each of the 4 × 4 cells holds one point
      // for the first two dimensions.
      let cells = Set(points.prefix(16).map { Int($0[0] * 4) * 4 + Int($0[1] * 4) })
      XCTAssertEqual(cells.count, 16)
    }
  }

  func testSobolHasLowDiscrepancy() {
    var rng = RandomSource(seed: 12)
    let random = (0..<256).map { _ in (0..<5).map { _ in rng.unit() } }
    let randomD = QMC.centeredL2Discrepancy(random)
    let plain = QMC.centeredL2Discrepancy(QMC.sobol(dimensions: 5, count: 256, scrambleSeed: nil))
    let scrambled = QMC.centeredL2Discrepancy(QMC.sobol(dimensions: 5, count: 256, scrambleSeed: 3))
    // SciPy: 2.6e-4 (plain) and 2.4e-4 (scrambled) against about 8e-3 for random points.
    XCTAssertLessThan(plain, 5e-4)
    XCTAssertLessThan(scrambled, 5e-4)
    XCTAssertLessThan(plain * 8, randomD)
    XCTAssertLessThan(scrambled * 8, randomD)
  }

  func testScrambledSobolStaysInTheUnitCubeAndDependsOnTheSeed() {
    let a = QMC.sobol(dimensions: 6, count: 500, scrambleSeed: 1)
    let b = QMC.sobol(dimensions: 6, count: 500, scrambleSeed: 2)
    XCTAssertEqual(a, QMC.sobol(dimensions: 6, count: 500, scrambleSeed: 1))
    XCTAssertNotEqual(a, b)
    for p in a + b { for x in p { XCTAssertTrue(x >= 0 && x < 1, "\(x)") } }
    XCTAssertNotEqual(a[0], [0, 0, 0, 0, 0, 0], "a scrambled sequence does not start at the origin")
    let differing = zip(a, b).filter { $0 != $1 }.count
    XCTAssertGreaterThan(differing, 490)
  }

  func testSobolCoversEveryIncludedDimension() {
    XCTAssertEqual(QMC.maxSobolDimensions, 1_024)
    let points = QMC.sobol(dimensions: QMC.maxSobolDimensions, count: 32, scrambleSeed: nil)
    for d in 0..<QMC.maxSobolDimensions {
      // Each dimension's first 32 points are a permutation of k / 32.
      XCTAssertEqual(Set(points.map { $0[d] * 32 }), Set((0..<32).map(Double.init)), "dimension \(d + 1)")
    }
  }

  // MARK: Halton

  func testHaltonFirstPoints() {
    let points = QMC.halton(dimensions: 3, count: 6, scrambleSeed: nil)
    let expected: [[Double]] = [
      [0, 0, 0], [0.5, 1.0 / 3, 0.2], [0.25, 2.0 / 3, 0.4], [0.75, 1.0 / 9, 0.6], [0.125, 4.0 / 9, 0.8],
      [0.625, 7.0 / 9, 0.04],
    ]
    for (p, e) in zip(points, expected) {
      for (x, y) in zip(p, e) { XCTAssertEqual(x, y, accuracy: 1e-15) }
    }
    XCTAssertEqual(HaltonSequence.primes(10), [2, 3, 5, 7, 11, 13, 17, 19, 23, 29])
    for n in 0...7 { XCTAssertEqual(HaltonSequence.primes(n), Array([2, 3, 5, 7, 11, 13, 17].prefix(n))) }
    // Known values of the n-th prime (the sieve's bound must reach them).
    XCTAssertEqual(HaltonSequence.primes(1_000).last, 7_919)
    XCTAssertEqual(HaltonSequence.primes(QMC.maxHaltonDimensions).last, 1_299_709)
    XCTAssertNotNil(QMC.problem(.halton, dimensions: QMC.maxHaltonDimensions + 1, count: 0, skip: 0))
    XCTAssertNil(QMC.problem(.halton, dimensions: QMC.maxHaltonDimensions, count: 0, skip: 0))
    XCTAssertEqual(QMC.halton(dimensions: 3, count: 2, skip: 4, scrambleSeed: nil), Array(points[4...]))
  }

  func testScrambledHalton() {
    let a = QMC.halton(dimensions: 8, count: 300, scrambleSeed: 7)
    let b = QMC.halton(dimensions: 8, count: 300, scrambleSeed: 8)
    XCTAssertEqual(a, QMC.halton(dimensions: 8, count: 300, scrambleSeed: 7))
    XCTAssertNotEqual(a, b)
    for p in a + b { for x in p { XCTAssertTrue(x >= 0 && x < 1, "\(x)") } }
    // Still one point per cell of the base's first digit: base 2 halves, base 3 thirds, …
    let bases = HaltonSequence.primes(8)
    for d in 0..<8 {
      let cells = Set(a.prefix(bases[d]).map { Int($0[d] * Double(bases[d])) })
      XCTAssertEqual(cells.count, bases[d], "dimension \(d + 1)")
    }
    // Past base 256 the digit scrambles are affine; they stay bijections on each digit.
    let wide = QMC.halton(dimensions: 60, count: 281, scrambleSeed: 9)
    XCTAssertEqual(HaltonSequence.primes(60).last, 281)
    XCTAssertEqual(Set(wide.map { Int($0[59] * 281) }).count, 281)
    for p in wide { XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0 < 1 }) }
    var rng = RandomSource(seed: 3)
    let random = (0..<256).map { _ in (0..<5).map { _ in rng.unit() } }
    let scrambled = QMC.centeredL2Discrepancy(QMC.halton(dimensions: 5, count: 256, scrambleSeed: 4))
    XCTAssertLessThan(scrambled * 4, QMC.centeredL2Discrepancy(random))
  }

  // MARK: Sampler

  func testQMCSamplerConformance() throws {
    for kind in QMC.Kind.allCases {
      try checkSampler({ QMCSampler(kind: kind, scramble: true, seed: $0) }, name: "qmc \(kind) scrambled")
      try checkSampler({ QMCSampler(kind: kind, scramble: false, seed: $0) }, name: "qmc \(kind)", deterministic: true)
    }
  }

  func testTrialNumberIndexesTheSequence() throws {
    for kind in QMC.Kind.allCases {
      for scramble in [false, true] {
        let sampler = QMCSampler(kind: kind, scramble: scramble, seed: 21)
        let study = try Study.create(direction: .minimize, sampler: sampler)
        try study.optimize(nTrials: 20) { t in
          let x = try t.suggestFloat("x", -2, 2)
          let y = try t.suggestFloat("y", 1e-3, 1e3, log: true)
          return x + y
        }
        let trials = try study.trials()
        let seed: UInt64? = scramble ? 21 : nil
        let points = kind == .sobol
          ? QMC.sobol(dimensions: 2, count: 20, scrambleSeed: seed) : QMC.halton(dimensions: 2, count: 20, scrambleSeed: seed)
        for t in trials.dropFirst() {  // trial 0 is random: it fixes the space
          let u = points[t.number]
          XCTAssertEqual(t.params["x"]!.number!, -2 + 4 * u[0], accuracy: 1e-12)
          XCTAssertEqual(log(t.params["y"]!.number!), log(1e-3) + u[1] * log(1e6), accuracy: 1e-9)
        }
      }
    }
  }

  func testSpaceIsFixedByTheFirstTrialAndCoversChoicesEvenly() throws {
    let study = try Study.create(direction: .minimize, sampler: QMCSampler(kind: .sobol, scramble: false, seed: 1))
    var counts: [ParamValue: Int] = [:]
    try study.optimize(nTrials: 65) { t in
      let c = try t.suggestCategorical("c", [.string("a"), .string("b"), .string("c"), .string("d")])
      let n = try t.suggestInt("n", 1, 8)
      if t.number > 0 {
        counts[c, default: 0] += 1
        _ = try t.suggestFloat("late", 0, 1)  // not in the first trial: sampled at random
      }
      return Double(n)
    }
    // Points 1 ... 64, one off a net of 64 points: each choice 16 times, give or take one (random
    // draws would spread far wider).
    XCTAssertEqual(counts.count, 4)
    XCTAssertLessThanOrEqual(counts.values.max()! - counts.values.min()!, 1, "\(counts)")
    let ns = try study.trials().dropFirst().map { $0.params["n"]! }
    let perValue = (1...8).map { v in ns.filter { $0 == .int(v) }.count }
    XCTAssertLessThanOrEqual(perValue.max()! - perValue.min()!, 2, "\(perValue)")
  }

  func testTooManyDimensionsForSobolIsAClearError() throws {
    let study = try Study.create(direction: .minimize, sampler: QMCSampler(kind: .sobol, seed: 1))
    let names = (0...QMC.maxSobolDimensions).map { "p\($0)" }
    try study.optimize(nTrials: 1) { t in try names.reduce(0.0) { $0 + (try t.suggestFloat($1, 0, 1)) } }
    let trial = try study.ask()
    XCTAssertThrowsError(try trial.suggestFloat("p0", 0, 1)) { error in
      XCTAssertTrue(String(describing: error).contains("at most 1024 parameters"), "\(error)")
    }
    // Halton has no such limit.
    let halton = try Study.create(direction: .minimize, sampler: QMCSampler(kind: .halton, seed: 1))
    try halton.optimize(nTrials: 2) { t in try names.prefix(1_100).reduce(0.0) { $0 + (try t.suggestFloat($1, 0, 1)) } }
    XCTAssertEqual(try halton.trials(states: [.complete]).count, 2)
  }
}
