import LuaVM

/// What a sampler or pruner written in a script (`tuna.sampler`, `tuna.pruner`) holds of Lua:
/// its spec table, which is every hook's `self`, and the one way its hooks are called.
final class ScriptPlugin {
  unowned let engine: TunaEngine
  let spec: LuaRef
  let name: String
  /// The state the spec's reference lives in, reached without the engine (which may be gone
  /// when the state closes and releases this object).
  let lua: Lua
  private let life: LuaLife

  /// Takes the table on top of `thread`'s stack (the calling coroutine's, not always the main
  /// state's) as the spec.
  init(engine: TunaEngine, name: String, from thread: Lua) {
    self.engine = engine
    self.name = name
    lua = engine.state.lua
    life = engine.state.life
    spec = thread.ref()
  }

  deinit { if life.isOpen { lua.release(spec) } }

  /// Calls `spec[hook](spec, ctx, ...)` under the trial time limit, wherever the hook is reached
  /// from (optimize, `study:ask()`, a hand-driven trial's `suggest_*`). `pushArguments` pushes
  /// the rest and returns how many; `results` values are left on the stack.
  func call(
    _ hook: String, _ context: ContextBox, what: String, results: Int32, _ pushArguments: () throws -> Int32 = { 0 }
  ) throws {
    _ = lua.ensureStack(8)
    let base = lua.top
    lua.push(spec)
    lua.rawGet(-1, hook)
    lua.insert(at: -2)  // function, self
    engine.classes.context.push(context, on: lua)
    let n: Int32
    do { n = try pushArguments() } catch {
      lua.top = base
      throw error
    }
    let limit = engine.configuration.trialTimeout
    try engine.underLimit(limit, message: "\(what) exceeded the trial time limit of \(formatNumber(limit ?? 0)) s") {
      try lua.pcall(arguments: 2 + n, results: results)
    }
  }
}
