import Foundation
import LuaVM
import TunaSearch

// Conversions between Lua values and the search core's values.

/// How deep an attribute's tables may nest, in both directions (the stored-JSON reader's bound).
let maxAttributeDepth = 512

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

  /// Pushes an attribute as Lua values. Every level reserves its stack slots first, and nesting
  /// is bounded (`maxAttributeDepth`, as deep as stored JSON may go): an attribute another
  /// program wrote can be as deep as it likes, and the Lua stack must never overflow. Throws
  /// `ScriptError` past the bound, with nothing left on the stack.
  func push(_ value: AttrValue, depth: Int = 0) throws {
    switch value {
    case .null: pushNil()
    case .bool(let b): push(b)
    case .int(let i): push(i)
    case .double(let d): push(d)
    case .string(let s): push(s)
    case .array, .object:
      guard depth < maxAttributeDepth else {
        throw ScriptError("an attribute nests deeper than \(maxAttributeDepth) levels")
      }
      guard ensureStack(3) else { throw ScriptError("no stack space left for an attribute \(depth) levels deep") }
      let base = top
      do {
        if case .array(let items) = value {
          newTable(arrayCount: Int32(clamping: items.count))
          for (i, item) in items.enumerated() {
            try push(item, depth: depth + 1)
            rawSet(-2, index: i + 1)
          }
        } else if case .object(let fields) = value {
          newTable(recordCount: Int32(clamping: fields.count))
          for (key, item) in fields {
            try push(item, depth: depth + 1)
            rawSet(-2, key)
          }
        }
      } catch {
        top = base
        throw error
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
      guard depth < maxAttributeDepth else { throw ScriptError("attribute nests deeper than \(maxAttributeDepth) levels (a cycle?)") }
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

/// A date as the Lua API shows it (`Date.isoTimestamp`).
func isoDate(_ date: Date) -> String { date.isoTimestamp }
