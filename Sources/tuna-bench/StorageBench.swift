import Foundation
import TunaSearch
import TunaStore

/// What a stored study costs and what several workers on one study give: the per-trial cost of
/// SQLite (and PostgreSQL, given a database) against memory (Study driven from Swift), the trial
/// throughput of 1, 2, 4 and 8 `tuna run` processes sharing one study (in a SQLite file, in
/// PostgreSQL on loopback, and across network-namespace hosts), and the speedup of 2 workers
/// (processes, or threads of one process) over 1 on a CPU-bound objective (the digits MLP).
/// Every figure is a ratio against a baseline measured in the same run.
enum StorageBench {
  /// SQLite may add at most this many milliseconds per trial to an in-memory study…
  static let overheadTargetMilliseconds = 1.0
  /// …and PostgreSQL on loopback at most this many…
  static let postgresTargetMilliseconds = 2.0
  /// …while 8 processes across hosts sustain at least this many trivial trials per second.
  static let hostsThroughputTarget = 1_000.0
  /// …and 2 workers on 2 cores should run a CPU-bound study at least this much faster than 1.
  static let speedupTarget = 1.8

  struct Sizes: Codable {
    /// Trials per study for the per-trial overhead.
    var overheadTrials: Int
    /// Studies per variant (the median is reported).
    var repetitions: Int
    /// Trials per throughput run, split evenly between the processes.
    var throughputTrials: Int
    var processCounts: [Int]
    /// Digits MLP trials per speedup run (all of them, whatever the split) and epochs per trial.
    var digitsTrials: Int
    var digitsEpochs: Int
  }

  static func sizes(quick: Bool, repetitions: Int) -> Sizes {
    quick
      ? Sizes(
        overheadTrials: 200, repetitions: repetitions, throughputTrials: 400, processCounts: [1, 2, 4, 8], digitsTrials: 4,
        digitsEpochs: 4)
      : Sizes(
        overheadTrials: 1_000, repetitions: repetitions, throughputTrials: 2_000, processCounts: [1, 2, 4, 8],
        digitsTrials: 12, digitsEpochs: 20)
  }

  // MARK: Results

  /// One way of storing the study, timed over `repetitions` studies.
  struct OverheadRow: Codable {
    var variant: String
    var setting: String
    /// Wall milliseconds per trial of each study, in the order run.
    var wallMilliseconds: [Double]
    var cpuMilliseconds: [Double]
    var medianWallMilliseconds: Double
    var medianCPUMilliseconds: Double
    /// The median minus the in-memory study's median.
    var extraMilliseconds: Double
  }

  /// `processes` `tuna run` processes sharing one study, the trials split evenly.
  struct ThroughputRow: Codable {
    /// Where the study is: "sqlite file", "postgresql loopback" or "postgresql hosts".
    var backend: String
    var processes: Int
    var trials: Int
    /// Launch of the first process to exit of the last, per repetition.
    var wallSeconds: [Double]
    /// The study's first trial start to its last trial's end (timestamps in the file), per
    /// repetition: the time spent in trials, without the processes' startup.
    var trialSpanSeconds: [Double]
    var trialsPerSecond: Double
    var trialsPerSecondInTrials: Double
    /// `trialsPerSecond` over the 1-process row's.
    var ratioToOne: Double
  }

  /// One way of running the digits study on 2 cores.
  struct SpeedupRow: Codable {
    var name: String
    var setting: String
    var processes: Int
    var workersPerProcess: Int
    var trials: Int
    var wallSeconds: [Double]
    /// CPU seconds (user + system) of the processes, per repetition.
    var cpuSeconds: [Double]
    var medianWallSeconds: Double
    var medianCPUSeconds: Double
    /// The 1-worker row's median wall time over this row's.
    var speedup: Double
    var meetsTarget: Bool?
    var bestValidAccuracy: Double
  }

