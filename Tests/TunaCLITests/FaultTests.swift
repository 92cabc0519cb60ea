import CSQLite
import Foundation
import TunaSearch
import TunaStore
import XCTest

/// Stored studies under faults: many processes writing one SQLite file at once, a process killed
/// in the middle of a trial and its study resumed, a hundred writers killed at random moments
/// (the file must stay intact and every finished trial must survive), workers in threads.
final class FaultTests: XCTestCase {
  // MARK: Processes sharing one file

  /// 8 processes started together on one file, 50 trials each: 400 trials, numbered 0…399,
  /// all complete; no process fails or complains of a locked or busy database.
  func testEightProcessesShareOneStudy() throws {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("shared.db").path
    // No setup run: the 8 processes create (or load) the study themselves, all at once.
    let processes = try (0..<8).map { i in
      try BackgroundTuna(["run", "fault_worker.lua", "--", path, "50"], logs: dir, name: "worker-\(i)")
    }
    for (i, p) in processes.enumerated() {
      let result = p.finish(timeout: 60)
      XCTAssertFalse(result.timedOut, "worker \(i) ran past 60 s\n\(result.transcript)")
      XCTAssertEqual(result.status, 0, "worker \(i)\n\(result.transcript)")
      for word in ["locked", "busy"] {
        XCTAssertFalse(result.stderr.lowercased().contains(word), "worker \(i) mentions '\(word)'\n\(result.transcript)")
      }
    }
    let trials = try XCTUnwrap(try storedTrials(path, study: "shared"))
    XCTAssertEqual(trials.map(\.number), Array(0..<400), "numbers unique and dense")
    XCTAssertEqual(trials.filter { $0.state == .complete }.count, 400, "states: \(stateCounts(trials))")
    XCTAssertEqual(Set(trials.map(\.id)).count, 400)
    XCTAssertEqual(try integrityCheck(path), ["ok"])
  }

  /// 8 processes started together on a new file, each creating the study with
  /// `load_if_exists = true` (and no trial), 5 times over: every process succeeds and the file
  /// holds one study (a process that loses the race to create it loads the winner's).
  func testEightProcessesCreateOneStudyTogether() throws {
    let dir = try temporaryDirectory()
    for round in 0..<5 {
      let path = dir.appendingPathComponent("create-\(round).db").path
      let processes = try (0..<8).map { i in
        try BackgroundTuna(["run", "fault_worker.lua", "--", path, "0"], logs: dir, name: "create-\(round)-\(i)")
      }
      for (i, p) in processes.enumerated() {
        let result = p.finish(timeout: 30)
        XCTAssertFalse(result.timedOut, result.transcript)
        XCTAssertEqual(result.status, 0, "round \(round), process \(i)\n\(result.transcript)")
      }
      let storage = try SQLiteStorage(path: path, busyTimeout: 5)
      XCTAssertEqual(try storage.allStudies().map(\.name), ["shared"])
      XCTAssertEqual(try integrityCheck(path), ["ok"])
    }
  }

