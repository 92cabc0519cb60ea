import ArgumentParser
import Foundation
import TunaSearch
import TunaStore

// Output formats of the study-reading commands: aligned text tables, CSV (RFC 4180), JSON, and
// the cell texts Optuna's `trials_dataframe().to_csv()` writes (Python float reprs, pandas
// datetimes and timedeltas).

// MARK: - Output formats

/// `--format` of the listing commands.
enum ListFormat: String, CaseIterable, ExpressibleByArgument {
  case table, csv, json
}

/// `--format` of `export`.
enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
  case csv, json
}

/// `--format` of `best`.
enum BestFormat: String, CaseIterable, ExpressibleByArgument {
  case text, json
}


// MARK: - Text tables

/// Columns padded to their widest cell, two spaces apart; numeric columns aligned right.
struct TextTable {
  var header: [String]
  /// Per column: right-aligned (numbers) or left-aligned (text).
  var rightAligned: [Bool]
  var rows: [[String]] = []

  func render() -> String {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
      var parts: [String] = []
      for (i, cell) in cells.enumerated() {
        let pad = String(repeating: " ", count: widths[i] - cell.count)
        parts.append(rightAligned[i] ? pad + cell : cell + pad)
      }
      var text = parts.joined(separator: "  ")
      while text.hasSuffix(" ") { text.removeLast() }
      return text + "\n"
    }
    return line(header) + rows.map(line).joined()
  }
}

// MARK: - CSV

/// One CSV field (RFC 4180): quoted, with its quotes doubled, when it holds a comma, a quote or
/// a line break.
func csvField(_ text: String) -> String {
  guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
    return text
  }
  return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Records with fields separated by commas, each ended by a newline (as pandas writes them).
func csvText(header: [String], rows: [[String]]) -> String {
  ([header] + rows).map { $0.map(csvField).joined(separator: ",") + "\n" }.joined()
}

// MARK: - JSON

