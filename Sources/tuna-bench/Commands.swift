import ArgumentParser
import Foundation

// One command per benchmark; what each measures is in its own file (BridgeBench, …).

struct BridgeCommand: PlainBenchmark {
  typealias Measured = BridgeBench
  static let configuration = CommandConfiguration(commandName: "bridge", abstract: "Lua→Swift and Swift→Lua call costs.")
  @OptionGroup var common: CommonOptions
  var timer: String { "thread CPU time, best of \(common.settings.repetitions)" }
}

struct OverheadCommand: PlainBenchmark {
  typealias Measured = OverheadBench
  static let configuration = CommandConfiguration(
    commandName: "overhead", abstract: "The per-trial cost of a study run through the Lua engine, and its memory.")
  @OptionGroup var common: CommonOptions
  var timer: String { "thread CPU time, best of \(common.settings.repetitions)" }
}

/// The default: bridge and overhead (train is separate: it takes a while).
struct AllCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "all", abstract: "bridge and overhead.")
  @OptionGroup var common: CommonOptions

  func run() throws {
    let settings = common.settings
    announce("all", settings, timer: "thread CPU time, best of \(settings.repetitions)")
    var report = Report(command: "all", settings: settings)
    report.results.append(("bridge", try show(BridgeBench.self, settings)))
    report.results.append(("overhead", try show(OverheadBench.self, settings)))
    try report.write(common.json)
  }

  private func show<M: Measurement>(_ measurement: M.Type, _ settings: BenchSettings) throws -> M.Results {
    let results = try M.run(settings)
    M.tables(results, settings).forEach { say($0.render()) }
    return results
  }
}

struct TrainCommand: PlainBenchmark {
  typealias Measured = TrainBench
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Training throughput of the neural-network core (digits MLP, wide MLP).")
  @OptionGroup var common: CommonOptions
}

struct ForestCommand: PlainBenchmark {
  typealias Measured = ForestBench
  static let configuration = CommandConfiguration(
    commandName: "forest", abstract: "scikit-learn's random-forest GridSearchCV example (27 configurations × 5 folds).")
  @OptionGroup var common: CommonOptions
}

struct SamplersCommand: Benchmark {
  static let configuration = CommandConfiguration(
    commandName: "samplers", abstract: "Each sampler's cost per trial at 100, 300 and 1,000 trials, on two spaces.")
  @OptionGroup var common: CommonOptions
  @Option(help: ArgumentHelp("Only these samplers (comma-separated names, e.g. tpe,cmaes).", valueName: "list"))
  var samplers: NameList?
  func measure(_ settings: BenchSettings) throws -> [SamplerBench.CostRow] {
    try SamplerBench.runCost(quick: settings.quick, only: samplers?.names)
  }
  func tables(_ results: [SamplerBench.CostRow], _ settings: BenchSettings) -> [Table] { [SamplerBench.costTable(results)] }
}

struct RegretCommand: Benchmark {
  static let configuration = CommandConfiguration(
    commandName: "regret",
    abstract: "Each sampler's simple regret on 15 problems at 50 and 200 trials.",
    discussion: """
      Smooth, separable, ill-conditioned, multimodal, noisy, integer, mixed, conditional, 20-d and 30-d \
      problems, and two real tasks looked up in tables: the digits MLP, a forest on breast_cancer.
      """)
  @OptionGroup var common: CommonOptions
  @Option(help: "Seeds per sampler and problem (default 10, 3 with --quick).")
  var seeds: Int?
  @Option(help: ArgumentHelp("Only these samplers (comma-separated names, e.g. tpe,cmaes).", valueName: "list"))
  var samplers: NameList?
  @Option(help: ArgumentHelp("Only these problems (comma-separated names, e.g. Branin,Levy-20D).", valueName: "list"))
  var problems: NameList?
  func validate() throws { if let seeds, seeds < 1 { throw ValidationError("--seeds must be a positive integer") } }
  func seedCount(_ settings: BenchSettings) -> Int { seeds ?? (settings.quick ? 3 : 10) }
  func measure(_ settings: BenchSettings) throws -> [SamplerBench.RegretRow] {
    try SamplerBench.runRegret(seeds: seedCount(settings), only: samplers?.names, problems: problems?.names)
  }
  func tables(_ results: [SamplerBench.RegretRow], _ settings: BenchSettings) -> [Table] {
    [SamplerBench.regretTable(results, seeds: seedCount(settings))]
  }
}

struct ParallelCommand: PlainBenchmark {
  typealias Measured = ParallelBench
  static let configuration = CommandConfiguration(
    commandName: "parallel",
    abstract: "A deterministic study's throughput against the same study running free (2 and 4 workers, lag 4 and 8).")
  @OptionGroup var common: CommonOptions
}

struct PruneCommand: Benchmark {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract: "TPE tuning the digits MLP without a pruner and with the median pruner, ASHA and Hyperband.")
  @OptionGroup var common: CommonOptions
  @Option(help: "Sampler seeds 0..N-1 (default 3, 1 with --quick).")
  var seeds: Int?
  var timer: String {
    "wall time per study, median over \(PruneBench.sizes(quick: common.settings.quick, seeds: seeds).seeds) seed(s)"
  }
  func validate() throws { if let seeds, seeds < 1 { throw ValidationError("--seeds must be a positive integer") } }
  func measure(_ settings: BenchSettings) throws -> PruneBench.Results { try PruneBench.run(quick: settings.quick, seeds: seeds) }
  func tables(_ results: PruneBench.Results, _ settings: BenchSettings) -> [Table] {
    PruneBench.tables(results, quick: settings.quick)
  }
}

struct StorageCommand: Benchmark {
  static let configuration = CommandConfiguration(
    commandName: "storage",
    abstract: "Stored studies against memory per trial, processes sharing a study, and 2 workers on the digits MLP.",
    discussion: "Needs the tuna executable next to tuna-bench.")
  @OptionGroup var common: CommonOptions
  @Option(help: ArgumentHelp(
    "A PostgreSQL database to measure beside memory and SQLite (also from TUNA_BENCH_POSTGRES_URL); its studies are left in place.",
    valueName: "url"))
  var postgres: String?
  @Flag(help: "Also the throughput of processes on 3 hosts (network namespaces; root).")
  var hosts = false
  func measure(_ settings: BenchSettings) throws -> StorageBench.Results {
    try StorageBench.run(
      quick: settings.quick, repetitions: settings.repetitions,
      postgres: postgres ?? ProcessInfo.processInfo.environment["TUNA_BENCH_POSTGRES_URL"], hosts: hosts)
  }
  func tables(_ results: StorageBench.Results, _ settings: BenchSettings) -> [Table] {
    StorageBench.tables(results, quick: settings.quick)
  }
}

struct AnalysisCommand: PlainBenchmark {
  typealias Measured = AnalysisBench
  static let configuration = CommandConfiguration(
    commandName: "analysis",
    abstract: "PED-ANOVA and fANOVA on 1,000 and 10,000 trials beside the forest fit; tuna report on a 10,000-trial study.")
  @OptionGroup var common: CommonOptions
}

/// Internal: one memory probe in a fresh process (`_memory engine|core`), JSON on stdout.
struct MemoryProbeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "_memory", shouldDisplay: false)
  @Argument var mode: String?
  @Flag var quick = false
  func run() throws {
    try MemoryProbe.childMain(mode: mode, BenchSettings(quick: quick, repetitions: 1))
  }
}