  /// `--workers 3`: three Lua states in threads of one process share the study in the file and
  /// its budget; then two such processes at once continue it.
  func testWorkersInOneProcessShareAStoredStudy() throws {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("workers.db").path
    let result = try tuna(["run", "--workers", "3", "fault_worker.lua", "--", path, "30"], timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    var trials = try XCTUnwrap(try storedTrials(path, study: "shared"))
    XCTAssertEqual(trials.map(\.number), Array(0..<30), "n_trials in all, dense")
    XCTAssertTrue(trials.allSatisfy { $0.state == .complete }, "states: \(stateCounts(trials))")

    let both = try [3, 2].enumerated().map { i, workers in
      try BackgroundTuna(["run", "--workers", "\(workers)", "fault_worker.lua", "--", path, "30"], logs: dir, name: "run-\(i)")
    }
    for p in both {
      let result = p.finish(timeout: 60)
      XCTAssertEqual(result.status, 0, result.transcript)
      XCTAssertFalse(result.timedOut)
    }
    trials = try XCTUnwrap(try storedTrials(path, study: "shared"))
    XCTAssertEqual(trials.map(\.number), Array(0..<90))
    XCTAssertTrue(trials.allSatisfy { $0.state == .complete }, "states: \(stateCounts(trials))")
  }

  // MARK: A killed process, resumed

  /// kill -9 while trial 10 runs; `--resume` fails the orphan as stale and runs its own trials.
  func testAKilledRunResumesWithoutLosingTrials() throws {
    let (before, after) = try killAndResume(retry: 0)
    XCTAssertFalse(
      after.contains { $0.systemAttrs["retried_from"] != nil }, "retry_failed = 0 retries nothing: \(after.map(\.systemAttrs))")
    XCTAssertEqual(after.count, before.count + 10)
    XCTAssertTrue(after.dropFirst(before.count).allSatisfy { $0.state == .complete }, "states: \(stateCounts(after))")
  }

  /// As above with `retry_failed = 1`: the orphan's parameters run again in a new trial that
  /// names the orphan in `retried_from`.
  func testAKilledRunsTrialIsRetriedOnResume() throws {
    let (before, after) = try killAndResume(retry: 1)
    let orphan = before[10]
    let retries = after.filter { $0.systemAttrs["retried_from"] != nil }
    XCTAssertEqual(retries.count, 1, "one retry of the orphan: \(after.map(\.systemAttrs))")
    guard let retry = retries.first else { return }
    XCTAssertGreaterThan(retry.number, orphan.number)
    XCTAssertEqual(retry.systemAttrs["retried_from"], .int(orphan.number))
    XCTAssertEqual(retry.systemAttrs["retry_count"], .int(1))
    XCTAssertEqual(retry.state, .complete, "the retry ran: \(retry)")
    XCTAssertFalse(orphan.params.isEmpty)
    XCTAssertEqual(retry.params, orphan.params, "the retry has the orphan's parameters")
    // The retry counts in the resumed run's budget of 10.
    XCTAssertEqual(after.count, before.count + 10)
  }

  /// Runs `fault_crash.lua` until trial 10 hangs, kills the process with SIGKILL, checks what
  /// it left, resumes the study with `--resume` for 10 more trials and checks the outcome.
  /// Returns the trials after the kill and after the resumed run.
  private func killAndResume(
    retry: Int, file: StaticString = #filePath, line: UInt = #line
  ) throws -> (before: [FrozenTrial], after: [FrozenTrial]) {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("crash.db").path
    let hangAt = 10
    let first = try BackgroundTuna(["run", "fault_crash.lua", "--", path, "\(hangAt)", "\(retry)", "20"], logs: dir, name: "first")
    guard first.waitForOutput("hanging \(hangAt)\n", timeout: 30) else {
      let result = first.finish(timeout: 1)
      throw FaultTestError("trial \(hangAt) never started to hang\n\(result.transcript)")
    }
    Thread.sleep(forTimeInterval: 0.3)  // a heartbeat or two from the hanging trial
    first.kill9()
    XCTAssertEqual(first.process.terminationReason, .uncaughtSignal, file: file, line: line)
    XCTAssertEqual(first.process.terminationStatus, SIGKILL, file: file, line: line)

    // Every trial the process saw stored (its callback printed it) is in the file.
    let printed = finishedLines(first.stdout)
    XCTAssertEqual(printed.map(\.number), Array(0..<hangAt), first.stdout, file: file, line: line)
    let before = try XCTUnwrap(try storedTrials(path, study: "crash"), file: file, line: line)
    XCTAssertEqual(before.map(\.number), Array(0...hangAt), "states: \(stateCounts(before))", file: file, line: line)
    XCTAssertEqual(try integrityCheck(path), ["ok"], file: file, line: line)
    for p in printed where p.number < before.count {
      XCTAssertEqual(before[p.number].state, .complete, file: file, line: line)
      XCTAssertEqual(before[p.number].value, p.value, "trial \(p.number)", file: file, line: line)
    }
    XCTAssertEqual(before.last?.state, .running, "the orphan is left running", file: file, line: line)

    // Past the grace period (1 s after the last heartbeat), resume.
    Thread.sleep(forTimeInterval: 1.5)
    let resumed = try tuna(["run", "--resume", "fault_crash.lua", "--", path, "-1", "\(retry)", "10"], timeout: 60)
    XCTAssertEqual(resumed.status, 0, resumed.transcript, file: file, line: line)
    let after = try XCTUnwrap(try storedTrials(path, study: "crash"), file: file, line: line)
    XCTAssertEqual(after.map(\.number), Array(0..<after.count), "numbers dense", file: file, line: line)
    XCTAssertEqual(
      finishedLines(resumed.stdout).map(\.number), Array(before.count..<(before.count + 10)), resumed.stdout, file: file,
      line: line)
    // No complete trial lost or changed.
    for t in before where t.state == .complete {
      XCTAssertEqual(after[t.number].state, .complete, "trial \(t.number)", file: file, line: line)
      XCTAssertEqual(after[t.number].values, t.values, "trial \(t.number)", file: file, line: line)
      XCTAssertEqual(after[t.number].params, t.params, "trial \(t.number)", file: file, line: line)
    }
    let orphan = after[hangAt]
    XCTAssertEqual(orphan.state, .fail, "the orphan: \(orphan)", file: file, line: line)
    XCTAssertEqual(orphan.failReason, staleTrialFailReason, file: file, line: line)
    XCTAssertEqual(orphan.params, before[hangAt].params, file: file, line: line)
    XCTAssertFalse(after.contains { $0.state == .running }, "states: \(stateCounts(after))", file: file, line: line)
    XCTAssertEqual(try integrityCheck(path), ["ok"], file: file, line: line)
    return (before, after)
  }

  /// The "done NUMBER STATE VALUE" lines of fault_crash.lua's output.
  private func finishedLines(_ stdout: String) -> [(number: Int, state: String, value: Double)] {
    stdout.split(separator: "\n").compactMap { line in
      let words = line.split(separator: " ")
      guard words.count == 4, words[0] == "done", let n = Int(words[1]), let v = Double(words[3]) else { return nil }
      return (n, String(words[2]), v)
    }
  }

  // MARK: Writers killed at random moments

  /// 100 times: a writer starts on the file and is killed (SIGKILL) after a random delay, during
  /// its startup or in the middle of its trials. After each kill the file passes SQLite's integrity
  /// and foreign key checks, opens as a storage, its trials read back with dense numbers, and
  /// every trial seen complete before is still complete with the same value. A last run with
  /// `--resume` then completes its trials and fails the orphans as stale.
  func testWritersKilledAtRandomLeaveTheFileIntact() throws {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("writer.db").path
    var rng = RandomSource(seed: 20_261_130)
    var seenComplete: [Int: Double] = [:]
    var killedDuringStartup = 0
    var reader: (storage: SQLiteStorage, studyID: Int)?
    let start = Date()
    for iteration in 0..<100 {
      // tuna starts in about 20 ms: every fourth kill comes within its first 25 ms, the others
      // after 20-200 ms, mostly in the middle of trials.
      let delay = iteration % 4 == 0 ? rng.uniform(0.001, 0.025) : rng.uniform(0.020, 0.200)
      let writer = try BackgroundTuna(["run", "--resume", "--quiet", "fault_writer.lua", "--", path], logs: dir, name: "writer")
      Thread.sleep(forTimeInterval: delay)
      writer.kill9()
      let context = "iteration \(iteration), killed after \(Int(delay * 1000)) ms"
      guard writer.process.terminationReason == .uncaughtSignal else {
        XCTFail("the writer ended before it was killed (\(context))\nstdout: \(writer.stdout)\nstderr: \(writer.stderr)")
        return
      }
      if !writer.stdout.contains("ready") { killedDuringStartup += 1 }
      guard FileManager.default.fileExists(atPath: path) else { continue }  // killed before it made the file

      XCTAssertEqual(try integrityCheck(path), ["ok"], context)
      XCTAssertEqual(try foreignKeyCheck(path), [], context)
      // The file opens as a storage (a fresh connection, as the next process would).
      let fresh = try SQLiteStorage(path: path, busyTimeout: 5)
      guard let record = try fresh.study(named: "writer") else { continue }  // killed before create_study
      let rows = try trialRows(path, studyID: record.id)
      XCTAssertEqual(rows.map(\.number), Array(0..<rows.count), "dense numbers (\(context))")
      XCTAssertEqual(try fresh.trialCount(studyID: record.id, states: nil), rows.count, context)
      var lost: [Int] = []
      for (number, value) in seenComplete where number >= rows.count || rows[number].state != "complete" || rows[number].value != value {
        lost.append(number)
      }
      XCTAssertEqual(lost.sorted(), [], "complete trials lost or changed (\(context))")
      for row in rows where row.state == "complete" { seenComplete[row.number] = row.value }
      // Every trial decodes (a long-lived reader, which reads only what it has not seen finished).
      if reader == nil { reader = (try SQLiteStorage(path: path, busyTimeout: 5), record.id) }
      if let reader {
        let trials = try reader.storage.trials(studyID: reader.studyID, states: nil)
        XCTAssertEqual(trials.map(\.number), Array(0..<rows.count), context)
        XCTAssertEqual(trials.map(\.state.rawValue), rows.map(\.state), context)
      }
      if Date().timeIntervalSince(start) > 150 {
        XCTFail("the kill loop ran past 150 s after \(iteration + 1) iterations")
        return
      }
    }
    let loopSeconds = Date().timeIntervalSince(start)
    let stored = try XCTUnwrap(reader, "no writer ever created the study")
    let beforeFinal = try trialRows(path, studyID: stored.studyID)
    XCTAssertGreaterThan(seenComplete.count, 100, "the writers stored few trials: the kills tested little")

    // Past the grace period (0.5 s), a last run resumes and completes; every orphan that had
    // beaten is failed as stale.
    Thread.sleep(forTimeInterval: 0.8)
    let final = try tuna(["run", "--resume", "--quiet", "fault_writer.lua", "--", path, "20"], timeout: 60)
    XCTAssertEqual(final.status, 0, final.transcript)
    let rows = try trialRows(path, studyID: stored.studyID)
    XCTAssertEqual(rows.map(\.number), Array(0..<rows.count))
    XCTAssertEqual(rows.count, beforeFinal.count + 20)
    XCTAssertTrue(rows.suffix(20).allSatisfy { $0.state == "complete" }, "the last run's trials")
    let orphans = beforeFinal.filter { $0.state == "running" }
    let stillRunning = rows.filter { $0.state == "running" }
    // A trial starts with its first heartbeat in the same transaction, so a kill at any moment
    // leaves no running trial that the last run could not find stale.
    XCTAssertEqual(stillRunning.map(\.number), [], "trials still running after the last run")
    let staleFailed = rows.filter { $0.failReason == staleTrialFailReason }.count
    XCTAssertEqual(try integrityCheck(path), ["ok"])
    print(
      "FaultTests: 100 kills in \(String(format: "%.1f", loopSeconds)) s, \(killedDuringStartup) during startup"
        + " (before the script's first trial); \(seenComplete.count) complete trials kept; \(orphans.count) orphans"
        + " before the last run, \(staleFailed) failed as stale in all, \(stillRunning.count) never beat and stay running"
        + " (numbers \(stillRunning.map(\.number)))")
  }

  // MARK: Helpers

  /// A new directory, removed when the test ends.
  private func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-fault-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
  }