/// A JSON value whose objects keep their keys in order.
indirect enum JSONValue {
  case null
  case bool(Bool)
  case int(Int)
  /// Non-finite numbers, which JSON cannot hold, are written as the strings "nan", "inf", "-inf".
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  /// Compact text with a space after each colon and comma, as Python's `json.dumps` writes.
  var text: String {
    switch self {
    case .null: "null"
    case .bool(let b): b ? "true" : "false"
    case .int(let i): String(i)
    case .double(let d): d.isFinite ? pythonFloat(d) : JSONValue.quote(pythonFloat(d))
    case .string(let s): JSONValue.quote(s)
    case .array(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
    case .object(let members): "{" + members.map { JSONValue.quote($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
    }
  }

  static func quote(_ s: String) -> String { jsonQuoted(s) }

  init(_ param: ParamValue) {
    switch param {
    case .float(let d): self = .double(d)
    case .int(let i): self = .int(i)
    case .string(let s): self = .string(s)
    case .bool(let b): self = .bool(b)
    }
  }

  init(_ attr: AttrValue) {
    switch attr {
    case .null: self = .null
    case .bool(let b): self = .bool(b)
    case .int(let i): self = .int(i)
    case .double(let d): self = .double(d)
    case .string(let s): self = .string(s)
    case .array(let items): self = .array(items.map(JSONValue.init))
    case .object(let members): self = .object(members.keys.sorted().map { ($0, JSONValue(members[$0]!)) })
    }
  }

  init(_ values: [Double]?) {
    self = values.map { .array($0.map(JSONValue.double)) } ?? .null
  }
}

/// A JSON array with one item per line.
func jsonLines(_ items: [JSONValue]) -> String {
  items.isEmpty ? "[]\n" : "[\n" + items.map { "  " + $0.text }.joined(separator: ",\n") + "\n]\n"
}

// MARK: - Python and pandas texts

/// `repr(v)` of a Python float: the shortest digits that read back as `v`, in positional
/// notation from 1e-4 up to 1e16 (`0.0001`, `3.0`, `1234.5`), else in exponent notation
/// (`1e-05`, `1.5e+16`); `nan`, `inf`, `-inf`.
func pythonFloat(_ v: Double) -> String {
  if v.isNaN { return "nan" }
  if v.isInfinite { return v < 0 ? "-inf" : "inf" }
  if v == 0 { return v.sign == .minus ? "-0.0" : "0.0" }
  // Swift's description also has the shortest round-tripping digits, laid out differently.
  let text = "\(v.magnitude)"
  var mantissa = Substring(text)
  var exponent = 0
  if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
    mantissa = text[..<e]
    exponent = Int(text[text.index(after: e)...]) ?? 0
  }
  let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
  var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
  // The decimal point sits after `point` digits.
  var point = parts[0].count + exponent
  while digits.count > 1, digits.hasPrefix("0") {
    digits.removeFirst()
    point -= 1
  }
  while digits.count > 1, digits.hasSuffix("0") { digits.removeLast() }
  let sign = v < 0 ? "-" : ""
  let scientific = point - 1
  if scientific < -4 || scientific >= 16 {
    let head = digits.count > 1 ? String(digits.prefix(1)) + "." + digits.dropFirst() : digits
    let magnitude = abs(scientific)
    return sign + head + "e" + (scientific < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
  }
  if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
  if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) + ".0" }
  return sign + digits.prefix(point) + "." + digits.dropFirst(point)
}

/// Microseconds since 1970, rounded: pandas' (and Python's datetime's) resolution.
func microseconds(_ date: Date) -> Int64 {
  Int64((date.timeIntervalSince1970 * 1e6).rounded())
}

/// Times in an export or a listing: `Date.isoTimestamp`, ISO 8601 in UTC with microseconds
/// (`2026-11-30T16:01:02.123456Z`), which pandas reads back as a time-zone-aware column.
/// Optuna's own data frame holds naive local times; a zone keeps times from several machines
/// comparable.
func exportDatetimes(_ dates: [Date?]) -> [String?] { dates.map { $0?.isoTimestamp } }

/// Durations in microseconds as pandas 3 prints a timedelta column: `0 days 00:00:01.234567`,
/// with the fraction on every duration when one has it, `0 days 00:00:02` when every
/// duration is whole seconds, `1 days` when every one is whole days;
/// `-1 days +23:59:59.500000` for a negative one.
func pandasTimedeltas(_ durations: [Int64?]) -> [String?] {
  let present = durations.compactMap { $0 }
  let wholeDays = present.allSatisfy { $0 % 86_400_000_000 == 0 }
  let fraction = present.contains { $0 % 1_000_000 != 0 }
  return durations.map { us in
    us.map { us in
      let (days, rest) = floorDivision(us, 86_400_000_000)
      let sign = days < 0 ? "-" : ""
      if wholeDays { return "\(sign)\(abs(days)) days" }
      let (seconds, micro) = floorDivision(rest, 1_000_000)
      return "\(sign)\(abs(days)) days" + (days < 0 ? " +" : " ")
        + String(format: "%02d:%02d:%02d", Int(seconds / 3600), Int(seconds / 60 % 60), Int(seconds % 60))
        + (fraction ? String(format: ".%06d", Int(micro)) : "")
    }
  }
}

private func floorDivision(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
  let q = a / b - (a % b < 0 ? 1 : 0)
  return (q, a - q * b)
}

// MARK: - Data-frame cells

/// One cell of an exported trial row, before it becomes CSV text or JSON.
enum Cell {
  case missing
  case int(Int)
  case float(Double)
  case string(String)
  case bool(Bool)
  /// A list or a table (a user attribute): JSON text in CSV.
  case nested(JSONValue)

  init(_ param: ParamValue) {
    switch param {
    case .float(let d): self = .float(d)
    case .int(let i): self = .int(i)
    case .string(let s): self = .string(s)
    case .bool(let b): self = .bool(b)
    }
  }

  init(_ attr: AttrValue) {
    switch attr {
    case .null: self = .missing
    case .bool(let b): self = .bool(b)
    case .int(let i): self = .int(i)
    case .double(let d): self = .float(d)
    case .string(let s): self = .string(s)
    case .array, .object: self = .nested(JSONValue(attr))
    }
  }

  var isNumber: Bool {
    switch self {
    case .int, .float: true
    default: false
    }
  }

  /// The text pandas writes: Python's repr of numbers and booleans, nothing for a missing
  /// value or NaN; integers as floats (`3.0`) in a column pandas stores as floats (`asFloat`).
  func csvText(asFloat: Bool) -> String {
    switch self {
    case .missing: ""
    case .int(let i): asFloat ? pythonFloat(Double(i)) : String(i)
    case .float(let d): d.isNaN ? "" : pythonFloat(d)
    case .string(let s): s
    case .bool(let b): b ? "True" : "False"
    case .nested(let json): json.text
    }
  }

  var json: JSONValue {
    switch self {
    case .missing: .null
    case .int(let i): .int(i)
    case .float(let d): .double(d)
    case .string(let s): .string(s)
    case .bool(let b): .bool(b)
    case .nested(let json): json
    }
  }
}

/// Whether pandas would store a column of these cells as floats: only numbers, and a float or
/// a missing value among them.
func isFloatColumn(_ cells: [Cell]) -> Bool {
  let present = cells.filter { if case .missing = $0 { false } else { true } }
  guard !present.isEmpty, present.allSatisfy(\.isNumber) else { return false }
  return present.count < cells.count || present.contains { if case .float = $0 { true } else { false } }
}

// MARK: - Trials

/// A trial's intermediate values as a JSON object of step (as text, JSON's keys) to value, in
/// step order.
func intermediateJSON(_ t: FrozenTrial) -> JSONValue {
  .object(t.intermediateValues.keys.sorted().map { (String($0), .double(t.intermediateValues[$0]!)) })
}

/// A duration for people: `0.4ms`, `2.25s`, `3m05s`, `1h02m03s`.
func formatDuration(_ seconds: Double) -> String {
  if seconds < 1 { return String(format: "%.1fms", seconds * 1000) }
  if seconds < 60 { return String(format: "%.2fs", seconds) }
  let whole = Int(seconds.rounded())
  if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
  return String(format: "%dh%02dm%02ds", whole / 3600, whole / 60 % 60, whole % 60)
}

/// A finished trial's duration in whole microseconds, from its start and end as pandas would
/// hold them.
func durationMicroseconds(_ t: FrozenTrial) -> Int64? {
  guard let start = t.datetimeStart, let end = t.datetimeComplete else { return nil }
  return microseconds(end) - microseconds(start)
}
