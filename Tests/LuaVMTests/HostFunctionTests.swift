import LuaVM
import XCTest

/// Swift closures called from Lua through the trampoline: results, thrown errors, nesting.
final class HostFunctionTests: XCTestCase {
  func testResultsComeBack() throws {
    let state = try LuaState()
    state.register("divmod") { l in
      guard let a = l.toInteger(1), let b = l.toInteger(2) else { throw ScriptError("integers expected") }
      l.push(a / b)
      l.push(a % b)
      l.push("\(a)/\(b)")
      return 3
    }
    XCTAssertEqual(
      try state.evaluate("return divmod(17, 5)", count: 3), [.int(3), .int(2), .string("17/5")])
    XCTAssertEqual(try state.value("local q, r = divmod(9, 2) return q * 10 + r"), .int(41))
    XCTAssertEqual(state.lua.top, 0)
  }

  func testArgumentsAreReadable() throws {
    let state = try LuaState()
    state.register("describe") { l in
      var parts: [String] = []
      for i in 1...max(1, l.top) { parts.append(l.describe(i)) }
      l.push(parts.joined(separator: ","))
      return 1
    }
    XCTAssertEqual(
      try state.value("return describe(1, 2.5, 'x', true, nil, {})"),
      .string("1,2.5,\"x\",true,nil,table"))
  }

  func testScriptErrorHasCallerLocationAndIsCatchableByPcall() throws {
    let state = try LuaState()
    state.register("fail") { _ in throw ScriptError("boom") }
    let source = """
      local ok, err = pcall(function()
        fail()
      end)
      return ok, err
      """
    XCTAssertEqual(try state.evaluate(source, count: 2), [.bool(false), .string("chunk:2: boom")])

    // Uncaught, it reaches Swift with the same location and a traceback.
    let error = expectLuaError { try state.run("local x = 1\nfail()", chunkName: "host.lua") }
    XCTAssertEqual(error?.kind, .runtime)
    XCTAssertEqual(error?.message, "host.lua:2: boom")
    XCTAssertTrue(error?.traceback?.hasPrefix("stack traceback:") == true)
    XCTAssertTrue(error?.traceback?.contains("host.lua:2:") == true, error?.traceback ?? "")
  }

  func testErrorWhenCalledDirectlyByPcallHasNoLocation() throws {
    // As with luaL_error: the caller is a C function (pcall), which has no line.
    let state = try LuaState()
    state.register("fail") { _ in throw ScriptError("boom") }
    XCTAssertEqual(try state.evaluate("return pcall(fail)", count: 2), [.bool(false), .string("boom")])
  }

  func testOtherSwiftErrorsBecomeLuaErrors() throws {
    struct Oops: Error, CustomStringConvertible { var description: String { "oops happened" } }
    let state = try LuaState()
    state.register("oops") { _ in throw Oops() }
    let error = expectLuaError { try state.run("oops()") }
    XCTAssertEqual(error?.message, "chunk:1: oops happened")
  }

  func testRaiseTopOfStackRaisesTheValueUnchanged() throws {
    let state = try LuaState()
    state.register("signal") { l in
      l.newTable()
      l.push("pruned")
      l.rawSet(-2, "kind")
      throw RaiseTopOfStack()
    }
    let source = """
      local ok, e = pcall(function() signal() end)
      return ok, type(e), e.kind
      """
    XCTAssertEqual(try state.evaluate(source, count: 3), [.bool(false), .string("table"), .string("pruned")])
  }

  // MARK: ArgumentError

  /// A host function that wants a number at stack position `position`.
  private func numberAt(_ position: Int32, name: String) -> HostFunction {
    { l in
      guard let n = l.toNumber(position), l.type(at: position) == .number else {
        throw ArgumentError(position, name, "number expected, got \(l.typeName(position))")
      }
      l.push(n * 2)
      return 1
    }
  }

  func testArgumentErrorInAPlainCall() throws {
    let state = try LuaState()
    state.register("f", numberAt(2, name: "f"))
    let error = expectLuaError { try state.run("\nf(1, {})") }
    XCTAssertEqual(error?.kind, .runtime)
    XCTAssertEqual(error?.message, "chunk:2: bad argument #2 to 'f' (number expected, got table)")
    XCTAssertEqual(try state.value("return f(1, 4)"), .number(8))
  }

  func testArgumentErrorInAMethodCallDoesNotCountSelf() throws {
    let state = try LuaState()
    state.lua.newTable()
    state.lua.push(function: numberAt(3, name: "m"))  // position 3 = the second argument after self
    state.lua.rawSet(-2, "m")
    state.setGlobal("obj")

    let method = expectLuaError { try state.run("obj:m(1, 'x')") }
    XCTAssertEqual(method?.message, "chunk:1: bad argument #2 to 'm' (number expected, got string)")

    // The same function called as a field counts every argument, as luaL_argerror does.
    let field = expectLuaError { try state.run("obj.m(obj, 1, 'x')") }
    XCTAssertEqual(field?.message, "chunk:1: bad argument #3 to 'm' (number expected, got string)")
  }

