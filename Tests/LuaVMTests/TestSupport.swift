import Foundation
import LuaVM
import Synchronization
import XCTest

/// Counts deinitialisations; shared with the objects it counts, safe from any thread.
final class DeinitCounter: Sendable {
  private let count = Atomic<Int>(0)
  var value: Int { count.load(ordering: .sequentiallyConsistent) }
  func increment() { count.add(1, ordering: .sequentiallyConsistent) }
}

/// A Swift object whose deinit is counted.
final class Tracked {
  let counter: DeinitCounter
  let id: Int
  init(_ counter: DeinitCounter, id: Int = 0) {
    self.counter = counter
    self.id = id
  }
  deinit { counter.increment() }
}

/// A Lua value read back into Swift, for assertions.
enum Value: Equatable, CustomStringConvertible {
  case `nil`
  case bool(Bool)
  case int(Int)
  case number(Double)
  case string(String)
  /// Any other type, by name.
  case other(String)

  init(_ lua: Lua, at index: Int32) {
    switch lua.type(at: index) {
    case .nil, .none: self = .nil
    case .boolean: self = .bool(lua.toBoolean(index))
    case .number:
      if lua.isInteger(index), let i = lua.toInteger(index) {
        self = .int(i)
      } else {
        self = .number(lua.toNumber(index) ?? .nan)
      }
    case .string: self = .string(lua.toString(index) ?? "")
    case let t: self = .other(t.name)
    }
  }

  var description: String {
    switch self {
    case .nil: "nil"
    case .bool(let b): "\(b)"
    case .int(let i): "\(i)"
    case .number(let d): "\(d)"
    case .string(let s): "\"\(s)\""
    case .other(let t): "<\(t)>"
    }
  }
}

extension LuaState {
  /// Loads and runs `source`, returning its first `count` results (the stack is left as found).
  func evaluate(_ source: String, chunkName: String = "chunk", count: Int32 = 1) throws(LuaError) -> [Value] {
    let base = lua.top
    try load(string: source, chunkName: chunkName)
    try lua.pcall(arguments: 0, results: count)
    let values = (0..<count).map { Value(lua, at: base + 1 + $0) }
    lua.top = base
    return values
  }

  /// The first result of `source`.
  func value(_ source: String, chunkName: String = "chunk") throws(LuaError) -> Value {
    try evaluate(source, chunkName: chunkName, count: 1)[0]
  }

  /// Sets the global `name` to a host function.
  func register(_ name: String, _ body: @escaping HostFunction) {
    lua.push(function: body)
    setGlobal(name)
  }
}

/// Runs `body`, which is expected to fail with a `LuaError`, and returns that error.
func expectLuaError(
  file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
) -> LuaError? {
  do {
    try body()
    XCTFail("expected a LuaError, but the call succeeded", file: file, line: line)
  } catch let error as LuaError {
    return error
  } catch {
    XCTFail("expected a LuaError, got \(error)", file: file, line: line)
  }
  return nil
}

/// Counts occurrences of `needle` in `haystack`.
func occurrences(of needle: String, in haystack: String) -> Int {
  haystack.components(separatedBy: needle).count - 1
}
