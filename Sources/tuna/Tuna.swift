import ArgumentParser
import Foundation

/// The `tuna` command. Exit codes: 0 success, 1 the script failed, 2 bad usage.
@main
struct Tuna: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tuna",
    abstract: "Hyperparameter tuning driven by Lua scripts.",
    version: "0.1.0",
    subcommands: [
      Run.self, StudiesCommand.self, TrialsCommand.self, BestCommand.self, ExportCommand.self, DeleteCommand.self, CopyCommand.self,
      ImportanceCommand.self, ReportCommand.self, AnnotationsCommand.self,
    ]
  )

  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let code as ExitCode {
      Foundation.exit(code.rawValue)
    } catch {
      // Usage mistakes exit 2 (argument parser's default is 64); help and version exit 0.
      let code = exitCode(for: error)
      if code == .validationFailure {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }
}