  func testArgumentErrorOnSelfInAMethodCall() throws {
    let state = try LuaState()
    state.lua.newTable()
    state.lua.push(function: { l in
      throw ArgumentError(1, "m", "Thing expected, got \(l.typeName(1))")
    })
    state.lua.rawSet(-2, "m")
    state.setGlobal("obj")
    let error = expectLuaError { try state.run("obj:m()") }
    XCTAssertEqual(error?.message, "chunk:1: calling 'm' on bad self (Thing expected, got table)")
  }

  // MARK: Repetition and nesting

  func testThousandAndOneRaisesLeaveTheStateUsable() throws {
    let state = try LuaState()
    var calls = 0
    state.register("fail") { _ in
      calls += 1
      throw ScriptError("failure \(calls)")
    }
    state.memoryLimit = 32 << 20
    let source = """
      local caught, last = 0, nil
      for i = 1, 1001 do
        local ok, e = pcall(fail)
        if not ok then caught = caught + 1; last = e end
      end
      -- The cap must still hold for guest code after all those raises through the trampoline.
      local ok, e = pcall(string.rep, "x", 64 * 1024 * 1024)
      return caught, last, ok, e
      """
    XCTAssertEqual(
      try state.evaluate(source, count: 4),
      [.int(1001), .string("failure 1001"), .bool(false), .string("not enough memory")])
    XCTAssertEqual(calls, 1001)
    state.memoryLimit = nil
    XCTAssertEqual(try state.value("return #string.rep('ab', 10)"), .int(20))
    XCTAssertEqual(state.lua.top, 0)
  }

  func testNestedErrorKeepsInnerLocationAndFrames() throws {
    let state = try LuaState()
    // call(f, ...) calls the Lua function f from Swift and rethrows its LuaError.
    state.register("call") { l in
      let n = l.top
      try l.pcall(arguments: n - 1, results: 1)
      return 1
    }
    try state.run(
      """
      function inner(t)
        local x = t
        return x.missing
      end
      """, chunkName: "inner.lua")
    let outer = """
      local function outer()
        local r = call(inner, nil)
        return r
      end
      outer()
      """
    let error = expectLuaError { try state.run(outer, chunkName: "outer.lua") }
    XCTAssertEqual(error?.kind, .runtime)
    XCTAssertEqual(error?.message, "inner.lua:3: attempt to index a nil value (local 'x')")
    let traceback = try XCTUnwrap(error?.traceback)
    XCTAssertTrue(traceback.hasPrefix("stack traceback:"), traceback)
    XCTAssertEqual(occurrences(of: "stack traceback:", in: traceback), 1, traceback)
    XCTAssertTrue(traceback.contains("inner.lua:3:"), traceback)
    XCTAssertTrue(traceback.contains("outer.lua:2:"), traceback)
    XCTAssertTrue(traceback.contains("outer.lua:5:"), traceback)

    // Caught by Lua's pcall, the message is re-raised unchanged (no second prefix).
    XCTAssertEqual(
      try state.evaluate("return pcall(call, inner, nil)", count: 2),
      [.bool(false), .string("inner.lua:3: attempt to index a nil value (local 'x')")])
    XCTAssertEqual(try state.value("return call(function(a) return a + 1 end, 41)"), .int(42))
    XCTAssertEqual(state.lua.top, 0)
  }

  func testNestedTracebackIsNotReusedForALaterUnrelatedError() throws {
    let state = try LuaState()
    state.register("call") { l in
      try l.pcall(arguments: l.top - 1, results: 0)
      return 0
    }
    try state.run("function boom() error('same text', 0) end", chunkName: "lib.lua")
    // A nested failure swallowed by the script's own pcall...
    XCTAssertEqual(try state.value("return (pcall(call, boom))", chunkName: "first.lua"), .bool(false))
    // ...must not lend its traceback to a later, direct error with the same message.
    let error = expectLuaError { try state.run("\nboom()", chunkName: "second.lua") }
    XCTAssertEqual(error?.message, "same text")
    let traceback = try XCTUnwrap(error?.traceback)
    XCTAssertTrue(traceback.contains("second.lua:2:"), traceback)
    XCTAssertFalse(traceback.contains("first.lua"), traceback)
    XCTAssertEqual(occurrences(of: "stack traceback:", in: traceback), 1, traceback)
  }
}
