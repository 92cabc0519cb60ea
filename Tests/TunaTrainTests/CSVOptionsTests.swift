import Foundation
import XCTest

@testable import TunaTrain

/// `Dataset.csv(…, options:)`: text columns, missing cells, delimiters, files without a header
/// and column selection.
final class CSVOptionsTests: XCTestCase {
  private func read(_ text: String, _ options: CSVOptions = CSVOptions()) throws -> Dataset {
    try Dataset.csv(text: text, name: "t.csv", options: options)
  }

  private func assertCSVError(
    _ text: String, _ options: CSVOptions, _ expected: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try read(text, options), file: file, line: line) {
      XCTAssert($0 is CSVError, "\($0)", file: file, line: line)
      XCTAssertEqual("\($0)", expected, file: file, line: line)
    }
  }

  // MARK: Text columns

  func testTextColumnIsOneHotEncodedInSortedOrder() throws {
    let d = try read("size,color,y\n1,red,0\n2,blue,1\n3,green,0\n4,red,1\n")
    XCTAssertEqual(d.featureNames, ["size", "color=blue", "color=green", "color=red"])
    XCTAssertEqual(d.nFeatures, 4)
    XCTAssertEqual(d.x.data, [
      1, 0, 0, 1,
      2, 1, 0, 0,
      3, 0, 1, 0,
      4, 0, 0, 1,
    ])
    XCTAssertEqual(d.categories, ["color": ["blue", "green", "red"]])
    XCTAssertEqual(d.y, [0, 1, 0, 1])
    // Rows taken out of the dataset keep the mapping.
    XCTAssertEqual(d.subset([1]).categories, d.categories)
  }

  func testTextColumnAsOrdinal() throws {
    let d = try read("size,color,y\n1,red,0\n2,blue,1\n3,green,0\n4,red,1\n", CSVOptions(categorical: .ordinal))
    XCTAssertEqual(d.featureNames, ["size", "color"])
    XCTAssertEqual(d.x.data, [1, 2, 2, 0, 3, 1, 4, 2])
    XCTAssertEqual(d.categories, ["color": ["blue", "green", "red"]])
  }

  func testCategoriesSortNumbersFirstThenText() throws {
    // One cell that is not a number makes the whole column categorical.
    let d = try read("level,y\n10,0\n2,1\nlow,0\n2,1\n", CSVOptions(categorical: .ordinal))
    XCTAssertEqual(d.categories, ["level": ["2", "10", "low"]])
    XCTAssertEqual(d.x.data, [1, 0, 2, 0])
  }

  func testNumericFilesHaveNoCategories() throws {
    let d = try read("a,b,y\n1,2,0\n3,4,1\n")
    XCTAssertEqual(d.categories, [:])
    XCTAssertEqual(d.featureNames, ["a", "b"])
  }

  // MARK: Missing values

  func testMissingCellWords() {
    for text in ["", "NA", "na", "N/A", "n/A", "NaN", "nan", "NAN", "null", "NULL", "Null", " NA ", "  ", "\tnull"] {
      XCTAssertTrue(Dataset.isMissingCSVCell(text), "'\(text)'")
    }
    for text in ["0", "none", "-", "nana", "N A", "n/a/", "nulls", "?"] {
      XCTAssertFalse(Dataset.isMissingCSVCell(text), "'\(text)'")
    }
  }

  func testMissingIsAnErrorByDefaultNamingFileLineAndColumn() {
    assertCSVError("a,b,y\n1,2,0\n3,NA,1\n", CSVOptions(), "t.csv:3: column 'b': missing value")
    // The first missing cell in the file is the one named.
    assertCSVError("a,b,y\n1,,0\n,2,1\n", CSVOptions(), "t.csv:2: column 'b': missing value")
  }

  func testMeanFillsNumericColumns() throws {
    let d = try read("a,y\n1,0\nNA,1\n3,0\n", CSVOptions(missing: .mean))
    XCTAssertEqual(d.x.data, [1, 2, 3])
    let even = try read("a,y\n1,0\n10,1\nN/A,0\n2,1\n4,0\n", CSVOptions(missing: .mean))
    XCTAssertEqual(even.x.data, [1, 10, 4.25, 2, 4])
  }

  func testMedianFillsNumericColumns() throws {
    let odd = try read("a,y\n1,0\n10,1\nnull,0\n2,1\n", CSVOptions(missing: .median))
    XCTAssertEqual(odd.x.data, [1, 10, 2, 2])
    // An even count: the mean of the two middle values, (2 + 4) / 2.
    let even = try read("a,y\n1,0\n10,1\nN/A,0\n2,1\n4,0\n", CSVOptions(missing: .median))
    XCTAssertEqual(even.x.data, [1, 10, 3, 2, 4])
  }

  func testMostFrequentBreaksTiesBySortOrder() throws {
    // 5 and 3 appear twice each: the smaller wins.
    let numbers = try read("a,y\n5,0\n3,1\n5,0\n3,1\nNaN,0\n", CSVOptions(missing: .mostFrequent))
    XCTAssertEqual(numbers.x.data, [5, 3, 5, 3, 3])
    // red and blue appear twice each: blue sorts first.
    let text = try read("c,y\nred,0\nblue,1\nred,0\nblue,1\n,0\n", CSVOptions(missing: .mostFrequent))
    XCTAssertEqual(text.featureNames, ["c=blue", "c=red"])
    XCTAssertEqual(text.x.data, [0, 1, 1, 0, 0, 1, 1, 0, 1, 0])
  }

  func testTextColumnsTakeTheMostFrequentCategoryUnderMeanAndMedian() throws {
    for missing in [CSVOptions.MissingValues.mean, .median] {
      let d = try read("c,y\nred,0\nblue,1\nred,0\nNA,1\n", CSVOptions(missing: missing, categorical: .ordinal))
      XCTAssertEqual(d.categories, ["c": ["blue", "red"]])
      XCTAssertEqual(d.x.data, [1, 0, 1, 1], "\(missing)")
    }
  }

  func testColumnWithoutValuesIsAnError() {
    for missing in [CSVOptions.MissingValues.mean, .median, .mostFrequent] {
      assertCSVError("a,b,y\n1,,0\n2,NA,1\n", CSVOptions(missing: missing), "t.csv: column 'b': every value is missing")
    }
  }

  func testMissingTargetIsAlwaysAnError() {
    assertCSVError("a,y\n1,0\n2,NA\n", CSVOptions(missing: .mean), "t.csv:3: column 'y': missing value")
    assertCSVError("a,y\n1,0\n2,\n", CSVOptions(missing: .mostFrequent), "t.csv:3: column 'y': missing value")
  }

  // MARK: Delimiters

  func testSemicolonTabAndPipe() throws {
    for (delimiter, text) in [(";", "a;b;y\n1;2;x\n3;4;z\n"), ("\t", "a\tb\ty\n1\t2\tx\n3\t4\tz\n"), ("|", "a|b|y\n1|2|x\n3|4|z\n")] {
      let d = try read(text, CSVOptions(delimiter: delimiter))
      XCTAssertEqual(d.featureNames, ["a", "b"], delimiter)
      XCTAssertEqual(d.x.data, [1, 2, 3, 4], delimiter)
      XCTAssertEqual(d.classNames, ["x", "z"], delimiter)
    }
  }

  func testQuotedFieldsMayHoldTheDelimiter() throws {
    let d = try read("name;v;y\n\"a;b\";1;0\nc;2;1\n", CSVOptions(delimiter: ";"))
    XCTAssertEqual(d.featureNames, ["name=a;b", "name=c", "v"])
    XCTAssertEqual(d.x.data, [1, 0, 1, 0, 1, 2])
    XCTAssertEqual(d.categories, ["name": ["a;b", "c"]])
  }

  func testTabDelimiterIsNotABlank() throws {
    let tab = UInt8(ascii: "\t")
    let records = try CSVReader.records(Array("1\t\t\"x\"\t 2 \n".utf8), file: "f", delimiter: tab)
    XCTAssertEqual(records.map(\.fields), [["1", "", "x", "2"]])
    let semicolon = try CSVReader.records(Array("a; \"b;c\" ;d\n".utf8), file: "f", delimiter: UInt8(ascii: ";"))
    XCTAssertEqual(semicolon.map(\.fields), [["a", "b;c", "d"]])
  }

  func testBadDelimiters() throws {
    for good in [",", ";", "\t", "|", " "] { XCTAssertTrue(CSVOptions.isValidDelimiter(good), good) }
    for bad in ["", ";;", "\"", "\n", "\r", "\r\n", "é"] { XCTAssertFalse(CSVOptions.isValidDelimiter(bad), bad) }
    assertCSVError(
      "a,y\n1,0\n", CSVOptions(delimiter: ";;"),
      "t.csv: the delimiter must be one ASCII character other than a double quote or a line break, got \";;\"")
    XCTAssertThrowsError(try Dataset.csv(path: "nowhere.csv", options: CSVOptions(delimiter: ";;"))) {
      XCTAssertEqual($0 as? CSVError, .invalidDelimiter(file: "nowhere.csv", delimiter: ";;"))
    }
  }

  // MARK: Files without a header

  func testNoHeaderNamesColumnsFromOne() throws {
    let d = try read("1,2,0\n3,4,1\n", CSVOptions(header: false))
    XCTAssertEqual(d.featureNames, ["column_1", "column_2"])
    XCTAssertEqual(d.targetName, "column_3")
    XCTAssertEqual(d.nSamples, 2)
    XCTAssertEqual(d.x.data, [1, 2, 3, 4])
    let byName = try read("1,2,0\n3,4,1\n", CSVOptions(target: "column_1", header: false))
    XCTAssertEqual(byName.featureNames, ["column_2", "column_3"])
    XCTAssertEqual(byName.x.data, [2, 0, 4, 1])
    let text = try read("red,1,0\nblue,2,1\n", CSVOptions(header: false))
    XCTAssertEqual(text.featureNames, ["column_1=blue", "column_1=red", "column_2"])
    XCTAssertEqual(text.categories, ["column_1": ["blue", "red"]])
  }

  func testNoHeaderErrors() {
    assertCSVError("", CSVOptions(header: false), "t.csv: the file is empty (expected rows)")
    assertCSVError("1,2,0\n3,4\n", CSVOptions(header: false), "t.csv:2: expected 3 fields, got 2")
  }

  // MARK: Column selection

  func testColumnsSelectFeaturesInOrder() throws {
    let text = "a,b,c,y\n1,2,3,0\n4,5,6,1\n"
    let d = try read(text, CSVOptions(columns: ["c", "a"]))
    XCTAssertEqual(d.featureNames, ["c", "a"])
    XCTAssertEqual(d.x.data, [3, 1, 6, 4])
    XCTAssertEqual(d.targetName, "y")
    // Naming the target changes nothing.
    XCTAssertEqual(try read(text, CSVOptions(columns: ["y", "b"])).featureNames, ["b"])
    // Columns left out are not read: their missing cells do not matter.
    let skipped = try read("a,b,y\n1,NA,0\n2,x,1\n", CSVOptions(columns: ["a"]))
    XCTAssertEqual(skipped.x.data, [1, 2])
    XCTAssertEqual(skipped.categories, [:])
  }

  func testColumnSelectionErrors() {
    let text = "a,b,c,y\n1,2,3,0\n4,5,6,1\n"
    assertCSVError(text, CSVOptions(columns: ["a", "nope"]), "t.csv: no column named 'nope' (columns: a, b, c, y)")
    assertCSVError(text, CSVOptions(columns: ["a", "a"]), "t.csv: the column 'a' is selected twice")
    assertCSVError(text, CSVOptions(columns: ["y"]), "t.csv: no feature columns besides the target 'y'")
  }

  // MARK: Memory

  func testOneHotWideningAsksTheMemoryBudget() throws {
    let rows = (0..<10).map { "c\($0),\($0 % 2)" }.joined(separator: "\n")
    let budget = MemoryBudget(headroom: { 100 })
    XCTAssertThrowsError(try MemoryBudget.withCurrent(budget) { try read("c,y\n" + rows) }) {
      XCTAssert($0 is TrainError, "\($0)")
      XCTAssertTrue("\($0)".contains("encoding the text columns of t.csv"), "\($0)")
    }
    // The same column as one ordinal feature needs no more than the text itself.
    let d = try MemoryBudget.withCurrent(budget) { try read("c,y\n" + rows, CSVOptions(categorical: .ordinal)) }
    XCTAssertEqual(d.nFeatures, 1)
  }
}
