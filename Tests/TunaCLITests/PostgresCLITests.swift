import Foundation
import TunaSearch
import TunaStore
import XCTest

/// The CLI and scripts on PostgreSQL, against the server the test command starts: workers in
/// several processes on one study, every study command, `tuna copy` both ways (compared with
/// the same commands on the SQLite original), `tuna.copy_study` from memory, the sandbox, and
/// passwords kept out of every message.
final class PostgresCLITests: XCTestCase {
  private var directory: URL!
  private var databases: [String] = []

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-pg-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    for name in databases { _ = try? psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    try? FileManager.default.removeItem(at: directory)
  }

  // MARK: Server

  private func serverURL() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let url = environment["TUNA_TEST_POSTGRES_URL"], !url.isEmpty { return url }
    let why = "TUNA_TEST_POSTGRES_URL names no server: run scripts/test.sh, which starts one"
    if environment["TUNA_TEST_REQUIRE_POSTGRES"] != nil { XCTFail(why) }
    throw XCTSkip(why)
  }

  private var password: String {
    get throws { String(try serverURL().firstMatch(of: /:\/\/[^:]+:([^@]+)@/)?.1 ?? "\u{0}") }
  }

  @discardableResult
  private func psql(_ sql: String) throws -> TunaResult {
    let result = try TunaProcess.runProgram(
      URL(fileURLWithPath: "/usr/bin/psql"), [try serverURL(), "-v", "ON_ERROR_STOP=1", "-qAtc", sql], in: directory, timeout: 30)
    XCTAssertEqual(result.status, 0, result.transcript)
    return result
  }

  /// A new, empty database's URL.
  private func freshURL() throws -> String {
    let name = "tuna_cli_\(ProcessInfo.processInfo.processIdentifier)_\(databases.count)_\(Int.random(in: 0..<1_000_000))"
    try psql("CREATE DATABASE \(name)")
    databases.append(name)
    let base = try serverURL()
    return String(base[..<base.lastIndex(of: "/")!]) + "/" + name
  }

  private func run(_ arguments: [String], timeout: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws -> TunaResult {
    let result = try tuna(arguments, in: directory, timeout: timeout, file: file, line: line)
    XCTAssertFalse(result.transcript.contains(try password), "the password leaked:\n\(result.transcript)", file: file, line: line)
    return result
  }

  private func write(_ name: String, _ text: String) throws {
    try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
  }

  // MARK: Tests

  /// Two `tuna run` processes with two workers each on one study: 2 x 30 trials, dense and
  /// unique, all complete; the study commands read it.
  func testProcessesAndWorkersShareAStudy() throws {
    let url = try freshURL()
    try write("shared.lua", """
      local study = tuna.create_study{ name = "shared", load_if_exists = true }
      study:optimize(function(t) local x = t:suggest_float("x", -1, 1); return x * x end, { n_trials = 30 })
      """)
    let executable = try XCTUnwrap(TunaProcess.executable)
    let processes = try (0..<2).map { _ -> Process in
      let p = Process()
      p.executableURL = executable
      p.arguments = ["run", "shared.lua", "--storage", url, "--workers", "2"]
      p.currentDirectoryURL = directory
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      try p.run()
      return p
    }
    for p in processes {
      p.waitUntilExit()
      XCTAssertEqual(p.terminationStatus, 0)
    }
    let json = try run(["trials", "shared", "--storage", url, "--format", "json"])
    XCTAssertEqual(json.status, 0, json.transcript)
    let trials = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(trials.compactMap { $0["number"] as? Int }, Array(0..<60))
    XCTAssertEqual(Set(trials.compactMap { $0["state"] as? String }), ["complete"])
    let studies = try run(["studies", "--storage", url])
    assertContains(studies.stdout, "shared  minimize        60        60")
  }

  /// Every study command prints the same for a study copied to PostgreSQL as for the SQLite
  /// original; a copy back is the original again; delete works there too.
  func testCommandsAndCopiesBetweenSQLiteAndPostgreSQL() throws {
    let url = try freshURL()
    try write("make.lua", """
      local s = tuna.create_study{ name = "quad", storage = "sqlite:orig.db", sampler = tuna.samplers.random{ seed = 3 } }
      s:set_user_attr("owner", "tests")
      s:optimize(function(t)
        local x = t:suggest_float("x", -2, 2)
        local n = t:suggest_int("n", 1, 5)
        local opt = t:suggest_categorical("opt", { "adam", "sgd" })
        t:set_user_attr("note", "n=" .. n)
        for step = 0, 2 do t:report(x * x + step, step) end
        if n == 5 then error("boom") end
        return x * x + (opt == "adam" and 0 or 1)
      end, { n_trials = 25 })
      local m = tuna.create_study{ name = "two", directions = { "minimize", "maximize" }, storage = "sqlite:orig.db" }
      m:optimize(function(t) local x = t:suggest_float("x", 0, 1); return x, 1 - x * x end, { n_trials = 10 })
      """)
    XCTAssertEqual(try run(["run", "make.lua"]).status, 0)
    for study in ["quad", "two"] {
      let copied = try run(["copy", study, "--from", "sqlite:orig.db", "--to", url])
      XCTAssertEqual(copied.status, 0, copied.transcript)
      assertContains(copied.stdout, "Copied study '\(study)'")
      assertContains(copied.stdout, "postgresql://tuna:***@")
    }
    let commands: [[String]] = [
      ["studies"], ["studies", "--format", "json"], ["trials", "quad"], ["trials", "quad", "--format", "json"],
      ["trials", "two", "--format", "csv"], ["best", "quad"], ["best", "two", "--format", "json"],
      ["export", "quad", "--format", "csv"], ["export", "quad", "--format", "json"], ["importance", "quad"],
    ]
    for command in commands {
      let original = try run(command + ["--storage", "sqlite:orig.db"])
      let onServer = try run(command + ["--storage", url])
      XCTAssertEqual(original.status, 0, original.transcript)
      XCTAssertEqual(onServer.status, 0, onServer.transcript)
      XCTAssertEqual(onServer.stdout, original.stdout, "tuna \(command.joined(separator: " ")) differs on PostgreSQL")
    }
    let report = try run(["report", "quad", "--storage", url, "-o", "quad.html"])
    XCTAssertEqual(report.status, 0, report.transcript)

    // Back to a new file, under another name: the same trials.
    let back = try run(["copy", "quad", "--from", url, "--to", "sqlite:back.db", "--as", "quad2"])
    XCTAssertEqual(back.status, 0, back.transcript)
    let a = try run(["trials", "quad", "--storage", "sqlite:orig.db", "--format", "json"])
    let b = try run(["trials", "quad2", "--storage", "sqlite:back.db", "--format", "json"])
    XCTAssertEqual(a.stdout, b.stdout)
    // A second copy of the same name is refused, and the first stays whole.
    let again = try run(["copy", "quad", "--from", "sqlite:orig.db", "--to", url])
    XCTAssertEqual(again.status, 1, again.transcript)
    assertContains(again.stderr, "already has a study named 'quad'")
    let missing = try run(["copy", "nope", "--from", url, "--to", "sqlite:x.db"])
    XCTAssertEqual(missing.status, 1, missing.transcript)
    assertContains(missing.stderr, "no study named 'nope'")

    let deleted = try run(["delete", "quad", "--storage", url, "--yes"])
    XCTAssertEqual(deleted.status, 0, deleted.transcript)
    let left = try run(["studies", "--storage", url, "--format", "json"])
    XCTAssertFalse(left.stdout.contains("\"quad\""), left.stdout)
  }

  /// A study tuned in memory is kept with `tuna.copy_study`; a sandboxed script may use the
  /// server `--storage` names, but not one it names itself.
  func testCopyFromMemoryAndTheSandbox() throws {
    let url = try freshURL()
    try write("memory.lua", """
      local s = tuna.create_study{ name = "m" }
      s:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 12 })
      print("copied", tuna.copy_study{ study = "m", to = arg[1] })
      print("again", pcall(tuna.copy_study, { study = "m", to = arg[1] }))
      """)
    let copied = try run(["run", "memory.lua", "--", url])
    XCTAssertEqual(copied.status, 0, copied.transcript)
    assertLine(copied.stdout, "copied\t12")
    assertContains(copied.stdout, "already has a study named 'm'")
    assertContains(try run(["best", "m", "--storage", url]).stdout, "m")

    try write("sandboxed.lua", """
      local s = tuna.create_study{ name = "boxed", storage = arg[1] }
      """)
    let refused = try run(["run", "--sandbox", "sandboxed.lua", "--", url])
    XCTAssertEqual(refused.status, 1, refused.transcript)
    assertContains(refused.stderr, "a sandboxed script cannot connect to a database server")
    try write("granted.lua", """
      local s = tuna.create_study{ name = "boxed" }
      s:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 3 })
      """)
    let granted = try run(["run", "--sandbox", "--storage", url, "granted.lua"])
    XCTAssertEqual(granted.status, 0, granted.transcript)
  }

  /// A wrong password or an unreachable server: exit 1 with the server named, the password
  /// hidden.
  func testConnectionFailuresNameTheServerNotThePassword() throws {
    let url = try freshURL()
    let wrong = url.replacingOccurrences(of: ":" + (try password) + "@", with: ":wrong-pw-9@")
    try write("s.lua", "tuna.create_study{ name = 's' }\n")
    for bad in [wrong, "postgresql://tuna:wrong-pw-9@127.0.0.1:1/db"] {
      for arguments in [["run", "s.lua", "--storage", bad], ["studies", "--storage", bad]] {
        let result = try run(arguments)
        XCTAssertEqual(result.status, 1, result.transcript)
        assertContains(result.stderr, "postgresql://tuna:***@")
        XCTAssertFalse(result.transcript.contains("wrong-pw-9"), result.transcript)
      }
    }
  }
}
