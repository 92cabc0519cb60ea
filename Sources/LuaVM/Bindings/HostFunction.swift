import CLua
import CLuaShim

/// A Swift function Lua can call. It reads its arguments from the stack, pushes its results and
/// returns how many it pushed. It reports a failure by throwing, never by raising: the C
/// trampoline raises after this frame has returned (design rule 1).
public typealias HostFunction = (Lua) throws -> Int32

/// Holds a host function for the C trampoline; Lua owns one retain, released by `__gc`.
final class HostFunctionBox {
  let body: HostFunction
  /// The name it was registered under (a `LuaBinding`'s), for messages when the call site
  /// gives none (`pcall(f, ...)`).
  let name: String?
  init(_ body: @escaping HostFunction, name: String? = nil) {
    self.body = body
    self.name = name
  }
}

/// Entered from `ls_trampoline` for every host function call.
private let dispatchHost: ls_dispatch_fn = { state, box in
  let lua = Lua(state!)
  let function = Unmanaged<HostFunctionBox>.fromOpaque(box!)
  do {
    return try function._withUnsafeGuaranteedRef { try $0.body(lua) }
  } catch let error as ArgumentError {
    let registered = function._withUnsafeGuaranteedRef { $0.name }
    error.message.withCString { message in
      withOptionalCString(error.function) { name in
        withOptionalCString(registered) { ls_push_argerror(state, error.position, name, $0, message) }
      }
    }
    return Int32(LS_RAISE_WHERE)
  } catch let error as DeadlineExceeded {
    lua.push(error.message)
    return Int32(LS_RAISE_WHERE)
  } catch let error as ScriptError {
    lua.push(error.message)
    return Int32(LS_RAISE_WHERE)
  } catch let error as LuaError {
    // A nested call failed: re-raise its message as is, and keep its traceback for the outer
    // message handler so the report points at the line that really failed.
    if let traceback = error.traceback {
      ls_set_nested_traceback(state, error.message, traceback)
    }
    lua.push(error.message)
    return Int32(LS_RAISE)
  } catch is RaiseTopOfStack {
    return Int32(LS_RAISE)
  } catch {
    lua.push(HostErrors.describe?(error) ?? String(describing: error))
    return Int32(LS_RAISE_WHERE)
  }
}

/// How the errors of the libraries a binding wraps reach scripts: an error that is none of
/// LuaVM's own is raised as its description, or as what `describe` makes of it (a binding
/// renders the libraries' names its way). Set once, before scripts run.
public enum HostErrors {
  public nonisolated(unsafe) static var describe: ((any Error) -> String)?
}

/// Runs `body` with `text` as a C string, or with NULL when there is none.
private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
  guard let text else { return body(nil) }
  return text.withCString { body($0) }
}

/// Releases a retained object (a host function box or a bound Swift object).
private let releaseHostObject: ls_release_fn = { object in
  Unmanaged<AnyObject>.fromOpaque(object!).release()
}

/// Installs the trampoline's callbacks once per process.
let hostCallbacksInstalled: Bool = {
  ls_set_host_callbacks(dispatchHost, releaseHostObject)
  return true
}()
