/// A Lua face for plain tables the host builds and fills with fields (a distribution, a list
/// of trials): one shared metatable whose `__index` holds declared methods and whose `__call`,
/// when given, makes the tables callable. Scripts can neither read nor replace it
/// (`__metatable = false`). Its methods and fields are recorded like a `LuaClass`'s.
public final class LuaTableClass {
  public let name: String
  let metatable: LuaRef

  /// Builds the metatable in `lua`'s state and records the class in `api`.
  /// - Parameters:
  ///   - methods: functions reached as `t:name(...)`; the table is argument 1.
  ///   - fields: the plain fields the host puts in each table (documented only).
  ///   - call: what `t(...)` does; its body gets the table as argument 1.
  public init(
    _ lua: Lua, name: String, summary: String, methods: [LuaBinding] = [], fields: [LuaFieldDoc] = [],
    call: LuaBinding? = nil, recordingIn api: LuaAPI? = nil
  ) {
    self.name = name
    api?.record(LuaClassDoc(name: name, summary: summary, methods: methods, fields: fields, call: call))
    lua.newTable(recordCount: 3)
    if !methods.isEmpty {
      lua.newTable(recordCount: Int32(methods.count))
      for binding in methods {
        lua.push(binding: binding)
        lua.rawSet(-2, binding.name)
      }
      lua.rawSet(-2, "__index")
    }
    if let call {
      lua.push(binding: call)
      lua.rawSet(-2, "__call")
    }
    lua.push(false)
    lua.rawSet(-2, "__metatable")
    metatable = lua.ref()
  }

  /// Gives the table on top of the stack this class's metatable.
  public func setMetatable(on lua: Lua) {
    lua.push(metatable)
    lua.setMetatable(-2)
  }
}
