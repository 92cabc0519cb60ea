import Foundation
import TunaSearch
import XCTest

final class DistributionTests: XCTestCase {
  /// The error a constructor throws, or a test failure when it does not throw.
  private func invalid(_ make: () throws -> Distribution, file: StaticString = #filePath, line: UInt = #line) -> InvalidArgument? {
    do {
      let d = try make()
      XCTFail("expected an InvalidArgument, got \(d)", file: file, line: line)
    } catch let error as InvalidArgument {
      return error
    } catch {
      XCTFail("expected an InvalidArgument, got \(error)", file: file, line: line)
    }
    return nil
  }

  private func assertInvalid(
    _ make: () throws -> Distribution, blames argument: String, message: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    guard let error = invalid(make, file: file, line: line) else { return }
    XCTAssertEqual(error.argument, argument, "argument blamed", file: file, line: line)
    XCTAssertEqual(error.message, message, file: file, line: line)
    XCTAssertEqual(error.description, message, file: file, line: line)
  }

  // MARK: Validation

  func testFloatValidation() {
    assertInvalid({ try .float(5, 1) }, blames: "high", message: "low must be <= high, got 5 > 1")
    assertInvalid({ try .float(0.5, 0.25) }, blames: "high", message: "low must be <= high, got 0.5 > 0.25")
    assertInvalid({ try .float(0, 1, step: 0) }, blames: "step", message: "step must be > 0, got 0")
    assertInvalid({ try .float(0, 1, step: -0.5) }, blames: "step", message: "step must be > 0, got -0.5")
    assertInvalid({ try .float(0, 1, step: .nan) }, blames: "step", message: "step must be > 0, got nan")
    assertInvalid({ try .float(0, 1, step: .infinity) }, blames: "step", message: "step must be > 0, got inf")
    assertInvalid({ try .float(1, 10, log: true, step: 1) }, blames: "step", message: "step and log cannot be used together")
    assertInvalid({ try .float(0, 1, log: true) }, blames: "low", message: "low must be > 0 for a log distribution, got 0")
    assertInvalid({ try .float(-1, 1, log: true) }, blames: "low", message: "low must be > 0 for a log distribution, got -1")
    assertInvalid({ try .float(.nan, 1) }, blames: "low", message: "low must be finite, got nan")
    assertInvalid({ try .float(-.infinity, 1) }, blames: "low", message: "low must be finite, got -inf")
    assertInvalid({ try .float(0, .infinity) }, blames: "high", message: "high must be finite, got inf")
    assertInvalid({ try .float(0, .nan) }, blames: "high", message: "high must be finite, got nan")
    // Valid edge cases.
    XCTAssertEqual(try Distribution.float(1, 1), .float(low: 1, high: 1, log: false, step: nil))
    XCTAssertEqual(try Distribution.float(1e-3, 1e-3, log: true), .float(low: 1e-3, high: 1e-3, log: true, step: nil))
    XCTAssertEqual(try Distribution.float(-3, 2), .float(low: -3, high: 2, log: false, step: nil))
  }

  func testIntValidation() {
    assertInvalid({ try .int(5, 1) }, blames: "high", message: "low must be <= high, got 5 > 1")
    assertInvalid({ try .int(0, 10, step: 0) }, blames: "step", message: "step must be > 0, got 0")
    assertInvalid({ try .int(0, 10, step: -2) }, blames: "step", message: "step must be > 0, got -2")
    assertInvalid({ try .int(1, 10, log: true, step: 2) }, blames: "step", message: "step and log cannot be used together")
    assertInvalid({ try .int(0, 10, log: true) }, blames: "low", message: "low must be >= 1 for a log distribution, got 0")
    assertInvalid({ try .int(-5, 10, log: true) }, blames: "low", message: "low must be >= 1 for a log distribution, got -5")
    // A range wider than Int can count is an error, not a trap.
    assertInvalid(
      { try .int(Int.min, Int.max) }, blames: "high",
      message: "high - low must be at most 9223372036854775807, got -9223372036854775808 to 9223372036854775807")
    assertInvalid({ try .int(-2, Int.max) }, blames: "high", message: "high - low must be at most 9223372036854775807, got -2 to 9223372036854775807")
    XCTAssertEqual(try Distribution.int(-1, Int.max - 1, step: 2), .int(low: -1, high: Int.max - 2, log: false, step: 2))
    XCTAssertEqual(try Distribution.int(1, 1, log: true), .int(low: 1, high: 1, log: true, step: 1))
    XCTAssertEqual(try Distribution.int(-4, 4), .int(low: -4, high: 4, log: false, step: 1))
  }

