import Dispatch
import Foundation
import LuaVM
import XCTest

/// Native memory granted to host calls under a cap several states share.
final class SharedMemoryTests: XCTestCase {
  /// Two states that each ask for more than half of the shared cap at the same moment: exactly
  /// one is granted, and the shared count never passes the cap. Asking for the headroom and
  /// then counting let both through.
  func testClaimsOfWorkersSharingACapCannotBothTakeItsLastRoom() throws {
    let cap = 64 << 20
    for round in 0..<200 {
      let memory = LuaSharedMemory(bytes: cap)
      let states = try (0..<2).map { _ in try LuaState() }
      for state in states {
        state.memoryLimit = cap
        state.shareMemory(memory)
      }
      let base = memory.used
      let probes = states.map(\.memoryProbe)
      let granted = Granted()
      DispatchQueue.concurrentPerform(iterations: 2) { i in
        if probes[i].claimWhileRunning(40 << 20) == nil { granted.add() }
      }
      XCTAssertEqual(granted.count, 1, "round \(round)")
      XCTAssertEqual(memory.used, base + (40 << 20), "round \(round)")
      XCTAssertLessThanOrEqual(memory.used, cap)
      // What is left is reported to the one refused.
      let left = try XCTUnwrap(probes[0].claimWhileRunning(40 << 20))
      XCTAssertEqual(left, cap - memory.used)
      withExtendedLifetime(states) {}  // the probes read the states
    }
  }

  /// A state without a cap has no headroom to report (SIZE_MAX once read as -1 bytes left).
  func testHeadroomIsNilWithoutACapAndExactWithOne() throws {
    let state = try LuaState()
    XCTAssertNil(state.memoryHeadroom)
    state.memoryLimit = state.memoryUsed + 4096
    XCTAssertEqual(state.memoryHeadroom, 4096)
  }

  /// An object made by a host call whose buffers the call was granted moves that grant to the
  /// object: while the call runs, its bytes count once, not twice.
  func testAnObjectTakesOverWhatItsCallWasGranted() throws {
    let state = try LuaState()
    let memory = LuaSharedMemory(bytes: 1 << 30)
    state.memoryLimit = 1 << 30
    state.shareMemory(memory)
    let counter = DeinitCounter()
    let cls = LuaClass<Tracked>(state.lua, name: "Buffer", summary: "A buffer.", methods: [])
    let size = 10 << 20
    var duringCall = 0
    state.register("make") { l in
      let probe = state.memoryProbe
      XCTAssertNil(probe.claimWhileRunning(size))
      cls.push(Tracked(counter), on: l, charging: size)
      duringCall = memory.used
      return 1
    }
    state.lua.collectGarbage()
    let before = memory.used
    try state.run("kept = make()")
    XCTAssertLessThan(duringCall - before, size + (1 << 20), "the buffer counted twice while the call ran")
    XCTAssertGreaterThanOrEqual(memory.used - before, size, "the kept object counts")
    try state.run("kept = nil collectgarbage()")
    XCTAssertLessThan(memory.used - before, 1 << 20, "the collected object gave its bytes back")
    XCTAssertEqual(counter.value, 1)
    withExtendedLifetime(cls) {}
  }
}

private final class Granted: @unchecked Sendable {
  private let lock = NSLock()
  private var n = 0
  func add() { lock.withLock { n += 1 } }
  var count: Int { lock.withLock { n } }
}
