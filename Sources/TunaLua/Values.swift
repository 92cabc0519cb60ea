import Foundation
import LuaVM
import TunaSearch
import TunaTrain

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
  ///
  /// The copy may hold at most `limit` bytes (strings by their length, every value 16 more): a
  /// Lua table can name one string a million times at no cost, and its copy, one Swift string
  /// per mention, once grew toward a terabyte that no limit saw and no deadline stopped.
  func attrValue(at index: Int32, limit: Int, what: String = "the attribute") throws -> AttrValue {
    var left = limit
    do {
      return try attrValue(at: index, depth: 0, left: &left)
    } catch is AttributeTooLarge {
      throw ScriptError("\(what) would take more than \(MemoryBudget.describe(limit)) to store")
    }
  }

  private func attrValue(at index: Int32, depth: Int, left: inout Int) throws -> AttrValue {
    left -= 16
    if left < 0 { throw AttributeTooLarge() }
    switch type(at: index) {
    case .nil, .none: return .null
    case .boolean: return .bool(toBoolean(index))
    case .number: return isInteger(index) ? .int(toInteger(index)!) : .double(toNumber(index)!)
    case .string:
      left -= rawLength(index)
      if left < 0 { throw AttributeTooLarge() }
      return .string(toString(index)!)
    case .table:
      guard depth < maxAttributeDepth else { throw ScriptError("attribute nests deeper than \(maxAttributeDepth) levels (a cycle?)") }
      guard ensureStack(4) else { throw ScriptError("stack overflow reading an attribute") }
      let t = absolute(index)
      let n = rawLength(t)
      var count = 0
      forEach(t) { count += 1 }
      if count == n {
        var items: [AttrValue] = []
        items.reserveCapacity(min(n, max(left / 16, 0)))
        for i in 1...max(n, 1) where n > 0 {
          rawGet(t, index: i)
          defer { pop() }
          items.append(try attrValue(at: -1, depth: depth + 1, left: &left))
        }
        return count == 0 ? .object([:]) : .array(items)
      }
      var fields: [String: AttrValue] = [:]
      try forEach(t) {
        guard let key = toString(-2) else {
          throw ScriptError("attribute tables need string keys or 1..n array keys, got a \(type(at: -2).name) key")
        }
        left -= key.utf8.count
        fields[key] = try attrValue(at: -1, depth: depth + 1, left: &left)
      }
      return .object(fields)
    default:
      throw ScriptError("a \(typeName(index)) cannot be stored as an attribute")
    }
  }
}

/// An attribute's copy passed the bytes it may take.
private struct AttributeTooLarge: Error {}

/// A date as the Lua API shows it (`Date.isoTimestamp`).
func isoDate(_ date: Date) -> String { date.isoTimestamp }

extension TunaEngine {
  /// The most an attribute's copy may take without --memory-limit: far past any attribute a
  /// study stores (its JSON is written whole with each change), short of exhausting the machine.
  static let largestAttribute = 1 << 30

  /// The Lua value at `index` as an attribute, its copy bounded by what the memory limit leaves
  /// (or `largestAttribute`).
  func attribute(_ lua: Lua, at index: Int32, what: String = "the attribute") throws -> AttrValue {
    try lua.attrValue(at: index, limit: state.memoryHeadroom.map { min($0, Self.largestAttribute) } ?? Self.largestAttribute, what: what)
  }
}
