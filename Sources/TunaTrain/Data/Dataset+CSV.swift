import Foundation

extension Dataset {
  /// Reads a dataset from a CSV file with a header row and commas (see `CSVReader` for the
  /// format); `csv(path:options:)` reads other layouts.
  ///
  /// - Parameters:
  ///   - path: the file; error messages name it as given.
  ///   - target: the target column's name; the last column when nil. Every other column is a
  ///     feature: a column of numbers is one feature, a column with text in it is one-hot
  ///     encoded (see `CSVOptions.CategoricalEncoding`). A missing cell is an error.
  ///   - task: what the target is. When nil it is inferred: **classification** when some target
  ///     value is not a number, or when every value is an integer and there are at most 20
  ///     distinct values; **regression** otherwise. (So a 1–5 rating is taken as 5 classes; pass
  ///     `.regression` to say otherwise.)
  /// - Classification targets become class indices 0..<k in sorted order of the labels: numeric
  ///   labels numerically (`2` before `10`), then any other labels in string order; `classNames`
  ///   keeps each label as first written. Numerically equal labels (`1`, `1.0`) are one class.
  /// - Throws: `CSVError`, whose message names the file and the line.
  public static func csv(path: String, target: String? = nil, task: LearningTask? = nil) throws -> Dataset {
    try csv(path: path, options: CSVOptions(target: target, task: task))
  }