  struct Results: Codable {
    var sizes: Sizes
    var cores: Int
    var loadAverageBefore: String
    var loadAverageAfter: String
    var overhead: [OverheadRow]
    var sqliteExtraMilliseconds: Double
    var meetsOverheadTarget: Bool
    var postgresExtraMilliseconds: Double?
    var meetsPostgresTarget: Bool?
    /// The PostgreSQL database measured (password hidden) and the server's version.
    var postgres: String?
    var throughput: [ThroughputRow]
    var meetsHostsThroughputTarget: Bool?
    var speedup: [SpeedupRow]
    var isolation: [IsolationRow]
    var tunaExecutable: String
    var timer = "wall time, median over the repetitions; CPU time of the child processes alongside"
  }

  // MARK: Running

  static func run(quick: Bool, repetitions: Int, postgres: String?, hosts: Bool) throws -> Results {
    let sizes = sizes(quick: quick, repetitions: repetitions)
    let tuna = try tunaExecutable()
    let digitsScript = try benchScript("storage_digits.lua")
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-bench-storage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let loadBefore = loadAverage()

    let variants = variants(postgres: postgres)
    say("  per-trial overhead: \(sizes.overheadTrials) trials × \(sizes.repetitions) studies per variant")
    let overhead = try overheadRows(sizes, variants: variants, scratch: scratch)
    let sqlite = overhead.first { $0.variant == "sqlite" }!
    let server = overhead.first { $0.variant == "postgresql" }

    say("  throughput: \(sizes.throughputTrials) trials shared by \(sizes.processCounts.map(String.init).joined(separator: ", ")) processes")
    let script = scratch.appendingPathComponent("storage_trivial.lua")
    try trivialScript.write(to: script, atomically: true, encoding: .utf8)
    var throughput = try throughputRows(sizes, tuna: tuna, script: script, scratch: scratch, postgres: nil)
    if let postgres {
      throughput += try throughputRows(sizes, tuna: tuna, script: script, scratch: scratch, postgres: postgres)
    }
    var hostsMeetTarget: Bool?
    if hosts {
      say("  throughput across hosts: scripts/tests/multihost.py --bench")
      let rows = try hostRows(tuna: tuna, scratch: scratch)
      throughput += rows
      hostsMeetTarget = rows.first { $0.processes == 8 }.map { $0.trialsPerSecondInTrials >= hostsThroughputTarget }
    }

    say("  isolation: the trivial study in one process and with --isolate")
    let isolation = try isolationRows(sizes, tuna: tuna, script: script, scratch: scratch)

    say("  speedup: digits MLP, \(sizes.digitsTrials) trials × \(sizes.digitsEpochs) epochs")
    let speedup = try speedupRows(sizes, tuna: tuna, script: digitsScript, scratch: scratch)

    return Results(
      sizes: sizes, cores: ProcessInfo.processInfo.activeProcessorCount, loadAverageBefore: loadBefore,
      loadAverageAfter: loadAverage(), overhead: overhead, sqliteExtraMilliseconds: sqlite.extraMilliseconds,
      meetsOverheadTarget: sqlite.extraMilliseconds <= overheadTargetMilliseconds,
      postgresExtraMilliseconds: server?.extraMilliseconds,
      meetsPostgresTarget: server.map { $0.extraMilliseconds <= postgresTargetMilliseconds },
      postgres: try postgres.map(serverDescription), throughput: throughput, meetsHostsThroughputTarget: hostsMeetTarget,
      speedup: speedup, isolation: isolation, tunaExecutable: tuna.path)
  }

  // MARK: Cost of isolation

  /// The trivial study run in one process and with --isolate (a worker process), on one SQLite
  /// file: the cost per trial is the slope between a short and a long run, so each setting's
  /// start-up (for --isolate: the script's process and the worker's) is measured apart.
  struct IsolationRow: Codable {
    var setting: String
    var shortTrials: Int
    var longTrials: Int
    var shortWallSeconds: [Double]
    var longWallSeconds: [Double]
    var perTrialMilliseconds: Double
    var startupSeconds: Double
  }