  func testCategoricalValidation() {
    assertInvalid({ try .categorical(choices: []) }, blames: "choices", message: "choices must not be empty")
    assertInvalid(
      { try .categorical(choices: [.string("a"), .string("b"), .string("a")]) }, blames: "choices",
      message: "choices must be distinct, got \"a\" twice")
    // 3 and 3.0 are the same choice, as in Python.
    assertInvalid({ try .categorical(choices: [.int(3), .float(3)]) }, blames: "choices", message: "choices must be distinct, got 3 twice")
    assertInvalid({ try .categorical(choices: [.bool(true), .bool(true)]) }, blames: "choices", message: "choices must be distinct, got true twice")
    assertInvalid({ try .categorical(choices: [.float(.nan)]) }, blames: "choices", message: "choices must not contain nan")
    // Different kinds are different choices.
    XCTAssertEqual(
      try Distribution.categorical(choices: [.int(1), .string("1"), .bool(true), .float(1.5)]),
      .categorical([.int(1), .string("1"), .bool(true), .float(1.5)]))
  }

  // MARK: High adjusted to the step grid

  func testFloatHighAdjustedDownToTheStepGrid() throws {
    XCTAssertEqual(try Distribution.float(0, 1, step: 0.3), .float(low: 0, high: 0.9, log: false, step: 0.3))
    XCTAssertEqual(try Distribution.float(0.1, 1, step: 0.2), .float(low: 0.1, high: 0.9, log: false, step: 0.2))
    XCTAssertEqual(try Distribution.float(-2.5, 3.7, step: 0.4), .float(low: -2.5, high: 3.5, log: false, step: 0.4))
    XCTAssertEqual(try Distribution.float(0, 10, step: 3), .float(low: 0, high: 9, log: false, step: 3))
    XCTAssertEqual(try Distribution.float(0, 0.05, step: 0.1), .float(low: 0, high: 0, log: false, step: 0.1))
    // A high already on the grid stays exactly what was given, even where low + n * step is
    // not exactly high in binary (3 * 0.3 == 0.8999999999999999).
    XCTAssertEqual(try Distribution.float(0, 0.9, step: 0.3), .float(low: 0, high: 0.9, log: false, step: 0.3))
    XCTAssertEqual(try Distribution.float(0, 1, step: 0.25), .float(low: 0, high: 1, log: false, step: 0.25))
    XCTAssertEqual(try Distribution.float(0, 1, step: 0.1), .float(low: 0, high: 1, log: false, step: 0.1))
    XCTAssertEqual(try Distribution.float(0.1, 0.7, step: 0.2), .float(low: 0.1, high: 0.7, log: false, step: 0.2))
    XCTAssertTrue(try Distribution.float(0, 1, step: 0.3).contains(.float(0.9)))
    XCTAssertTrue(try Distribution.float(0, 0.9, step: 0.3).contains(.float(0.9)))
    XCTAssertEqual(try Distribution.float(0, 1, step: 0.3).description, "float [0, 0.9] step 0.3")
  }

  /// A range spanning all of Int maps its ends back without overflow.
  func testFromInternalOnTheWidestIntegerRange() throws {
    let d = try Distribution.int(0, Int.max)
    XCTAssertEqual(d.fromInternal(9.3e18), .int(Int.max))
    XCTAssertEqual(d.fromInternal(Double(Int.max)), .int(Int.max))
    XCTAssertEqual(d.fromInternal(-1e30), .int(0))
    XCTAssertEqual(d.fromInternal(4.0), .int(4))
    let signed = try Distribution.int(Int.min / 2, Int.max / 2)
    XCTAssertEqual(signed.fromInternal(1e300), .int(Int.max / 2))
  }

