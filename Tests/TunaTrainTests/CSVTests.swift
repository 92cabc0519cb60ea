import Foundation
import XCTest

@testable import TunaTrain

final class CSVTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tuna-csv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// Writes `text` to a file in the test's directory and returns its path.
  private func write(_ text: String, _ name: String = "houses.csv") throws -> String {
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
  }

  private func assertCSVError(
    _ text: String, target: String? = nil, task: LearningTask? = nil, _ expected: (String) -> String,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let path = try write(text)
    XCTAssertThrowsError(try Dataset.csv(path: path, target: target, task: task), file: file, line: line) {
      XCTAssert($0 is CSVError, "\($0)", file: file, line: line)
      XCTAssertEqual("\($0)", expected(path), file: file, line: line)
    }
  }

  // MARK: Parsing

  func testStringLabelsAreSortedClassIndices() throws {
    let path = try write("a,b,animal\n1,2,dog\n3,4,cat\n5,6,dog\n7.5,-8e-1,bird\n")
    let d = try Dataset.csv(path: path)
    XCTAssertEqual(d.task, .classification)
    XCTAssertEqual(d.nSamples, 4)
    XCTAssertEqual(d.nFeatures, 2)
    XCTAssertEqual(d.nClasses, 3)
    XCTAssertEqual(d.classNames, ["bird", "cat", "dog"])
    XCTAssertEqual(d.y, [2, 1, 2, 0])
    XCTAssertEqual(d.x.data, [1, 2, 3, 4, 5, 6, 7.5, -0.8])
    XCTAssertEqual(d.featureNames, ["a", "b"])
    XCTAssertEqual(d.targetName, "animal")
  }

  func testNumericLabelsSortNumerically() throws {
    let d = try Dataset.csv(text: "x,y\n0,10\n1,2\n2,1\n3,2.0\n4,10\n")
    XCTAssertEqual(d.task, .classification)
    XCTAssertEqual(d.classNames, ["1", "2", "10"])
    XCTAssertEqual(d.y, [2, 1, 0, 1, 2])
  }

  func testTargetColumnByNameAnywhere() throws {
    let d = try Dataset.csv(text: "rooms,price,area\n3,250.5,80\n4,300.25,95\n", target: "price")
    XCTAssertEqual(d.task, .regression)
    XCTAssertEqual(d.featureNames, ["rooms", "area"])
    XCTAssertEqual(d.x.data, [3, 80, 4, 95])
    XCTAssertEqual(d.y, [250.5, 300.25])
    XCTAssertEqual(d.targetName, "price")
  }

  func testTaskInference() throws {
    // 21 distinct integers: regression; 20: classification; a fraction: regression.
    let many = (0..<21).map { "\($0),\($0 * 3)" }.joined(separator: "\n")
    XCTAssertEqual(try Dataset.csv(text: "x,t\n" + many).task, .regression)
    let twenty = (0..<20).map { "\($0),\($0 * 3)" }.joined(separator: "\n")
    let d = try Dataset.csv(text: "x,t\n" + twenty)
    XCTAssertEqual(d.task, .classification)
    XCTAssertEqual(d.nClasses, 20)
    XCTAssertEqual(try Dataset.csv(text: "x,t\n1,0\n2,0.5\n").task, .regression)
    // An explicit task wins.
    let forced = try Dataset.csv(text: "x,t\n1,0\n2,1\n3,1\n", task: .regression)
    XCTAssertEqual(forced.task, .regression)
    XCTAssertEqual(forced.nClasses, 0)
    XCTAssertEqual(forced.y, [0, 1, 1])
  }

  func testQuotedFieldsWithCommasQuotesAndLineBreaks() throws {
    let text = """
      "size, m2","the ""best"" one",city
      1,2,"New York, NY"
      " 3 ",4,"Line
      break"
      5,6,plain
      """
    let d = try Dataset.csv(text: text)
    XCTAssertEqual(d.featureNames, ["size, m2", "the \"best\" one"])
    XCTAssertEqual(d.x.data, [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(d.classNames, ["Line\nbreak", "New York, NY", "plain"])
    XCTAssertEqual(d.y, [1, 0, 2])
  }

  func testCRLFByteOrderMarkBlankLinesAndSpaces() throws {
    let text = "\u{FEFF}a , b,t\r\n1, 2 ,x\r\n\r\n3,4,y\r\n\n"
    let d = try Dataset.csv(text: text)
    XCTAssertEqual(d.featureNames, ["a", "b"])
    XCTAssertEqual(d.x.data, [1, 2, 3, 4])
    XCTAssertEqual(d.classNames, ["x", "y"])
  }

  func testReaderKeepsRecordLines() throws {
    let records = try CSVReader.records(Array("a,b\n\n\"x\ny\",1\n2,3".utf8), file: "f")
    XCTAssertEqual(records.map(\.line), [1, 3, 5])
    XCTAssertEqual(records.map(\.fields), [["a", "b"], ["x\ny", "1"], ["2", "3"]])
  }

  // MARK: Errors, with the file and the 1-based line

  func testRaggedRow() throws {
    try assertCSVError("a,b,c,d,price\n1,2,3,4,5\n1,2,3,4\n") { "\($0):3: expected 5 fields, got 4" }
    try assertCSVError("a,b\n1,2\n1,2,3\n") { "\($0):3: expected 2 fields, got 3" }
  }

  func testRaggedRowLineCountsQuotedLineBreaksAndBlankLines() throws {
    try assertCSVError("a,b\n1,\"x\n\ny\"\n\n1\n") { "\($0):6: expected 2 fields, got 1" }
  }

  func testNotANumber() throws {
    // A number a Float cannot hold in a numeric feature column; text would make it categorical.
    try assertCSVError("rooms,price\n3,100\n4,200\n1e39,300\n") {
      "\($0):4: column 'rooms': '1e39' is not a number"
    }
    try assertCSVError("rooms,price\n3,100\ninf,300\n") { "\($0):3: column 'rooms': 'inf' is not a number" }
    try assertCSVError("rooms,price\n3,1e39\n", task: .regression) {
      "\($0):2: column 'price': '1e39' is not a number"
    }
    try assertCSVError("rooms,price\n3,100\n4,cheap\n", task: .regression) {
      "\($0):3: column 'price': 'cheap' is not a number"
    }
  }

  func testMissingValue() throws {
    try assertCSVError("rooms,area,price\n3,,100\n") { "\($0):2: column 'area': missing value" }
    try assertCSVError("rooms,price\n3,\"\"\n") { "\($0):2: column 'price': missing value" }
    try assertCSVError("rooms,price\n3,100\nnan,300\n") { "\($0):3: column 'rooms': missing value" }
  }

  func testMissingTargetColumn() throws {
    try assertCSVError("rooms,area,cost\n1,2,3\n", target: "price") {
      "\($0): no column named 'price' (columns: rooms, area, cost)"
    }
  }

  func testEmptyFileAndHeaderOnly() throws {
    try assertCSVError("") { "\($0): the file is empty (expected a header row)" }
    try assertCSVError("\n\n") { "\($0): the file is empty (expected a header row)" }
    try assertCSVError("a,b\n") { "\($0): a header row but no data rows" }
  }

  func testMissingFileAndDirectory() throws {
    let path = directory.appendingPathComponent("nowhere.csv").path
    XCTAssertThrowsError(try Dataset.csv(path: path)) {
      XCTAssertEqual("\($0)", "\(path): no such file")
      XCTAssertEqual($0 as? CSVError, .fileNotFound(file: path))
    }
    XCTAssertThrowsError(try Dataset.csv(path: directory.path)) {
      XCTAssertEqual("\($0)", "\(directory.path): cannot read the file (it is a directory)")
    }
  }

  func testQuoteErrors() throws {
    try assertCSVError("a,b\n1,2\n\"3,4\n5,6\n") { "\($0):3: a quoted field is never closed" }
    try assertCSVError("a,b\n1,\"2\"x\n") {
      "\($0):2: text after a closing quote (write a quote inside a quoted field as \"\")"
    }
  }

  func testHeaderErrors() throws {
    try assertCSVError("a,a,t\n1,2,3\n") { "\($0): the column name 'a' appears more than once" }
    try assertCSVError("price\n1\n") { "\($0): no feature columns besides the target 'price'" }
  }

  func testTextSourceIsNamedInErrors() {
    XCTAssertThrowsError(try Dataset.csv(text: "a,b\n1\n", name: "inline.csv")) {
      XCTAssertEqual("\($0)", "inline.csv:2: expected 2 fields, got 1")
    }
  }
}
