import ArgumentParser
import Foundation

/// The options every benchmark takes.
struct CommonOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "path"))
  var json: String?

  @Flag(help: "A smaller, faster run (for tests); figures are rougher.")
  var quick = false

  @Option(help: "Runs of each measurement (default 5, 3 with --quick): the best of them for CPU times, the median for wall times.")
  var repetitions: Int?

  func validate() throws {
    if let repetitions, repetitions < 1 { throw ValidationError("--repetitions must be a positive integer, got \(repetitions)") }
  }

  /// The settings printed with the results and used for every measurement.
  var settings: BenchSettings { BenchSettings(quick: quick, repetitions: repetitions ?? (quick ? 3 : 5)) }
}

/// One benchmark: it measures, gives a `Codable` result and shows it as tables; the JSON report
/// holds the result under the command's name.
protocol Benchmark: ParsableCommand {
  associatedtype Results: Codable
  var common: CommonOptions { get }
  /// How the figures are timed, for the header.
  var timer: String { get }
  func measure(_ settings: BenchSettings) throws -> Results
  func tables(_ results: Results, _ settings: BenchSettings) -> [Table]
}

/// What a benchmark measures and how it shows it, apart from its command.
protocol Measurement {
  associatedtype Results: Codable
  static func run(_ settings: BenchSettings) throws -> Results
  static func tables(_ results: Results, _ settings: BenchSettings) -> [Table]
}

/// A benchmark whose command has no options of its own: its `Measured` does the work.
protocol PlainBenchmark: Benchmark where Results == Measured.Results {
  associatedtype Measured: Measurement
}

extension PlainBenchmark {
  func measure(_ settings: BenchSettings) throws -> Results { try Measured.run(settings) }
  func tables(_ results: Results, _ settings: BenchSettings) -> [Table] { Measured.tables(results, settings) }
}

extension Benchmark {
  var timer: String { "wall time, median of \(common.settings.repetitions)" }

  /// The command's name, as the header and the report give it.
  static var name: String { configuration.commandName ?? "\(Self.self)".lowercased() }

  func run() throws {
    let settings = common.settings
    announce(Self.name, settings, timer: timer)
    let results = try measure(settings)
    tables(results, settings).forEach { say($0.render()) }
    var report = Report(command: Self.name, settings: settings)
    report.results.append((Self.name, results))
    try report.write(common.json)
  }
}

/// The run's header.
func announce(_ name: String, _ settings: BenchSettings, timer: String) {
  #if DEBUG
    say("warning: a debug build; its figures mean little (swift build -c release)\n")
  #endif
  say("tuna-bench \(name)\(settings.quick ? " --quick" : ""): \(timer)\n")
}

/// Prints a line at once (the runs take a while).
func say(_ text: String) {
  FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// The sizes of one run.
struct BenchSettings: Codable {
  var quick: Bool
  var repetitions: Int

  /// Lua→Swift calls per loop.
  var luaToSwiftCalls: Int { quick ? 1_000_000 : 10_000_000 }
  /// Swift→Lua calls per loop.
  var swiftToLuaCalls: Int { quick ? 100_000 : 1_000_000 }
  /// The study sizes for the per-trial overhead.
  var trialCounts: [Int] { quick ? [100, 1_000] : [1_000, 10_000] }
  /// The study size for the space A and B comparisons with Optuna.
  var spaceTrials: Int { quick ? 200 : 1_000 }
  /// The memory probe's steps: a warm-up, then more trials to reach the larger size, then the
  /// same again, so that growth is measured over `memorySteps[1] + memorySteps[2]` trials.
  var memorySteps: [Int] { quick ? [100, 900, 100] : [1_000, 9_000, 1_000] }
}

/// A comma-separated list of names (`--samplers tpe,cmaes`).
struct NameList: ExpressibleByArgument {
  let names: [String]
  init?(argument: String) {
    names = argument.split(separator: ",").map(String.init)
    if names.isEmpty { return nil }
  }
}
