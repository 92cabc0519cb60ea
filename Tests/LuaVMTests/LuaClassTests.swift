import LuaVM
import XCTest

/// Swift objects as userdata: identity checks, methods, getters, setters and `__gc`.
final class LuaClassTests: XCTestCase {
  /// A "Point" class over `Tracked`: method `id`, getter for `name`, no setter.
  private func makePointClass(_ lua: Lua) -> LuaClass<Tracked> {
    let holder = ClassHolder()
    let cls = LuaClass<Tracked>(
      lua, name: "Point", summary: "A point.",
      methods: [
        LuaBinding("id", returns: "integer", "Its id.") { l in
          let me = try holder.cls!.check(1, on: l)
          l.push(me.id)
          return 1
        },
        LuaBinding("add", "n: integer", returns: "integer", "Its id plus n.") { l in
          let me = try holder.cls!.check(1, on: l)
          guard l.type(at: 2) == .number, let n = l.toInteger(2) else {
            throw ArgumentError(2, "number expected, got \(l.typeName(2))")
          }
          l.push(me.id + n)
          return 1
        },
      ],
      getter: { l in
        let key = l.toString(2) ?? l.describe(2)
        guard key == "name" else { throw ScriptError("Point has no field '\(key)'") }
        l.push("point")
        return 1
      })
    holder.cls = cls
    return cls
  }

  private final class ClassHolder {
    var cls: LuaClass<Tracked>?
  }

  func testPushedObjectsAreFoundAndOthersRejected() throws {
    let state = try LuaState()
    let lua = state.lua
    let counter = DeinitCounter()
    let points = makePointClass(lua)
    let others = LuaClass<Tracked>(lua, name: "Other", summary: "", methods: [])
    let object = Tracked(counter, id: 7)
    let other = Tracked(counter, id: 8)

    points.push(object, on: lua)
    XCTAssertTrue(points.object(at: -1, on: lua) === object)
    XCTAssertTrue(points.object(at: 1, on: lua) === object)
    XCTAssertNil(others.object(at: -1, on: lua), "another class's userdata is rejected")
    XCTAssertEqual(lua.top, 1, "the check leaves the stack as it found it")

    others.push(other, on: lua)
    XCTAssertTrue(others.object(at: -1, on: lua) === other)
    XCTAssertNil(points.object(at: -1, on: lua))

    lua.newTable()
    XCTAssertNil(points.object(at: -1, on: lua), "a table is rejected")
    lua.push(3)
    XCTAssertNil(points.object(at: -1, on: lua), "a number is rejected")
    lua.push(function: { _ in 0 })
    XCTAssertNil(points.object(at: -1, on: lua), "a host function is rejected")
    lua.pushNil()
    XCTAssertNil(points.object(at: -1, on: lua))
    XCTAssertNil(points.object(at: 10, on: lua), "an empty slot is rejected")
    XCTAssertEqual(lua.top, 6)
    lua.top = 0
  }

  func testMethodsGetterSetterAndMetatable() throws {
    let state = try LuaState()
    let counter = DeinitCounter()
    let points = makePointClass(state.lua)
    points.push(Tracked(counter, id: 40), on: state.lua)
    state.setGlobal("p")

    XCTAssertEqual(try state.value("return p:id()"), .int(40))
    XCTAssertEqual(try state.value("return p:add(2)"), .int(42))
    XCTAssertEqual(try state.value("return p.name"), .string("point"))
    XCTAssertEqual(try state.value("return type(p)"), .string("userdata"))
    XCTAssertEqual(try state.value("return tostring(p)"), .string("Point"))
    XCTAssertEqual(try state.value("return getmetatable(p)"), .bool(false), "the metatable is protected")

    let assign = expectLuaError { try state.run("\np.x = 1") }
    XCTAssertEqual(assign?.message, "chunk:2: cannot assign field 'x' of a Point")

    let method = expectLuaError { try state.run("p:add('two')") }
    XCTAssertEqual(method?.message, "chunk:1: bad argument #1 to 'add' (number expected, got string)")

    let badSelf = expectLuaError { try state.run("local t = {id = p.id}\nt:id()") }
    XCTAssertEqual(badSelf?.message, "chunk:2: calling 'id' on bad self (Point expected, got table)")

    let dotCall = expectLuaError { try state.run("p.id(42)") }
    XCTAssertEqual(dotCall?.message, "chunk:1: bad argument #1 to 'id' (Point expected, got number)")
  }

