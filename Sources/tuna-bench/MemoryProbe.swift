import Foundation
import LuaVM
import TunaLua
import TunaSearch

/// Memory of one growing study (1-float objective, random sampler, in memory), read at
/// checkpoints. Each path runs in a fresh child process so that its peak RSS is its own.
enum MemoryProbe {
  enum Mode: String, Codable, CaseIterable {
    case engine, core
  }

  struct Checkpoint: Codable {
    var trials: Int
    /// getrusage ru_maxrss: the process's peak resident memory so far (includes the parent's
    /// at the spawn, which Linux carries across exec).
    var maxResidentBytes: Int
    /// VmHWM: this program's own peak resident memory so far.
    var peakResidentBytes: Int
    /// /proc/self/statm: resident memory now.
    var residentBytes: Int
    /// The engine's Lua state (nil for the core): bytes held, the same after a full
    /// collection, and the most it has held.
    var luaUsedBytes: Int?
    var luaUsedAfterCollectBytes: Int?
    var luaPeakBytes: Int?
    /// CPU time of the step that led here, and its trials.
    var stepTrials: Int
    var stepCPUSeconds: Double
  }

  struct Probe: Codable {
    var mode: Mode
    /// false when the child process could not be run and the probe ran in this process (then
    /// peak RSS includes what ran before).
    var inChildProcess: Bool
    var checkpoints: [Checkpoint]

    /// Resident memory gained from the end of the warm-up step to the end, per 10,000 trials.
    var residentGrowthBytesPer10k: Double { growth(\.residentBytes) }
    var luaGrowthBytesPer10k: Double? {
      checkpoints.allSatisfy { $0.luaUsedAfterCollectBytes != nil } ? growth { $0.luaUsedAfterCollectBytes! } : nil
    }

    private func growth(_ bytes: (Checkpoint) -> Int) -> Double {
      let from = checkpoints[1], to = checkpoints.last!
      return Double(bytes(to) - bytes(from)) / Double(to.trials - from.trials) * 10_000
    }
  }

  struct Results: Codable {
    var engine: Probe
    var core: Probe
    var engineResidentGrowthMiBPer10k: Double
    var coreResidentGrowthMiBPer10k: Double
  }

  /// Runs both probes, each in a child process (`tuna-bench _memory MODE`).
  static func run(_ settings: BenchSettings) throws -> Results {
    let engine = try probeInChild(.engine, settings)
    let core = try probeInChild(.core, settings)
    return Results(
      engine: engine, core: core,
      engineResidentGrowthMiBPer10k: engine.residentGrowthBytesPer10k / 1_048_576,
      coreResidentGrowthMiBPer10k: core.residentGrowthBytesPer10k / 1_048_576)
  }

  /// The child's side: probes in this process and prints the JSON on stdout.
  static func childMain(mode text: String?, _ settings: BenchSettings) throws {
    guard let text, let mode = Mode(rawValue: text) else { throw BenchError("_memory needs engine or core") }
    let probe = try self.probe(mode, steps: settings.memorySteps, inChildProcess: true)
    FileHandle.standardOutput.write(try JSONEncoder().encode(probe))
  }

  private static func probeInChild(_ mode: Mode, _ settings: BenchSettings) throws -> Probe {
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["_memory", mode.rawValue] + (settings.quick ? ["--quick"] : [])
    let pipe = Pipe()
    process.standardOutput = pipe
    do {
      try process.run()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      if process.terminationStatus == 0 { return try JSONDecoder().decode(Probe.self, from: data) }
    } catch {}
    FileHandle.standardError.write(Data("tuna-bench: the memory probe's child process failed; probing in this process\n".utf8))
    return try probe(mode, steps: settings.memorySteps, inChildProcess: false)
  }

