import Foundation
import TunaIsolation
import TunaLua
import TunaSearch
import XCTest

/// `tuna run --isolate` and `isolate = true`: trials in worker processes. Each fault a script
/// cannot cause on purpose (behind `TUNA_TEST_FAULTS=1`) or that comes from outside must fail its
/// trial alone: the parent survives, the study completes with every trial accounted for, and no
/// temporary file or child process is left behind.
final class IsolationTests: XCTestCase {
  var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("isolation-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// A started `tuna run` with the fault switch on and its temporary files in the scratch folder.
  private func start(_ name: String, _ source: String, _ options: [String], arguments: [String] = []) throws -> (Process, URL, URL) {
    let script = directory.appendingPathComponent(name + ".lua")
    try source.write(to: script, atomically: true, encoding: .utf8)
    let out = directory.appendingPathComponent(name + ".out")
    let err = directory.appendingPathComponent(name + ".err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = try XCTUnwrap(TunaProcess.executable)
    process.arguments = ["run"] + options + [script.path] + (arguments.isEmpty ? [] : ["--"] + arguments)
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["TUNA_TEST_FAULTS"] = "1"
    environment["TMPDIR"] = directory.path
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    return (process, out, err)
  }

  private func run(_ name: String, _ source: String, _ options: [String], arguments: [String] = [], timeout: Double = 60) throws -> TunaResult {
    let (process, out, err) = try start(name, source, options, arguments: arguments)
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning {
      Self.killAll(process)
      XCTFail("tuna run ran past \(timeout) s")
    }
    process.waitUntilExit()
    let result = TunaResult(
      status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "", seconds: 0, timedOut: false)
    assertNothingLeft(by: process)
    return result
  }

  /// No isolated run's temporary folder in the scratch folder, and no process started by `parent`.
  private func assertNothingLeft(by parent: Process, file: StaticString = #filePath, line: UInt = #line) {
    let left = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix("tuna-isolate-") }
    XCTAssertEqual(left, [], "temporary files left", file: file, line: line)
    usleep(100_000)
    XCTAssertEqual(Self.children(of: parent.processIdentifier).map(\.pid), [], "child processes left", file: file, line: line)
  }

  /// Kills a run that overran and its children (a failing test must not hang the suite).
  static func killAll(_ process: Process) {
    for child in children(of: process.processIdentifier) { kill(child.pid, SIGKILL) }
    kill(process.processIdentifier, SIGKILL)
  }

  /// The live processes whose parent is `pid`, with their role under isolation.
  static func children(of pid: Int32) -> [(pid: Int32, role: String)] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> (Int32, String)? in
      guard let child = Int32(entry),
        let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return nil }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count > 2, fields[0] != "Z", Int32(fields[1]) == pid else { return nil }
      let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/environ"))) ?? Data()
      let role = String(decoding: environ, as: UTF8.self).split(separator: "\0").first { $0.hasPrefix("TUNA_ISOLATE_ROLE=") }
      return (child, role.map { String($0.dropFirst("TUNA_ISOLATE_ROLE=".count)) } ?? "")
    }
  }

  /// Trial 2 of 6 meets `fault`; the others complete. Prints the counts and trial 2's reason.
  private let faultScript = """
    local fault = ...
    local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
    study:optimize(function(t)
      local x = t:suggest_float("x", -5, 5)
      if t.number == 2 then tuna._fault(fault) end
      return x * x
    end, { n_trials = 6 })
    local counts = { complete = 0, fail = 0 }
    for _, t in ipairs(study:trials()) do counts[t.state] = (counts[t.state] or 0) + 1 end
    print("complete " .. counts.complete .. ", fail " .. counts.fail .. ", trials " .. #study:trials())
    print("reason: " .. tostring(study:trials()[3].fail_reason))
    """

  func testNativeCrashesFailTheirTrialAndTheStudyGoesOn() throws {
    for (fault, signal) in [("segv", "SIGSEGV"), ("abort", "SIGABRT")] {
      let result = try run("crash", faultScript, ["--isolate"], arguments: [fault])
      XCTAssertEqual(result.status, 0, result.transcript)
      assertLine(result.stdout, "complete 5, fail 1, trials 6", fault)
      assertContains(result.stdout, "reason: the worker process was killed by \(signal)", fault)
      assertContains(result.stderr, "trial 2 failed: the worker process was killed by \(signal)", fault)
      // Output and summary once, from the script's process.
      XCTAssertEqual(result.stdout.components(separatedBy: "complete 5, fail 1").count, 2, result.transcript)
      XCTAssertEqual(result.stdout.components(separatedBy: "Study study-").count, 2, result.transcript)
    }
  }

  /// Memory a native call allocates outside every budget meets the worker's address-space limit
  /// (from --memory-limit): the worker dies, not the machine.
  func testNativeAllocationWithoutEndFailsItsTrial() throws {
    let result = try run("allocate", faultScript, ["--isolate", "--memory-limit", "256MB"], arguments: ["allocate"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "complete 5, fail 1, trials 6")
    assertContains(result.stdout, "reason: the worker process was killed by")
    assertContains(result.stdout, "it last wrote:")
  }

  /// A native call that never returns (blocked in the kernel, or busy) does not see the trial's
  /// deadline: the parent kills its worker after the limit and a grace.
  func testStuckNativeCallsAreKilledAfterTheTrialLimit() throws {
    for fault in ["hang", "spin"] {
      let start = Date()
      let result = try run("stuck", faultScript, ["--isolate", "--trial-timeout", "1"], arguments: [fault])
      XCTAssertEqual(result.status, 0, result.transcript)
      assertLine(result.stdout, "complete 5, fail 1, trials 6", fault)
      assertContains(result.stdout, "reason: the worker process was killed (SIGKILL) 1 s past the trial's time limit of 1 s", fault)
      XCTAssertLessThan(Date().timeIntervalSince(start), 20, fault)
    }
  }

  /// A worker killed from outside in the middle of a trial fails that trial; a fresh worker
  /// runs the rest.
  func testAWorkerKilledFromOutsideFailsItsTrial() throws {
    let marker = directory.appendingPathComponent("trial-1-running").path
    let (process, out, _) = try start("killed", """
      local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t)
        if t.number == 1 then
          io.open("\(marker)", "w"):close()
          while true do end
        end
        return t:suggest_float("x", 0, 1)
      end, { n_trials = 5 })
      local states = {}
      for _, t in ipairs(study:trials()) do states[#states + 1] = t.state end
      print(table.concat(states, " "))
      print(study:trials()[2].fail_reason)
      """, ["--isolate"])
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: marker) && Date() < deadline { usleep(10_000) }
    let workers = Self.children(of: process.processIdentifier).filter { $0.role == "worker" }
    XCTAssertEqual(workers.count, 1)
    for worker in workers { kill(worker.pid, SIGKILL) }
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { Self.killAll(process) }
    process.waitUntilExit()
    let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
    XCTAssertEqual(process.terminationStatus, 0, stdout)
    assertLine(stdout, "complete fail complete complete complete")
    assertLine(stdout, "the worker process was killed by SIGKILL (killed)")
    assertNothingLeft(by: process)
  }

  /// Workers that die in a row stop the call with a message; nothing completed: exit 3.
  func testWorkersDyingInARowStopTheCall() throws {
    let result = try run("always", """
      local study = tuna.create_study{}
      study:optimize(function(t) tuna._fault("abort") end, { n_trials = 50 })
      print("trials " .. #study:trials())
      """, ["--isolate"])
    XCTAssertEqual(result.status, noTrialCompleted, result.transcript)
    assertLine(result.stdout, "trials 3")
    assertContains(result.stderr, "3 worker processes in a row died (the last: the worker process was killed by SIGABRT")
  }

  /// --workers 2 --isolate on a stored study: two worker processes share the budget, numbers
  /// stay dense, every trial completes, and the script's output appears once.
  func testWorkersAndIsolateOnAStoredStudy() throws {
    let result = try run("stored", """
      print("starting")
      -- The isolated run's own variables are not the script's: a process it starts is a plain one.
      local function plain() return os.getenv("TUNA_ISOLATE_ROLE") == nil and os.getenv("TUNA_ISOLATE_JOB") == nil
        and os.getenv("TUNA_ISOLATE_MEMORY") == nil and os.getenv("TUNA_ISOLATE_PARENT") == nil end
      assert(plain(), "the script's process sees the isolation variables")
      local token = tostring(math.random(1, 1 << 40))
      local study = tuna.create_study{ name = "s", storage = "sqlite:s.db", sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t)
        t:set_user_attr("process", token)
        assert(plain(), "a worker process sees the isolation variables")
        local s = 0
        for i = 1, 2e5 do s = s + i end
        return t:suggest_float("x", 0, 1)
      end, { n_trials = 30 })
      local processes, numbers = {}, {}
      for _, t in ipairs(study:trials()) do
        processes[t.user_attrs.process] = true
        numbers[#numbers + 1] = t.number
        assert(t.state == "complete")
      end
      local n = 0
      for p in pairs(processes) do n = n + 1; assert(p ~= token, "a trial ran in the script's process") end
      print("trials " .. #numbers .. ", last number " .. numbers[#numbers] .. ", processes " .. n)
      """, ["--isolate", "--workers", "2"])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "trials 30, last number 29, processes 2")
    XCTAssertEqual(result.stdout.components(separatedBy: "starting").count, 2, result.transcript)
  }

  /// `isolate = true` in one call, without --isolate: this process supervises the call's
  /// workers; a study held only in memory is refused with what to do.
  func testIsolateOptionOnOneCall() throws {
    let result = try run("option", """
      local study = tuna.create_study{ name = "o", storage = "sqlite:o.db", sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t)
        if t.number == 1 then tuna._fault("segv") end
        return t:suggest_float("x", 0, 1)
      end, { n_trials = 4, isolate = true })
      print("trials " .. #study:trials() .. ", failed " .. #study:trials{ states = { "fail" } })
      print(pcall(function() study:optimize(function() return 1 end, { n_trials = 100, isolate = true, workers = 65 }) end))
      local memory = tuna.create_study{}
      print(pcall(function() memory:optimize(function() return 1 end, { n_trials = 1, isolate = true }) end))
      """, [])
    XCTAssertEqual(result.status, 0, result.transcript)
    assertLine(result.stdout, "trials 4, failed 1")
    assertContains(result.stdout, "option.lua:9: isolate = true runs the trials in other processes")
    assertContains(result.stdout, "'workers' must be at most 64 when the trials run in worker processes (isolate), got 65")
  }

  /// Ctrl-C and SIGTERM reach the script's process and every worker: running trials fail as
  /// interrupted, the script stops and says so (130, 143), and nothing is left behind.
  /// So do they with `isolate = true` alone, where the script's process supervises.
  func testSignalsReachEveryChild() throws {
    for (signal, code, isolate) in [(SIGINT, Int32(130), true), (SIGTERM, Int32(143), true), (SIGINT, Int32(130), false)] {
      let (process, out, err) = try start("signal", """
        local study = tuna.create_study{ name = "s", storage = "sqlite:signal.db", sampler = tuna.samplers.random{ seed = 1 } }
        study:optimize(function(t)
          io.open(os.getenv("TMPDIR") .. "/started-" .. t.number, "w"):close()
          while true do end
        end, { n_trials = 10, isolate = true })
        """, isolate ? ["--isolate", "--workers", "2"] : ["--workers", "2"])
      let deadline = Date().addingTimeInterval(30)
      func started() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix("started-") }.count
      }
      while started() < 2 && Date() < deadline { usleep(10_000) }
      XCTAssertEqual(Self.children(of: process.processIdentifier).count, isolate ? 3 : 2, "the script's process and 2 workers")
      kill(process.processIdentifier, signal)
      while process.isRunning && Date() < deadline { usleep(10_000) }
      if process.isRunning { Self.killAll(process) }
      process.waitUntilExit()
      let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
      let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
      XCTAssertEqual(process.terminationStatus, code, stderr)
      assertContains(stderr, signal == SIGINT ? "tuna: interrupted" : "tuna: terminated")
      assertContains(stdout, "2 fail")
      assertNothingLeft(by: process)
      for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
      where name.hasPrefix("started-") || name.hasPrefix("signal.db") {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
      }
    }
  }
}