  private static func isolationRows(_ sizes: Sizes, tuna: URL, script: URL, scratch: URL) throws -> [IsolationRow] {
    let short = 10, long = 10 + sizes.throughputTrials
    let settings: [(String, [String])] = [("in process", []), ("--isolate", ["--isolate"])]
    var walls = Array(repeating: (short: [Double](), long: [Double]()), count: settings.count)
    for repetition in 0..<sizes.repetitions {
      for (i, setting) in settings.enumerated() {
        for n in [short, long] {
          let url = "sqlite:" + scratch.appendingPathComponent("isolation-\(i)-\(n)-\(repetition).db").path
          let study = try createStudy(url, name: "isolation", direction: .minimize)
          let run = try runProcesses(
            tuna, count: 1, arguments: ["run", "--quiet"] + setting.1 + [script.path, "--", url, "isolation", String(n)],
            scratch: scratch)
          _ = try checkStudy(url, study: study, trials: n, what: "isolation, \(setting.0)")
          if n == short { walls[i].short.append(run.wallSeconds) } else { walls[i].long.append(run.wallSeconds) }
        }
      }
    }
    return settings.enumerated().map { i, setting in
      let perTrial = (median(walls[i].long) - median(walls[i].short)) / Double(long - short)
      return IsolationRow(
        setting: setting.0, shortTrials: short, longTrials: long, shortWallSeconds: walls[i].short, longWallSeconds: walls[i].long,
        perTrialMilliseconds: perTrial * 1000, startupSeconds: median(walls[i].short) - perTrial * Double(short))
    }
  }

  // MARK: Per-trial overhead

  /// A variant of the overhead study: where it is stored and whether trials beat.
  private struct Variant {
    let name: String
    let setting: String
    /// nil: in memory; "sqlite": a new file; else the PostgreSQL URL.
    let storage: String?
    let heartbeats: Bool
  }

  private static func variants(postgres: String?) -> [Variant] {
    var variants = [
      Variant(name: "memory", setting: "InMemoryStorage", storage: nil, heartbeats: false),
      Variant(name: "sqlite", setting: "SQLiteStorage, a new file (WAL, synchronous NORMAL)", storage: "sqlite", heartbeats: false),
      Variant(
        name: "memory + heartbeats", setting: "InMemoryStorage, heartbeat 5 s, stale check 20 s", storage: nil, heartbeats: true),
      Variant(
        name: "sqlite + heartbeats", setting: "SQLiteStorage, heartbeat 5 s, stale check 20 s (tuna's default for a stored study)",
        storage: "sqlite", heartbeats: true),
    ]
    if let postgres {
      variants += [
        Variant(name: "postgresql", setting: "PostgresStorage, a new study in \(redactedStorageURL(postgres))", storage: postgres, heartbeats: false),
        Variant(
          name: "postgresql + heartbeats", setting: "PostgresStorage, heartbeat 5 s, stale check 20 s", storage: postgres, heartbeats: true),
      ]
    }
    return variants
  }

  private static func overheadRows(_ sizes: Sizes, variants: [Variant], scratch: URL) throws -> [OverheadRow] {
    var wall = Array(repeating: [Double](), count: variants.count)
    var cpu = wall
    // Interleaved (A B C D, A B C D, …) so that a noisy spell hits every variant alike.
    for repetition in 0..<sizes.repetitions {
      for (i, variant) in variants.enumerated() {
        let timing = try overheadStudy(variant, trials: sizes.overheadTrials, scratch: scratch, repetition: repetition)
        wall[i].append(timing.wallSeconds / Double(sizes.overheadTrials) * 1e3)
        cpu[i].append(timing.cpuSeconds / Double(sizes.overheadTrials) * 1e3)
      }
    }
    let baseline = median(wall[0])
    return variants.enumerated().map { i, v in
      OverheadRow(
        variant: v.name, setting: v.setting, wallMilliseconds: wall[i], cpuMilliseconds: cpu[i],
        medianWallMilliseconds: median(wall[i]), medianCPUMilliseconds: median(cpu[i]),
        extraMilliseconds: median(wall[i]) - baseline)
    }
  }