  /// One study grown by `steps` trials at a time, with a checkpoint before and after each step.
  static func probe(_ mode: Mode, steps: [Int], inChildProcess: Bool) throws -> Probe {
    var checkpoints: [Checkpoint] = []
    var trials = 0
    switch mode {
    case .engine:
      let engine = try TunaEngine()
      try engine.run(
        "study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }\nobjective = " + Space.oneFloat.luaObjective,
        chunkName: "memory.lua")
      func checkpoint(_ step: Int, _ timing: Timing) {
        var c = Checkpoint(
          trials: trials, maxResidentBytes: ProcessMemory.maxResident, peakResidentBytes: ProcessMemory.peakResident,
          residentBytes: ProcessMemory.resident,
          luaUsedBytes: engine.state.memoryUsed, stepTrials: step, stepCPUSeconds: timing.cpuSeconds)
        // Twice: userdata with __gc are freed by the cycle after the one that finalizes them.
        engine.state.lua.collectGarbage()
        engine.state.lua.collectGarbage()
        c.luaUsedAfterCollectBytes = engine.state.memoryUsed
        c.luaPeakBytes = engine.state.memoryPeak
        checkpoints.append(c)
      }
      checkpoint(0, Timing(cpuSeconds: 0, wallSeconds: 0))
      for step in steps {
        let timing = try measure {
          try engine.run("study:optimize(objective, { n_trials = \(step), show_progress = false })", chunkName: "memory.lua")
        }
        trials += step
        checkpoint(step, timing)
      }
      guard try engine.studies[0].trials(states: [.complete]).count == trials else { throw BenchError("memory probe: trials missing") }
    case .core:
      let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 1))
      let objective = Space.oneFloat.swiftObjective
      func checkpoint(_ step: Int, _ timing: Timing) {
        checkpoints.append(Checkpoint(
          trials: trials, maxResidentBytes: ProcessMemory.maxResident, peakResidentBytes: ProcessMemory.peakResident,
          residentBytes: ProcessMemory.resident,
          stepTrials: step, stepCPUSeconds: timing.cpuSeconds))
      }
      checkpoint(0, Timing(cpuSeconds: 0, wallSeconds: 0))
      for step in steps {
        let timing = try measure { try study.optimize(nTrials: step, objective) }
        trials += step
        checkpoint(step, timing)
      }
    }
    return Probe(mode: mode, inChildProcess: inChildProcess, checkpoints: checkpoints)
  }

  // MARK: Tables

  static func tables(_ results: Results, settings: BenchSettings) -> [Table] {
    var table = Table(
      "Memory: one study grown in steps (1-float objective, random sampler, in memory), fresh process per path",
      headers: ["path", "trials", "ru_maxrss MiB", "VmHWM MiB", "RSS MiB", "Lua KiB", "Lua after GC KiB", "Lua peak KiB", "µs/trial in step"])
    func kib(_ bytes: Int?) -> String { bytes.map { fixed(Double($0) / 1024, 1) } ?? "—" }
    for probe in [results.engine, results.core] {
      for c in probe.checkpoints {
        table.add(
          probe.mode.rawValue, grouped(c.trials), mebibytes(c.maxResidentBytes), mebibytes(c.peakResidentBytes),
          mebibytes(c.residentBytes),
          kib(c.luaUsedBytes), kib(c.luaUsedAfterCollectBytes), kib(c.luaPeakBytes),
          c.stepTrials > 0 ? fixed(c.stepCPUSeconds / Double(c.stepTrials) * 1e6, 2) : "")
      }
    }
    let engine = results.engine, core = results.core
    let from = engine.checkpoints[1].trials, to = engine.checkpoints.last!.trials
    let firstStep = engine.checkpoints[1], lastStep = engine.checkpoints.last!
    func perTrial(_ c: Checkpoint) -> Double { c.stepCPUSeconds / Double(c.stepTrials) }
    table.notes = [
      "ru_maxrss (getrusage) keeps the parent's RSS across exec on Linux; VmHWM is the child's own peak.",
      "Growth from \(grouped(from)) to \(grouped(to)) trials, per 10,000 trials: RSS engine \(fixed(results.engineResidentGrowthMiBPer10k, 2)) MiB"
        + " (\(fixed(engine.residentGrowthBytesPer10k / 10_000, 0)) B/trial), core \(fixed(results.coreResidentGrowthMiBPer10k, 2)) MiB"
        + " (\(fixed(core.residentGrowthBytesPer10k / 10_000, 0)) B/trial); Lua heap after GC \(fixed((engine.luaGrowthBytesPer10k ?? .nan) / 1024, 1)) KiB.",
      "The in-memory storage keeps every trial by design; growth beyond the core's is the engine's own.",
      "Per-trial CPU time of the last step ÷ the first (single runs; the first includes warm-up): engine "
        + fixed(perTrial(lastStep) / perTrial(firstStep), 2) + ", core "
        + fixed(perTrial(core.checkpoints.last!) / perTrial(core.checkpoints[1]), 2) + ".",
    ] + (engine.inChildProcess && core.inChildProcess ? [] : ["The child process failed: probed in this process, so max RSS includes earlier runs."])
    return [table]
  }
}
