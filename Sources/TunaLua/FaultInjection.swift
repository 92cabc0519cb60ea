import Foundation
import LuaVM
import Synchronization

/// Faults no script can cause on purpose — a native crash, native memory without end, a native
/// call that never returns — for the tests of worker isolation. `tuna._fault(kind)` exists only
/// when the environment sets `TUNA_TEST_FAULTS=1`; it is not part of the Lua API.
enum FaultInjection {
  static let variable = "TUNA_TEST_FAULTS"
  static var enabled: Bool { ProcessInfo.processInfo.environment[variable] == "1" }

  /// `tuna._fault("segv" | "abort" | "allocate" | "hang" | "spin")`.
  static func fault(_ l: Lua) throws -> Int32 {
    switch l.toString(1) {
    case "segv":
      // A write through a null page: the kernel's SIGSEGV, as a buggy native library gets.
      let pointer = UnsafeMutablePointer<Int>(bitPattern: 8)
      pointer?.pointee = 1
      raise(SIGSEGV)
    case "abort":
      abort()
    case "allocate":
      // Native memory no budget counts, touched so that it is real, until allocation fails.
      var blocks: [UnsafeMutableRawPointer] = []
      while true {
        guard let block = malloc(16 << 20) else { fatalError("out of memory after \(blocks.count * 16) MB") }
        memset(block, 1, 16 << 20)
        blocks.append(block)
      }
    case "hang":
      // Blocked in the kernel: no Lua hook runs, no deadline is checked.
      while true { sleep(1000) }
    case "spin":
      // Busy in native code: each step stored where the compiler must keep it.
      let x = Atomic<UInt64>(1)
      while true { x.store(x.load(ordering: .relaxed) &* 6_364_136_223_846_793_005 &+ 1, ordering: .relaxed) }
    default:
      throw ArgumentError(1, "segv, abort, allocate, hang or spin expected")
    }
    return 0
  }
}