  func testIntHighAdjustedDownToTheStepGrid() throws {
    XCTAssertEqual(try Distribution.int(0, 10, step: 3), .int(low: 0, high: 9, log: false, step: 3))
    XCTAssertEqual(try Distribution.int(1, 10, step: 3), .int(low: 1, high: 10, log: false, step: 3))
    XCTAssertEqual(try Distribution.int(-7, 7, step: 5), .int(low: -7, high: 3, log: false, step: 5))
    XCTAssertEqual(try Distribution.int(0, 2, step: 5), .int(low: 0, high: 0, log: false, step: 5))
    XCTAssertEqual(try Distribution.int(-10, -1, step: 4), .int(low: -10, high: -2, log: false, step: 4))
  }

  // MARK: Queries

  func testContains() throws {
    let f = try Distribution.float(-1, 2)
    XCTAssertTrue(f.contains(.float(-1)))
    XCTAssertTrue(f.contains(.float(2)))
    XCTAssertTrue(f.contains(.float(0.123)))
    XCTAssertFalse(f.contains(.float(2.000_000_1)))
    XCTAssertFalse(f.contains(.float(-1.000_000_1)))
    XCTAssertFalse(f.contains(.float(.nan)))
    XCTAssertFalse(try Distribution.float(-1e300, 1e300).contains(.float(.infinity)))
    XCTAssertFalse(f.contains(.string("1")))
    XCTAssertFalse(f.contains(.bool(true)))

    let stepped = try Distribution.float(0, 1, step: 0.25)
    XCTAssertTrue(stepped.contains(.float(0.75)))
    XCTAssertTrue(stepped.contains(.float(1)))
    XCTAssertFalse(stepped.contains(.float(0.7)))
    XCTAssertFalse(stepped.contains(.float(1.25)))
    XCTAssertTrue(try Distribution.float(0, 1, step: 0.1).contains(.float(0.1 + 0.2)))  // 0.30000000000000004

    let i = try Distribution.int(0, 9, step: 3)
    XCTAssertTrue(i.contains(.int(6)))
    XCTAssertTrue(i.contains(.int(9)))
    XCTAssertTrue(i.contains(.float(3)))
    XCTAssertFalse(i.contains(.int(7)))
    XCTAssertFalse(i.contains(.int(12)))
    XCTAssertFalse(i.contains(.int(-3)))
    XCTAssertFalse(i.contains(.float(3.5)))
    XCTAssertFalse(i.contains(.string("3")))
    XCTAssertTrue(try Distribution.int(-7, 3, step: 5).contains(.int(-2)))
    XCTAssertFalse(try Distribution.int(-7, 3, step: 5).contains(.int(0)))

    let c = try Distribution.categorical(choices: [.string("a"), .int(3), .bool(false)])
    XCTAssertTrue(c.contains(.string("a")))
    XCTAssertTrue(c.contains(.int(3)))
    XCTAssertTrue(c.contains(.float(3)))
    XCTAssertTrue(c.contains(.bool(false)))
    XCTAssertFalse(c.contains(.bool(true)))
    XCTAssertFalse(c.contains(.string("3")))
    XCTAssertFalse(c.contains(.string("A")))
  }

  func testSingleValue() throws {
    XCTAssertEqual(try Distribution.float(2.5, 2.5).singleValue, .float(2.5))
    XCTAssertEqual(try Distribution.int(3, 3).singleValue, .int(3))
    XCTAssertEqual(try Distribution.int(3, 5, step: 4).singleValue, .int(3))  // high lowered to 3
    XCTAssertEqual(try Distribution.categorical(choices: [.string("x")]).singleValue, .string("x"))
    XCTAssertNil(try Distribution.float(0, 1).singleValue)
    XCTAssertNil(try Distribution.categorical(choices: [.int(1), .int(2)]).singleValue)
    XCTAssertTrue(try Distribution.int(3, 3).isSingle)
    XCTAssertFalse(try Distribution.int(3, 4).isSingle)
  }

