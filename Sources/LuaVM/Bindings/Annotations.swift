/// Renders what a state's host declared as a LuaLS definition file (`---@meta`), so editors
/// complete and check calls into the host's tables and objects.
/// Format: https://luals.github.io/wiki/annotations/
extension LuaAPI {
  /// The file's text. `module` names the meta file (`require(module)` resolves to it); `header`
  /// lines become comments at the top.
  public func annotations(module: String, header: [String]) -> String {
    var out = ["---@meta \(module)", ""]
    out += header.map { "-- " + $0 }
    for library in libraries {
      out.append("")
      out += comment(library.summary)
      out.append("\(library.name) = {}")
      for field in library.fields {
        out += comment(field.summary)
        out.append("---@type \(field.type)")
        out.append("\(library.name).\(field.name) = nil")
      }
      for function in library.functions {
        out.append("")
        out += signature(function)
        out.append("function \(library.name).\(function.name)(\(parameterNames(function))) end")
      }
    }
    for doc in classes {
      let local = localName(doc.name)
      out.append("")
      out += comment(doc.summary)
      out.append("---@class \(doc.name)")
      for field in doc.fields {
        out.append("---@field \(field.name) \(field.type)" + (field.summary.isEmpty ? "" : " \(field.summary)"))
      }
      if let call = doc.call {
        out.append("---@overload fun(\(call.parameters))" + (call.returns.isEmpty ? "" : ": \(call.returns)"))
      }
      out.append("local \(local) = {}")
      for method in doc.methods {
        out.append("")
        out += signature(method)
        out.append("function \(local):\(method.name)(\(parameterNames(method))) end")
      }
    }
    if libraries.contains(where: { $0.name == module }) {
      out += ["", "return \(module)"]
    }
    return out.joined(separator: "\n") + "\n"
  }

  private func comment(_ text: String) -> [String] {
    text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map { "---" + $0 }
  }

  private func signature(_ binding: LuaBinding) -> [String] {
    var lines = comment(binding.summary)
    for parameter in Self.split(binding.parameters) {
      let (name, type) = Self.nameAndType(parameter)
      lines.append("---@param \(name) \(type)")
    }
    for result in Self.split(binding.returns) {
      lines.append("---@return \(result)")
    }
    return lines
  }

  private func parameterNames(_ binding: LuaBinding) -> String {
    Self.split(binding.parameters).map { parameter in
      var name = Self.nameAndType(parameter).name
      if name.hasSuffix("?") { name.removeLast() }
      return name
    }.joined(separator: ", ")
  }

  /// `tuna.Study` → `Study` (a local for the class's methods).
  private func localName(_ className: String) -> String {
    String(className.split(separator: ".").last ?? Substring(className)).filter { $0.isLetter || $0.isNumber || $0 == "_" }
  }

  /// `low: number` → ("low", "number"); `options?: { … }` → ("options?", "{ … }").
  static func nameAndType(_ parameter: String) -> (name: String, type: String) {
    guard let colon = parameter.firstIndex(of: ":") else { return (parameter.trimmed, "any") }
    return (String(parameter[..<colon]).trimmed, String(parameter[parameter.index(after: colon)...]).trimmed)
  }

  /// Splits a list at the commas outside brackets, braces, parentheses and angle brackets.
  public static func split(_ list: String) -> [String] {
    var parts: [String] = [], current = "", depth = 0
    for c in list {
      switch c {
      case "(", "{", "[", "<": depth += 1
      case ")", "}", "]", ">": depth -= 1
      case "," where depth == 0:
        parts.append(current.trimmed)
        current = ""
        continue
      default: break
      }
      current.append(c)
    }
    if !current.trimmed.isEmpty { parts.append(current.trimmed) }
    return parts
  }
}

extension String {
  fileprivate var trimmed: String {
    var s = Substring(self)
    while s.first?.isWhitespace == true { s.removeFirst() }
    while s.last?.isWhitespace == true { s.removeLast() }
    return String(s)
  }
}
