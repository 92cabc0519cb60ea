import CLua
import CLuaShim

/// One function the host gives Lua, declared once: its name, its signature for editors and
/// docs, and its body. Tables of bindings (`LuaLibrary`, `LuaClass`) are what the host pushes,
/// so the name in error messages, the name in the table and the annotation file all come from
/// this one declaration — no call site repeats it.
public struct LuaBinding {
  public var name: String
  /// Parameters as LuaLS writes them: `name: string, low: number, options?: { log?: boolean }`.
  /// A method's `self` is not listed.
  public var parameters: String
  /// Results as LuaLS writes them (`number`, `tuna.Study`, `number, number`); empty for none.
  public var returns: String
  /// One sentence for editors' hover text.
  public var summary: String
  public var body: HostFunction

  public init(_ name: String, _ parameters: String = "", returns: String = "", _ summary: String, _ body: @escaping HostFunction) {
    self.name = name
    self.parameters = parameters
    self.returns = returns
    self.summary = summary
    self.body = body
  }
}

/// A field a table or an object exposes (read through a getter, or a plain value).
public struct LuaFieldDoc: Sendable {
  public var name: String
  public var type: String
  public var summary: String
  public init(_ name: String, _ type: String, _ summary: String = "") {
    self.name = name
    self.type = type
    self.summary = summary
  }
}

/// A table of functions the host pushes (`tuna`, `tuna.pruners`, …), with its documentation.
public struct LuaLibrary {
  /// Its full name as scripts reach it: `tuna.pruners`.
  public var name: String
  public var summary: String
  public var functions: [LuaBinding]
  /// Plain values set beside the functions (documented only; the host sets them).
  public var fields: [LuaFieldDoc]

  public init(_ name: String, _ summary: String, fields: [LuaFieldDoc] = [], functions: [LuaBinding]) {
    self.name = name
    self.summary = summary
    self.fields = fields
    self.functions = functions
  }
}

/// Everything the host declared to one Lua state: the libraries and classes in the order they
/// were pushed. The annotation file is rendered from it.
public final class LuaAPI {
  public private(set) var libraries: [LuaLibrary] = []
  public private(set) var classes: [LuaClassDoc] = []
  public init() {}

  func record(_ library: LuaLibrary) {
    if let i = libraries.firstIndex(where: { $0.name == library.name }) { libraries[i] = library } else { libraries.append(library) }
  }

  func record(_ doc: LuaClassDoc) {
    if let i = classes.firstIndex(where: { $0.name == doc.name }) { classes[i] = doc } else { classes.append(doc) }
  }

  /// Records the shape of tables the host builds with plain fields (a frozen trial, a result
  /// table) or that scripts hand to it (a sampler's spec): documented only, nothing is pushed.
  public func document(_ shape: LuaClassDoc) { record(shape) }
}

/// What a class shows scripts: its methods and its readable fields.
public struct LuaClassDoc {
  public var name: String
  public var summary: String
  public var methods: [LuaBinding]
  public var fields: [LuaFieldDoc]
  /// What calling an object does, for objects that can be called (`__call`); its parameters
  /// are the arguments after the object itself.
  public var call: LuaBinding?

  public init(name: String, summary: String, methods: [LuaBinding] = [], fields: [LuaFieldDoc] = [], call: LuaBinding? = nil) {
    self.name = name
    self.summary = summary
    self.methods = methods
    self.fields = fields
    self.call = call
  }
}

extension Lua {
  /// Pushes a host function under a registered name (used in messages when the call site gives
  /// none).
  public func push(binding: LuaBinding) {
    _ = hostCallbacksInstalled
    let box = Unmanaged.passRetained(HostFunctionBox(binding.body, name: binding.name)).toOpaque()
    ls_pushhostfunction(state, box)
  }

  /// Pushes a new table holding the library's functions, and records the library in `api`.
  public func push(library: LuaLibrary, recordingIn api: LuaAPI?) {
    newTable(recordCount: Int32(library.functions.count + library.fields.count))
    for binding in library.functions {
      push(binding: binding)
      rawSet(-2, binding.name)
    }
    api?.record(library)
  }
}
