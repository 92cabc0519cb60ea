/// What went wrong reading a CSV file, worded with the file and, where there is one, the 1-based
/// line: `houses.csv:17: expected 5 fields, got 4`.
///
/// `file` is the path as the caller gave it (or the name given to `Dataset.csv(text:name:)`).
public enum CSVError: Error, CustomStringConvertible, Equatable, Sendable {
  /// Nothing at the path.
  case fileNotFound(file: String)
  /// The path exists but could not be read (a directory, no permission).
  case unreadable(file: String, reason: String)
  /// No header row: the file is empty or holds only blank lines.
  case empty(file: String)
  /// A header row and nothing after it.
  case noDataRows(file: String)
  /// A row whose field count differs from the header's.
  case raggedRow(file: String, line: Int, expected: Int, got: Int)
  /// A feature (or regression target) that does not parse as a finite number.
  case notANumber(file: String, line: Int, column: String, value: String)
  /// An empty field.
  case missingValue(file: String, line: Int, column: String)
  /// A quoted field that runs to the end of the file; `line` is where it opened.
  case unterminatedQuote(file: String, line: Int)
  /// Text between a closing quote and the next comma or line end (`"a"b,`).
  case textAfterQuote(file: String, line: Int)
  /// The requested target column is not in the header.
  case noSuchColumn(file: String, name: String, columns: [String])
  /// Two header fields with the same name.
  case duplicateColumn(file: String, name: String)
  /// The header names only the target column.
  case noFeatureColumns(file: String, target: String)

  public var description: String {
    switch self {
    case .fileNotFound(let file):
      return "\(file): no such file"
    case .unreadable(let file, let reason):
      return "\(file): cannot read the file (\(reason))"
    case .empty(let file):
      return "\(file): the file is empty (expected a header row)"
    case .noDataRows(let file):
      return "\(file): a header row but no data rows"
    case .raggedRow(let file, let line, let expected, let got):
      return "\(file):\(line): expected \(expected) fields, got \(got)"
    case .notANumber(let file, let line, let column, let value):
      return "\(file):\(line): column '\(column)': '\(value)' is not a number"
    case .missingValue(let file, let line, let column):
      return "\(file):\(line): column '\(column)': missing value"
    case .unterminatedQuote(let file, let line):
      return "\(file):\(line): a quoted field is never closed"
    case .textAfterQuote(let file, let line):
      return "\(file):\(line): text after a closing quote (write a quote inside a quoted field as \"\")"
    case .noSuchColumn(let file, let name, let columns):
      return "\(file): no column named '\(name)' (columns: \(columns.joined(separator: ", ")))"
    case .duplicateColumn(let file, let name):
      return "\(file): the column name '\(name)' appears more than once"
    case .noFeatureColumns(let file, let target):
      return "\(file): no feature columns besides the target '\(target)'"
    }
  }
}
