/// An error that came out of Lua: a script failed to load, raised, ran out of memory or time.
public struct LuaError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable, Equatable {
    /// The file could not be read.
    case file
    /// The chunk did not parse.
    case syntax
    /// The script raised an error.
    case runtime
    /// The memory cap (or the system) refused an allocation.
    case memory
    /// The count hook's deadline passed.
    case timeout
    /// The count hook saw the cancel flag.
    case cancelled
  }

  public var kind: Kind
  /// The message, with the `file:line:` prefix Lua gave it.
  public var message: String
  /// `stack traceback:` and its frames, when the message handler ran.
  public var traceback: String?

  public init(kind: Kind, message: String, traceback: String? = nil) {
    self.kind = kind
    self.message = message
    self.traceback = traceback
  }

  /// The message followed by the traceback, as `lua` prints it.
  public var description: String {
    guard let traceback, !traceback.isEmpty else { return message }
    return message + "\n" + traceback
  }
}

/// Thrown by host functions: the trampoline raises it in Lua, prefixed with the caller's
/// `file:line:` as `luaL_error` does.
public struct ScriptError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Thrown by host functions for a bad argument: raised in Lua as
/// `file:line: bad argument #n to 'function' (message)`.
public struct ArgumentError: Error, CustomStringConvertible, Sendable {
  /// The argument's stack position (1 = first, `self` included for methods).
  public var position: Int32
  /// The function's name; nil takes it from the call (Lua's debug info) or the binding.
  public var function: String?
  public var message: String
  /// An error for argument `position`; the message names the function as the call site did.
  public init(_ position: Int32, _ message: String) {
    self.position = position
    self.function = nil
    self.message = message
  }
  public init(_ position: Int32, _ function: String?, _ message: String) {
    self.position = position
    self.function = function
    self.message = message
  }
  public var description: String { "bad argument #\(position) to '\(function ?? "?")' (\(message))" }
}

/// Thrown by a host function that has pushed an error value of its own (a table, a userdata):
/// the trampoline raises the value on top of the stack unchanged.
public struct RaiseTopOfStack: Error {
  public init() {}
}

/// Thrown by `LuaState.checkDeadline()`: raised in Lua at the caller's line, and reported as a
/// `.timeout` (or `.cancelled`) error by the protected call it ends.
public struct DeadlineExceeded: Error, CustomStringConvertible, Sendable {
  public let message: String
  public var description: String { message }
}
