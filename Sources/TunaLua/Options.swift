import LuaVM

/// Reads a table of named options (`{ n_trials = 100, catch = true }`), raw and checked: a key
/// the function does not know is an error naming the known ones, so a typo never passes silently.
struct Options {
  let lua: Lua
  let table: Int32?
  /// The function's name for messages; nil takes it from the call (see `ArgumentError`).
  let function: String?
  let position: Int32

  /// Reads the table at `position` (nil or none means "no options"). With `allowed` nil, any
  /// key is accepted.
  init(_ lua: Lua, at position: Int32, function: String? = nil, allowed: [String]?) throws {
    self.lua = lua
    self.function = function
    self.position = position
    switch lua.type(at: position) {
    case .nil, .none:
      table = nil
    case .table:
      table = lua.absolute(position)
      guard let allowed else { return }
      try lua.forEach(position) {
        guard let key = lua.toString(-2) else {
          throw ArgumentError(position, function, "option names must be strings, got a \(lua.type(at: -2).name)")
        }
        guard allowed.contains(key) else {
          throw ArgumentError(position, function, "unknown option '\(key)' (known: \(allowed.joined(separator: ", ")))")
        }
      }
    default:
      throw ArgumentError(position, function, "table expected, got \(lua.typeName(position))")
    }
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

  /// An error for option `key` whose value is not `expected`; the value must be on top.
  func bad(_ key: String, _ expected: String) -> ArgumentError {
    ArgumentError(position, function, "'\(key)' must be \(expected), got \(lua.describe(-1))")
  }
}

/// A seed from Lua: any integer, taken as its 64-bit pattern.
func seedValue(_ options: Options) throws -> UInt64? {
  try options.integer("seed").map { UInt64(bitPattern: Int64($0)) }
}
