import CLua
import CLuaShim
import Foundation

/// The types of Lua values.
public enum LuaType: Int32, Sendable {
  case none = -1, `nil` = 0, boolean, lightUserdata, number, string, table, function, userdata, thread

  /// Lua's own name for the type, as `type()` returns it.
  public var name: String {
    switch self {
    case .none: "no value"
    case .nil: "nil"
    case .boolean: "boolean"
    case .lightUserdata, .userdata: "userdata"
    case .number: "number"
    case .string: "string"
    case .table: "table"
    case .function: "function"
    case .thread: "thread"
    }
  }
}

/// A view of one Lua thread's stack. Cheap to copy; valid while its state is open.
///
/// Only functions that cannot raise (or raise only on memory, which the cap never refuses host
/// code) are called here, and tables are read raw, so no metamethod runs behind Swift's back.
public struct Lua {
  public let state: OpaquePointer

  public init(_ state: OpaquePointer) { self.state = state }

  // MARK: Stack

  /// The index of the top element (the number of elements in this frame).
  @inlinable
  public var top: Int32 {
    get { lua_gettop(state) }
    nonmutating set { lua_settop(state, newValue) }
  }

  @inlinable
  public func pop(_ n: Int32 = 1) { ls_pop(state, n) }
  @inlinable
  public func absolute(_ index: Int32) -> Int32 { lua_absindex(state, index) }
  @inlinable
  public func pushValue(at index: Int32) { lua_pushvalue(state, index) }
  public func remove(at index: Int32) { ls_remove(state, index) }
  public func insert(at index: Int32) { ls_insert(state, index) }
  public func ensureStack(_ extra: Int32) -> Bool { lua_checkstack(state, extra) != 0 }

  @inlinable
  public func type(at index: Int32) -> LuaType { LuaType(rawValue: lua_type(state, index)) ?? .none }
  @inlinable
  public func isNoneOrNil(_ index: Int32) -> Bool { ls_isnoneornil(state, index) != 0 }
  @inlinable
  public func isInteger(_ index: Int32) -> Bool { lua_isinteger(state, index) != 0 }
  public func rawEqual(_ a: Int32, _ b: Int32) -> Bool { lua_rawequal(state, a, b) != 0 }

  // MARK: Push

