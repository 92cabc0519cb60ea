import Foundation
import LuaVM
import XCTest

/// `checkDeadline()` lets long host work (training, say) stop at the armed deadline.
final class DeadlineCheckTests: XCTestCase {
  func testLongHostWorkStopsAtTheDeadlineAndTheScriptCannotSwallowIt() throws {
    let state = try LuaState()
    let lua = state.lua
    var calls = 0
    lua.push(function: { [unowned state] _ in
      // A host function that works for a while, checking the deadline between steps.
      for _ in 0..<1_000 {
        calls += 1
        try state.checkDeadline()
        Thread.sleep(forTimeInterval: 0.005)
      }
      return 0
    })
    state.setGlobal("work")
    try state.load(string: "pcall(work)\nlocal n = 0 while true do n = n + 1 end", chunkName: "host.lua")
    let start = Date()
    let error: LuaError? = state.withDeadline(seconds: 0.1, message: "time limit exceeded") { () -> LuaError? in
      do {
        try lua.pcall(arguments: 0, results: 0)
        return nil
      } catch let e as LuaError { return e } catch { return nil }
    }
    XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    XCTAssertLessThan(calls, 200, "the host loop stopped near the deadline")
    XCTAssertEqual(error?.kind, .timeout, "the script's pcall did not swallow it: the loop after it was stopped too")
    XCTAssertTrue(error?.message.hasPrefix("host.lua:2:") ?? false, "\(String(describing: error))")
  }

  func testNoDeadlineArmedMeansNoError() throws {
    let state = try LuaState()
    XCTAssertNoThrow(try state.checkDeadline())
    try state.withDeadline(seconds: 10, message: "late") { XCTAssertNoThrow(try state.checkDeadline()) }
  }
}