  /// Reads a dataset from a CSV file as `options` say: the target, the task, the delimiter,
  /// whether there is a header row, which columns are features, and what becomes of missing
  /// cells and text columns (see `CSVOptions`).
  ///
  /// A feature column is numeric when each of its cells that is not missing is a number, and
  /// categorical otherwise; `categories` on the result lists each categorical column's values.
  /// The target is read as `csv(path:target:task:)` describes.
  ///
  /// - Throws: `CSVError`, whose message names the file and, for a cell or a row, the line.
  public static func csv(path: String, options: CSVOptions) throws -> Dataset {
    guard CSVOptions.delimiterByte(options.delimiter) != nil else {
      throw CSVError.invalidDelimiter(file: path, delimiter: options.delimiter)
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CSVError.fileNotFound(file: path)
    }
    if isDirectory.boolValue { throw CSVError.unreadable(file: path, reason: "it is a directory") }
    // The text, then its cells as numbers: a few times the file's size.
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    try MemoryBudget.reserveCurrent(MemoryBudget.size(size, 4), for: "reading \(path)")
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CSVError.unreadable(file: path, reason: "permission denied or I/O error")
    }
    return try csv(bytes: [UInt8](data), name: path, options: options)
  }

  /// Reads a dataset from CSV text, as `csv(path:target:task:)` does a file; `name` stands for the
  /// file in error messages.
  public static func csv(
    text: String, name: String = "<csv>", target: String? = nil, task: LearningTask? = nil
  ) throws -> Dataset {
    try csv(bytes: Array(text.utf8), name: name, options: CSVOptions(target: target, task: task))
  }

  /// Reads a dataset from CSV text, as `csv(path:options:)` does a file; `name` stands for the
  /// file in error messages.
  public static func csv(text: String, name: String = "<csv>", options: CSVOptions) throws -> Dataset {
    try csv(bytes: Array(text.utf8), name: name, options: options)
  }

  static func csv(bytes: [UInt8], name file: String, target: String?, task: LearningTask?) throws -> Dataset {
    try csv(bytes: bytes, name: file, options: CSVOptions(target: target, task: task))
  }

  static func csv(bytes: [UInt8], name file: String, options: CSVOptions) throws -> Dataset {
    guard let delimiter = CSVOptions.delimiterByte(options.delimiter) else {
      throw CSVError.invalidDelimiter(file: file, delimiter: options.delimiter)
    }
    let records = try CSVReader.records(bytes, file: file, delimiter: delimiter)
    let columns: [String]
    let rows: ArraySlice<CSVRecord>
    if options.header {
      guard let header = records.first else { throw CSVError.empty(file: file) }
      columns = header.fields
      var seen = Set<String>()
      for c in columns where !seen.insert(c).inserted {
        throw CSVError.duplicateColumn(file: file, name: c)
      }
      rows = records.dropFirst()
    } else {
      guard let first = records.first else { throw CSVError.noRows(file: file) }
      columns = first.fields.indices.map { "column_\($0 + 1)" }
      rows = records[...]
    }
    let targetIndex: Int
    if let target = options.target {
      guard let t = columns.firstIndex(of: target) else {
        throw CSVError.noSuchColumn(file: file, name: target, columns: columns)
      }
      targetIndex = t
    } else {
      targetIndex = columns.count - 1
    }
    let targetName = columns[targetIndex]
    guard columns.count >= 2 else { throw CSVError.noFeatureColumns(file: file, target: targetName) }
    let featureIndices = try selectedFeatures(
      options.columns, of: columns, target: targetIndex, file: file)
    guard !rows.isEmpty else { throw CSVError.noDataRows(file: file) }

    var rawTargets: [(text: String, line: Int)] = []
    rawTargets.reserveCapacity(rows.count)
    for record in rows {
      guard record.fields.count == columns.count else {
        throw CSVError.raggedRow(
          file: file, line: record.line, expected: columns.count, got: record.fields.count)
      }
      if options.missing == .error {
        for j in featureIndices where isMissingCSVCell(record.fields[j]) {
          throw CSVError.missingValue(file: file, line: record.line, column: columns[j])
        }
      }
      let t = record.fields[targetIndex]
      if isMissingCSVCell(t) { throw CSVError.missingValue(file: file, line: record.line, column: targetName) }
      rawTargets.append((t, record.line))
    }

    let features = try csvFeatures(
      rows, columns: featureIndices.map { (index: $0, name: columns[$0]) }, file: file, options: options)
    let numeric = rawTargets.map { finiteNumber($0.text) }
    let resolvedTask = options.task ?? inferTask(numeric)
    var dataset: Dataset
    switch resolvedTask {
    case .regression:
      var y = [Float]()
      y.reserveCapacity(rawTargets.count)
      for (k, raw) in rawTargets.enumerated() {
        guard let v = numeric[k] else {
          throw CSVError.notANumber(file: file, line: raw.line, column: targetName, value: raw.text)
        }
        guard Float(v).isFinite else {
          throw CSVError.notANumber(file: file, line: raw.line, column: targetName, value: raw.text)
        }
        y.append(Float(v))
      }
      dataset = Dataset(
        x: features.x, y: y, task: .regression, featureNames: features.names, targetName: targetName)
    case .classification:
      let (y, classNames) = encodeLabels(rawTargets.map(\.text), numeric)
      dataset = Dataset(
        x: features.x, y: y, task: .classification, nClasses: classNames.count,
        featureNames: features.names, targetName: targetName, classNames: classNames)
    }
    dataset.categories = features.categories
    return dataset
  }

  /// The indices of the feature columns: those `selected` names, in that order, or every column
  /// but the target when nil. The target is never a feature, even when named.
  static func selectedFeatures(
    _ selected: [String]?, of columns: [String], target: Int, file: String
  ) throws -> [Int] {
    guard let selected else { return columns.indices.filter { $0 != target } }
    var indices: [Int] = []
    var seen = Set<String>()
    for name in selected {
      guard let j = columns.firstIndex(of: name) else {
        throw CSVError.noSuchColumn(file: file, name: name, columns: columns)
      }
      guard seen.insert(name).inserted else { throw CSVError.columnSelectedTwice(file: file, name: name) }
      if j != target { indices.append(j) }
    }
    guard !indices.isEmpty else { throw CSVError.noFeatureColumns(file: file, target: columns[target]) }
    return indices
  }

  /// The rule documented on `csv(path:target:task:)`.
  static func inferTask(_ numeric: [Double?]) -> LearningTask {
    var distinct = Set<Double>()
    for v in numeric {
      guard let v else { return .classification }
      guard v == v.rounded() else { return .regression }
      distinct.insert(v)
    }
    return distinct.count <= 20 ? .classification : .regression
  }

  /// Class indices in sorted label order (numbers numerically first, then strings), and the
  /// label of each index as first written.
  static func encodeLabels(_ texts: [String], _ numeric: [Double?]) -> (y: [Float], names: [String]) {
    var numbers: [Double: String] = [:]
    var strings = Set<String>()
    for (t, v) in zip(texts, numeric) {
      if let v {
        if numbers[v] == nil { numbers[v] = t }
      } else {
        strings.insert(t)
      }
    }
    let sortedNumbers = numbers.keys.sorted()
    let sortedStrings = strings.sorted()
    var numberIndex: [Double: Int] = [:]
    for (k, v) in sortedNumbers.enumerated() { numberIndex[v] = k }
    var stringIndex: [String: Int] = [:]
    for (k, s) in sortedStrings.enumerated() { stringIndex[s] = sortedNumbers.count + k }
    let y = zip(texts, numeric).map { t, v in Float(v.map { numberIndex[$0]! } ?? stringIndex[t]!) }
    return (y, sortedNumbers.map { numbers[$0]! } + sortedStrings)
  }

  /// A finite number (spaces around it allowed, as in a quoted `" 3 "`), or nil.
  static func finiteNumber(_ text: String) -> Double? {
    guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
    return v
  }
}
