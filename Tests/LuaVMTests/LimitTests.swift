import Dispatch
import Foundation
import LuaVM
import XCTest

/// The count hook (deadline, cancel) and the capped allocator.
final class LimitTests: XCTestCase {
  /// Runs `source` under a 0.2 s deadline and returns the error it stopped with.
  private func stopped(
    _ state: LuaState, _ source: String, chunkName: String = "loop.lua",
    file: StaticString = #filePath, line: UInt = #line
  ) -> (LuaError?, Double) {
    let start = ls_seconds()
    let error = expectLuaError(file: file, line: line) {
      try state.withDeadline(seconds: 0.2, message: "time limit exceeded") {
        try state.run(source, chunkName: chunkName)
      }
    }
    return (error, ls_seconds() - start)
  }

  private func ls_seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  /// The state still runs ordinary code, without a hook and without a stale trip.
  private func assertWorks(_ state: LuaState, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(
      try state.value("local s = 0 for i = 1, 200000 do s = s + i end return s"), .int(20_000_100_000),
      file: file, line: line)
    let error = expectLuaError(file: file, line: line) { try state.run("error('plain')") }
    XCTAssertEqual(error?.kind, .runtime, "no stale trip classifies a later error", file: file, line: line)
    XCTAssertEqual(state.lua.top, 0, file: file, line: line)
  }

  func testDeadlineStopsAnInfiniteLoop() throws {
    let state = try LuaState()
    let (error, elapsed) = stopped(state, "while true do end")
    XCTAssertEqual(error?.kind, .timeout)
    XCTAssertEqual(error?.message, "loop.lua:1: time limit exceeded")
    XCTAssertGreaterThanOrEqual(elapsed, 0.19)
    XCTAssertLessThan(elapsed, 2.0)
    assertWorks(state)
  }

  func testDeadlineMessageIsTheCallersAndLineIsTheLoops() throws {
    let state = try LuaState()
    let error = expectLuaError {
      try state.withDeadline(seconds: 0.05, message: "trial 3 ran out of time") {
        try state.run("local n = 0\n\nwhile true do\n  n = n + 1\nend", chunkName: "t.lua")
      }
    }
    XCTAssertEqual(error?.kind, .timeout)
    let message = error?.message ?? ""
    XCTAssertTrue(message.hasPrefix("t.lua:"), message)
    XCTAssertTrue(message.hasSuffix(": trial 3 ran out of time"), message)
    XCTAssertTrue(["t.lua:3:", "t.lua:4:", "t.lua:5:"].contains { message.hasPrefix($0) }, message)
  }

  func testPcallCannotSwallowTheDeadline() throws {
    let state = try LuaState()
    let (error, elapsed) = stopped(state, "while true do pcall(function() while true do end end) end")
    XCTAssertEqual(error?.kind, .timeout)
    XCTAssertEqual(error?.message, "loop.lua:1: time limit exceeded")
    XCTAssertLessThan(elapsed, 2.0)
    assertWorks(state)
  }

  func testDeadlineStopsALoopInACoroutine() throws {
    let state = try LuaState()
    let (wrapped, _) = stopped(state, "local co = coroutine.wrap(function() while true do end end)\nco()")
    XCTAssertEqual(wrapped?.kind, .timeout)
    XCTAssertTrue(wrapped?.message.contains("loop.lua:1: time limit exceeded") == true, wrapped?.message ?? "")

    let (resumed, _) = stopped(
      state, "while true do coroutine.resume(coroutine.create(function() while true do end end)) end")
    XCTAssertEqual(resumed?.kind, .timeout)
    XCTAssertEqual(resumed?.message, "loop.lua:1: time limit exceeded")
    assertWorks(state)
  }

