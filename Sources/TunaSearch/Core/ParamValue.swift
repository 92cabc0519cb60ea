/// A parameter's value as the objective sees it: a float, an integer, or a categorical choice
/// (a string, a number or a boolean).
public enum ParamValue: Hashable, Sendable, CustomStringConvertible {
  case float(Double)
  case int(Int)
  case string(String)
  case bool(Bool)

  /// The value as a number when it is one.
  public var number: Double? {
    switch self {
    case .float(let v): v
    case .int(let v): Double(v)
    case .string, .bool: nil
    }
  }

  /// Equality that treats `3` and `3.0` as the same choice, as Python's `==` does.
  public func matches(_ other: ParamValue) -> Bool {
    if let a = number, let b = other.number { return a == b }
    return self == other
  }

  public var description: String {
    switch self {
    case .float(let v): formatDouble(v)
    case .int(let v): String(v)
    case .string(let s): "\"\(s)\""
    case .bool(let b): b ? "true" : "false"
    }
  }
}

/// A user or system attribute: any JSON-like value.
public indirect enum AttrValue: Hashable, Sendable, CustomStringConvertible {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([AttrValue])
  case object([String: AttrValue])

  public var description: String {
    switch self {
    case .null: "nil"
    case .bool(let b): b ? "true" : "false"
    case .int(let i): String(i)
    case .double(let d): formatDouble(d)
    case .string(let s): "\"\(s)\""
    case .array(let a): "{" + a.map(\.description).joined(separator: ", ") + "}"
    case .object(let o):
      "{" + o.keys.sorted().map { "\($0) = \(o[$0]!)" }.joined(separator: ", ") + "}"
    }
  }
}

/// Shortest round-tripping text for a double, without a trailing `.0` on integral values.
func formatDouble(_ v: Double) -> String {
  if v.isNaN { return "nan" }
  if v.isInfinite { return v < 0 ? "-inf" : "inf" }
  if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
  return "\(v)"
}
