import Foundation
import LuaVM
import TunaSearch

// Conversions between Lua values and the search core's values.

extension Lua {
  func push(_ value: ParamValue) {
    switch value {
    case .float(let v): push(v)
    case .int(let v): push(v)
    case .string(let s): push(s)
    case .bool(let b): push(b)
    }
  }

  /// A scalar (number, string, boolean) at `index` as a parameter value; nil for other types.
  func paramValue(at index: Int32) -> ParamValue? {
    switch type(at: index) {
    case .number: isInteger(index) ? toInteger(index).map(ParamValue.int) : toNumber(index).map(ParamValue.float)
    case .string: toString(index).map(ParamValue.string)
    case .boolean: .bool(toBoolean(index))
    default: nil
    }
  }

  func push(_ value: AttrValue) {
    switch value {
    case .null: pushNil()
    case .bool(let b): push(b)
    case .int(let i): push(i)
    case .double(let d): push(d)
    case .string(let s): push(s)
    case .array(let items):
      newTable(arrayCount: Int32(items.count))
      for (i, item) in items.enumerated() {
        push(item)
        rawSet(-2, index: i + 1)
      }
    case .object(let fields):
      newTable(recordCount: Int32(fields.count))
      for (key, item) in fields {
        push(item)
        rawSet(-2, key)
      }
    }
  }

  /// Any storable Lua value (nil, booleans, numbers, strings, and tables of them) as an attribute.
  /// A table whose keys are 1…n is an array; otherwise its keys must be strings.
  func attrValue(at index: Int32, depth: Int = 0) throws -> AttrValue {
    switch type(at: index) {
    case .nil, .none: return .null
    case .boolean: return .bool(toBoolean(index))
    case .number: return isInteger(index) ? .int(toInteger(index)!) : .double(toNumber(index)!)
    case .string: return .string(toString(index)!)
    case .table:
      guard depth < 32 else { throw ScriptError("attribute nests too deeply (a cycle?)") }
      guard ensureStack(4) else { throw ScriptError("stack overflow reading an attribute") }
      let t = absolute(index)
      let n = rawLength(t)
      var count = 0
      forEach(t) { count += 1 }
      if count == n {
        var items: [AttrValue] = []
        items.reserveCapacity(n)
        for i in 1...max(n, 1) where n > 0 {
          rawGet(t, index: i)
          defer { pop() }
          items.append(try attrValue(at: -1, depth: depth + 1))
        }
        return count == 0 ? .object([:]) : .array(items)
      }
      var fields: [String: AttrValue] = [:]
      try forEach(t) {
        guard let key = toString(-2) else {
          throw ScriptError("attribute tables need string keys or 1..n array keys, got a \(type(at: -2).name) key")
        }
        fields[key] = try attrValue(at: -1, depth: depth + 1)
      }
      return .object(fields)
    default:
      throw ScriptError("a \(typeName(index)) cannot be stored as an attribute")
    }
  }
}

/// Formats a date as ISO 8601 with milliseconds, in UTC.
func isoDate(_ date: Date) -> String {
  Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
}