  func testDeadlineStopsACoroutineCreatedBeforeItWasArmed() throws {
    // Hooks are per coroutine; one made before the deadline was armed must be reached too.
    for sandbox in [false, true] {
      let state = try LuaState(sandbox: sandbox)
      try state.run(
        """
        spin = coroutine.wrap(function() while true do end end)
        local co = coroutine.create(function() while true do end end)
        function spinCreated() return coroutine.resume(co) end
        gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
        """)
      let (wrapped, elapsed) = stopped(state, "spin()", chunkName: "late.lua")
      XCTAssertEqual(wrapped?.kind, .timeout)
      XCTAssertTrue(wrapped?.message.contains("time limit exceeded") == true, wrapped?.message ?? "")
      XCTAssertLessThan(elapsed, 2.0)

      // The resumed coroutine is stopped (resume returns), then the main thread's loop trips too.
      let (created, _) = stopped(state, "spinCreated()\nwhile true do end", chunkName: "late.lua")
      XCTAssertEqual(created?.kind, .timeout)
      XCTAssertEqual(created?.message, "late.lua:2: time limit exceeded")

      // A suspended generator keeps working across an armed and a disarmed period.
      let first = try state.withDeadline(seconds: 5, message: "slow") { try state.value("return gen()") }
      XCTAssertEqual(first, .int(1))
      XCTAssertEqual(try state.evaluate("return gen(), gen()", count: 2), [.int(2), .int(3)])
      assertWorks(state)
    }
  }

  func testCoroutineLibraryBehavesAsUsual() throws {
    let state = try LuaState()
    let source = """
      local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
      local _, first = coroutine.resume(co, 1)
      local _, second = coroutine.resume(co, 5)
      local g = coroutine.wrap(function() error("inside") end)
      local _, wrapped = pcall(g)
      local _, badWrap = pcall(coroutine.wrap, 5)
      local _, badCreate = pcall(coroutine.create)
      return type(co), first, second, coroutine.status(co), wrapped, badWrap, badCreate
      """
    let values = try state.evaluate(source, count: 7)
    XCTAssertEqual(Array(values[0..<5]), [.string("thread"), .int(2), .int(10), .string("dead"), .string("chunk:4: inside")])
    guard case .string(let badWrap) = values[5], case .string(let badCreate) = values[6] else {
      return XCTFail("no messages: \(values)")
    }
    XCTAssertTrue(badWrap.hasPrefix("bad argument #1 to '"), badWrap)
    XCTAssertTrue(badWrap.contains("wrap' (function expected, got number)"), badWrap)
    XCTAssertTrue(badCreate.contains("create' (function expected, got no value)"), badCreate)
  }

  func testDeadlineStopsALoopInsideANestedHostCall() throws {
    let state = try LuaState()
    state.register("call") { l in
      try l.pcall(arguments: l.top - 1, results: 0)
      return 0
    }
    let (error, _) = stopped(state, "call(function() while true do end end)")
    XCTAssertEqual(error?.kind, .timeout)
    XCTAssertEqual(error?.message, "loop.lua:1: time limit exceeded")
    assertWorks(state)
  }

  func testCodeThatFinishesInTimeIsUnaffected() throws {
    let state = try LuaState()
    let result = try state.withDeadline(seconds: 5, message: "too slow") {
      try state.value("local s = 0 for i = 1, 1000 do s = s + i end return s")
    }
    XCTAssertEqual(result, .int(500_500))
  }

