import Foundation
import TunaSearch
import XCTest

final class RandomSourceTests: XCTestCase {
  /// Reference outputs of xoshiro256** seeded through SplitMix64, computed by an independent
  /// implementation (Python, from the published C): the stream must never change, or every
  /// stored seeded study would stop reproducing.
  func testKnownOutputs() {
    var zero = RandomSource(seed: 0)
    XCTAssertEqual((0..<3).map { _ in zero.next() }, [0x99ec_5f36_cb75_f2b4, 0xbf6e_1f78_4956_452a, 0x1a5f_849d_4933_e6e0])
    var g = RandomSource(seed: 42)
    XCTAssertEqual((0..<3).map { _ in g.next() }, [0x1578_0b2e_0c2e_c716, 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1])
    var s = RandomSource(seed: 42, stream: 7)
    XCTAssertEqual((0..<2).map { _ in s.next() }, [0xd833_f90d_21c3_654e, 0xfb7b_448d_2d5b_58ff])
    var neg = RandomSource(seed: 42, stream: -1)
    XCTAssertEqual((0..<2).map { _ in neg.next() }, [0x3237_1d80_e843_eb8a, 0xf1b6_e2f0_0133_50df])
  }

  func testSameSeedSameStream() {
    var a = RandomSource(seed: 123_456)
    var b = RandomSource(seed: 123_456)
    var c = RandomSource(seed: 123_457)
    let xs = (0..<1000).map { _ in a.next() }
    XCTAssertEqual(xs, (0..<1000).map { _ in b.next() })
    let ys = (0..<1000).map { _ in c.next() }
    XCTAssertEqual(zip(xs, ys).filter { $0 == $1 }.count, 0)

    var s1 = RandomSource(seed: 5, stream: 3)
    var s2 = RandomSource(seed: 5, stream: 3)
    var s3 = RandomSource(seed: 5, stream: 4)
    var s4 = RandomSource(seed: 6, stream: 3)
    let first = (0..<100).map { _ in s1.unit() }
    XCTAssertEqual(first, (0..<100).map { _ in s2.unit() })
    XCTAssertNotEqual(first, (0..<100).map { _ in s3.unit() })
    XCTAssertNotEqual(first, (0..<100).map { _ in s4.unit() })
  }

  func testStreamsOfNearbyTrialsAreUncorrelated() {
    // Trial k and k+1 of a study must not see shifted copies of one stream.
    var firsts: [UInt64] = []
    var all = Set<UInt64>()
    for k in 0..<200 {
      var g = RandomSource(seed: 1, stream: k)
      let draws = (0..<10).map { _ in g.next() }
      firsts.append(draws[0])
      all.formUnion(draws)
    }
    XCTAssertEqual(all.count, 2000)
    // The first draws of consecutive streams are spread over the whole range.
    let upper = firsts.filter { $0 >= 1 << 63 }.count
    XCTAssertTrue((70...130).contains(upper), "\(upper) of 200 first draws in the upper half")
  }

  func testUnitAndUniform() {
    var g = RandomSource(seed: 8)
    var sum = 0.0
    for _ in 0..<50_000 {
      let u = g.unit()
      XCTAssertTrue(u >= 0 && u < 1)
      sum += u
    }
    XCTAssertEqual(sum / 50_000, 0.5, accuracy: 0.01)
    var lo = Double.infinity
    var hi = -Double.infinity
    for _ in 0..<20_000 {
      let v = g.uniform(-3, 5)
      lo = min(lo, v)
      hi = max(hi, v)
    }
    XCTAssertTrue(lo >= -3 && lo < -2.99, "min \(lo)")
    XCTAssertTrue(hi < 5 && hi > 4.99, "max \(hi)")
  }

  func testIntegerBoundsAreInclusive() {
    var g = RandomSource(seed: 3)
    var seen = Set<Int>()
    for _ in 0..<5_000 {
      let v = g.integer(3, 7)
      XCTAssertTrue((3...7).contains(v), "\(v)")
      seen.insert(v)
    }
    XCTAssertEqual(seen, [3, 4, 5, 6, 7])
    for _ in 0..<100 { XCTAssertEqual(g.integer(-4, -4), -4) }
    var negatives = Set<Int>()
    for _ in 0..<2_000 { negatives.insert(g.integer(-2, 1)) }
    XCTAssertEqual(negatives, [-2, -1, 0, 1])
    // The widest ranges do not trap.
    var signs = Set<Bool>()
    for _ in 0..<100 { signs.insert(g.integer(Int.min, Int.max) < 0) }
    XCTAssertEqual(signs, [true, false])
    for _ in 0..<100 { XCTAssertTrue(g.integer(Int.max - 1, Int.max) >= Int.max - 1) }
  }

  /// A seeded chi-square test over six faces: with 5 degrees of freedom the statistic exceeds
  /// 20.5 with probability 0.001.
  func testIntegerIsUniformChiSquare() {
    var g = RandomSource(seed: 2_718)
    let n = 60_000
    var counts = [Int](repeating: 0, count: 6)
    for _ in 0..<n { counts[g.integer(1, 6) - 1] += 1 }
    let expected = Double(n) / 6
    let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    XCTAssertLessThan(chi2, 20.5, "counts \(counts)")
  }

  /// With a span of about 2/3 of 2^64, `next() % span` would put 2/3 of the draws in the lower
  /// half of the range; an unbiased draw puts half there.
  func testIntegerHasNoModuloBias() {
    var g = RandomSource(seed: 31_415)
    let span = UInt64(0xAAAA_AAAA_AAAA_AAAA)
    let low = Int.min
    let high = Int.min &+ Int(bitPattern: UInt(span - 1))
    let middle = Int.min &+ Int(bitPattern: UInt(span / 2))
    let n = 40_000
    var lower = 0
    for _ in 0..<n {
      let v = g.integer(low, high)
      XCTAssertTrue(v >= low && v <= high)
      if v < middle { lower += 1 }
    }
    XCTAssertEqual(Double(lower) / Double(n), 0.5, accuracy: 0.015)
  }

  func testNormalMoments() {
    var g = RandomSource(seed: 161)
    let n = 100_000
    var xs = [Double]()
    xs.reserveCapacity(n)
    for _ in 0..<n { xs.append(g.normal()) }
    let mean = xs.reduce(0, +) / Double(n)
    let std = (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
    XCTAssertEqual(mean, 0, accuracy: 0.015)
    XCTAssertEqual(std, 1, accuracy: 0.015)
    let within1 = Double(xs.filter { abs($0) < 1 }.count) / Double(n)
    XCTAssertEqual(within1, 0.6827, accuracy: 0.01)
    XCTAssertTrue(xs.allSatisfy(\.isFinite))

    var ys = [Double]()
    for _ in 0..<n { ys.append(g.normal(5, 2)) }
    let mean2 = ys.reduce(0, +) / Double(n)
    let std2 = (ys.reduce(0) { $0 + ($1 - mean2) * ($1 - mean2) } / Double(n - 1)).squareRoot()
    XCTAssertEqual(mean2, 5, accuracy: 0.03)
    XCTAssertEqual(std2, 2, accuracy: 0.03)
  }

  func testShuffleIsSeeded() {
    var a = RandomSource(seed: 9)
    var b = RandomSource(seed: 9)
    let x = Array(0..<50).shuffled(using: &a)
    XCTAssertEqual(x, Array(0..<50).shuffled(using: &b))
    XCTAssertNotEqual(x, Array(0..<50))
  }
}