  /// The study's trials as a new `SQLiteStorage` reads them; nil when there is no such study.
  private func storedTrials(_ path: String, study name: String) throws -> [FrozenTrial]? {
    let storage = try SQLiteStorage(path: path, busyTimeout: 5)
    guard let record = try storage.study(named: name) else { return nil }
    return try storage.trials(studyID: record.id, states: nil)
  }

  private func stateCounts(_ trials: [FrozenTrial]) -> [String: Int] {
    Dictionary(grouping: trials, by: \.state.rawValue).mapValues(\.count)
  }

  /// One row of the trials table, read with SQL.
  struct TrialRow: CustomStringConvertible {
    var number: Int
    var state: String
    var value: Double?
    var failReason: String?
    var heartbeat: Double?
    var description: String { "#\(number) \(state) heartbeat \(heartbeat.map { "\($0)" } ?? "NULL")" }
  }

  private func trialRows(_ path: String, studyID: Int) throws -> [TrialRow] {
    try query(
      path, "SELECT number, state, value, fail_reason, heartbeat FROM trials WHERE study_id = \(studyID) ORDER BY number"
    ) { s in
      TrialRow(
        number: Int(sqlite3_column_int64(s, 0)), state: text(s, 1) ?? "", value: double(s, 2), failReason: text(s, 3),
        heartbeat: double(s, 4))
    }
  }

