import CLua
import CLuaShim
import Foundation

/// One Lua 5.4 state, owned by Swift and used from one thread at a time.
///
/// Every call into Lua is protected and reports failures as `LuaError`; Swift functions pushed
/// with `Lua.push(function:)` throw instead of raising. Limits (a deadline through the count
/// hook, a memory cap through the allocator) cost nothing until they are armed.
public final class LuaState {
  /// The main thread's stack.
  public let lua: Lua
  /// Whether the state was opened with only the safe libraries.
  public let isSandboxed: Bool

  /// Opens a state with the full standard library, or with the sandbox's safe subset
  /// (`_G` without `dofile`/`loadfile`, text-only `load`, `setmetatable` refusing `__gc`;
  /// `coroutine`, `table`, `string`, `math`, `utf8`).
  public init(sandbox: Bool = false) throws(LuaError) {
    _ = hostCallbacksInstalled
    guard let state = ls_newstate() else {
      throw LuaError(kind: .memory, message: "cannot create a Lua state: not enough memory")
    }
    lua = Lua(state)
    isSandboxed = sandbox
    let status = ls_openlibs(state, sandbox ? 1 : 0)
    if status != LUA_OK {
      let error = lua.popError(status: status)
      ls_close(state)
      throw error
    }
  }

  /// Whether the state is open: false once it starts closing. Objects the state holds that keep
  /// a reference of their own into it (a `LuaRef`) check it before letting go of that reference.
  public let life = LuaLife()

  /// The memory cap this state shares with others, if any (kept alive while attached).
  private var sharedMemory: LuaSharedMemory?

  /// Whether this state's bytes count against a cap shared with other states.
  public var sharesMemory: Bool { sharedMemory != nil }

  /// Counts this state's bytes against `memory` too (nil stops it): the states of one run's
  /// workers share one cap this way.
  public func shareMemory(_ memory: LuaSharedMemory?) {
    ls_attach_budget(lua.state, memory?.budget)
    sharedMemory = memory
  }

  /// Native memory the host keeps for the script outside any state, counted against this
  /// state's cap (and a shared one) on top of its own bytes (kept alive while attached).
  private var heldMemory: LuaHeldMemory?

  /// Counts `memory` against the cap from now on (nil stops it).
  public func countHeld(_ memory: LuaHeldMemory?) {
    ls_attach_held(lua.state, memory?.meter)
    heldMemory = memory
  }

  /// Closes the state: pending finalizers run, then every object the script held is released.
  deinit {
    life.isOpen = false
    ls_close(lua.state)
  }

  // MARK: Loading

