import LuaVM
import XCTest

/// `LuaState(sandbox: true)`: only the safe libraries, text-only `load`, no `__gc` metatables.
final class SandboxTests: XCTestCase {
  func testUnsafeLibrariesAndFunctionsAreAbsent() throws {
    let state = try LuaState(sandbox: true)
    XCTAssertTrue(state.isSandboxed)
    for name in ["io", "os", "package", "debug", "dofile", "loadfile", "require"] {
      XCTAssertEqual(try state.value("return type(\(name))"), .string("nil"), name)
    }
  }

  func testSafeLibrariesArePresent() throws {
    let state = try LuaState(sandbox: true)
    for name in ["string", "math", "table", "coroutine", "utf8"] {
      XCTAssertEqual(try state.value("return type(\(name))"), .string("table"), name)
    }
    for name in ["load", "pcall", "setmetatable", "pairs", "tostring", "select", "error"] {
      XCTAssertEqual(try state.value("return type(\(name))"), .string("function"), name)
    }
    XCTAssertEqual(
      try state.value("return table.concat({string.format('%d', math.floor(2.5)), utf8.char(72)}, '-')"),
      .string("2-H"))
  }

  func testLoadRefusesBinaryChunks() throws {
    let state = try LuaState(sandbox: true)
    let source = """
      local bytecode = string.dump(function() return 1 end)
      local f1, e1 = load(bytecode)
      local f2, e2 = load(bytecode, "bin", "b")
      local f3, e3 = load(bytecode, "bin", "bt", {})
      return f1 == nil and f2 == nil and f3 == nil, e1, e2, e3
      """
    let values = try state.evaluate(source, count: 4)
    XCTAssertEqual(values[0], .bool(true), "every binary load was refused")
    for (i, value) in values.dropFirst().enumerated() {
      guard case .string(let message) = value else { return XCTFail("no message: \(value)") }
      if i == 1 {
        // Binary only: refused outright (text is not loaded in its place).
        XCTAssertEqual(message, "binary chunks are not allowed in the sandbox (mode is 'b')")
      } else {
        XCTAssertTrue(message.contains("attempt to load a binary chunk"), message)
        XCTAssertTrue(message.contains("mode is 't'"), message)
      }
    }
  }

  func testLoadStillCompilesText() throws {
    let state = try LuaState(sandbox: true)
    XCTAssertEqual(try state.value("return load('return 1 + 1')()"), .int(2))
    XCTAssertEqual(try state.value("return load('return x', 'c', 't', {x = 5})()"), .int(5))
    XCTAssertEqual(
      try state.evaluate("return load('return +', 'src')", count: 2).first, .nil,
      "a syntax error comes back as nil, message")
  }

  func testSetmetatableRefusesGcButOtherwiseWorks() throws {
    let state = try LuaState(sandbox: true)
    let error = expectLuaError { try state.run("setmetatable({}, {__gc = function() end})") }
    XCTAssertEqual(error?.kind, .runtime)
    XCTAssertTrue(error?.message.hasPrefix("chunk:1:") == true, error?.message ?? "")
    XCTAssertTrue(error?.message.contains("__gc") == true, error?.message ?? "")

    let plain = """
      local t = setmetatable({}, {__index = function(_, k) return k .. "!" end})
      local same = setmetatable(t, getmetatable(t)) == t
      setmetatable(t, nil)
      return t.hi == nil and same, setmetatable({}, {__index = {v = 3}}).v
      """
    XCTAssertEqual(try state.evaluate(plain, count: 2), [.bool(true), .int(3)])

    let locked = expectLuaError {
      try state.run("local t = setmetatable({}, {__metatable = 'locked'}) setmetatable(t, {})")
    }
    XCTAssertTrue(locked?.message.contains("cannot change a protected metatable") == true, locked?.message ?? "")
    let badArgument = expectLuaError { try state.run("setmetatable({}, 5)") }
    XCTAssertTrue(badArgument?.message.contains("bad argument #2 to 'setmetatable'") == true,
                  badArgument?.message ?? "")
  }

  func testFullStateHasTheWholeLibrary() throws {
    let state = try LuaState()
    XCTAssertFalse(state.isSandboxed)
    for name in ["io", "os", "package", "debug", "string", "math"] {
      XCTAssertEqual(try state.value("return type(\(name))"), .string("table"), name)
    }
    XCTAssertEqual(try state.value("return type(dofile)"), .string("function"))
    XCTAssertEqual(try state.value("return type(load(string.dump(function() return 1 end)))"), .string("function"))
    XCTAssertEqual(try state.value("return type(setmetatable({}, {__gc = function() end}))"), .string("table"))
  }
}
