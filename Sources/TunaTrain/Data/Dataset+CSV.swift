import Foundation

extension Dataset {
  /// Reads a dataset from a CSV file with a header row (see `CSVReader` for the format).
  ///
  /// - Parameters:
  ///   - path: the file; error messages name it as given.
  ///   - target: the target column's name; the last column when nil. Every other column is a
  ///     feature and must hold numbers.
  ///   - task: what the target is. When nil it is inferred: **classification** when some target
  ///     value is not a number, or when every value is an integer and there are at most 20
  ///     distinct values; **regression** otherwise. (So a 1–5 rating is taken as 5 classes; pass
  ///     `.regression` to say otherwise.)
  /// - Classification targets become class indices 0..<k in sorted order of the labels: numeric
  ///   labels numerically (`2` before `10`), then any other labels in string order; `classNames`
  ///   keeps each label as first written. Numerically equal labels (`1`, `1.0`) are one class.
  /// - Throws: `CSVError`, whose message names the file and the line.
  public static func csv(path: String, target: String? = nil, task: LearningTask? = nil) throws -> Dataset {
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
    return try csv(bytes: [UInt8](data), name: path, target: target, task: task)
  }

  /// Reads a dataset from CSV text, as `csv(path:target:task:)` does a file; `name` stands for the
  /// file in error messages.
  public static func csv(
    text: String, name: String = "<csv>", target: String? = nil, task: LearningTask? = nil
  ) throws -> Dataset {
    try csv(bytes: Array(text.utf8), name: name, target: target, task: task)
  }

  static func csv(bytes: [UInt8], name file: String, target: String?, task: LearningTask?) throws -> Dataset {
    let records = try CSVReader.records(bytes, file: file)
    guard let header = records.first else { throw CSVError.empty(file: file) }
    let columns = header.fields
    var seen = Set<String>()
    for c in columns where !seen.insert(c).inserted {
      throw CSVError.duplicateColumn(file: file, name: c)
    }
    let targetIndex: Int
    if let target {
      guard let t = columns.firstIndex(of: target) else {
        throw CSVError.noSuchColumn(file: file, name: target, columns: columns)
      }
      targetIndex = t
    } else {
      targetIndex = columns.count - 1
    }
    let targetName = columns[targetIndex]
    guard columns.count >= 2 else { throw CSVError.noFeatureColumns(file: file, target: targetName) }
    let rows = records.dropFirst()
    guard !rows.isEmpty else { throw CSVError.noDataRows(file: file) }

    let featureIndices = columns.indices.filter { $0 != targetIndex }
    let nFeatures = featureIndices.count
    var x = [Float]()
    x.reserveCapacity(rows.count * nFeatures)
    var rawTargets: [(text: String, line: Int)] = []
    rawTargets.reserveCapacity(rows.count)
    for record in rows {
      guard record.fields.count == columns.count else {
        throw CSVError.raggedRow(
          file: file, line: record.line, expected: columns.count, got: record.fields.count)
      }
      for j in featureIndices {
        x.append(try parseNumber(record.fields[j], file: file, line: record.line, column: columns[j]))
      }
      let t = record.fields[targetIndex]
      if t.isEmpty { throw CSVError.missingValue(file: file, line: record.line, column: targetName) }
      rawTargets.append((t, record.line))
    }

    let numeric = rawTargets.map { finiteNumber($0.text) }
    let resolvedTask = task ?? inferTask(numeric)
    let matrix = Matrix(rows: rows.count, cols: nFeatures, data: x)
    let featureNames = featureIndices.map { columns[$0] }
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
      return Dataset(
        x: matrix, y: y, task: .regression, featureNames: featureNames, targetName: targetName)
    case .classification:
      let (y, classNames) = encodeLabels(rawTargets.map(\.text), numeric)
      return Dataset(
        x: matrix, y: y, task: .classification, nClasses: classNames.count,
        featureNames: featureNames, targetName: targetName, classNames: classNames)
    }
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

  static func parseNumber(_ text: String, file: String, line: Int, column: String) throws -> Float {
    if text.isEmpty { throw CSVError.missingValue(file: file, line: line, column: column) }
    guard let v = finiteNumber(text), Float(v).isFinite else {
      throw CSVError.notANumber(file: file, line: line, column: column, value: text)
    }
    return Float(v)
  }
}
