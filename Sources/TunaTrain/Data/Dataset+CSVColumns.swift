import Foundation

/// The feature columns of a CSV file, from cells to a matrix: each column is read as numbers or
/// as categories, its missing cells are filled (`CSVOptions.MissingValues`), and categories are
/// encoded (`CSVOptions.CategoricalEncoding`).
extension Dataset {
  /// The feature matrix of `rows`: one block of features per entry of `columns`, in that order,
  /// with each feature's name and each categorical column's categories.
  ///
  /// With `options.missing` at `.error` a missing cell is refused here too, but the caller
  /// refuses them first, row by row, so that the first in the file is the one named.
  static func csvFeatures(
    _ rows: ArraySlice<CSVRecord>, columns: [(index: Int, name: String)], file: String,
    options: CSVOptions
  ) throws -> (x: Matrix, names: [String], categories: [String: [String]]) {
    var read: [(values: [Float], categories: [String]?)] = []
    read.reserveCapacity(columns.count)
    for column in columns {
      let cells = try readCSVColumn(rows, column.index, name: column.name, file: file)
      var values = cells.values
      let levels = cells.categories
      if let gap = values.firstIndex(where: \.isNaN) {
        if options.missing == .error {
          let line = rows[rows.startIndex + gap].line
          throw CSVError.missingValue(file: file, line: line, column: column.name)
        }
        guard let fill = csvFillValue(values, categorical: levels != nil, policy: options.missing) else {
          throw CSVError.noValues(file: file, column: column.name)
        }
        for r in values.indices where values[r].isNaN { values[r] = fill }
      }
      read.append((values, levels))
    }

    let onehot = options.categorical == .onehot
    var names: [String] = []
    var categories: [String: [String]] = [:]
    for (column, part) in zip(columns, read) {
      if let levels = part.categories {
        categories[column.name] = levels
        if onehot {
          names += levels.map { "\(column.name)=\($0)" }
          continue
        }
      }
      names.append(column.name)
    }
    // One-hot encoding widens the matrix beyond one cell per column.
    if names.count > columns.count {
      try MemoryBudget.reserveCurrent(
        MemoryBudget.size(rows.count, names.count - columns.count, 4), for: "encoding the text columns of \(file)")
    }

    let width = names.count
    var x = [Float](repeating: 0, count: rows.count * width)
    var offset = 0
    for k in read.indices {
      let values = read[k].values
      let isOneHot = onehot && read[k].categories != nil
      for (r, v) in values.enumerated() {
        if isOneHot {
          x[r * width + offset + Int(v)] = 1
        } else {
          x[r * width + offset] = v
        }
      }
      offset += isOneHot ? read[k].categories!.count : 1
      read[k].values = []  // release the column once copied
    }
    return (Matrix(rows: rows.count, cols: width, data: x), names, categories)
  }

  /// Column `j` of `rows`: its numbers, or, when some cell that is not missing is not a number,
  /// its category indices and the categories (in `encodeLabels` order). Missing cells are NaN.
  ///
  /// - Throws: `CSVError.notANumber` for a numeric column's cell that does not fit a finite
  ///   `Float` (`1e39`, `inf`).
  static func readCSVColumn(
    _ rows: ArraySlice<CSVRecord>, _ j: Int, name: String, file: String
  ) throws -> (values: [Float], categories: [String]?) {
    var values: [Float] = []
    values.reserveCapacity(rows.count)
    var notFinite: (line: Int, text: String)? = nil
    for record in rows {
      let text = record.fields[j]
      if isMissingCSVCell(text) {
        values.append(.nan)
        continue
      }
      guard let v = Double(text) ?? Double(text.trimmingCharacters(in: .whitespaces)) else {
        let (indices, categories) = categoricalCSVColumn(rows, j)
        return (indices, categories)
      }
      let f = Float(v)
      if !f.isFinite, notFinite == nil { notFinite = (record.line, text) }
      values.append(f)
    }
    if let notFinite {
      throw CSVError.notANumber(file: file, line: notFinite.line, column: name, value: notFinite.text)
    }
    return (values, nil)
  }

  /// Column `j` of `rows` as category indices (NaN where missing) and the categories.
  static func categoricalCSVColumn(_ rows: ArraySlice<CSVRecord>, _ j: Int) -> (values: [Float], categories: [String]) {
    var texts: [String] = []
    var present: [Int] = []
    for (r, record) in rows.enumerated() where !isMissingCSVCell(record.fields[j]) {
      texts.append(record.fields[j])
      present.append(r)
    }
    let (indices, categories) = encodeLabels(texts, texts.map { finiteNumber($0) })
    var values = [Float](repeating: .nan, count: rows.count)
    for (k, r) in present.enumerated() { values[r] = indices[k] }
    return (values, categories)
  }

  /// What fills a column's missing cells (NaN in `values`), or nil when no cell has a value.
  ///
  /// A categorical column (`values` are category indices) gets its most frequent category
  /// under every policy. Ties go to the smaller value, so to the category that sorts first.
  static func csvFillValue(_ values: [Float], categorical: Bool, policy: CSVOptions.MissingValues) -> Float? {
    let present = values.filter { !$0.isNaN }
    guard !present.isEmpty else { return nil }
    let rule: CSVOptions.MissingValues = categorical ? .mostFrequent : policy
    switch rule {
    case .mean:
      return Float(present.reduce(0.0) { $0 + Double($1) } / Double(present.count))
    case .median:
      let sorted = present.sorted()
      let m = sorted.count
      if m % 2 == 1 { return sorted[m / 2] }
      return Float((Double(sorted[m / 2 - 1]) + Double(sorted[m / 2])) / 2)
    case .mostFrequent, .error:  // (`.error` refuses missing cells before they get here)
      var counts: [Float: Int] = [:]
      for v in present { counts[v, default: 0] += 1 }
      return counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
    }
  }

  /// Whether a cell counts as missing: empty, or `NA`, `N/A`, `NaN` or `null` in any mix of
  /// cases, with or without spaces around it.
  static func isMissingCSVCell(_ text: String) -> Bool {
    let utf8 = text.utf8
    guard let first = utf8.first, let last = utf8.last else { return true }
    var word = text
    // Only cells that may have blanks around them are trimmed (most have none).
    if first == 0x20 || first == 0x09 || first >= 0x80 || last == 0x20 || last == 0x09 || last >= 0x80 {
      word = text.trimmingCharacters(in: .whitespaces)
      if word.isEmpty { return true }
    }
    guard word.utf8.count <= 4 else { return false }
    return missingWords.contains(word.lowercased())
  }

  private static let missingWords: Set<String> = ["na", "n/a", "nan", "null"]
}