  /// `PRAGMA integrity_check`'s rows: ["ok"] for a sound file.
  private func integrityCheck(_ path: String) throws -> [String] {
    try query(path, "PRAGMA integrity_check") { text($0, 0) ?? "NULL" }
  }

  /// `PRAGMA foreign_key_check`'s rows (table, rowid, parent): none for a sound file.
  private func foreignKeyCheck(_ path: String) throws -> [String] {
    try query(path, "PRAGMA foreign_key_check") { s in
      "\(text(s, 0) ?? "") row \(sqlite3_column_int64(s, 1)) → \(text(s, 2) ?? "")"
    }
  }

  /// Runs one statement on a new connection to `path` and maps its rows.
  private func query<Row>(_ path: String, _ sql: String, _ row: (OpaquePointer) -> Row) throws -> [Row] {
    var connection: OpaquePointer?
    defer { sqlite3_close_v2(connection) }
    guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db = connection else {
      throw FaultTestError("opening \(path): \(connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory")")
    }
    sqlite3_busy_timeout(db, 5_000)
    var prepared: OpaquePointer?
    defer { sqlite3_finalize(prepared) }
    guard sqlite3_prepare_v2(db, sql, -1, &prepared, nil) == SQLITE_OK, let statement = prepared else {
      throw FaultTestError("preparing \(sql): \(String(cString: sqlite3_errmsg(db)))")
    }
    var rows: [Row] = []
    while true {
      let rc = sqlite3_step(statement)
      if rc == SQLITE_DONE { return rows }
      guard rc == SQLITE_ROW else { throw FaultTestError("\(sql): \(String(cString: sqlite3_errmsg(db)))") }
      rows.append(row(statement))
    }
  }
}

