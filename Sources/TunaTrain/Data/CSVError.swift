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
  /// No rows at all in a file read without a header row.
  case noRows(file: String)
  /// A header row and nothing after it.
  case noDataRows(file: String)
  /// A row whose field count differs from the header's (the first row's, without a header).
  case raggedRow(file: String, line: Int, expected: Int, got: Int)
  /// A regression target that does not parse as a finite number, or a cell of a numeric
  /// feature column that parses as a number too large for a `Float`, an infinity or a NaN.
  case notANumber(file: String, line: Int, column: String, value: String)
  /// A missing cell (empty, `NA`, `N/A`, `NaN`, `null`): a target's, or a feature's when missing
  /// values are refused.
  case missingValue(file: String, line: Int, column: String)
  /// A feature column in which every cell is missing, so there is nothing to fill them from.
  case noValues(file: String, column: String)
  /// A quoted field that runs to the end of the file; `line` is where it opened.
  case unterminatedQuote(file: String, line: Int)
  /// Text between a closing quote and the next delimiter or line end (`"a"b,`).
  case textAfterQuote(file: String, line: Int)
  /// The requested target column, or a column named in `CSVOptions.columns`, is not in the
  /// header.
  case noSuchColumn(file: String, name: String, columns: [String])
  /// Two header fields with the same name.
  case duplicateColumn(file: String, name: String)
  /// A column named twice in `CSVOptions.columns`.
  case columnSelectedTwice(file: String, name: String)
  /// A `CSVOptions.delimiter` that is not one ASCII character other than a double quote, CR or LF.
  case invalidDelimiter(file: String, delimiter: String)
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
    case .noRows(let file):
      return "\(file): the file is empty (expected rows)"
    case .noDataRows(let file):
      return "\(file): a header row but no data rows"
    case .raggedRow(let file, let line, let expected, let got):
      return "\(file):\(line): expected \(expected) fields, got \(got)"
    case .notANumber(let file, let line, let column, let value):
      return "\(file):\(line): column '\(column)': '\(value)' is not a number"
    case .missingValue(let file, let line, let column):
      return "\(file):\(line): column '\(column)': missing value"
    case .noValues(let file, let column):
      return "\(file): column '\(column)': every value is missing"
    case .unterminatedQuote(let file, let line):
      return "\(file):\(line): a quoted field is never closed"
    case .textAfterQuote(let file, let line):
      return "\(file):\(line): text after a closing quote (write a quote inside a quoted field as \"\")"
    case .noSuchColumn(let file, let name, let columns):
      return "\(file): no column named '\(name)' (columns: \(columns.joined(separator: ", ")))"
    case .duplicateColumn(let file, let name):
      return "\(file): the column name '\(name)' appears more than once"
    case .columnSelectedTwice(let file, let name):
      return "\(file): the column '\(name)' is selected twice"
    case .invalidDelimiter(let file, let delimiter):
      return "\(file): the delimiter must be one ASCII character other than a double quote or a line break, got \"\(delimiter)\""
    case .noFeatureColumns(let file, let target):
      return "\(file): no feature columns besides the target '\(target)'"
    }
  }
}