  /// Compiles a script file and pushes it as a function. Errors read `path:line: message`.
  /// A first line starting with `#` (a shebang) is skipped, as `lua` does.
  public func load(file path: String, chunkName: String? = nil) throws(LuaError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
      throw LuaError(kind: .file, message: "cannot open \(path): \(reason)")
    }
    var source = [UInt8](data)
    if source.first == UInt8(ascii: "#") {
      // Keep the newline so line numbers stay right.
      let end = source.firstIndex(of: UInt8(ascii: "\n")) ?? source.endIndex
      source.replaceSubrange(0..<end, with: [])
    }
    // "@path", as the lua program names a file's chunk: messages keep the end of a long path
    // (the file's name), and `debug.getinfo(1, "S").source` reads as scripts expect.
    try load(bytes: source, source: "@" + (chunkName ?? path))
  }

  /// Compiles source text and pushes it as a function; messages name it `chunkName`.
  public func load(string source: String, chunkName: String) throws(LuaError) {
    try load(bytes: Array(source.utf8), source: "=" + chunkName)
  }

  private func load(bytes: [UInt8], source: String) throws(LuaError) {
    let status = bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { chars in
        source.withCString { ls_loadtext(lua.state, chars.baseAddress, chars.count, $0) }
      }
    }
    if status != LUA_OK { throw lua.popError(status: status) }
  }

  /// Loads and runs a chunk, returning nothing; a convenience for setup code and tests.
  public func run(_ source: String, chunkName: String = "chunk") throws(LuaError) {
    try load(string: source, chunkName: chunkName)
    try lua.pcall(arguments: 0, results: 0)
  }

  // MARK: Globals

  /// Sets the global `name` to the value on top of the stack, popping it.
  public func setGlobal(_ name: String) {
    lua.pushGlobalTable()
    lua.insert(at: -2)
    lua.rawSet(-2, name)
    lua.pop()
  }

  /// Pushes the global `name` (raw read).
  @discardableResult
  public func getGlobal(_ name: String) -> LuaType {
    lua.pushGlobalTable()
    let t = lua.rawGet(-1, name)
    lua.remove(at: -2)
    return t
  }

  // MARK: Limits

  /// The cap on bytes the script may hold, or nil for none. Swift's own pushes are never refused.
  public var memoryLimit: Int? {
    get { let cap = ls_memory_cap(lua.state); return cap == 0 ? nil : Int(cap) }
    set { ls_set_memory_cap(lua.state, newValue.map { max(1, $0) } ?? 0) }
  }

  /// What the memory cap leaves (nil without a cap): host code that allocates on the script's
  /// behalf asks before it does (on the state's thread).
  public var memoryHeadroom: Int? { memoryProbe.headroom }

  /// A handle that reads `memoryHeadroom` (from the state's thread: the count it reads is the
  /// allocator's).
  public var memoryProbe: LuaMemoryProbe { LuaMemoryProbe(state: lua.state) }

  /// Collects the script's garbage and hands the process's free heap pages back to the system
  /// (every thread's heap), so memory one worker freed does not stay counted in the process.
  public func releaseFreeMemory() {
    lua.collectGarbage()
    ls_release_free_memory()
  }

  /// Bytes the state holds now, and the most it has held.
  public var memoryUsed: Int { Int(ls_memory_used(lua.state)) }
  public var memoryPeak: Int { Int(ls_memory_peak(lua.state)) }
  /// How many allocations the cap has refused.
  public var memoryRefusals: Int { Int(ls_memory_denied(lua.state)) }

  /// One armed limit: its deadline (monotonic nanoseconds, 0 for none), how often the hook
  /// checks it, and what the raised error says.
  private struct Limit {
    var deadline: Int64
    var every: Int32
    var message: String
  }

  /// The limits in force, outermost first: they nest, and the earliest deadline holds.
  private var limits: [Limit] = []

  /// Runs `body` under a limit: once `seconds` have passed (or `canceller.cancel()` is called
  /// from any thread) the running script raises `message` at its current line, on every
  /// instruction of every thread until control is back here, so no `pcall` can swallow it.
  ///
  /// Limits nest: inside another limit the earlier deadline holds (an inner limit never extends
  /// an outer one), and when `body` returns the outer limit is back as it was. With `seconds`
  /// nil and no canceller wanted, prefer calling `body` directly: the hook checking every 1,000
  /// instructions slows pure-Lua loops about twofold (every 10,000, a few percent).
  public func withDeadline<R>(
    seconds: Double?, message: String, checkEvery instructions: Int32 = 1000,
    _ body: () throws -> R
  ) rethrows -> R {
    let deadline: Int64 = seconds.map { ls_now_ns() + Int64(min(max(0, $0), 1e9) * 1e9) } ?? 0
    limits.append(Limit(deadline: deadline, every: max(1, instructions), message: message))
    applyLimits()
    defer {
      limits.removeLast()
      applyLimits()
    }
    return try body()
  }

  /// Arms the hook for the limits in force: the earliest deadline with its message, checked as
  /// often as the most demanding limit asks; none left clears the hook.
  private func applyLimits() {
    guard !limits.isEmpty else { return ls_clear_limit(lua.state) }
    let every = limits.map(\.every).min()!
    let earliest = limits.filter { $0.deadline != 0 }.min { $0.deadline < $1.deadline }
    ls_set_limit(lua.state, earliest?.deadline ?? 0, every, earliest?.message ?? limits.last!.message)
  }

  /// Whether a limit is in force (for host code that should run under one too).
  public var hasLimit: Bool { !limits.isEmpty }

  /// Throws the armed deadline's error when it has passed (or a cancel was asked for), from host
  /// code that runs long between calls into Lua; the error then surfaces like the hook's own.
  public func checkDeadline() throws {
    if let message = ls_check_deadline(lua.state) { throw DeadlineExceeded(message: String(cString: message)) }
  }

  /// A handle that tells any thread whether the script's limit has passed.
  public var limitProbe: LuaLimitProbe { LuaLimitProbe(state: lua.state) }

  /// A handle that stops the running script from another thread (when a deadline is armed).
  public var canceller: LuaCanceller { LuaCanceller(state: lua.state) }

  /// Ends the running script from a host function: from the next instruction on, every one
  /// raises "cancelled", so no `pcall` in the script can carry on; control comes back to the
  /// host call that started the script. The state stays halted until `withDeadline` arms the
  /// hook again (don't reuse a halted state for anything else).
  public func halt() {
    ls_set_limit(lua.state, 0, 1, "halted")
    ls_cancel(lua.state)
  }
}

