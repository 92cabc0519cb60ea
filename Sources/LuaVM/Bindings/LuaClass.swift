import CLua
import CLuaShim

/// A Lua face for a Swift class: a metatable whose userdata hold a retained `T`, released by
/// `__gc`. Methods are host functions looked up raw; other keys go to `getter`.
///
/// Type checks compare metatable identity (never `luaL_checkudata`, which raises).
public final class LuaClass<T: AnyObject> {
  public let name: String
  let metatable: LuaRef
  let identity: UnsafeRawPointer?

  /// Builds the metatable from declared methods, and records the class (methods and `fields`,
  /// what `getter` answers) in `api` for the annotation file.
  /// - Parameters:
  ///   - methods: functions reached as `obj:name(...)`; `self` is argument 1.
  ///   - getter: called as `getter(self, key)` for keys that are not methods; pushes one value.
  ///   - setter: called as `setter(self, key, value)`; without one, assignment is an error.
  ///   - metamethods: extra entries such as `__tostring`, `__eq`, `__len`.
  public init(
    _ lua: Lua, name: String, summary: String, methods: [LuaBinding], fields: [LuaFieldDoc] = [],
    getter: HostFunction? = nil, setter: HostFunction? = nil,
    metamethods: [String: HostFunction] = [:], recordingIn api: LuaAPI? = nil
  ) {
    self.name = name
    api?.record(LuaClassDoc(name: name, summary: summary, methods: methods, fields: fields))
    lua.newTable(recordCount: 6)
    let mt = lua.top
    lua.newTable(recordCount: Int32(methods.count))
    for binding in methods {
      lua.push(binding: binding)
      lua.rawSet(-2, binding.name)
    }
    if let getter {
      lua.push(function: getter)
      ls_pushindexer(lua.state, -2, -1)
      lua.rawSet(mt, "__index")
      lua.pop(2)
    } else {
      lua.rawSet(mt, "__index")
    }
    let className = name
    lua.push(function: setter ?? { l in
      throw ScriptError("cannot assign field '\(l.toString(2) ?? l.describe(2))' of a \(className)")
    })
    lua.rawSet(mt, "__newindex")
    for (key, fn) in metamethods {
      lua.push(function: fn)
      lua.rawSet(mt, key)
    }
    if metamethods["__tostring"] == nil {
      lua.push(function: { l in
        l.push(className)
        return 1
      })
      lua.rawSet(mt, "__tostring")
    }
    lua.pushCFunction(ls_object_gc)
    lua.rawSet(mt, "__gc")
    lua.push(name)
    lua.rawSet(mt, "__name")
    lua.push(false)
    lua.rawSet(mt, "__metatable")
    identity = lua.toPointer(mt)
    metatable = lua.ref()
  }

  /// Pushes a new userdata holding `object`. `charging` bytes of native memory the object holds
  /// for the script count against the state's memory limit until the userdata is collected
  /// (pass them once, where the object is made).
  public func push(_ object: T, on lua: Lua, charging bytes: Int = 0) {
    lua.push(metatable)
    ls_pushobject_charged(lua.state, Unmanaged.passRetained(object).toOpaque(), -1, max(bytes, 0))
    lua.remove(at: -2)
  }

  /// Sets the bytes of native memory the object userdata at `index` holds (replacing what was
  /// charged before: a model refitted let its old buffers go).
  public func setCharge(at index: Int32, on lua: Lua, bytes: Int) {
    guard object(at: index, on: lua) != nil else { return }
    ls_set_object_charge(lua.state, index, max(bytes, 0))
  }

  /// The object at `index` if it is one of this class's userdata.
  public func object(at index: Int32, on lua: Lua) -> T? {
    guard lua.type(at: index) == .userdata, lua.getMetatable(index) else { return nil }
    let same = lua.toPointer(-1) == identity
    lua.pop()
    guard same, let raw = ls_toobject(lua.state, index) else { return nil }
    return Unmanaged<T>.fromOpaque(raw).takeUnretainedValue()
  }

  /// The object at `index`, or an `ArgumentError` (named by the call site).
  public func check(_ index: Int32, on lua: Lua) throws -> T {
    if let object = object(at: index, on: lua) { return object }
    throw ArgumentError(index, "\(name) expected, got \(lua.typeName(index))")
  }
}

extension Lua {
  public func pushCFunction(_ fn: lua_CFunction) { lua_pushcclosure(state, fn, 0) }

  /// The type name for messages, with `__name` for userdata, as `luaL_typeerror` reports it.
  public func typeName(_ index: Int32) -> String {
    if type(at: index) == .userdata, getMetatable(index) {
      defer { pop() }
      if rawGet(-1, "__name") == .string, let name = toString(-1) {
        pop()
        return name
      }
      pop()
    }
    return type(at: index).name
  }
}
