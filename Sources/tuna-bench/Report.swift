import Foundation

/// Everything one run measured, as written by `--json`.
struct Report: Codable {
  var tool = "tuna-bench"
  var command: String
  var settings: BenchSettings
  /// What the `seconds` figures are: the best of `repetitions` runs of each measurement.
  var timer = "thread CPU time (CLOCK_THREAD_CPUTIME_ID), best of N; wall time alongside"
  var bridge: BridgeBench.Results?
  var overhead: OverheadBench.Results?
  var train: TrainBench.Results?
  var forest: ForestBench.Results?
  var samplers: [SamplerBench.CostRow]?
  var regret: [SamplerBench.RegretRow]?
  var parallel: [ParallelBench.Row]?
  var prune: PruneBench.Results?
  var storage: StorageBench.Results?
  var analysis: AnalysisBench.Results?

  /// Writes the report to `path`, when one was given, and says so.
  func write(_ path: String?) throws {
    guard let path else { return }
    try write(to: path)
    say("results written to \(path)")
  }

  func write(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = try encoder.encode(self)
    try data.write(to: URL(fileURLWithPath: path))
  }
}
