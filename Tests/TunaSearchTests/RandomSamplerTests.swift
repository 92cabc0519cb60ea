import Foundation
import TunaSearch
import TunaTestSupport
import XCTest

final class RandomSamplerTests: XCTestCase {
  func testConformance() throws {
    try checkSampler({ RandomSampler(seed: $0) }, name: "random")
  }

  func testLogUniformMedian() throws {
    // Log-uniform over [1e-4, 1]: the median is 1e-2; uniform would put it near 0.5.
    let d = try Distribution.float(1e-4, 1, log: true)
    var rng = RandomSource(seed: 404)
    var xs = (0..<10_001).map { _ in RandomSampler.sample(d, using: &rng).number! }
    xs.sort()
    XCTAssertEqual(log10(xs[5_000]), -2, accuracy: 0.05)
    XCTAssertEqual(log10(xs[2_500]), -3, accuracy: 0.05)
    XCTAssertTrue(xs.first! >= 1e-4 && xs.last! <= 1)

    // The same through a study.
    let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 405))
    try study.optimize(nTrials: 401) { try $0.suggestFloat("lr", 1e-4, 1, log: true) }
    let lrs = try study.trials().map { $0.params["lr"]!.number! }.sorted()
    XCTAssertEqual(log10(lrs[200]), -2, accuracy: 0.25)
  }

  func testLogIntIsLogUniform() throws {
    let d = try Distribution.int(1, 8, log: true)
    var rng = RandomSource(seed: 17)
    var counts = [Int: Int]()
    let n = 20_000
    for _ in 0..<n {
      guard case .int(let v) = RandomSampler.sample(d, using: &rng) else { return XCTFail("not an int") }
      counts[v, default: 0] += 1
    }
    XCTAssertEqual(Set(counts.keys), Set(1...8))
    // Each integer owns [v - 0.5, v + 0.5] in log space: P(1) = log 3 / log 17.
    let total = log(8.5 / 0.5)
    for v in 1...8 {
      let p = log((Double(v) + 0.5) / (Double(v) - 0.5)) / total
      XCTAssertEqual(Double(counts[v]!) / Double(n), p, accuracy: 0.012, "P(\(v))")
    }
  }

  func testStepValuesAreOnTheGrid() throws {
    var rng = RandomSource(seed: 77)
    let n = 10_000

    let f = try Distribution.float(0, 1, step: 0.25)
    var fCounts = [Double: Int]()
    for _ in 0..<n { fCounts[RandomSampler.sample(f, using: &rng).number!, default: 0] += 1 }
    XCTAssertEqual(Set(fCounts.keys), [0, 0.25, 0.5, 0.75, 1])
    for (v, c) in fCounts { XCTAssertEqual(Double(c) / Double(n), 0.2, accuracy: 0.02, "P(\(v))") }

    let odd = try Distribution.float(0, 1, step: 0.3)
    var oddValues = Set<Double>()
    for _ in 0..<1_000 {
      let v = RandomSampler.sample(odd, using: &rng)
      XCTAssertTrue(odd.contains(v), "\(v)")
      oddValues.insert(v.number!)
    }
    XCTAssertEqual(oddValues.count, 4)
    XCTAssertEqual(oddValues.sorted().map { ($0 * 10).rounded() }, [0, 3, 6, 9])

    let i = try Distribution.int(0, 10, step: 3)
    var iCounts = [ParamValue: Int]()
    for _ in 0..<n { iCounts[RandomSampler.sample(i, using: &rng), default: 0] += 1 }
    XCTAssertEqual(Set(iCounts.keys), [.int(0), .int(3), .int(6), .int(9)])
    for (v, c) in iCounts { XCTAssertEqual(Double(c) / Double(n), 0.25, accuracy: 0.02, "P(\(v))") }
  }

  func testUniformFloatIntAndCategorical() throws {
    var rng = RandomSource(seed: 5)
    let n = 12_000
    let f = try Distribution.float(-2, 6)
    let fs = (0..<n).map { _ in RandomSampler.sample(f, using: &rng).number! }
    XCTAssertEqual(fs.reduce(0, +) / Double(n), 2, accuracy: 0.1)
    XCTAssertEqual(Double(fs.filter { $0 < 0 }.count) / Double(n), 0.25, accuracy: 0.02)

    let i = try Distribution.int(-1, 1)
    var iCounts = [ParamValue: Int]()
    for _ in 0..<n { iCounts[RandomSampler.sample(i, using: &rng), default: 0] += 1 }
    XCTAssertEqual(Set(iCounts.keys), [.int(-1), .int(0), .int(1)])
    for (v, c) in iCounts { XCTAssertEqual(Double(c) / Double(n), 1.0 / 3, accuracy: 0.02, "P(\(v))") }

    let c = try Distribution.categorical(choices: [.string("a"), .int(2), .bool(true), .float(0.5)])
    var cCounts = [ParamValue: Int]()
    for _ in 0..<n { cCounts[RandomSampler.sample(c, using: &rng), default: 0] += 1 }
    XCTAssertEqual(Set(cCounts.keys), [.string("a"), .int(2), .bool(true), .float(0.5)])
    for (v, k) in cCounts { XCTAssertEqual(Double(k) / Double(n), 0.25, accuracy: 0.02, "P(\(v))") }
  }

  func testTrialDrawsDoNotDependOnEarlierTrials() throws {
    // Study A asks x in every trial. In study B trial 0 fails without asking anything and
    // trial 2 asks more parameters: trials 1..4 of B still draw A's x.
    let a = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 1_234))
    try a.optimize(nTrials: 5) { try $0.suggestFloat("x", 0, 1) }
    let b = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 1_234))
    try b.optimize(OptimizeOptions(nTrials: 5)) { trial in
      if trial.number == 0 { throw TestError() }
      let x = try trial.suggestFloat("x", 0, 1)
      if trial.number == 2 { _ = try trial.suggestInt("extra", 0, 100) }
      return [x]
    }
    let xa = try a.trials().map { $0.params["x"] }
    let xb = try b.trials().map { $0.params["x"] }
    XCTAssertNil(xb[0])
    XCTAssertEqual(Array(xa[1...]), Array(xb[1...]))
    XCTAssertEqual(Set(xa.compactMap { $0 }).count, 5)
  }

  func testUnseededSamplersDiffer() {
    XCTAssertNotEqual(RandomSampler().seed, RandomSampler().seed)
    XCTAssertEqual(RandomSampler(seed: 3).seed, 3)
  }
}
