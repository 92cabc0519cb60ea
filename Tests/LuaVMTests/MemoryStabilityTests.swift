import LuaVM
import XCTest

/// Repeated calls across the bridge leave no garbage behind.
final class MemoryStabilityTests: XCTestCase {
  private let bound = 64 << 10

  func testHostFunctionCalledFromALuaLoop() throws {
    let state = try LuaState()
    var calls = 0
    state.register("inc") { l in
      calls += 1
      l.push((l.toInteger(1) ?? 0) + 1)
      return 1
    }
    let source = "local s = 0 for i = 1, 100000 do s = inc(s) end return s"
    XCTAssertEqual(try state.value(source), .int(100_000))  // warm up
    state.lua.collectGarbage()
    let before = state.memoryUsed
    XCTAssertEqual(try state.value(source), .int(100_000))
    state.lua.collectGarbage()
    XCTAssertEqual(calls, 200_000)
    XCTAssertLessThan(state.memoryUsed - before, bound, "grew from \(before) to \(state.memoryUsed)")
  }

  func testLuaFunctionCalledFromSwift() throws {
    let state = try LuaState()
    try state.run("function square(x) return x * x end")
    XCTAssertEqual(state.getGlobal("square"), .function)
    let square = state.lua.ref()
    let lua = state.lua

    func callMany(_ n: Int) throws -> Int {
      var total = 0
      for i in 0..<n {
        lua.push(square)
        lua.push(i % 100)
        try lua.pcall(arguments: 1, results: 1)
        total += lua.toInteger(-1) ?? -1_000_000
        lua.pop()
      }
      return total
    }
    _ = try callMany(1000)  // warm up
    lua.collectGarbage()
    let before = state.memoryUsed
    XCTAssertEqual(try callMany(100_000), 328_350_000)
    XCTAssertEqual(lua.top, 0)
    lua.collectGarbage()
    XCTAssertLessThan(state.memoryUsed - before, bound, "grew from \(before) to \(state.memoryUsed)")
    lua.release(square)
  }

  func testFailingCallsFromSwift() throws {
    let state = try LuaState()
    try state.run("function fail(x) error('failed ' .. x) end")
    state.getGlobal("fail")
    let fail = state.lua.ref()
    let lua = state.lua

    func failMany(_ n: Int) -> Int {
      var failures = 0
      for i in 0..<n {
        lua.push(fail)
        lua.push(i)
        do { try lua.pcall(arguments: 1, results: 0) } catch {
          if error.message == "chunk:1: failed \(i)" { failures += 1 }
        }
      }
      return failures
    }
    XCTAssertEqual(failMany(500), 500)  // warm up
    lua.collectGarbage()
    let before = state.memoryUsed
    XCTAssertEqual(failMany(10_000), 10_000)
    XCTAssertEqual(lua.top, 0)
    lua.collectGarbage()
    XCTAssertLessThan(state.memoryUsed - before, bound, "grew from \(before) to \(state.memoryUsed)")
  }
}
