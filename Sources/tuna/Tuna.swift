import ArgumentParser
import Foundation

/// The `tuna` command. Exit codes: 0 success, 1 the script (or a command) failed, 2 bad usage,
/// 3 a script whose trials all failed (`Run.noTrialCompleted`), 130 and 143 interrupted.
/// Every message of Tuna's own starts `tuna: `, usage errors included.
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
        var message = fullMessage(for: error)
        if message.hasPrefix("Error: ") { message = "tuna: " + message.dropFirst("Error: ".count) }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }
}