  func testInternalUnitOfLinearDistributions() throws {
    let f = try Distribution.float(-2, 2)
    XCTAssertEqual(f.toInternal(.float(1.5)), 1.5)
    XCTAssertEqual(f.fromInternal(1.5), .float(1.5))
    XCTAssertEqual(f.fromInternal(7), .float(2))  // clamped
    XCTAssertEqual(f.fromInternal(-7), .float(-2))
    XCTAssertNil(f.toInternal(.string("x")))

    let stepped = try Distribution.float(0, 1, step: 0.25)
    XCTAssertEqual(stepped.fromInternal(0.4), .float(0.5))
    XCTAssertEqual(stepped.fromInternal(0.1), .float(0))
    XCTAssertEqual(stepped.fromInternal(1.1), .float(1))

    let i = try Distribution.int(0, 9, step: 3)
    XCTAssertEqual(i.toInternal(.int(6)), 6)
    XCTAssertEqual(i.fromInternal(6), .int(6))
    XCTAssertEqual(i.fromInternal(7.4), .int(6))
    XCTAssertEqual(i.fromInternal(7.6), .int(9))
    XCTAssertEqual(i.fromInternal(100), .int(9))
    XCTAssertEqual(i.fromInternal(-100), .int(0))
    XCTAssertEqual(i.fromInternal(.infinity), .int(9))
    XCTAssertEqual(i.fromInternal(-.infinity), .int(0))
    XCTAssertEqual(i.fromInternal(.nan), .int(0))
  }

  func testInternalUnitOfLogDistributions() throws {
    let f = try Distribution.float(1e-4, 1, log: true)
    XCTAssertEqual(f.toInternal(.float(0.01)), log(0.01))
    guard case .float(let back) = f.fromInternal(log(0.01)) else { return XCTFail("not a float") }
    XCTAssertEqual(back, 0.01, accuracy: 1e-15)
    XCTAssertEqual(f.fromInternal(log(1e-9)), .float(1e-4))  // clamped
    XCTAssertEqual(f.fromInternal(5), .float(1))

    let i = try Distribution.int(1, 1000, log: true)
    XCTAssertEqual(i.toInternal(.int(8)), log(8))
    XCTAssertEqual(i.fromInternal(log(8)), .int(8))
    XCTAssertEqual(i.fromInternal(log(8.4)), .int(8))
    XCTAssertEqual(i.fromInternal(log(8.6)), .int(9))
    XCTAssertEqual(i.fromInternal(log(5000)), .int(1000))
    XCTAssertEqual(i.fromInternal(-.infinity), .int(1))
  }

  func testInternalUnitOfCategoricalsIsTheIndex() throws {
    let c = try Distribution.categorical(choices: [.string("a"), .string("b"), .int(3), .bool(true)])
    XCTAssertEqual(c.toInternal(.string("a")), 0)
    XCTAssertEqual(c.toInternal(.string("b")), 1)
    XCTAssertEqual(c.toInternal(.float(3)), 2)
    XCTAssertEqual(c.toInternal(.bool(true)), 3)
    XCTAssertNil(c.toInternal(.string("z")))
    XCTAssertNil(c.toInternal(.bool(false)))
    XCTAssertEqual(c.fromInternal(1), .string("b"))
    XCTAssertEqual(c.fromInternal(1.4), .string("b"))
    XCTAssertEqual(c.fromInternal(1.6), .int(3))
    XCTAssertEqual(c.fromInternal(-3), .string("a"))
    XCTAssertEqual(c.fromInternal(99), .bool(true))
    XCTAssertEqual(c.fromInternal(.nan), .string("a"))
  }