  @inlinable
  public func pushNil() { lua_pushnil(state) }
  @inlinable
  public func push(_ value: Bool) { lua_pushboolean(state, value ? 1 : 0) }
  @inlinable
  public func push(_ value: Double) { lua_pushnumber(state, value) }
  @inlinable
  public func push(_ value: Int) { lua_pushinteger(state, lua_Integer(value)) }
  public func push(_ value: String) {
    var value = value
    value.withUTF8 { bytes in
      bytes.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(state, $0.baseAddress, $0.count) }
    }
  }

  /// Pushes a Swift closure as a Lua function (through the C trampoline).
  public func push(function body: @escaping HostFunction) {
    _ = hostCallbacksInstalled
    let box = Unmanaged.passRetained(HostFunctionBox(body)).toOpaque()
    ls_pushhostfunction(state, box)
  }

  public func newTable(arrayCount: Int32 = 0, recordCount: Int32 = 0) {
    lua_createtable(state, arrayCount, recordCount)
  }

  public func pushGlobalTable() { _ = lua_rawgeti(state, registryIndex, lua_Integer(LUA_RIDX_GLOBALS)) }

  // MARK: Read

  @inlinable
  public func toNumber(_ index: Int32) -> Double? {
    var ok: Int32 = 0
    let v = lua_tonumberx(state, index, &ok)
    return ok != 0 ? v : nil
  }

  /// The value as an integer when it is one (an integer, or a float with an exact integer value).
  @inlinable
  public func toInteger(_ index: Int32) -> Int? {
    var ok: Int32 = 0
    let v = lua_tointegerx(state, index, &ok)
    return ok != 0 ? Int(v) : nil
  }

  @inlinable
  public func toBoolean(_ index: Int32) -> Bool { lua_toboolean(state, index) != 0 }

  /// The string at `index`, only when it is a string (numbers are not converted in place).
  public func toString(_ index: Int32) -> String? {
    guard lua_type(state, index) == LUA_TSTRING else { return nil }
    var length = 0
    guard let chars = lua_tolstring(state, index, &length) else { return nil }
    return chars.withMemoryRebound(to: UInt8.self, capacity: length) {
      String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
  }

  /// A short description of the value for messages: `5`, `"relu"`, `table`.
  public func describe(_ index: Int32) -> String {
    switch type(at: index) {
    case .number:
      if isInteger(index), let i = toInteger(index) { return String(i) }
      return formatNumber(toNumber(index) ?? .nan)
    case .string: return "\"\(toString(index) ?? "")\""
    case .boolean: return toBoolean(index) ? "true" : "false"
    case let t: return t.name
    }
  }

  // MARK: Tables (raw: no metamethods)

  /// Pushes `t[key]` for the table at `table`.
  @discardableResult
  public func rawGet(_ table: Int32, _ key: String) -> LuaType {
    let t = absolute(table)
    push(key)
    return LuaType(rawValue: lua_rawget(state, t)) ?? .none
  }

  @discardableResult
  @inlinable
  public func rawGet(_ table: Int32, index: Int) -> LuaType {
    LuaType(rawValue: lua_rawgeti(state, table, lua_Integer(index))) ?? .none
  }

  /// Sets `t[key]` to the value on top of the stack, popping it.
  public func rawSet(_ table: Int32, _ key: String) {
    let t = absolute(table)
    push(key)
    insert(at: -2)
    lua_rawset(state, t)
  }

  /// Sets `t[index]` to the value on top of the stack, popping it.
  @inlinable
  public func rawSet(_ table: Int32, index: Int) { lua_rawseti(state, table, lua_Integer(index)) }

  /// Pushes `t[k]` for the table at the absolute index `table`, the key on the stack top
  /// (popped).
  @discardableResult
  public func rawGetPair(_ table: Int32) -> LuaType { LuaType(rawValue: lua_rawget(state, table)) ?? .none }

  /// Sets `t[k] = v` where both are on the stack top (key below value), popping both.
  public func rawSetPair(_ table: Int32) { lua_rawset(state, table) }

  @inlinable
  public func rawLength(_ index: Int32) -> Int { Int(lua_rawlen(state, index)) }

  /// Calls `body` for each key/value pair of the table at `table`, with the key at -2 and the
  /// value at -1. `body` must leave the stack as it found it.
  public func forEach(_ table: Int32, _ body: () throws -> Void) rethrows {
    let t = absolute(table)
    pushNil()
    while lua_next(state, t) != 0 {
      do { try body() } catch {
        pop(2)
        throw error
      }
      pop(1)
    }
  }

  public func setMetatable(_ index: Int32) { lua_setmetatable(state, index) }

  /// Pushes the metatable of the value at `index`; false (nothing pushed) when it has none.
  public func getMetatable(_ index: Int32) -> Bool { lua_getmetatable(state, index) != 0 }

  public func toPointer(_ index: Int32) -> UnsafeRawPointer? { lua_topointer(state, index) }

  // MARK: Registry

  public var registryIndex: Int32 { ls_registryindex() }

  /// Pops the top value into the registry and returns a reference to it.
  public func ref() -> LuaRef { LuaRef(id: luaL_ref(state, registryIndex)) }

  public func push(_ ref: LuaRef) { _ = lua_rawgeti(state, registryIndex, lua_Integer(ref.id)) }

  public func release(_ ref: LuaRef) { luaL_unref(state, registryIndex, ref.id) }

  // MARK: Calls

  /// Calls the function below `argumentCount` arguments under `lua_pcall` with the traceback
  /// handler. On success the results replace them; on failure the error value is left on top
  /// and the status returned (`LUA_OK` is 0).
  public func pcallStatus(arguments argumentCount: Int32, results: Int32) -> Int32 {
    let base = top - argumentCount  // the function's slot
    lua_pushcclosure(state, ls_msghandler, 0)
    insert(at: base)
    let status = ls_pcall_guest(state, argumentCount, results, base)
    remove(at: base)
    return status
  }

  /// Calls the function below `argumentCount` arguments; throws `LuaError` if it fails.
  public func pcall(arguments argumentCount: Int32, results: Int32) throws(LuaError) {
    let status = pcallStatus(arguments: argumentCount, results: results)
    if status != LUA_OK { throw popError(status: status) }
  }

  /// Pops the error value a failed call left on top and describes it.
  public func popError(status: Int32) -> LuaError {
    defer { pop() }
    let text: String
    if let s = toString(-1) {
      text = s
    } else if type(at: -1) == .number {
      text = describe(-1)
    } else {
      text = "(error object is a \(type(at: -1).name) value)"
    }
    return LuaError(status: status, text: text, tripped: ls_tripped(state))
  }

  /// Runs a full garbage collection.
  public func collectGarbage() { _ = ls_gc(state, LUA_GCCOLLECT, 0) }

  /// Bytes Lua holds now.
  public var memoryUsed: Int { Int(ls_memory_used(state)) }
}

/// A value kept alive in the registry.
public struct LuaRef: Hashable, Sendable {
  public let id: Int32
}

extension LuaError {
  /// Splits a handler's `message\nstack traceback:...` output and classifies the status.
  init(status: Int32, text: String, tripped: Int32) {
    var message = text
    var traceback: String?
    if let range = text.range(of: "\nstack traceback:") {
      message = String(text[..<range.lowerBound])
      traceback = String(text[text.index(after: range.lowerBound)...])
    }
    let kind: Kind
    switch status {
    case LUA_ERRSYNTAX: kind = .syntax
    case LUA_ERRMEM: kind = .memory
    default:
      switch Int(tripped) {
      case LS_TRIP_DEADLINE: kind = .timeout
      case LS_TRIP_CANCEL: kind = .cancelled
      default: kind = message.hasSuffix("not enough memory") ? .memory : .runtime
      }
    }
    self.init(kind: kind, message: message, traceback: traceback)
  }
}

/// Formats a number the way Lua's `%.14g` does, without a trailing `.0` for integral values.
public func formatNumber(_ value: Double) -> String {
  if value.isNaN { return "nan" }
  if value.isInfinite { return value < 0 ? "-inf" : "inf" }
  if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
  return String(format: "%.14g", value)
}
