import Foundation
import TunaSearch
import TunaStore
import XCTest

/// `deterministic = 3` in `create_study`: a seeded study takes the same trials whether one
/// worker runs it, three worker threads, or three `tuna run` processes sharing its file.
final class DeterministicTests: XCTestCase {
  func testSameTrialsWithAnyWorkersOrProcesses() throws {
    for sampler in ["auto", "tpe"] {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-det-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: dir) }
      let trials = 30

      let one = dir.appendingPathComponent("one.db").path
      let single = try tuna(["run", "--quiet", "deterministic.lua", "--", one, "\(trials)", sampler], timeout: 120)
      XCTAssertEqual(single.status, 0, single.transcript)

      let threads = dir.appendingPathComponent("threads.db").path
      let threaded = try tuna(["run", "--quiet", "--workers", "3", "deterministic.lua", "--", threads, "\(trials)", sampler], timeout: 120)
      XCTAssertEqual(threaded.status, 0, threaded.transcript)

      let shared = dir.appendingPathComponent("processes.db").path
      let processes = try (0..<3).map { i in
        try BackgroundTuna(["run", "--quiet", "deterministic.lua", "--", shared, "\(trials / 3)", sampler], logs: dir, name: "p\(i)")
      }
      for p in processes {
        let result = p.finish(timeout: 120)
        XCTAssertEqual(result.status, 0, result.transcript)
      }

      let reference = try params(one)
      XCTAssertEqual(reference.count, trials)
      for (label, path) in [("3 workers", threads), ("3 processes", shared)] {
        let other = try params(path)
        XCTAssertEqual(other.count, trials, label)
        for (n, (a, b)) in zip(reference, other).enumerated() where a != b {
          XCTFail("\(sampler), \(label): trial \(n) took \(b), one worker \(a)")
          break
        }
      }
    }
  }

  private func params(_ path: String) throws -> [[String: ParamValue]] {
    let storage = try SQLiteStorage(path: path, busyTimeout: 5)
    let record = try XCTUnwrap(try storage.study(named: "det"))
    let trials = try storage.trials(studyID: record.id, states: nil)
    XCTAssertTrue(trials.allSatisfy { $0.state == .complete }, "\(trials.map(\.state))")
    return trials.map(\.params)
  }
}