/// The supervisor from Swift: a program that embeds Tuna runs a script's isolated calls in
/// worker processes of the `tuna` executable, and hears of their trials as its own.
final class IsolationSwiftAPITests: XCTestCase {
  func testAnEmbeddingProgramSupervisesWorkersOfTheTunaExecutable() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isolation-api-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = directory.appendingPathComponent("embedded.lua")
    let storage = "sqlite:" + directory.appendingPathComponent("embedded.db").path
    try """
      local study = tuna.create_study{ name = "embedded", storage = "\(storage)", sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(t)
        local x = t:suggest_float("x", -1, 1)
        if t.number == 3 then tuna._fault("segv") end
        return x * x
      end, { n_trials = 8, workers = 2, isolate = true })
      """.write(to: script, atomically: true, encoding: .utf8)
    let executable = try XCTUnwrap(TunaProcess.executable)
    var configuration = TunaEngine.Configuration()
    configuration.isolation = Supervisor(
      launch: .init(executable: executable.path, arguments: ["run", script.path], environment: ["TUNA_TEST_FAULTS": "1"]))
    let engine = try TunaEngine(configuration: configuration)
    let heard = Heard()
    engine.onEvent = { event in
      if case .trialFinished(_, let trial) = event { heard.add(trial) }
    }
    try engine.runScript(path: script.path)
    let study = try XCTUnwrap(engine.studies.first)
    let trials = try study.trials()
    XCTAssertEqual(trials.count, 8)
    XCTAssertEqual(trials.filter { $0.state == .complete }.count, 7)
    XCTAssertEqual(trials[3].state, .fail)
    XCTAssertTrue(trials[3].failReason?.contains("killed by SIGSEGV") == true, trials[3].failReason ?? "")
    XCTAssertEqual(heard.numbers.sorted(), Array(0..<8), "every trial's end was heard, the dead worker's too")
    engine.closeStorages()
  }
}

private final class Heard: @unchecked Sendable {
  private let lock = NSLock()
  private var trials: [FrozenTrial] = []
  func add(_ trial: FrozenTrial) { lock.withLock { trials.append(trial) } }
  var numbers: [Int] { lock.withLock { trials.map(\.number) } }
}
