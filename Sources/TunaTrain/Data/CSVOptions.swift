/// How `Dataset.csv(path:options:)` reads a file: which column is the target, how fields are
/// separated, which columns become features, and what happens to missing cells and text.
///
/// The defaults read what `Dataset.csv(path:target:task:)` reads: a header row, commas, and the
/// last column as the target.
public struct CSVOptions: Sendable, Equatable {
  /// What to do with a missing cell in a feature column.
  ///
  /// A cell is missing when it is empty or, ignoring case and surrounding spaces, one of `NA`,
  /// `N/A`, `NaN` or `null` (quoted or not). The raw values are the names the Lua API uses.
  public enum MissingValues: String, Sendable, CaseIterable {
    /// Refuse the file, naming the file, the line and the column.
    case error
    /// The mean of the column's other values. A text column gets its most frequent category.
    case mean
    /// The median of the column's other values (the mean of the two middle ones for an even
    /// count). A text column gets its most frequent category.
    case median
    /// The column's most frequent value; on a tie, the one that sorts first (the smaller number,
    /// or the category with the smaller index).
    case mostFrequent = "most_frequent"
  }

  /// How a text column becomes numbers. Its categories are its distinct values in the order
  /// class labels get: numbers numerically first, then other text in string order.
  public enum CategoricalEncoding: String, Sendable, CaseIterable {
    /// One 0/1 feature per category, named `column=category`, in category order.
    case onehot
    /// One feature, named as the column, holding the category's index from 0.
    case ordinal
  }

  /// The target column's name; the last column when nil.
  public var target: String?
  /// What the target is; inferred when nil (see `Dataset.csv(path:target:task:)`).
  public var task: LearningTask?
  /// What separates fields: one ASCII character other than a double quote, CR or LF (`","`,
  /// `";"`, `"\t"`, `"|"`). The quoting rules do not change with it.
  public var delimiter: String
  /// Whether the first row names the columns. Without one, the columns are named `column_1`,
  /// `column_2`, … from the left (counting from 1), and `target` and `columns` use those names.
  public var header: Bool
  /// The feature columns to keep, in this order; every column but the target when nil. Naming
  /// the target here changes nothing: it is always the target and never a feature.
  public var columns: [String]?
  /// What to do with missing cells in feature columns. A missing target is always an error.
  public var missing: MissingValues
  /// How text columns become features.
  public var categorical: CategoricalEncoding

  public init(
    target: String? = nil, task: LearningTask? = nil, delimiter: String = ",", header: Bool = true,
    columns: [String]? = nil, missing: MissingValues = .error, categorical: CategoricalEncoding = .onehot
  ) {
    self.target = target
    self.task = task
    self.delimiter = delimiter
    self.header = header
    self.columns = columns
    self.missing = missing
    self.categorical = categorical
  }

  /// Whether `delimiter` can separate fields: one ASCII character other than a double quote, CR
  /// or LF.
  public static func isValidDelimiter(_ delimiter: String) -> Bool {
    delimiterByte(delimiter) != nil
  }

  /// The delimiter's byte, or nil when it cannot separate fields.
  static func delimiterByte(_ delimiter: String) -> UInt8? {
    let bytes = Array(delimiter.utf8)
    guard bytes.count == 1, let b = bytes.first, b < 0x80 else { return nil }
    guard b != UInt8(ascii: "\""), b != UInt8(ascii: "\n"), b != UInt8(ascii: "\r") else { return nil }
    return b
  }
}
