import Foundation
import TunaSearch
import XCTest

final class GridSamplerTests: XCTestCase {
  private let space: [String: [ParamValue]] = [
    "x": [.int(1), .int(2), .int(3)],
    "y": [.float(0.5), .float(1.5)],
    "c": [.string("a"), .string("b")],
  ]

  private struct Point: Hashable {
    let x: Int
    let y: Double
    let c: String
  }

  private func objective(_ trial: Trial) throws -> Double {
    let x = try trial.suggestInt("x", 0, 10)
    let y = try trial.suggestFloat("y", 0, 2)
    let c = try trial.suggestCategorical("c", [.string("a"), .string("b")])
    return Double(x) * y + (c == .string("a") ? 0 : 100)
  }

  private func points(_ study: Study) throws -> [Point] {
    try study.trials().map { t in
      guard case .int(let x)? = t.params["x"], case .float(let y)? = t.params["y"], case .string(let c)? = t.params["c"] else {
        throw TestError("trial \(t.number) has params \(t.params)")
      }
      return Point(x: x, y: y, c: c)
    }
  }

  func testEveryCombinationExactlyOnceThenTheStudyStops() throws {
    let sampler = try GridSampler(searchSpace: space, seed: 3)
    XCTAssertEqual(sampler.size, 12)
    let study = try Study.create(direction: .minimize, sampler: sampler)
    try study.optimize(nTrials: 100, objective)
    let visited = try points(study)
    XCTAssertEqual(visited.count, 12)
    var all = Set<Point>()
    for x in [1, 2, 3] { for y in [0.5, 1.5] { for c in ["a", "b"] { all.insert(Point(x: x, y: y, c: c)) } } }
    XCTAssertEqual(Set(visited), all)
    XCTAssertTrue(try study.trials().allSatisfy { $0.state == .complete })
    XCTAssertEqual(try study.bestValue, 0.5)
    XCTAssertEqual(try study.bestParams, ["x": .int(1), "y": .float(0.5), "c": .string("a")])
  }

  func testStopsWithoutNTrials() throws {
    let study = try Study.create(direction: .minimize, sampler: try GridSampler(searchSpace: ["x": [.int(1), .int(2)]], seed: 1))
    try study.optimize(OptimizeOptions()) { [Double(try $0.suggestInt("x", 0, 5))] }
    XCTAssertEqual(try study.trials().compactMap { $0.params["x"] }.sorted { $0.number! < $1.number! }, [.int(1), .int(2)])
  }

  func testGridIDsAreRecorded() throws {
    let sampler = try GridSampler(searchSpace: space, seed: 5)
    let study = try Study.create(direction: .minimize, sampler: sampler)
    try study.optimize(nTrials: 12, objective)
    for t in try study.trials() {
      guard case .int(let id)? = t.systemAttrs["grid_id"] else { return XCTFail("trial \(t.number) has no grid_id") }
      XCTAssertEqual(sampler.point(id), t.params)
    }
    XCTAssertEqual(Set(try study.trials().compactMap { $0.systemAttrs["grid_id"] }).count, 12)
  }

  func testPointDecomposition() throws {
    let sampler = try GridSampler(searchSpace: space, seed: 1)
    XCTAssertEqual(sampler.names, ["c", "x", "y"])
    XCTAssertEqual(sampler.point(0), ["c": .string("a"), "x": .int(1), "y": .float(0.5)])
    XCTAssertEqual(sampler.point(1), ["c": .string("a"), "x": .int(1), "y": .float(1.5)])
    XCTAssertEqual(sampler.point(2), ["c": .string("a"), "x": .int(2), "y": .float(0.5)])
    XCTAssertEqual(sampler.point(11), ["c": .string("b"), "x": .int(3), "y": .float(1.5)])
    XCTAssertEqual(Set((0..<12).map { sampler.point($0) }).count, 12)
  }