/// A memory cap shared by several states (`LuaState.shareMemory`), safe from any thread.
public final class LuaSharedMemory: @unchecked Sendable {
  let budget: OpaquePointer

  public init(bytes: Int) { budget = ls_budget_new(max(1, bytes)) }
  deinit { ls_budget_free(budget) }

  /// Bytes the attached states hold together.
  public var used: Int { Int(ls_budget_used(budget)) }
}

/// A count of native bytes the host keeps on scripts' behalf outside any Lua state (studies held
/// in memory, say): states that count it (`LuaState.countHeld`) have that much less room under
/// their cap. Safe from any thread.
public final class LuaHeldMemory: @unchecked Sendable {
  let meter: OpaquePointer

  public init() { meter = ls_budget_new(0) }
  deinit { ls_budget_free(meter) }

  /// Adds `bytes` (negative: gives them back).
  public func add(_ bytes: Int) { ls_budget_add(meter, Int64(bytes)) }

  /// The bytes counted now.
  public var bytes: Int { Int(ls_budget_used(meter)) }
}

/// Whether a `LuaState` is still open (see `LuaState.life`).
public final class LuaLife: @unchecked Sendable {
  public internal(set) var isOpen = true
}

/// Reads what a state's memory cap leaves (nil without one).
public struct LuaMemoryProbe: @unchecked Sendable {
  let state: OpaquePointer
  /// Counts `bytes` for the running host call against the cap until the call returns, when the
  /// cap leaves room: checked and counted at once (workers sharing a cap cannot both take its
  /// last room). Nil when granted; otherwise the bytes left. On the state's thread.
  public func claimWhileRunning(_ bytes: Int) -> Int? {
    var left = 0
    return ls_claim_pending(state, max(bytes, 0), &left) != 0 ? nil : Int(clamping: left)
  }
  public var headroom: Int? {
    // size_t comes to Swift as Int: SIZE_MAX (no cap) reads as -1 unless taken as unsigned.
    let left = UInt(bitPattern: ls_memory_headroom(state))
    return left == .max ? nil : Int(clamping: left)
  }
}

/// Tells host work on any thread whether the running script's limit has passed (or a cancel
/// was asked for), so that it can stop early.
public struct LuaLimitProbe: @unchecked Sendable {
  let state: OpaquePointer
  public var passed: Bool { ls_limit_passed(state) != 0 }
}

/// Stops a script from another thread: the armed count hook raises `cancelled` at its next check.
public struct LuaCanceller: @unchecked Sendable {
  let state: OpaquePointer
  public func cancel() { ls_cancel(state) }
}