  /// One study of `trials` trials, random sampler, 5 float parameters, a trivial objective; the
  /// time covers `optimize` only (not opening the file).
  private static func overheadStudy(_ variant: Variant, trials: Int, scratch: URL, repetition: Int) throws -> Timing {
    let storage: any Storage
    switch variant.storage {
    case nil: storage = InMemoryStorage()
    case "sqlite"?: storage = try SQLiteStorage(path: scratch.appendingPathComponent("overhead-\(variant.name)-\(repetition).db").path)
    case let url?: storage = try openStorage(url)
    }
    let study = try Study.create(
      name: "overhead-\(UUID().uuidString)", direction: .minimize, sampler: RandomSampler(seed: 7), storage: storage)
    var options = OptimizeOptions(nTrials: trials, catchErrors: false)
    if variant.heartbeats {
      options.heartbeatInterval = 5
      options.staleAfter = 20
    }
    let timing = try measure {
      try study.optimize(options) { trial in
        var sum = 0.0
        for name in ["x0", "x1", "x2", "x3", "x4"] {
          let x = try trial.suggestFloat(name, -5, 5)
          sum += x * x
        }
        return [sum]
      }
    }
    let complete = try study.trials(states: [.complete]).count
    guard complete == trials else { throw BenchError("overhead \(variant.name): \(complete) of \(trials) trials completed") }
    return timing
  }

  // MARK: Throughput of processes

  /// The trivial objective the processes run: one float, `x * x`.
  static let trivialScript = """
    -- tuna-bench storage: processes sharing a study, a trivial objective.
    -- Arguments: STORAGE_URL STUDY N_TRIALS.
    local url, name, n = ...
    local study = tuna.create_study{
      name = name, storage = url, load_if_exists = true, sampler = tuna.samplers.random{},
    }
    study:optimize(function(trial)
      local x = trial:suggest_float("x", -1, 1)
      return x * x
    end, { n_trials = tonumber(n) })

    """

  /// Throughput rows of one backend: a new SQLite file per run, or (given `postgres`) a new
  /// study per run in that database.
  private static func throughputRows(
    _ sizes: Sizes, tuna: URL, script: URL, scratch: URL, postgres: String?
  ) throws -> [ThroughputRow] {
    var wall = [Int: [Double]](), span = [Int: [Double]]()
    for repetition in 0..<sizes.repetitions {
      for k in sizes.processCounts {
        let url = postgres ?? "sqlite:" + scratch.appendingPathComponent("throughput-\(k)-\(repetition).db").path
        let name = "throughput-\(UUID().uuidString)"
        let study = try createStudy(url, name: name, direction: .minimize)
        let share = sizes.throughputTrials / k
        let run = try runProcesses(
          tuna, count: k, arguments: ["run", "--quiet", script.path, "--", url, name, String(share)], scratch: scratch)
        let trials = try checkStudy(url, study: study, trials: share * k, what: "throughput, \(k) processes")
        wall[k, default: []].append(run.wallSeconds)
        span[k, default: []].append(trialSpan(trials))
      }
    }
    let rows = sizes.processCounts.map { k in
      let trials = sizes.throughputTrials / k * k
      return ThroughputRow(
        backend: postgres == nil ? "sqlite file" : "postgresql loopback", processes: k, trials: trials, wallSeconds: wall[k]!, trialSpanSeconds: span[k]!,
        trialsPerSecond: Double(trials) / median(wall[k]!), trialsPerSecondInTrials: Double(trials) / median(span[k]!),
        ratioToOne: 0)
    }
    return rows.map { row in
      var row = row
      row.ratioToOne = row.trialsPerSecond / rows[0].trialsPerSecond
      return row
    }
  }

