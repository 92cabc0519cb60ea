import ArgumentParser
import Foundation

// tuna-bench: Tuna's figures — the bridge's call costs, per-trial overheads, training, samplers,
// pruning, storage and analysis — as ratios against baselines measured in the same run.

struct TunaBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tuna-bench",
    abstract: "Measure Tuna: figures are ratios against baselines measured in the same run.",
    discussion: "Build and run in release mode (swift build -c release --product tuna-bench).",
    subcommands: [
      AllCommand.self, BridgeCommand.self, OverheadCommand.self, TrainCommand.self, ForestCommand.self, SamplersCommand.self, RegretCommand.self, ParallelCommand.self, PruneCommand.self,
      StorageCommand.self, AnalysisCommand.self, MemoryProbeCommand.self,
    ],
    defaultSubcommand: AllCommand.self)
}

TunaBench.main()