  func testSameSeedSameOrder() throws {
    func order(_ seed: UInt64) throws -> [Point] {
      let study = try Study.create(direction: .minimize, sampler: try GridSampler(searchSpace: space, seed: seed))
      try study.optimize(nTrials: 12, objective)
      return try points(study)
    }
    let first = try order(42)
    XCTAssertEqual(try order(42), first)
    XCTAssertNotEqual(try order(43), first)
  }

  func testResumedStudyContinuesWhereItStopped() throws {
    let storage = InMemoryStorage()
    let first = try Study.create(name: "grid", direction: .minimize, sampler: try GridSampler(searchSpace: space, seed: 9), storage: storage)
    try first.optimize(nTrials: 5, objective)
    let again = try Study.create(
      name: "grid", direction: .minimize, sampler: try GridSampler(searchSpace: space, seed: 9), storage: storage, loadIfExists: true)
    try again.optimize(nTrials: 100, objective)
    let visited = try points(again)
    XCTAssertEqual(visited.count, 12)
    XCTAssertEqual(Set(visited).count, 12)
  }

  func testAskAndTellStopsTheStudyWhenTheGridIsDone() throws {
    let study = try Study.create(direction: .minimize, sampler: try GridSampler(searchSpace: ["x": [.int(1), .int(2)]], seed: 1))
    let t0 = try study.ask()
    _ = try t0.suggestInt("x", 0, 5)
    try study.tell(t0, values: [1])
    XCTAssertFalse(study.stopRequested)
    let t1 = try study.ask()
    _ = try t1.suggestInt("x", 0, 5)
    try study.tell(t1, values: [1])
    XCTAssertTrue(study.stopRequested)
  }

  func testUnknownParameterIsAnError() throws {
    let study = try Study.create(direction: .minimize, sampler: try GridSampler(searchSpace: ["x": [.int(1)], "y": [.int(2)]], seed: 1))
    let trial = try study.ask()
    let error = assertThrows(StudyError.self, { try trial.suggestFloat("z", 0, 1) })
    XCTAssertEqual(error?.description, "parameter 'z' is not in the grid's search space (it has: x, y)")

    // Through optimize, the trial fails with the message and catchErrors false rethrows it.
    let other = try Study.create(direction: .minimize, sampler: try GridSampler(searchSpace: ["x": [.int(1)]], seed: 1))
    let failed = assertThrows(TrialFailed.self, {
      try other.optimize(OptimizeOptions(nTrials: 3, catchErrors: false)) { [try $0.suggestFloat("lr", 0, 1)] }
    })
    XCTAssertTrue(failed?.underlying is StudyError)
    XCTAssertEqual(try other.trials().map(\.state), [.fail])
    XCTAssertEqual(try other.trials().first?.failReason, "parameter 'lr' is not in the grid's search space (it has: x)")
  }

  func testEmptyValueListIsAnError() {
    let error = assertThrows(InvalidArgument.self, { try GridSampler(searchSpace: ["x": [.int(1)], "y": []]) })
    XCTAssertEqual(error?.argument, "searchSpace")
    XCTAssertEqual(error?.description, "searchSpace['y'] must list at least one value")
  }

  func testGridValuesKeepTheSuggestedKind() throws {
    // An integer written as 3.0 still suggests as an integer; an int grid value suggested as a
    // float is a float.
    let study = try Study.create(
      direction: .minimize,
      sampler: try GridSampler(searchSpace: ["n": [.float(3), .int(5)], "lr": [.int(2)]], seed: 1))
    var seen: [(Int, Double)] = []
    try study.optimize(OptimizeOptions(nTrials: 10, catchErrors: false)) { trial in
      let n = try trial.suggestInt("n", 0, 10)
      let lr = try trial.suggestFloat("lr", 0, 4)
      seen.append((n, lr))
      return [Double(n) * lr]
    }
    XCTAssertEqual(seen.map(\.0).sorted(), [3, 5])
    XCTAssertEqual(seen.map(\.1), [2, 2])
    for t in try study.trials() {
      guard case .int? = t.params["n"], case .float(2)? = t.params["lr"] else {
        return XCTFail("trial \(t.number) stored \(t.params)")
      }
    }
  }
}
