import LuaVM

/// Reads a table of named options (`{ n_trials = 100, catch = true }`), raw and checked: a key
/// the function does not know is an error naming the known ones, so a typo never passes silently.
struct Options {
  let lua: Lua
  let table: Int32?
  let position: Int32

  /// Reads the table at `position` (nil or none means "no options"). With `allowed` nil, any
  /// key is accepted. Errors are argument errors, named by the call site (see `ArgumentError`).
  init(_ lua: Lua, at position: Int32, allowed: [String]?) throws {
    self.lua = lua
    self.position = position
    switch lua.type(at: position) {
    case .nil, .none:
      table = nil
    case .table:
      table = lua.absolute(position)
      guard let allowed else { return }
      try lua.forEach(position) {
        guard let key = lua.toString(-2) else {
          throw ArgumentError(position, "option names must be strings, got a \(lua.type(at: -2).name)")
        }
        guard allowed.contains(key) else {
          throw ArgumentError(position, "unknown option '\(key)' (known: \(allowed.joined(separator: ", ")))")
        }
      }
    default:
      throw ArgumentError(position, "table expected, got \(lua.typeName(position))")
    }
  }

  /// Reads the table at `position`, accepting exactly the keys `table` declares.
  init(_ lua: Lua, at position: Int32, _ table: OptionTable) throws {
    try self.init(lua, at: position, allowed: table.keys)
  }

  /// Pushes the option's value and runs `body` with it at the top; pops it afterwards.
  func with<R>(_ key: String, _ body: (LuaType) throws -> R) rethrows -> R {
    let type: LuaType
    if let table { type = lua.rawGet(table, key) } else { lua.pushNil(); type = .nil }
    defer { lua.pop() }
    return try body(type)
  }

  func has(_ key: String) -> Bool { with(key) { $0 != .nil } }

  func number(_ key: String) throws -> Double? {
    try with(key) { type in
      switch type {
      case .nil: return nil
      case .number: return lua.toNumber(-1)
      default: throw bad(key, "a number")
      }
    }
  }

  func integer(_ key: String) throws -> Int? {
    try with(key) { type in
      switch type {
      case .nil: return nil
      case .number:
        guard let i = lua.toInteger(-1) else { throw bad(key, "an integer") }
        return i
      default: throw bad(key, "an integer")
      }
    }
  }

  func bool(_ key: String) throws -> Bool? {
    try with(key) { type in
      switch type {
      case .nil: return nil
      case .boolean: return lua.toBoolean(-1)
      default: throw bad(key, "a boolean")
      }
    }
  }

  func string(_ key: String) throws -> String? {
    try with(key) { type in
      switch type {
      case .nil: return nil
      case .string: return lua.toString(-1)
      default: throw bad(key, "a string")
      }
    }
  }

  /// An error for option `key` with a value that is the right type but out of range.
  func badValue(_ key: String, _ problem: String) -> ArgumentError {
    ArgumentError(position, "'\(key)' \(problem)")
  }

  /// An error for option `key` whose value is not `expected`; the value must be on top.
  func bad(_ key: String, _ expected: String) -> ArgumentError {
    ArgumentError(position, "'\(key)' must be \(expected), got \(lua.describe(-1))")
  }
}

/// A seed from Lua: any integer, taken as its 64-bit pattern.
func seedValue(_ options: Options) throws -> UInt64? {
  try options.integer("seed").map { UInt64(bitPattern: Int64($0)) }
}

/// The keys an option table takes, declared once as LuaLS writes a table's fields
/// (`log?: boolean, step?: number`): a binding's signature shows `type`, and `Options` accepts
/// exactly `keys`, in the order given (the order "unknown option" messages list them in).
struct OptionTable {
  /// `{ log?: boolean, step?: number }`.
  let type: String
  let keys: [String]

  init(_ fields: String) {
    type = fields.isEmpty ? "{}" : "{ \(fields) }"
    keys = LuaAPI.split(fields).map { String($0.prefix { $0 != "?" && $0 != ":" }) }
  }
}

/// `"a"|"b"|"c"`: string literals as a LuaLS union type.
func literalUnion(_ names: [String]) -> String {
  names.map { "\"\($0)\"" }.joined(separator: "|")
}

/// A LuaLS union of an enumeration's raw values (`Crossover` → `"sbx"|"uniform"|…`).
func literalUnion<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> String where E.RawValue == String {
  literalUnion(type.allCases.map(\.rawValue))
}
