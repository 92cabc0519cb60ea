import Foundation

/// A plain-text table: the first column left-aligned, numbers right-aligned, and the columns
/// named in `leftAligned` (notes, targets) left-aligned too.
struct Table {
  let title: String
  let headers: [String]
  var leftAligned: Set<Int> = [0]
  var rows: [[String]] = []
  var notes: [String] = []

  init(_ title: String, headers: [String], leftAligned: Set<Int> = [0]) {
    self.title = title
    self.headers = headers
    self.leftAligned = leftAligned
  }

  mutating func add(_ cells: String...) { rows.append(cells) }

  func render() -> String {
    let count = headers.count
    var widths = headers.map(\.count)
    for row in rows {
      for (i, cell) in row.prefix(count).enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      (0..<count).map { i in
        let cell = i < cells.count ? cells[i] : ""
        let pad = String(repeating: " ", count: widths[i] - cell.count)
        return leftAligned.contains(i) ? cell + pad : pad + cell
      }
      .joined(separator: "  ")
      .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    var out = [title, String(repeating: "=", count: title.count), line(headers)]
    out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    out += rows.map(line)
    out += notes.map { "  " + $0 }
    return out.joined(separator: "\n") + "\n"
  }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
  guard value.isFinite else { return "—" }
  return String(format: "%.\(digits)f", value)
}

/// An integer with thousands separators: 10,000.
func grouped(_ value: Int) -> String {
  let digits = String(value.magnitude)
  var out = ""
  for (i, c) in digits.enumerated() {
    if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
    out.append(c)
  }
  return value < 0 ? "-" + out : out
}

/// Bytes in MiB with one decimal.
func mebibytes(_ bytes: Int) -> String { fixed(Double(bytes) / 1_048_576, 1) }

/// `met` or `NOT met`, for a target printed beside its figure.
func verdict(_ met: Bool) -> String { met ? "met" : "NOT met" }