  /// Seeded: every value a random sampler draws survives toInternal then fromInternal,
  /// exactly for everything but log floats, which come back within rounding.
  func testInternalRoundTripsOfSampledValues() throws {
    let distributions: [Distribution] = [
      try .float(-3, 7), try .float(1e-6, 1e3, log: true), try .float(0, 1, step: 0.3),
      try .float(-2.5, 3.7, step: 0.4), try .int(-50, 50), try .int(1, 4096, log: true),
      try .int(0, 100, step: 7), try .categorical(choices: [.string("x"), .float(0.5), .bool(false), .int(-1)]),
    ]
    var rng = RandomSource(seed: 99)
    for d in distributions {
      for _ in 0..<500 {
        let v = RandomSampler.sample(d, using: &rng)
        guard let x = d.toInternal(v) else { return XCTFail("\(d): toInternal(\(v)) is nil") }
        let bounds = d.internalBounds
        XCTAssertTrue(x >= bounds.low && x <= bounds.high, "\(d): internal \(x) outside \(bounds)")
        let back = d.fromInternal(x)
        if case .float(_, _, true, _) = d {
          XCTAssertEqual(back.number!, v.number!, accuracy: v.number! * 1e-12, "\(d)")
        } else {
          XCTAssertEqual(back, v, "\(d): \(v) -> \(x) -> \(back)")
        }
      }
    }
  }

  func testInternalBounds() throws {
    func bounds(_ d: Distribution) -> [Double] { [d.internalBounds.low, d.internalBounds.high] }
    XCTAssertEqual(bounds(try .float(0, 1)), [0, 1])
    XCTAssertEqual(bounds(try .float(1e-3, 10, log: true)), [log(1e-3), log(10)])
    XCTAssertEqual(bounds(try .float(0, 1, step: 0.25)), [-0.125, 1.125])
    XCTAssertEqual(bounds(try .int(0, 10)), [-0.5, 10.5])
    XCTAssertEqual(bounds(try .int(0, 10, step: 3)), [-1.5, 10.5])
    XCTAssertEqual(bounds(try .int(1, 100, log: true)), [log(0.5), log(100.5)])
    XCTAssertEqual(bounds(try .categorical(choices: [.int(1), .int(2), .int(3)])), [-0.5, 2.5])
  }

  func testCompatibility() throws {
    let abc = try Distribution.categorical(choices: [.string("a"), .string("b"), .string("c")])
    XCTAssertTrue(try Distribution.float(0, 1).isCompatible(with: .float(5, 10, log: true)))
    XCTAssertTrue(try Distribution.int(0, 1).isCompatible(with: .int(0, 100, step: 10)))
    XCTAssertTrue(abc.isCompatible(with: abc))
    XCTAssertFalse(abc.isCompatible(with: try .categorical(choices: [.string("a"), .string("b")])))
    XCTAssertFalse(abc.isCompatible(with: try .categorical(choices: [.string("c"), .string("b"), .string("a")])))
    XCTAssertFalse(try Distribution.float(0, 1).isCompatible(with: .int(0, 1)))
    XCTAssertFalse(try Distribution.int(0, 1).isCompatible(with: abc))
  }

  func testDescriptionsAndKinds() throws {
    XCTAssertEqual(try Distribution.float(0, 1).description, "float [0, 1]")
    XCTAssertEqual(try Distribution.float(1e-5, 0.5, log: true).description, "float [1e-05, 0.5] log")
    XCTAssertEqual(try Distribution.int(1, 100, log: true).description, "int [1, 100] log")
    XCTAssertEqual(try Distribution.int(0, 10, step: 5).description, "int [0, 10] step 5")
    XCTAssertEqual(try Distribution.categorical(choices: [.string("a"), .int(3), .bool(true)]).description, "categorical {\"a\", 3, true}")
    XCTAssertEqual(try Distribution.float(0, 1).kind, "float")
    XCTAssertEqual(try Distribution.int(0, 1).kind, "int")
    XCTAssertEqual(try Distribution.categorical(choices: [.int(1)]).kind, "categorical")
  }
}