  /// The database as the results show it: its URL (password hidden) and the server's version.
  private static func serverDescription(_ url: String) throws -> String {
    let version = try PostgresStorage(url: url).serverVersion()
    return "\(redactedStorageURL(url)) (PostgreSQL \(version))"
  }

  /// Throughput across hosts: `scripts/tests/multihost.py --bench` makes network-namespace hosts,
  /// a server in one of them, and runs 1, 2, 4 and 8 processes spread over the others.
  private static func hostRows(tuna: URL, scratch: URL) throws -> [ThroughputRow] {
    let script = try repositoryFile("scripts/tests/multihost.py")
    let json = scratch.appendingPathComponent("hosts.json")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", script.path, "--bench", "--tuna", tuna.path, "--json", json.path]
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw BenchError("storage --hosts: multihost.py --bench failed (status \(p.terminationStatus))") }
    let measured = try JSONDecoder().decode(HostsBench.self, from: Data(contentsOf: json))
    let rows = measured.scenarios.map { s in
      ThroughputRow(
        backend: "postgresql hosts", processes: s.counts.perWorker.count, trials: s.counts.trials,
        wallSeconds: [s.counts.wallSeconds], trialSpanSeconds: [s.counts.spanSeconds],
        trialsPerSecond: Double(s.counts.trials) / s.counts.wallSeconds,
        trialsPerSecondInTrials: Double(s.counts.trials) / s.counts.spanSeconds, ratioToOne: 0)
    }
    return rows.map { row in
      var row = row
      row.ratioToOne = row.trialsPerSecond / rows[0].trialsPerSecond
      return row
    }
  }

  /// What `multihost.py --bench --json` writes (the parts read here).
  private struct HostsBench: Decodable {
    struct Scenario: Decodable {
      struct Counts: Decodable {
        var trials: Int
        var perWorker: [String: Int]
        var spanSeconds: Double
        var wallSeconds: Double
        enum CodingKeys: String, CodingKey {
          case trials
          case perWorker = "per_worker"
          case spanSeconds = "span_s"
          case wallSeconds = "wall_s"
        }
      }
      var counts: Counts
    }
    var scenarios: [Scenario]
  }

  /// Seconds from the first trial's start to the last trial's end.
  private static func trialSpan(_ trials: [FrozenTrial]) -> Double {
    guard let first = trials.compactMap(\.datetimeStart).min(), let last = trials.compactMap(\.datetimeComplete).max() else {
      return .nan
    }
    return last.timeIntervalSince(first)
  }

  // MARK: Speedup on a CPU-bound objective

  private static func speedupRows(_ sizes: Sizes, tuna: URL, script: URL, scratch: URL) throws -> [SpeedupRow] {
    struct Setup {
      let name: String
      let setting: String
      let processes: Int
      let workers: Int
      var isolate = false
    }
    let n = sizes.digitsTrials
    let setups = [
      Setup(name: "1 process", setting: "tuna run, \(n) trials", processes: 1, workers: 1),
      Setup(name: "2 processes", setting: "2 × tuna run, \(n / 2) trials each, one file", processes: 2, workers: 1),
      Setup(name: "--workers 2", setting: "tuna run --workers 2, \(n) trials, 2 Lua states in threads", processes: 1, workers: 2),
      Setup(name: "--isolate", setting: "tuna run --isolate, \(n) trials, 1 worker process", processes: 1, workers: 1, isolate: true),
      Setup(
        name: "--isolate --workers 2", setting: "tuna run --isolate --workers 2, \(n) trials, 2 worker processes", processes: 1,
        workers: 2, isolate: true),
    ]
    var wall = Array(repeating: [Double](), count: setups.count)
    var cpu = wall
    var best = Array(repeating: 0.0, count: setups.count)
    for repetition in 0..<sizes.repetitions {
      for (i, setup) in setups.enumerated() {
        let file = scratch.appendingPathComponent("digits-\(i)-\(repetition).db").path
        let study = try createStudy("sqlite:" + file, name: "digits", direction: .maximize)
        var arguments = ["run", "--quiet"]
        if setup.workers > 1 { arguments += ["--workers", String(setup.workers)] }
        if setup.isolate { arguments.append("--isolate") }
        arguments += [script.path, "--", file, String(n / setup.processes), String(sizes.digitsEpochs)]
        let run = try runProcesses(tuna, count: setup.processes, arguments: arguments, scratch: scratch)
        let trials = try checkStudy("sqlite:" + file, study: study, trials: n / setup.processes * setup.processes, what: "digits, \(setup.name)")
        wall[i].append(run.wallSeconds)
        cpu[i].append(run.cpuSeconds)
        best[i] = max(best[i], trials.compactMap(\.value).max() ?? .nan)
        say("    \(setup.name), repetition \(repetition + 1): \(fixed(run.wallSeconds, 2)) s wall, \(fixed(run.cpuSeconds, 2)) s CPU")
      }
    }
    let one = median(wall[0])
    return setups.enumerated().map { i, s in
      let speedup = one / median(wall[i])
      return SpeedupRow(
        name: s.name, setting: s.setting, processes: s.processes, workersPerProcess: s.workers,
        trials: n / s.processes * s.processes, wallSeconds: wall[i], cpuSeconds: cpu[i], medianWallSeconds: median(wall[i]),
        medianCPUSeconds: median(cpu[i]), speedup: speedup, meetsTarget: s.processes * s.workers < 2 ? nil : speedup >= speedupTarget,
        bestValidAccuracy: best[i])
    }
  }

  // MARK: Processes and files

  /// `tuna` in the folder tuna-bench runs from (the same build's products).
  static func tunaExecutable() throws -> URL {
    var argument0 = CommandLine.arguments[0]
    if !argument0.contains("/"), let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      argument0 = resolved
    }
    let url = URL(fileURLWithPath: argument0).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("tuna")
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
      throw BenchError(
        "storage: the tuna executable is not next to tuna-bench (looked for \(url.path)); build both in one folder,"
          + " e.g. swift build -c release (or --product tuna with the same configuration and scratch path)")
    }
    return url
  }

  /// A script under scripts/bench of this package.
  static func benchScript(_ name: String) throws -> URL { try repositoryFile("scripts/bench/" + name) }

  /// A file of this package (found from this source file, else from the working directory).
  static func repositoryFile(_ path: String) throws -> URL {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = [
      root.appendingPathComponent(path),
      URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path),
    ]
    guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
      throw BenchError("storage: \(path) not found (looked in \(candidates.map(\.path).joined(separator: ", ")))")
    }
    return found
  }

  /// Creates the storage and its study before the processes start, so that none of them races
  /// another to create it.
  private static func createStudy(_ url: String, name: String, direction: StudyDirection) throws -> StudyRecord {
    try openStorage(url).createStudy(name: name, directions: [direction])
  }

  /// The study's trials, checked: `trials` of them, numbered 0…trials−1, all complete.
  private static func checkStudy(_ url: String, study: StudyRecord, trials: Int, what: String) throws -> [FrozenTrial] {
    let stored = try openStorage(url).trials(studyID: study.id, states: nil)
    let complete = stored.filter { $0.state == .complete }.count
    guard stored.map(\.number) == Array(0..<trials), complete == trials else {
      throw BenchError("\(what): \(stored.count) trials stored, \(complete) complete; expected \(trials), numbered densely")
    }
    return stored
  }

  /// `count` copies of `tuna arguments…` started together; waits for all of them. Returns the
  /// wall time from the first launch to the last exit, and the processes' CPU time.
  private static func runProcesses(
    _ tuna: URL, count: Int, arguments: [String], scratch: URL
  ) throws -> (wallSeconds: Double, cpuSeconds: Double) {
    let cpuBefore = childrenCPUSeconds()
    var processes: [(Process, URL)] = []
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<count {
      let log = scratch.appendingPathComponent("process-\(i).log")
      _ = FileManager.default.createFile(atPath: log.path, contents: nil)
      let handle = try FileHandle(forWritingTo: log)
      defer { try? handle.close() }
      let p = Process()
      p.executableURL = tuna
      p.arguments = arguments
      p.standardInput = FileHandle.nullDevice
      p.standardOutput = handle
      p.standardError = handle
      try p.run()
      processes.append((p, log))
    }
    for (p, _) in processes { p.waitUntilExit() }
    let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    for (p, log) in processes where p.terminationReason != .exit || p.terminationStatus != 0 {
      let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      throw BenchError("tuna \(arguments.joined(separator: " ")) failed (status \(p.terminationStatus)):\n\(output.suffix(2_000))")
    }
    return (wall, childrenCPUSeconds() - cpuBefore)
  }

  /// User + system CPU seconds of the finished child processes so far.
  private static func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  /// /proc/loadavg's first three fields, or "?".
  private static func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
  }


  // MARK: Tables

  static func tables(_ results: Results, quick: Bool) -> [Table] {
    let sizes = results.sizes
    var overhead = Table(
      "Per-trial cost of storage: Study.optimize from Swift, random sampler, 5 floats, objective Σx², \(grouped(sizes.overheadTrials)) trials",
      headers: ["storage", "ms/trial", "CPU ms/trial", "+ ms vs memory", "× memory", "target"], leftAligned: [0, 5])
    let memory = results.overhead[0].medianWallMilliseconds
    for r in results.overhead {
      var note = ""
      if r.variant == "sqlite" {
        note = "+ ≤ \(fixed(overheadTargetMilliseconds, 1)) ms: \(verdict(results.meetsOverheadTarget))"
      }
      if r.variant == "postgresql", let meets = results.meetsPostgresTarget {
        note = "+ ≤ \(fixed(postgresTargetMilliseconds, 1)) ms: \(verdict(meets))"
      }
      overhead.add(
        r.variant, fixed(r.medianWallMilliseconds, 3), fixed(r.medianCPUMilliseconds, 3),
        r.variant == "memory" ? "—" : fixed(r.extraMilliseconds, 3), fixed(r.medianWallMilliseconds / memory, 1), note)
    }
    overhead.notes = [
      "ms/trial = wall time of optimize / trials, median over \(sizes.repetitions) studies (variants interleaved);"
        + " CPU = the calling thread's CPU time.",
      "Each SQLite study is a new file. Every trial writes: create (number = MAX + 1), 5 params, finish;"
        + " with heartbeats its first beat in the same transaction as its creation,",
      "a stale-trial check at the start and every 5 s (a quarter of the grace), and one heartbeat thread for the whole"
        + " call (5 s: it never beats again within these trials).",
    ]
    overhead.notes += results.overhead.map { "\($0.variant): \($0.setting)" }
    if let plain = results.overhead.first(where: { $0.variant == "sqlite" }),
      let beating = results.overhead.first(where: { $0.variant == "sqlite + heartbeats" })
    {
      overhead.notes.append(
        "Heartbeats add \(fixed(beating.medianWallMilliseconds - plain.medianWallMilliseconds, 3)) ms per trial to a SQLite study.")
    }

    var throughput = Table(
      "Throughput: tuna run processes sharing one study, trivial objective, \(grouped(sizes.throughputTrials)) trials in all",
      headers: ["storage", "processes", "trials/s", "× 1 process", "trials/s in trials", "wall s", "trials span s"],
      leftAligned: [0])
    for r in results.throughput {
      throughput.add(
        r.backend, String(r.processes), grouped(Int(r.trialsPerSecond.rounded())), fixed(r.ratioToOne, 2),
        grouped(Int(r.trialsPerSecondInTrials.rounded())), fixed(median(r.wallSeconds), 2), fixed(median(r.trialSpanSeconds), 2))
    }
    throughput.notes = [
      "trials/s = trials / wall time from the first launch to the last exit (process startup included), median over"
        + " \(sizes.repetitions) runs;",
      "trials/s in trials = trials / (last trial end − first trial start) from the file's timestamps: startup left out.",
      "Each process: tuna run --quiet, random sampler, x = suggest_float(-1, 1), return x²; heartbeats 5 s (default),"
        + " the study created before launch.",
      "\(results.cores) cores: beyond them the processes take turns on the CPU and on the file's write lock (or the server).",
    ]
    if let postgres = results.postgres {
      throughput.notes.append("postgresql loopback: a new study per run in \(postgres), processes on this machine.")
    }
    if let meets = results.meetsHostsThroughputTarget {
      throughput.notes.append(
        "postgresql hosts: the server in one network namespace, the processes spread over three others (veth links,"
          + " scripts/tests/multihost.py); one run each. 8 processes ≥ \(grouped(Int(hostsThroughputTarget))) trials/s in trials:"
          + " \(verdict(meets)).")
    }

    var speedup = Table(
      "Speedup: the digits MLP (tuna.nn.fit, 64→256→256→10, batch 32, \(sizes.digitsEpochs) epochs) on \(results.cores) cores,"
        + " \(sizes.digitsTrials) trials in all",
      headers: ["run", "wall s", "CPU s", "CPU ÷ wall", "speedup", "best valid acc", "target"], leftAligned: [0, 6])
    for r in results.speedup {
      speedup.add(
        r.name, fixed(r.medianWallSeconds, 2), fixed(r.medianCPUSeconds, 2), fixed(r.medianCPUSeconds / r.medianWallSeconds, 2),
        fixed(r.speedup, 2) + "×", fixed(r.bestValidAccuracy, 4),
        r.meetsTarget.map { "≥ \(fixed(speedupTarget, 1))×: \(verdict($0))" } ?? "baseline")
    }
    speedup.notes = [
      "wall s = first launch to last exit (startup and loading the data included), median over \(sizes.repetitions) runs,"
        + " setups interleaved; speedup = 1 process's wall ÷ the row's.",
      "CPU s = user + system time of the processes (all threads); CPU ÷ wall = the cores kept busy on average.",
    ]
    speedup.notes += results.speedup.map { "\($0.name): \($0.setting)" }
    speedup.notes += [
      "Width and batch size fixed so that every trial costs about the same; the random sampler varies lr and beta1 (Adam).",
      "OpenBLAS 1 thread per process (tuna run's default). Load average before/after: \(results.loadAverageBefore)"
        + " / \(results.loadAverageAfter) (other work on the machine slows the 2-worker rows most).",
    ]
    if quick { speedup.notes.append("--quick: a smoke run, far smaller than the measurement; its verdicts mean little.") }

    var isolation = Table(
      "Isolation: the trivial study (x², random sampler) in one process and with --isolate, one SQLite file",
      headers: ["setting", "ms per trial", "extra ms per trial", "start-up s"], leftAligned: [0])
    let inProcess = results.isolation.first?.perTrialMilliseconds ?? .nan
    for r in results.isolation {
      isolation.add(r.setting, fixed(r.perTrialMilliseconds, 3), fixed(r.perTrialMilliseconds - inProcess, 3), fixed(r.startupSeconds, 3))
    }
    isolation.notes = [
      "ms per trial = (wall of \(results.isolation.first?.longTrials ?? 0) trials − wall of \(results.isolation.first?.shortTrials ?? 0))"
        + " ÷ the difference, medians over \(sizes.repetitions) runs: start-up left out, and given apart (paid once per worker).",
      "--isolate: the script in one child process, the trials in one worker process; each trial asks the parent for its turn"
        + " and tells it of its start and end.",
    ]
    return [overhead, throughput, speedup, isolation]
  }
}
