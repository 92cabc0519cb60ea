import Foundation
import TunaSearch
import TunaTestSupport
import XCTest

@testable import TunaStore

/// The stored-JSON decoder under a seeded random-input loop: whatever another program (or a
/// damaged file) left in a column, decoding returns a value or throws `TunaStoreError`, never
/// traps or recurses without bound; and every value Tuna writes reads back equal.
final class JSONRandomInputTests: XCTestCase {
  typealias Stream = SeededStream

  static let strings = ["", "a", "é", "\"", "\\", "\n\t", "\u{0}", "\u{1F41F}", "key with spaces", "\u{7F}\u{80}"]

  /// A random value of the kinds attributes hold, `depth` levels deep at most.
  func value(_ stream: inout Stream, depth: Int) -> AttrValue {
    switch stream.below(depth > 0 ? 8 : 6) {
    case 0: return .null
    case 1: return .bool(stream.below(2) == 0)
    case 2: return .int(stream.pick([0, -1, 1, Int.max, Int.min, Int(truncatingIfNeeded: stream.next())]))
    case 3:
      return .double(stream.pick([0.0, -0.0, 1.5, 1e300, -1e-300, .infinity, -.infinity, .leastNonzeroMagnitude,
                                  (stream.unit() - 0.5) * pow(10, Double(stream.below(40)) - 20)]))
    case 4, 5: return .string(stream.pick(Self.strings) + stream.pick(Self.strings))
    case 6: return .array((0..<stream.below(5)).map { _ in value(&stream, depth: depth - 1) })
    default:
      var members: [String: AttrValue] = [:]
      for _ in 0..<stream.below(5) { members[stream.pick(Self.strings) + String(stream.below(9))] = value(&stream, depth: depth - 1) }
      return .object(members)
    }
  }

  func testWrittenValuesReadBackEqual() throws {
    var stream = Stream(state: 7)
    for _ in 0..<5_000 {
      let v = value(&stream, depth: 5)
      let text = JSON.encode(v)
      XCTAssertEqual(try JSON.decode(text), v, text)
    }
    // NaN is not equal to itself: checked by kind.
    guard case .double(let nan) = try JSON.decode(JSON.encode(.double(.nan))) else { return XCTFail("NaN") }
    XCTAssertTrue(nan.isNaN)
  }

  static let tokens = [
    "[", "]", "{", "}", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\uDC00", "0", "-", "1e", "1e999", "-0.0", ".5",
    "NaN", "Infinity", "-Infinity", "nul", "true", "fals", " ", "\n", "\u{0}", "\u{FF}", "9223372036854775808",
    "\"k\"", "\"\\\"\"",
  ]

  func testMutatedAndRandomTextNeverTraps() throws {
    var stream = Stream(state: 20_261_204)
    var decoded = 0, refused = 0
    for round in 0..<30_000 {
      var bytes: [UInt8]
      if round % 3 == 0 {
        bytes = Array((0..<stream.below(30)).map { _ in stream.pick(Self.tokens) }.joined().utf8)
      } else {
        bytes = Array(JSON.encode(value(&stream, depth: 4)).utf8)
        for _ in 0..<(1 + stream.below(4)) {
          let at = stream.below(bytes.count + 1)
          switch stream.below(3) {
          case 0 where !bytes.isEmpty: bytes.remove(at: min(at, bytes.count - 1))
          case 1: bytes.insert(contentsOf: Array(stream.pick(Self.tokens).utf8), at: at)
          default: bytes.insert(UInt8(truncatingIfNeeded: stream.next()), at: at)
          }
        }
      }
      do {
        let v = try bytes.withUnsafeBufferPointer { buffer throws(TunaStoreError) in try JSON.decode(buffer) }
        decoded += 1
        // What was read is written again and read back the same (NaN aside).
        if !JSON.encode(v).contains("NaN") { XCTAssertEqual(try JSON.decode(JSON.encode(v)), v) }
        // The typed readers on top of it refuse what is not theirs, without trapping.
        _ = try? JSON.distribution(v)
        _ = try? JSON.param(v)
        _ = try? JSON.doubles(v)
      } catch {
        refused += 1
      }
    }
    XCTAssertGreaterThan(decoded, 1_000)
    XCTAssertGreaterThan(refused, 1_000)
  }

  /// Nesting is bounded both ways: 100,000 open brackets are refused (no stack overflow), and
  /// the deepest value Tuna writes reads back.
  func testDeepNestingIsRefusedNotRecursed() throws {
    for open in ["[", "{\"a\":"] {
      let text = String(repeating: open, count: 100_000)
      XCTAssertThrowsError(try JSON.decode(text)) { error in
        XCTAssertTrue("\(error)".contains("nested too deeply"), "\(error)")
      }
    }
    var v = AttrValue.int(1)
    for _ in 0..<500 { v = .array([v]) }
    XCTAssertEqual(try JSON.decode(JSON.encode(v)), v)
  }
}
