import Foundation
import TunaTestSupport
import XCTest

@testable import TunaTrain

/// The CSV reader under a seeded random-input loop (the toolchain's libFuzzer needs a
/// sanitizer-instrumented build of the whole package; a loop runs in every test run): mutated
/// valid files and raw bytes must give a consistent dataset or a `CSVError`, never a trap, a
/// hang or a dataset whose parts disagree.
final class CSVRandomInputTests: XCTestCase {
  typealias Stream = SeededStream

  static let seeds: [String] = [
    "a,b,label\n1,2,x\n3,4,y\n5,6,x\n",
    "sepal,petal,target\n5.1,3.5,0\n4.9,3.0,1\n6.2,2.9,2\n",
    "\"quoted, name\",value,y\n\"1\",\"2.5\",3.25\n4,5e3,-1\n",
    "x\r\n1\r\n",
    "f1,f2,f3,price\n0.1,1e-3,-7,100.5\n0.2,,3,7\n",
  ]

  /// Pieces that stress a CSV reader: quotes, separators, line ends, odd numbers, bad bytes.
  static let pieces: [[UInt8]] = [
    "\"", "\"\"", ",", "\n", "\r", "\r\n", "\0", "nan", "inf", "-inf", "1e999", "-0", "0x1p3", " ",
    "\u{FEFF}", "é", "label", "a,b", String(repeating: "9", count: 400), String(repeating: ",", count: 50),
  ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0x80]]

  func mutate(_ input: [UInt8], _ stream: inout Stream) -> [UInt8] {
    var bytes = input
    for _ in 0..<(1 + stream.below(6)) {
      let at = bytes.isEmpty ? 0 : stream.below(bytes.count + 1)
      switch stream.below(5) {
      case 0 where !bytes.isEmpty: bytes.remove(at: min(at, bytes.count - 1))
      case 1: bytes.insert(contentsOf: stream.pick(Self.pieces), at: at)
      case 2 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: stream.next())
      case 3 where !bytes.isEmpty:  // duplicate a slice (more rows, longer lines)
        let start = stream.below(bytes.count), end = min(bytes.count, start + stream.below(40))
        bytes.insert(contentsOf: bytes[start..<end], at: at)
      default: bytes.insert(contentsOf: (0..<stream.below(8)).map { _ in UInt8(truncatingIfNeeded: stream.next()) }, at: at)
      }
    }
    return bytes
  }

  /// What every dataset read must satisfy, whatever the input.
  func assertConsistent(_ d: Dataset, _ input: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
    let context = String(decoding: input.prefix(200), as: UTF8.self)
    XCTAssertEqual(d.y.count, d.nSamples, context, file: file, line: line)
    XCTAssertEqual(d.featureNames.count, d.nFeatures, context, file: file, line: line)
    XCTAssertGreaterThanOrEqual(d.nFeatures, 1, context, file: file, line: line)
    if d.task == .classification {
      XCTAssertEqual(d.classNames.count, d.nClasses, context, file: file, line: line)
      XCTAssertTrue(d.y.allSatisfy { $0 >= 0 && Int($0) < d.nClasses && $0 == $0.rounded() }, context, file: file, line: line)
    }
  }

  func testMutatedAndRandomInputsNeverTrap() throws {
    var stream = Stream(state: 20_261_204)
    var read = 0, refused = 0
    for round in 0..<20_000 {
      let input: [UInt8]
      if round % 10 == 9 {
        input = (0..<stream.below(300)).map { _ in UInt8(truncatingIfNeeded: stream.next()) }
      } else {
        input = mutate(Array(stream.pick(Self.seeds).utf8), &stream)
      }
      let target: String? = stream.below(4) == 0 ? stream.pick(["a", "label", "y", "price", "nope"]) : nil
      let task: LearningTask? = stream.pick([nil, .classification, .regression])
      do {
        let d = try Dataset.csv(bytes: input, name: "fuzz.csv", target: target, task: task)
        assertConsistent(d, input)
        read += 1
      } catch let error as CSVError {
        XCTAssertTrue(error.description.contains("fuzz.csv"), "\(error)")
        refused += 1
      }
    }
    // Both outcomes were exercised, so the loop tested something.
    XCTAssertGreaterThan(read, 500)
    XCTAssertGreaterThan(refused, 500)
  }

  /// The same loop with the reading options varied: other delimiters, no header, selected
  /// columns, filled missing cells and both encodings of text columns.
  func testMutatedInputsWithOptionsNeverTrap() throws {
    var stream = Stream(state: 20_260_311)
    var read = 0, refused = 0
    for _ in 0..<5_000 {
      var input = mutate(Array(stream.pick(Self.seeds).utf8), &stream)
      var options = CSVOptions()
      options.delimiter = stream.pick([",", ";", "\t", "|"])
      if let byte = options.delimiter.utf8.first, byte != UInt8(ascii: ",") {
        input = input.map { $0 == UInt8(ascii: ",") ? byte : $0 }
      }
      options.header = stream.below(4) != 0
      options.target = stream.below(4) == 0 ? stream.pick(["a", "label", "y", "column_1", "nope"]) : nil
      options.columns = stream.below(4) == 0 ? stream.pick([["a"], ["b", "a"], ["column_2"], ["value", "y"]]) : nil
      options.missing = stream.pick(CSVOptions.MissingValues.allCases)
      options.categorical = stream.pick(CSVOptions.CategoricalEncoding.allCases)
      options.task = stream.pick([nil, .classification, .regression])
      do {
        let d = try Dataset.csv(bytes: input, name: "fuzz.csv", options: options)
        assertConsistent(d, input)
        for (column, categories) in d.categories {
          XCTAssertFalse(categories.isEmpty, column)
          switch options.categorical {
          case .onehot: XCTAssertTrue(categories.allSatisfy { d.featureNames.contains(column + "=" + $0) }, column)
          case .ordinal: XCTAssertTrue(d.featureNames.contains(column), column)
          }
        }
        read += 1
      } catch let error as CSVError {
        XCTAssertTrue(error.description.contains("fuzz.csv"), "\(error)")
        refused += 1
      }
    }
    XCTAssertGreaterThan(read, 100)
    XCTAssertGreaterThan(refused, 100)
  }

  /// Very long lines, many columns and many rows come back with every cell.
  func testLargeShapesAreRead() throws {
    let columns = 2_000
    let header = (0..<columns).map { "c\($0)" }.joined(separator: ",")
    let row = (0..<columns).map { String($0 % 7) }.joined(separator: ",")
    let text = header + "\n" + Array(repeating: row, count: 50).joined(separator: "\n") + "\n"
    let d = try Dataset.csv(text: text, task: .regression)
    XCTAssertEqual(d.nSamples, 50)
    XCTAssertEqual(d.nFeatures, columns - 1)
  }
}
