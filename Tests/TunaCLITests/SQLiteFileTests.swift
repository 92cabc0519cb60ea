import Foundation
import TunaSearch
import TunaStore
import XCTest

/// A SQLite file is complete on its own once `tuna run` has ended, however it ended: no `-wal`
/// file is left beside it, and a copy of the file alone holds every trial.
final class SQLiteFileTests: XCTestCase {
  func testTheFileIsCompleteWhenTheRunEnds() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-file-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try """
      local study = tuna.create_study{ name = "s", load_if_exists = true }
      study:optimize(function(t)
        local x = t:suggest_float("x", -1, 1)
        local start = os.clock()
        while os.clock() - start < (arg[1] == "slow" and 0.05 or 0) do end
        return x * x
      end, { n_trials = arg[1] == "slow" and 1000 or 20 })
      if arg[1] == "fail" then error("the script fails after its study") end
      """.write(to: directory.appendingPathComponent("s.lua"), atomically: true, encoding: .utf8)
    let executable = try XCTUnwrap(TunaProcess.executable)
    for (name, extra, signal) in [
      ("success", [], nil), ("script error", ["--", "fail"], nil), ("two workers", ["--workers", "2"], nil),
      ("SIGINT", ["--", "slow"], SIGINT), ("SIGTERM", ["--", "slow"], SIGTERM),
    ] as [(String, [String], Int32?)] {
      let file = directory.appendingPathComponent("run.db").path
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
      let p = Process()
      p.executableURL = executable
      p.arguments = ["run", "s.lua", "--storage", "sqlite:run.db"] + extra
      p.currentDirectoryURL = directory
      let log = directory.appendingPathComponent("run.log")
      _ = FileManager.default.createFile(atPath: log.path, contents: nil)
      p.standardOutput = try FileHandle(forWritingTo: log)
      p.standardError = p.standardOutput
      try p.run()
      if let signal {
        Thread.sleep(forTimeInterval: 1.5)
        kill(p.processIdentifier, signal)
      }
      p.waitUntilExit()
      let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      XCTAssertEqual(p.terminationStatus, signal.map { 128 + $0 } ?? (name == "script error" ? 1 : 0), "\(name): \(output)")
      XCTAssertFalse(FileManager.default.fileExists(atPath: file + "-wal"), "\(name): a -wal file was left")
      let copy = directory.appendingPathComponent("copy.db").path
      try? FileManager.default.removeItem(atPath: copy)
      try FileManager.default.copyItem(atPath: file, toPath: copy)
      let original = try SQLiteStorage(path: file)
      let alone = try SQLiteStorage(path: copy)
      let study = try XCTUnwrap(try original.study(named: "s"), name)
      let trials = try original.trials(studyID: study.id, states: nil)
      XCTAssertFalse(trials.isEmpty, name)
      XCTAssertEqual(try alone.trials(studyID: try XCTUnwrap(try alone.study(named: "s"), name).id, states: nil), trials, name)
    }
  }

  /// A storage named like a SQLite URI (`sqlite:file:%2Fsomewhere%2Fx.db`) is a plain relative
  /// file name: it cannot reach a file outside the sandbox's grants (found by the program fuzzer).
  func testURIFileNamesStayPlainPaths() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-uri-\(UUID().uuidString)")
    let granted = directory.appendingPathComponent("granted")
    try FileManager.default.createDirectory(at: granted, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outside = directory.appendingPathComponent("outside.db").path
    let encoded = outside.replacingOccurrences(of: "/", with: "%2F")
    try """
      local s = tuna.create_study{} s:tell(s:ask(), 1)
      print("copy", pcall(tuna.copy_study, { study = s.name, to = "sqlite:file:\(encoded)" }))
      print("create", pcall(tuna.create_study, { storage = "sqlite:file:\(encoded)?mode=rwc" }))
      """.write(to: granted.appendingPathComponent("s.lua"), atomically: true, encoding: .utf8)
    let result = try tuna(["run", "--sandbox", "--allow-write", ".", "s.lua"], in: granted)
    XCTAssertEqual(result.status, 0, result.transcript)
    XCTAssertFalse(FileManager.default.fileExists(atPath: outside), "a URI file name reached \(outside)")
  }
}
