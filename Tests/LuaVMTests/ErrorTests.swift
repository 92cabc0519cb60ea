import Foundation
import LuaVM
import XCTest

/// How load and run failures come back to Swift: kind, `file:line:` message, traceback.
final class ErrorTests: XCTestCase {
  func testSyntaxErrorHasKindSyntaxAndLocation() throws {
    let state = try LuaState()
    let error = expectLuaError {
      try state.load(string: "local x = 1\nx = = 2\n", chunkName: "bad.lua")
    }
    XCTAssertEqual(error?.kind, .syntax)
    XCTAssertTrue(error?.message.hasPrefix("bad.lua:2:") == true, error?.message ?? "")
    XCTAssertTrue(error?.message.contains("unexpected symbol") == true, error?.message ?? "")
    XCTAssertNil(error?.traceback, "a load error never goes through the message handler")
    XCTAssertEqual(state.lua.top, 0, "a failed load leaves nothing on the stack")
  }

  func testRuntimeErrorHasLocationAndTraceback() throws {
    let state = try LuaState()
    let source = """
      local function inner(t)
        return t.field
      end
      local function outer()
        local v = inner(nil)
        return v
      end
      outer()
      """
    let error = expectLuaError { try state.run(source, chunkName: "rt.lua") }
    XCTAssertEqual(error?.kind, .runtime)
    XCTAssertEqual(error?.message, "rt.lua:2: attempt to index a nil value (local 't')")
    let traceback = try XCTUnwrap(error?.traceback)
    XCTAssertTrue(traceback.hasPrefix("stack traceback:"), traceback)
    XCTAssertTrue(traceback.contains("rt.lua:2:"), traceback)
    XCTAssertTrue(traceback.contains("rt.lua:5:"), traceback)
    XCTAssertTrue(traceback.contains("rt.lua:8:"), traceback)
    XCTAssertFalse(traceback.contains("attempt to index"), "the message is not repeated in the traceback")
    XCTAssertEqual(error?.description, "\(error!.message)\n\(traceback)")
    XCTAssertEqual(state.lua.top, 0, "a failed call leaves nothing on the stack")
  }

  func testErrorCallGivesCallerLocation() throws {
    let state = try LuaState()
    let error = expectLuaError { try state.run("\n\nerror('boom')", chunkName: "e.lua") }
    XCTAssertEqual(error?.kind, .runtime)
    XCTAssertEqual(error?.message, "e.lua:3: boom")
  }

  func testMissingFileGivesKindFile() throws {
    let state = try LuaState()
    let path = "/nonexistent-\(UUID().uuidString)/script.lua"
    let error = expectLuaError { try state.load(file: path) }
    XCTAssertEqual(error?.kind, .file)
    XCTAssertTrue(error?.message.contains(path) == true, error?.message ?? "")
    XCTAssertEqual(state.lua.top, 0)
  }

  func testFileErrorsUseThePathAndKeepLinesAfterAShebang() throws {
    let state = try LuaState()
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("luavm-\(UUID().uuidString).lua")
    try "#!/usr/bin/env lua\nlocal x = 1\nerror('boom ' .. x)\n".write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    try state.load(file: url.path)
    let error = expectLuaError { try state.lua.pcall(arguments: 0, results: 0) }
    XCTAssertEqual(error?.kind, .runtime)
    XCTAssertEqual(error?.message, "\(url.path):3: boom 1")

    try state.load(file: url.path, chunkName: "named.lua")
    let named = expectLuaError { try state.lua.pcall(arguments: 0, results: 0) }
    XCTAssertEqual(named?.message, "named.lua:3: boom 1")
  }

  func testNonStringErrorValue() throws {
    let state = try LuaState()
    let error = expectLuaError { try state.run("error({code = 1})") }
    XCTAssertEqual(error?.kind, .runtime)
    XCTAssertEqual(error?.message, "(error object is a table value)")
    XCTAssertNil(error?.traceback)

    let boolean = expectLuaError { try state.run("error(true)") }
    XCTAssertEqual(boolean?.message, "(error object is a boolean value)")
    XCTAssertEqual(state.lua.top, 0)
  }

  func testNumberAndToStringErrorValues() throws {
    let state = try LuaState()
    let number = expectLuaError { try state.run("error(42)") }
    XCTAssertEqual(number?.message, "42")

    let custom = expectLuaError {
      try state.run("error(setmetatable({}, {__tostring = function() return 'custom error' end}))")
    }
    XCTAssertEqual(custom?.message, "custom error")
    XCTAssertTrue(custom?.traceback?.hasPrefix("stack traceback:") == true)
  }

  func testStateIsUsableAfterErrors() throws {
    let state = try LuaState()
    for _ in 0..<10 {
      _ = expectLuaError { try state.run("error('again')") }
      _ = expectLuaError { try state.load(string: "return +", chunkName: "s") }
    }
    XCTAssertEqual(try state.value("return 6 * 7"), .int(42))
    XCTAssertEqual(state.lua.top, 0)
  }
}
