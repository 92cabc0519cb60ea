import ArgumentParser
import Foundation
import TunaLua

/// `tuna annotations`: the LuaLS definition file for the `tuna` module, rendered from the
/// bindings themselves (the copy shipped in `scripts/types/tuna.lua` is checked against it).
struct AnnotationsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "annotations",
    abstract: "Print the Lua language server's definitions of the tuna module (---@meta).",
    discussion: "Point the language server at the file (Lua.workspace.library) so editors complete and check tuna.* calls."
  )

  @Option(name: [.short, .long], help: "Write the file here instead of printing it.")
  var output: String?

  func run() throws {
    let text = try TunaEngine.annotations()
    if let output {
      try Data(text.utf8).write(to: URL(fileURLWithPath: output))
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
  }
}
