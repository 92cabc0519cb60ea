import Foundation
@testable import TunaSearch
import TunaTestSupport
import XCTest

final class GPSamplerTests: XCTestCase {
  func testConformance() throws {
    try checkSampler({ GPSampler(seed: $0) }, name: "gp")
    try checkSampler({ GPSampler(seed: $0, nStartupTrials: 3, deterministicObjective: true) }, name: "gp deterministic")
    try checkSampler({ GPSampler(seed: $0, nStartupTrials: 3, outputWarping: true) }, name: "gp with output warping")
  }

  private static func branin(_ x1: Double, _ x2: Double) -> Double {
    let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
    let u = x2 - b * x1 * x1 + c * x1 - 6
    return u * u + 10 * (1 - t) * cos(x1) + 10
  }

  func testFindsTheMinimumOfBranin() throws {
    var bests: [Double] = []
    for seed: UInt64 in [1, 2, 3] {
      let study = try Study.create(direction: .minimize, sampler: GPSampler(seed: seed))
      try study.optimize(nTrials: 40) { t in
        Self.branin(try t.suggestFloat("x1", -5, 10), try t.suggestFloat("x2", 0, 15))
      }
      bests.append(try study.bestValue)
    }
    // The optimum is 0.397887; random search reaches about 1.5 in 40 trials.
    XCTAssertGreaterThanOrEqual(bests.filter { $0 < 0.5 }.count, 2, "best values \(bests)")
  }

  func testMaximizesWithLogIntAndCategoricalParameters() throws {
    let study = try Study.create(direction: .maximize, sampler: GPSampler(seed: 9))
    try study.optimize(nTrials: 35) { t in
      let lr = try t.suggestFloat("lr", 1e-5, 1, log: true)
      let layers = try t.suggestInt("layers", 1, 8)
      let act = try t.suggestCategorical("act", [.string("relu"), .string("tanh"), .string("gelu")])
      let u = log10(lr) + 3  // best at lr = 1e-3
      return -u * u - 0.3 * Double((layers - 5) * (layers - 5)) + (act == .string("tanh") ? 1 : 0)
    }
    let best = try study.bestTrial
    XCTAssertGreaterThan(best.value!, 0.5, "best \(best.params)")
    XCTAssertEqual(best.params["act"], .string("tanh"))
    XCTAssertEqual(best.params["layers"], .int(5))
    // After the random start, the model's suggestions concentrate near the optimum.
    let late = try study.trials().suffix(15)
    XCTAssertGreaterThan(late.filter { $0.params["act"] == .string("tanh") }.count, 8)
  }

  func testStepsAndConditionalParameters() throws {
    let study = try Study.create(direction: .minimize, sampler: GPSampler(seed: 4, nStartupTrials: 5))
    try study.optimize(nTrials: 25) { t in
      let x = try t.suggestFloat("x", -2, 2, step: 0.25)
      let n = try t.suggestInt("n", 0, 1000, step: 10)
      var v = (x - 0.75) * (x - 0.75) + Double((n - 420) * (n - 420)) / 1e5
      if x > 0 { v += 0.01 * (try t.suggestFloat("only_positive", 0, 1)) }  // outside the intersection
      return v
    }
    for t in try study.trials() {
      let x = t.params["x"]!.number!, n = Int(t.params["n"]!.number!)
      XCTAssertEqual((x / 0.25).rounded(), x / 0.25)
      XCTAssertEqual(n % 10, 0)
    }
    XCTAssertLessThan(try study.bestValue, 0.05)
  }

  func testInfiniteValuesAndFlatObjectives() throws {
    let study = try Study.create(direction: .minimize, sampler: GPSampler(seed: 2, nStartupTrials: 4))
    try study.optimize(nTrials: 12) { t in
      let x = try t.suggestFloat("x", 0, 1)
      return t.number % 3 == 0 ? .infinity : x
    }
    XCTAssertEqual(try study.trials(states: [.complete]).count, 12)
    let flat = try Study.create(direction: .minimize, sampler: GPSampler(seed: 2, nStartupTrials: 4))
    try flat.optimize(nTrials: 10) { t in _ = try t.suggestFloat("x", 0, 1); return 1 }
    XCTAssertEqual(try flat.trials(states: [.complete]).count, 10)
  }

