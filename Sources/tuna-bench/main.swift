import Foundation

// tuna-bench: the bridge's call costs and the per-trial overhead of studies, as ratios against
// baselines measured in the same run.

let arguments: Arguments
do {
  arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
} catch let error as Arguments.UsageError {
  if error.description.isEmpty {  // --help
    FileHandle.standardOutput.write(Data((Arguments.usage + "\n").utf8))
    exit(0)
  }
  FileHandle.standardError.write(Data("tuna-bench: \(error.description)\n\(Arguments.usage)\n".utf8))
  exit(2)
}

/// Prints a line at once (the runs take a while).
func say(_ text: String) {
  FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

do {
  let settings = arguments.settings
  if arguments.command == .memoryProbe {
    try MemoryProbe.childMain(mode: arguments.probeMode, settings)
    exit(0)
  }
  #if DEBUG
    say("warning: a debug build; its figures mean little (swift build -c release)\n")
  #endif
  let timer =
    if arguments.command == .prune {
      "wall time per study, median over \(PruneBench.sizes(quick: settings.quick, seeds: arguments.seeds).seeds) seed(s)"
    } else if arguments.command == .storage {
      "wall time, median of \(settings.repetitions)"
    } else {
      ([.train, .forest, .samplers, .regret, .parallel, .analysis].contains(arguments.command) ? "wall time, median" : "thread CPU time, best")
        + " of \(settings.repetitions)"
    }
  say("tuna-bench \(arguments.command.rawValue)\(settings.quick ? " --quick" : ""): \(timer)\n")
  var report = Report(command: arguments.command.rawValue, settings: settings)
  if arguments.command == .train {
    let results = try TrainBench.run(quick: settings.quick, repetitions: settings.repetitions)
    report.train = results
    TrainBench.tables(results, repetitions: settings.repetitions).forEach { say($0.render()) }
  }
  if arguments.command == .forest {
    let results = try ForestBench.run(quick: settings.quick, repetitions: settings.repetitions)
    report.forest = results
    ForestBench.tables(results).forEach { say($0.render()) }
  }
  if arguments.command == .samplers {
    let rows = try SamplerBench.runCost(quick: settings.quick, only: arguments.samplerNames)
    report.samplers = rows
    say(SamplerBench.costTable(rows).render())
  }
  if arguments.command == .regret {
    let seeds = arguments.seeds ?? (settings.quick ? 3 : 10)
    let rows = try SamplerBench.runRegret(seeds: seeds, only: arguments.samplerNames, problems: arguments.problemNames)
    report.regret = rows
    say(SamplerBench.regretTable(rows, seeds: seeds).render())
  }
  if arguments.command == .parallel {
    let rows = try ParallelBench.run(quick: settings.quick, repetitions: settings.quick ? 1 : 3)
    report.parallel = rows
    say(ParallelBench.table(rows).render())
  }
  if arguments.command == .prune {
    let results = try PruneBench.run(quick: settings.quick, seeds: arguments.seeds)
    report.prune = results
    PruneBench.tables(results, quick: settings.quick).forEach { say($0.render()) }
  }
  if arguments.command == .storage {
    let results = try StorageBench.run(
      quick: settings.quick, repetitions: settings.repetitions, postgres: arguments.postgres, hosts: arguments.hosts)
    report.storage = results
    StorageBench.tables(results, quick: settings.quick).forEach { say($0.render()) }
  }
  if arguments.command == .analysis {
    let results = try AnalysisBench.run(quick: settings.quick, repetitions: settings.repetitions)
    report.analysis = results
    AnalysisBench.tables(results).forEach { say($0.render()) }
  }
  if arguments.command == .bridge || arguments.command == .all {
    let results = try BridgeBench.run(settings)
    report.bridge = results
    BridgeBench.tables(results, settings: settings).forEach { say($0.render()) }
  }
  if arguments.command == .overhead || arguments.command == .all {
    let results = try OverheadBench.run(settings)
    report.overhead = results
    OverheadBench.tables(results, settings: settings).forEach { say($0.render()) }
  }
  if let path = arguments.jsonPath {
    try report.write(to: path)
    say("results written to \(path)")
  }
} catch {
  FileHandle.standardError.write(Data("tuna-bench: \(error)\n".utf8))
  exit(1)
}
