import ArgumentParser
import Foundation
import LuaVM
import TunaIsolation
import TunaLua
import TunaReport
import TunaSearch
import TunaStore
import TunaTrain

/// `tuna run SCRIPT`: runs a tuning script headless.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a tuning script.",
    discussion: """
      Options given here override the script's own: --trials and --timeout apply to every \
      study:optimize call, --seed to every sampler. Arguments after `--` reach the script \
      as the `arg` table (arg[0] is the script's path) and as the chunk's `...`.
      """
  )

  @Argument(help: "The Lua script to run.")
  var script: String

  @Option(parsing: .unconditional, help: "Trials per optimize call, overriding the script's n_trials.")
  var trials: Int?

  @Option(parsing: .unconditional, help: "Seconds for the whole script: optimize calls stop starting trials when they are spent, and the script is stopped wherever it is after a grace of a tenth (at least 1 s).")
  var timeout: Double?

  @Option(parsing: .unconditional, help: "Workers per optimize call, each running the script in its own Lua state, sharing the study and its trial budget.")
  var workers: Int?

  @Option(help: "Storage for studies that name none, like sqlite:tuna.db (default: in memory).")
  var storage: String?

  @Flag(help: "Continue stored studies: load_if_exists defaults to true.")
  var resume = false

  @Option(parsing: .unconditional, help: "Seed for every sampler the script creates.")
  var seed: Int64?

  @Option(name: .customLong("trial-timeout"), parsing: .unconditional, help: "Seconds one trial may run before it fails.")
  var trialTimeout: Double?

  @Option(name: .customLong("memory-limit"), help: "Memory the script may hold, like 256MB or 1GB.")
  var memoryLimit: String?

  @Flag(help: "Run without io, os, package, debug, dofile and loadfile; text-only load.")
  var sandbox = false

  @Option(name: .customLong("allow-read"), help: ArgumentHelp(
    "In the sandbox, a directory Tuna's functions may read from (tuna.data.csv); repeatable.", valueName: "dir"))
  var allowRead: [String] = []

  @Option(name: .customLong("allow-write"), help: ArgumentHelp(
    "In the sandbox, a directory Tuna's functions may write to (storages, tuna.report) and read from; repeatable.",
    valueName: "dir"))
  var allowWrite: [String] = []

  @Flag(help: "Warnings only: failed trials, but no progress, trial lines or summary (--log-level warning).")
  var quiet = false

  @Flag(name: [.short, .long], help: "Also log every trial on a terminal, and each trial's start (--log-level debug).")
  var verbose = false

  @Option(name: .customLong("log-level"), help: ArgumentHelp(
    "error, warning, info or debug (default info: a line per finished trial when standard error is not a terminal, the progress line when it is).",
    valueName: "level"))
  var logLevel: LogLevel?

  @Option(name: .customLong("log-format"), help: ArgumentHelp(
    "text, or json: one JSON object per event on standard error.", valueName: "format"))
  var logFormat: LogFormat = .text

  @Option(name: .customLong("fail-after"), parsing: .unconditional, help: ArgumentHelp(
    "Stop each optimize call once this many trials in a row have failed (the script's max_consecutive_failures).",
    valueName: "n"))
  var failAfter: Int?

  @Flag(help: "Run every trial in a worker process (--workers of them): a trial that crashes, hangs in native code or outgrows its limits fails alone, and this process runs no script code.")
  var isolate = false

  @Option(help: ArgumentHelp(
    "Write the HTML report of the script's studies to this file when the run ends (also after Ctrl-C).",
    valueName: "file"))
  var report: String?

  @Argument(parsing: .postTerminator, help: "Arguments for the script, after `--`.")
  var scriptArguments: [String] = []

  func validate() throws {
    if let failAfter, failAfter < 1 { throw ValidationError("--fail-after must be >= 1, got \(failAfter)") }
    if [quiet, verbose, logLevel != nil].filter({ $0 }).count > 1 {
      throw ValidationError("give one of --quiet, --verbose and --log-level")
    }
    if let trials, trials < 0 { throw ValidationError("--trials must be >= 0, got \(trials)") }
    if let workers, workers < 1 { throw ValidationError("--workers must be >= 1, got \(workers)") }
    if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be > 0 seconds, got \(timeout)") }
    if let trialTimeout, !(trialTimeout > 0) {
      throw ValidationError("--trial-timeout must be > 0 seconds, got \(trialTimeout)")
    }
    if let memoryLimit, parseSize(memoryLimit) == nil {
      throw ValidationError("--memory-limit must be a size with a unit, like 256MB, 1GB or 512KB, got '\(memoryLimit)'")
    }
    if let storage {
      // The URL is checked before the script runs, not at its first create_study.
      do { _ = try storageFilePath(storage) } catch { throw ValidationError("--storage: \(error.description)") }
    }
    for (option, directories) in [("--allow-read", allowRead), ("--allow-write", allowWrite)] {
      for directory in directories {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
          throw ValidationError("\(option) needs an existing directory, got '\(directory)'")
        }
      }
      if !directories.isEmpty, !sandbox { throw ValidationError("\(option) grants directories to the sandbox: add --sandbox") }
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: script, isDirectory: &isDirectory), !isDirectory.boolValue else {
      throw ValidationError("cannot open \(script): no such file")
    }
  }

  func run() throws {
    var configuration = TunaEngine.Configuration()
    configuration.sandbox = sandbox
    configuration.files = FileGrants(read: allowRead, write: allowWrite)
    configuration.memoryLimit = memoryLimit.flatMap(parseSize)
    configuration.trialTimeout = trialTimeout
    configuration.nTrials = trials
    configuration.timeout = timeout
    configuration.seed = seed.map { UInt64(bitPattern: $0) }
    configuration.workers = workers
    configuration.storage = storage
    configuration.resume = resume
    configuration.maxConsecutiveFailures = failAfter

    // One BLAS thread unless the environment asks for more: a trial's matrices are small, and
    // on them OpenBLAS's extra threads cost more than they give (tuna-bench train: digits MLP
    // 337k samples/s on one thread against 347k on two, and a collapse to 60k when the other
    // core is busy; the wide MLP 85k against 69k).
    if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { BLAS.setThreads(1) }

    configuration.interruptible = true

    let code: Int32
    let environment = IsolationEnvironment.ofThisProcess
    configuration.memoryStorage = environment[IsolationEnvironment.memoryStorage]
    switch environment[IsolationEnvironment.role] {
    case "worker":
      code = runIsolatedWorker(configuration)
    case "lead":
      // The script's process under --isolate: its optimize calls go to the parent.
      guard let channel = ControlChannel.ofThisChild() else {
        printError("tuna: started as an isolated run's script process without its control channel")
        throw ExitCode(1)
      }
      ResourceLimits.dieWithParent(signal: SIGTERM)
      configuration.isolation = LeadLink(channel: channel)
      configuration.isolateEveryCall = true
      code = try runEngine(configuration)
    default:
      if isolate {
        code = try runIsolated()
      } else {
        // `isolate = true` in a script: this process supervises that call's workers.
        configuration.isolation = Supervisor(launch: .init(executable: Self.executable, arguments: Self.ownArguments))
        code = try runEngine(configuration)
      }
    }
    // The engine is gone: its Lua state closed and the script's pending finalizers ran. They run
    // with Lua's hooks off, so a watchdog bounds them instead.
    ClosingWatch.disarm()
    if code != 0 { throw ExitCode(code) }
  }

  /// Runs the script in its own engine and returns the exit code; the engine is freed on return
  /// (under the closing watchdog).
  private func runEngine(_ configuration: TunaEngine.Configuration) throws -> Int32 {
    let engine: TunaEngine
    do { engine = try TunaEngine(configuration: configuration) } catch {
      printError(error.description)
      return 1
    }
    defer { ClosingWatch.arm(seconds: 5) }
    // Last (deferred calls run in reverse): the summary and the report have read the studies.
    defer { engine.closeStorages() }
    // Ctrl-C (or SIGTERM): the running trial fails as "interrupted", no other starts, the script
    // stops, the summary prints, exit 130 (143). A second signal ends the process at once.
    let signals = SignalWatch(engine.interruption)
    defer { signals.stop() }
    let log = RunLog(level: level, format: logFormat)
    engine.onEvent = { log.handle($0) }
    var failure: LuaError?
    do {
      try engine.runScript(path: script, arguments: scriptArguments)
    } catch {
      failure = error
    }
    log.close()
    if engine.interruption.isInterrupted {
      printError(signals.terminated ? "tuna: terminated" : "tuna: interrupted")
      if showSummary { printSummary(engine.studies) }
      writeReport(engine.studies)
      return signals.terminated ? 143 : 130
    }
    if let failure {
      printError(failure.description)
      // Stopped by --timeout: what the studies reached is still worth a summary.
      if failure.kind == .timeout, showSummary { printSummary(engine.studies) }
      writeReport(engine.studies)
      return 1
    }
    if showSummary { printSummary(engine.studies) }
    guard writeReport(engine.studies) else { return 1 }
    if log.finishedTrials > 0 && log.completedTrials == 0 {
      printError("tuna: no trial completed (\(log.finishedTrials) finished, none complete)")
      return Self.noTrialCompleted
    }
    return 0
  }

  /// This program, as the kernel knows it (workers run the same binary).
  static var executable: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }

  /// This command's arguments, for its child processes (the same command; their role comes
  /// from their environment).
  static var ownArguments: [String] { Array(CommandLine.arguments.dropFirst()) }

  /// `--isolate`: this process starts the script in a child process and every optimize call's
  /// trials in workers, and runs no script code itself. Ctrl-C and SIGTERM are passed on to
  /// every child; a second one kills them.
  private func runIsolated() throws -> Int32 {
    let run = IsolatedRun(executable: Self.executable, arguments: Self.ownArguments)
    let signals = SignalWatch { signal, _ in run.interrupt(signal: signal) }
    defer { signals.stop() }
    do {
      return try run.run()
    } catch {
      printError("tuna: \(error)")
      return 1
    }
  }

  /// A worker process of an isolated call: runs its part of the call and exits (0 when done,
  /// 130 or 143 when interrupted, 1 when the script failed before its part).
  private func runIsolatedWorker(_ configuration: TunaEngine.Configuration) -> Int32 {
    guard let channel = ControlChannel.ofThisChild(), let text = IsolationEnvironment.ofThisProcess[IsolationEnvironment.job],
      let assignment = try? WorkerAssignment(json: text)
    else {
      printError("tuna: started as a worker process without its job")
      return 1
    }
    ResourceLimits.dieWithParent(signal: SIGKILL)
    if let limit = configuration.memoryLimit { ResourceLimits.limitAddressSpace(adding: limit) }
    let worker: IsolatedWorker
    do {
      worker = try IsolatedWorker(
        configuration: configuration, assignment: assignment, channel: channel, path: script, arguments: scriptArguments)
    } catch {
      printError(error.description)
      return 1
    }
    let signals = SignalWatch(worker.interruption)
    defer { signals.stop() }
    defer { worker.close() }
    do {
      try worker.run()
    } catch {
      if worker.interruption.isInterrupted { return signals.terminated ? 143 : 130 }
      printError(error.description)
      return 1
    }
    return 0
  }

  /// The exit code of a script that ran to its end but whose trials all failed or were pruned.
  static let noTrialCompleted: Int32 = 3

  /// How much the run says: --quiet is warnings, --verbose debug, else --log-level (info).
  var level: LogLevel { quiet ? .warning : verbose ? .debug : logLevel ?? .info }

  /// The end-of-run summary (stdout) shows at info and below.
  var showSummary: Bool { level >= .info }

  /// Writes `--report` when asked for; says why not on standard error and returns false when
  /// it cannot.
  @discardableResult
  func writeReport(_ studies: [Study]) -> Bool {
    guard let report else { return true }
    guard !studies.isEmpty else {
      printError("tuna: no report written: the script created no study")
      return false
    }
    do {
      // Studies without a trial have nothing to show: a script that made thousands of them (a
      // loop of create_study{}) spent seconds rendering empty pages after Ctrl-C.
      let withTrials = try studies.filter { try $0.storage.trialCount(studyID: $0.record.id, states: nil) > 0 }
      let shown = withTrials.isEmpty ? Array(studies.prefix(1)) : withTrials
      try StudyReport.write(try shown.map(StudySnapshot.init), to: report)
      if showSummary { print("Report written to \(report)") }
      return true
    } catch {
      printError("tuna: \(error)")
      return false
    }
  }
}

func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// `256MB`, `1GB`, `512k`, `1048576b`: binary units (1 MB = 2^20 bytes). A bare number is
/// refused: `--memory-limit 64` meant megabytes more often than bytes.
func parseSize(_ text: String) -> Int? {
  let s = text.trimmingCharacters(in: .whitespaces).lowercased()
  let (k, m, g): (Double, Double, Double) = (1024, 1024 * 1024, 1024 * 1024 * 1024)
  let units: [(String, Double)] = [
    ("gib", g), ("gb", g), ("g", g), ("mib", m), ("mb", m), ("m", m), ("kib", k), ("kb", k), ("k", k), ("b", 1),
  ]
  for (suffix, scale) in units where s.hasSuffix(suffix) {
    guard let n = Double(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n > 0 else { return nil }
    return Int(n * scale)
  }
  return nil
}
