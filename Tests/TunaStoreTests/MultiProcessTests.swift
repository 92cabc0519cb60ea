import Foundation
import TunaSearch
import TunaStore
import XCTest

/// Processes sharing one SQLite file or one PostgreSQL database: the test starts copies of this
/// test binary, each running `testWorker` against the storage the environment names.
final class MultiProcessTests: TemporaryDirectoryTestCase {
  private static let urlVariable = "TUNA_STORE_TEST_WORKER_URL"
  private static let workers = 8
  private static let trialsPerWorker = 40

  func testProcessesShareOneFile() throws {
    try checkProcessesShare(url: "sqlite:" + newPath())
  }

  func testProcessesShareOnePostgresDatabase() throws {
    let name = try PostgresTestServer.freshDatabase()
    defer { PostgresTestServer.drop(name) }
    try checkProcessesShare(url: try PostgresTestServer.url(database: name))
  }

  private func checkProcessesShare(url: String) throws {
    let binary = CommandLine.arguments[0]
    guard binary.hasSuffix(".xctest"), FileManager.default.isExecutableFile(atPath: binary) else {
      throw XCTSkip("needs to start this test binary again, and it is not an executable: \(binary)")
    }
    let storage = try openStorage(url)
    let study = try storage.createStudy(name: "processes", directions: [.minimize])
    var environment = ProcessInfo.processInfo.environment
    environment[Self.urlVariable] = url
    environment["OPENBLAS_NUM_THREADS"] = "1"
    var running: [(Process, String)] = []
    for worker in 0..<Self.workers {
      let log = directory.appendingPathComponent("worker-\(worker).log").path
      XCTAssertTrue(FileManager.default.createFile(atPath: log, contents: nil))
      let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
      let p = Process()
      p.executableURL = URL(fileURLWithPath: binary)
      p.arguments = ["TunaStoreTests.MultiProcessTests/testWorker"]
      p.environment = environment
      p.standardOutput = output
      p.standardError = output
      try p.run()
      running.append((p, log))
    }
    for (p, log) in running {
      p.waitUntilExit()
      let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      XCTAssertEqual(p.terminationStatus, 0, "a worker failed:\n\(output.suffix(3_000))")
      XCTAssertTrue(output.contains("Executed 1 test, with 0 failures"), "a worker ran no test:\n\(output.suffix(3_000))")
    }
    let n = Self.workers * Self.trialsPerWorker
    let trials = try storage.trials(studyID: study.id, states: nil)
    XCTAssertEqual(trials.map(\.number), Array(0..<n))
    XCTAssertEqual(trials.filter { $0.state == .complete }.count, n)
    XCTAssertEqual(Set(trials.compactMap(\.value)).count, n)
    XCTAssertEqual(Set(trials.compactMap { $0.userAttrs["pid"] }).count, Self.workers)
    XCTAssertEqual(try storage.bestTrial(studyID: study.id)?.value, trials.compactMap(\.value).min())
  }

  /// One worker of `testProcessesShareOneFile`; does nothing unless started by it.
  func testWorker() throws {
    guard let url = ProcessInfo.processInfo.environment[Self.urlVariable] else { return }
    let s = try openStorage(url)
    let study = try XCTUnwrap(try s.study(named: "processes"))
    let pid = Int(ProcessInfo.processInfo.processIdentifier)
    let unit = try Distribution.float(0, 1)
    for i in 0..<Self.trialsPerWorker {
      let t = try s.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
      try s.setTrialUserAttr(trialID: t.id, key: "pid", value: .int(pid))
      try s.setTrialParam(trialID: t.id, name: "x", value: .float(Double(i) / 100), distribution: unit)
      try s.reportIntermediate(trialID: t.id, step: 0, value: Double(i))
      try s.recordHeartbeat(trialID: t.id)
      _ = try s.trials(studyID: study.id, states: [.complete])
      _ = try s.finishTrial(trialID: t.id, state: .complete, values: [Double(pid * 1_000 + i)], failReason: nil)
      _ = try s.bestTrial(studyID: study.id)
    }
  }
}