private func text(_ s: OpaquePointer, _ column: Int32) -> String? {
  sqlite3_column_text(s, column).map { String(cString: $0) }
}

private func double(_ s: OpaquePointer, _ column: Int32) -> Double? {
  sqlite3_column_type(s, column) == SQLITE_NULL ? nil : sqlite3_column_double(s, column)
}

private struct FaultTestError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// A `tuna` process started in the background (in the fixtures folder), its stdout and stderr
/// going to files.
final class BackgroundTuna {
  let process = Process()
  let arguments: [String]
  private let outURL: URL
  private let errURL: URL
  private let start = Date()

  init(_ arguments: [String], logs: URL, name: String) throws {
    guard let executable = TunaProcess.executable else {
      throw NSError(domain: "TunaCLITests", code: 1, userInfo: [NSLocalizedDescriptionKey: "the tuna executable was not found"])
    }
    self.arguments = arguments
    let fm = FileManager.default
    let id = UUID().uuidString.prefix(8)
    outURL = logs.appendingPathComponent("\(name)-\(id).out")
    errURL = logs.appendingPathComponent("\(name)-\(id).err")
    _ = fm.createFile(atPath: outURL.path, contents: nil)
    _ = fm.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    defer {
      try? out.close()
      try? err.close()
    }
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = TunaProcess.fixtures
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    try process.run()
  }

  var stdout: String { String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self) }
  var stderr: String { String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self) }

  /// Waits until stdout contains `text`; false when the process ended or `timeout` passed first.
  func waitForOutput(_ text: String, timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if stdout.contains(text) { return true }
      if !process.isRunning { return stdout.contains(text) }
      usleep(5_000)
    }
    return false
  }

  /// SIGKILL, and waits for the process to end.
  func kill9() {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Waits for the process to exit, killing it after `timeout` seconds.
  func finish(timeout: Double) -> TunaResult {
    let deadline = start.addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
      if Date() >= deadline {
        timedOut = true
        kill(process.processIdentifier, SIGKILL)
        break
      }
      usleep(5_000)
    }
    process.waitUntilExit()
    return TunaResult(
      status: process.terminationStatus, stdout: stdout, stderr: stderr, seconds: Date().timeIntervalSince(start),
      timedOut: timedOut)
  }
}