  func testGetterErrorsCarryTheScriptLocation() throws {
    let state = try LuaState()
    let points = makePointClass(state.lua)
    points.push(Tracked(DeinitCounter()), on: state.lua)
    state.setGlobal("p")
    let error = expectLuaError { try state.run("local x = 1\nreturn p.bogus", chunkName: "get.lua") }
    XCTAssertEqual(error?.message, "get.lua:2: Point has no field 'bogus'")
    XCTAssertEqual(
      try state.evaluate("return pcall(function() return p.bogus end)", chunkName: "g", count: 2),
      [.bool(false), .string("g:1: Point has no field 'bogus'")])
  }

  func testGarbageCollectionReleasesSwiftObjects() throws {
    let state = try LuaState()
    let counter = DeinitCounter()
    let points = makePointClass(state.lua)
    var made = 0
    state.register("newPoint") { l in
      made += 1
      points.push(Tracked(counter, id: made), on: l)
      return 1
    }
    try state.run(
      """
      local sum = 0
      for i = 1, 1000 do
        local p = newPoint()
        sum = sum + p:id()
      end
      assert(sum == 500500, sum)
      """)
    XCTAssertEqual(made, 1000)
    state.lua.collectGarbage()
    XCTAssertEqual(counter.value, 1000, "every unreachable userdata released its Swift object")
  }

  func testClosingTheStateReleasesObjectsStillReferenced() throws {
    let counter = DeinitCounter()
    var state: LuaState? = try LuaState()
    do {
      let lua = state!.lua
      let points = makePointClass(lua)
      for id in 1...3 {
        points.push(Tracked(counter, id: id), on: lua)
        state!.setGlobal("kept\(id)")
      }
      // One more held only by the registry.
      points.push(Tracked(counter, id: 4), on: lua)
      _ = lua.ref()
      lua.collectGarbage()
      XCTAssertEqual(try state!.value("return kept1:id() + kept2:id() + kept3:id()"), .int(6))
    }
    XCTAssertEqual(counter.value, 0, "referenced objects are alive")
    state = nil
    XCTAssertEqual(counter.value, 4, "closing the state released them")
  }

  func testHostFunctionBoxesAreReleased() throws {
    let counter = DeinitCounter()
    var state: LuaState? = try LuaState()
    do {
      let tracked = Tracked(counter, id: 1)
      state!.register("temporary") { l in
        l.push(tracked.id)
        return 1
      }
    }
    do {
      let kept = Tracked(counter, id: 2)
      state!.register("kept") { l in
        l.push(kept.id)
        return 1
      }
    }
    XCTAssertEqual(try state!.value("return temporary() + kept()"), .int(3))
    try state!.run("temporary = nil")
    state!.lua.collectGarbage()
    XCTAssertEqual(counter.value, 1, "the collected closure released what it captured")

    // Closures pushed and dropped in a loop, and the class's own method boxes.
    do {
      let lua = state!.lua
      for i in 0..<100 {
        let captured = Tracked(counter, id: 100 + i)
        lua.push(function: { l in
          l.push(captured.id)
          return 1
        })
        lua.pop()
      }
      _ = makePointClass(lua)
    }
    state!.lua.collectGarbage()
    XCTAssertEqual(counter.value, 101)
    state = nil
    XCTAssertEqual(counter.value, 102, "closing the state released the remaining closure")
  }
}