  func testCancellerStopsALoopFromAnotherThread() throws {
    let state = try LuaState()
    let canceller = state.canceller
    let done = DispatchSemaphore(value: 0)
    let start = ls_seconds()
    let error = expectLuaError {
      // A generous deadline only so that a broken cancel fails the test instead of hanging it.
      try state.withDeadline(seconds: 5, message: "safety deadline") {
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) {
          canceller.cancel()
          done.signal()
        }
        try state.run("local i = 0\nwhile true do i = i + 1 end", chunkName: "spin.lua")
      }
    }
    done.wait()
    XCTAssertEqual(error?.kind, .cancelled)
    XCTAssertEqual(error?.message, "spin.lua:2: cancelled")
    XCTAssertLessThan(ls_seconds() - start, 2.0)
    assertWorks(state)
  }

  // MARK: Memory cap

  func testMemoryCapStopsAGrowingTable() throws {
    let state = try LuaState()
    state.memoryLimit = 32 << 20
    XCTAssertEqual(state.memoryLimit, 32 << 20)
    let error = expectLuaError { try state.run("local t = {} for i=1,1e9 do t[i]=i end") }
    XCTAssertEqual(error?.kind, .memory)
    XCTAssertEqual(error?.message, "not enough memory")
    XCTAssertGreaterThan(state.memoryRefusals, 0)
    XCTAssertLessThanOrEqual(state.memoryPeak, 32 << 20)
    XCTAssertGreaterThan(state.memoryPeak, 8 << 20)

    state.lua.collectGarbage()
    XCTAssertLessThan(state.memoryUsed, 256 << 10, "the table was freed")
    XCTAssertEqual(try state.value("local t = {} for i = 1, 1000 do t[i] = i end return #t"), .int(1000))
    XCTAssertEqual(state.lua.top, 0)
  }

  func testMemoryCapStopsAHugeString() throws {
    let state = try LuaState()
    state.memoryLimit = 32 << 20
    let error = expectLuaError { try state.run("local s = string.rep('x', 1e9)") }
    XCTAssertEqual(error?.kind, .memory)
    XCTAssertTrue(error?.message.hasSuffix("not enough memory") == true, error?.message ?? "")

    // Catchable by the script itself.
    XCTAssertEqual(
      try state.evaluate("return pcall(string.rep, 'x', 1e9)", count: 2),
      [.bool(false), .string("not enough memory")])
    state.lua.collectGarbage()
    XCTAssertLessThan(state.memoryUsed, 256 << 10)
    XCTAssertEqual(try state.value("return #string.rep('x', 1000)"), .int(1000))

    // Lifting the cap lifts the refusal.
    state.memoryLimit = nil
    XCTAssertNil(state.memoryLimit)
    XCTAssertEqual(try state.value("return #string.rep('x', 40 * 1024 * 1024)"), .int(40 << 20))
  }

  /// A host function's pushes are never refused while it runs (a refusal would longjmp across
  /// its Swift frames), but they count: a call whose results leave the script over its cap
  /// fails with Lua's memory error once the host function has returned, and its results are
  /// let go. Swift's pushes outside any call are never refused.
  func testHostPushesCountOnceTheHostFunctionReturns() throws {
    let state = try LuaState()
    let big = String(repeating: "h", count: 1 << 20)
    var finished = 0
    state.register("big") { l in
      l.push(big)
      l.newTable(arrayCount: 10_000)
      for i in 1...10_000 {
        l.push(i)
        l.rawSet(-2, index: i)
      }
      finished += 1
      return 2
    }
    state.register("small") { l in
      l.push("fits")
      return 1
    }
    try state.load(
      string: """
        local ok, err = pcall(big)
        return ok, err, small()
        """, chunkName: "near.lua")
    state.lua.collectGarbage()
    state.memoryLimit = state.memoryUsed + (16 << 10)
    let limit = try XCTUnwrap(state.memoryLimit)
    try state.lua.pcall(arguments: 0, results: 3)
    XCTAssertEqual(
      (1...3).map { Value(state.lua, at: Int32($0)) },
      [.bool(false), .string("not enough memory"), .string("fits")],
      "the host function ran to its end; its results put the script over the cap, so the call failed")
    XCTAssertEqual(finished, 1)
    state.lua.top = 0
    XCTAssertGreaterThan(state.memoryPeak, limit)

    // Outside any call, Swift's pushes are never refused.
    state.lua.push(big)
    XCTAssertEqual(state.lua.toString(-1)?.utf8.count, 1 << 20)
    state.lua.pop()
    state.lua.collectGarbage()
    XCTAssertLessThan(state.memoryUsed, limit)
  }
}
