import Foundation
import TunaSearch

/// Numbers as people read them in a report: six significant digits at most, no trailing zeros.
func formatNumber(_ v: Double) -> String {
  if v.isNaN { return "NaN" }
  if v.isInfinite { return v < 0 ? "−∞" : "∞" }
  if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
  var s = String(format: "%.6g", v)
  if s.contains("e") {
    // 1.5e-05 → 1.5e-5
    s = s.replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e+")
  }
  return s
}

/// A fraction of variance or an importance: three decimals.
func formatFraction(_ v: Double) -> String { String(format: "%.3f", v) }

func formatParam(_ value: ParamValue) -> String {
  switch value {
  case .float(let v): formatNumber(v)
  case .int(let v): String(v)
  case .string(let s): s
  case .bool(let b): b ? "true" : "false"
  }
}

/// A time span: 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min.
func formatSeconds(_ s: Double) -> String {
  guard s.isFinite else { return "–" }
  if s < 0.01 { return String(format: "%.1f ms", s * 1000) }
  if s < 1 { return String(format: "%.0f ms", s * 1000) }
  if s < 60 { return String(format: "%.1f s", s) }
  let whole = Int(s.rounded())
  if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
  return String(format: "%d h %02d min", whole / 3600, whole / 60 % 60)
}

/// A moment in UTC, to the second: 2026-12-04 19:05:03 UTC.
func formatDate(_ d: Date) -> String {
  let f = DateFormatter()
  f.locale = Locale(identifier: "en_US_POSIX")
  f.timeZone = TimeZone(identifier: "UTC")
  f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
  return f.string(from: d)
}

/// A distribution as the trials table's header shows it.
func describeDistribution(_ d: Distribution) -> String {
  switch d {
  case .float(let low, let high, let log, let step):
    return "float [\(formatNumber(low)), \(formatNumber(high))]" + (log ? " log" : "") + (step.map { " step \(formatNumber($0))" } ?? "")
  case .int(let low, let high, let log, let step):
    return "int [\(low), \(high)]" + (log ? " log" : "") + (step != 1 ? " step \(step)" : "")
  case .categorical(let choices):
    return "categorical {" + choices.map(formatParam).joined(separator: ", ") + "}"
  }
}

/// Names in the order people expect: `p2` before `p10`.
func naturalOrder(_ a: String, _ b: String) -> Bool {
  let order = a.compare(b, options: [.numeric])
  return order == .orderedSame ? a < b : order == .orderedAscending
}