  func testStartupTrialsFollowAScrambledSobolSequence() throws {
    let study = try Study.create(direction: .minimize, sampler: GPSampler(seed: 31, nStartupTrials: 8))
    try study.optimize(nTrials: 8) { t in
      let a = try t.suggestFloat("a", 0, 1)
      let b = try t.suggestFloat("b", -10, 10)
      return a + b
    }
    let points = QMC.sobol(dimensions: 2, count: 8, scrambleSeed: 31)
    for t in try study.trials().dropFirst() {  // trial 0 is random: nothing is known yet
      XCTAssertEqual(t.params["a"]!.number!, points[t.number][0], accuracy: 1e-12)
      XCTAssertEqual(t.params["b"]!.number!, -10 + 20 * points[t.number][1], accuracy: 1e-9)
    }
  }

  func testBatchScoresMatchSingleEvaluations() throws {
    var rng = RandomSource(seed: 3)
    let x = (0..<40).map { _ in rng.unit() }
    let y = (0..<20).map { i in sin(4 * x[2 * i]) + x[2 * i + 1] }
    let posterior = try XCTUnwrap(GPFit.fit(x: x, y: y, categorical: [false, false], starts: []))
    let space = GPSearchSpace(["a": try .float(0, 1), "b": try .float(0, 1)])
    let optimizer = AcquisitionOptimizer(posterior: posterior, space: space, best: y.max()!)
    let points = (0..<30).map { _ in rng.unit() }
    let scores = optimizer.score(points, count: 15)
    for i in 0..<15 {
      let single = optimizer.value(Array(points[2 * i..<2 * i + 2]))
      XCTAssertEqual(scores[i], single, accuracy: 1e-8 * max(1, abs(single)))
    }
  }

  func testEffortShrinksPastOneHundredTrials() {
    let small = GPSampler.effort(forTrials: 50)
    XCTAssertEqual(small.candidates, 2_048)
    XCTAssertEqual(small.localSearches, 10)
    XCTAssertEqual(small.refitInterval, 1)
    let large = GPSampler.effort(forTrials: 300)
    XCTAssertEqual(large.candidates, 256)
    XCTAssertEqual(large.localSearches, 3)
    XCTAssertEqual(large.refitInterval, 9)
  }

  /// Past 300 trials the model keeps 300: the best third, the third nearest the best point,
  /// and a third spread over the rest, in their original order.
  func testModelSubset() {
    var rng = RandomSource(seed: 4, stream: 0)
    let n = 1_000, dims = 2
    let x = (0..<n * dims).map { _ in rng.unit() }
    let values = (0..<n).map { i -> Double in
      let a = x[2 * i] - 0.3, b = x[2 * i + 1] - 0.6
      return -(a * a + b * b)
    }
    let keep = GPSampler.modelSubset(x: x, values: values, dimensions: dims, size: 300)
    XCTAssertEqual(keep.count, 300)
    XCTAssertEqual(keep, keep.sorted())
    XCTAssertEqual(Set(keep).count, 300)
    let ranked = (0..<n).sorted { values[$0] > values[$1] }
    XCTAssertTrue(Set(ranked.prefix(100)).isSubset(of: Set(keep)), "the best hundred")
    let dropped = Set(0..<n).subtracting(keep)
    // The rest are spread: every stretch of 100 trials keeps some of them.
    for start in stride(from: 0, to: n, by: 100) {
      XCTAssertTrue(keep.contains { $0 >= start && $0 < start + 100 }, "trials \(start)…\(start + 99)")
    }
    XCTAssertEqual(dropped.count, 700)
    XCTAssertEqual(GPSampler.modelSubset(x: x, values: values, dimensions: dims, size: 1_000), Array(0..<n))
  }

  /// At 1,000 trials the sampler still finds the optimum's neighbourhood with the subset model.
  func testSuggestsNearTheOptimumPastTheCap() throws {
    let study = try Study.create(direction: .minimize, sampler: GPSampler(seed: 2))
    // 400 trials made at random, then the GP's own.
    var rng = RandomSource(seed: 9, stream: 0)
    for _ in 0..<400 {
      let a = rng.unit() * 10 - 5, b = rng.unit() * 10 - 5
      try study.enqueueTrial(["a": .float(a), "b": .float(b)])
    }
    try study.optimize(nTrials: 420) { t in
      let a = try t.suggestFloat("a", -5, 5), b = try t.suggestFloat("b", -5, 5)
      return (a - 1.2) * (a - 1.2) + (b + 0.7) * (b + 0.7)
    }
    XCTAssertLessThan(try study.bestValue, 1e-3)
  }
}
