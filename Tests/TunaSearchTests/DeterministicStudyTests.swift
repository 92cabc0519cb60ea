import Foundation
@testable import TunaSearch
import XCTest

/// A deterministic study suggests the same trials however many workers run it and however
/// their trials interleave.
final class DeterministicStudyTests: XCTestCase {
  /// A space with every kind of parameter and an objective of all of them.
  static func objective(_ t: Trial) throws -> [Double] {
    let x = try t.suggestFloat("x", -3, 3)
    let y = try t.suggestFloat("y", 1e-3, 1, log: true)
    let n = try t.suggestInt("n", 1, 9)
    let c = try t.suggestCategorical("c", [.string("a"), .string("b"), .string("c")])
    let penalty = c == .string("b") ? 0 : 0.5
    return [(x - 0.7) * (x - 0.7) + log(y) * log(y) / 10 + Double(abs(n - 4)) / 4 + penalty]
  }

  static func twoObjectives(_ t: Trial) throws -> [Double] {
    let x = try t.suggestFloat("x", 0, 1)
    let y = try t.suggestFloat("y", 0, 1)
    return [x * x + y, (1 - x) * (1 - x) + y]
  }

  /// The parameters of every trial, by number, after `trials` trials run by `workers` threads
  /// that each hold their own study object and sampler (as `tuna run` workers and separate
  /// processes do), each trial sleeping a random while.
  func run(
    workers: Int, trials: Int, lag: Int?, directions: [StudyDirection] = [.minimize],
    sampler: @escaping @Sendable () throws -> any Sampler, objective: @escaping @Sendable (Trial) throws -> [Double] = objective
  ) throws -> [[String: ParamValue]] {
    let storage = InMemoryStorage()
    let name = "det"
    _ = try Study.create(name: name, directions: directions, sampler: RandomSampler(seed: 0), storage: storage)
    let claimed = Counter()
    let failures = Counter()
    let group = DispatchGroup()
    for w in 0..<workers {
      group.enter()
      let thread = Thread {
        defer { group.leave() }
        do {
          let study = try Study.create(
            name: name, directions: directions, sampler: try sampler(), storage: storage, loadIfExists: true,
            deterministicLag: lag)
          var jitter = SystemRandomNumberGenerator()
          var options = OptimizeOptions()
          options.claimTrial = { claimed.next() < trials }
          try study.optimize(options) { t in
            if workers > 1 { Thread.sleep(forTimeInterval: Double.random(in: 0...0.003, using: &jitter) * Double(w + 1)) }
            return try objective(t)
          }
        } catch {
          _ = failures.next()
        }
      }
      thread.start()
    }
    group.wait()
    XCTAssertEqual(failures.value, 0)
    let all = try storage.trials(studyID: try storage.study(named: name)!.id, states: nil)
    XCTAssertEqual(all.count, trials)
    XCTAssertTrue(all.allSatisfy { $0.state == .complete }, "\(all.map(\.state))")
    return all.map(\.params)
  }

  func check(
    _ name: String, trials: Int = 36, lag: Int = 3, directions: [StudyDirection] = [.minimize],
    objective: @escaping @Sendable (Trial) throws -> [Double] = objective, sampler: @escaping @Sendable () throws -> any Sampler
  ) throws {
    let one = try run(workers: 1, trials: trials, lag: lag, directions: directions, sampler: sampler, objective: objective)
    for workers in [2, 4] {
      let many = try run(
        workers: workers, trials: trials, lag: lag, directions: directions, sampler: sampler, objective: objective)
      for (n, (a, b)) in zip(one, many).enumerated() where a != b {
        XCTFail("\(name), \(workers) workers: trial \(n) took \(b), one worker \(a)")
        return
      }
    }
  }

  func testTPEWithConstantLiar() throws {
    try check("tpe") { try TPESampler(seed: 5, nStartupTrials: 6, multivariate: true, constantLiar: true) }
  }

  func testGP() throws {
    try check("gp", trials: 24) { GPSampler(seed: 5, nStartupTrials: 5) }
  }

  func testCMAES() throws {
    try check("cmaes", trials: 40) { try CMAESSampler(seed: 5, nStartupTrials: 3) }
  }

  func testAutoAcrossItsHandOff() throws {
    try check("auto", trials: 40) { try AutoSampler(seed: 5, modelTrials: 14) }
  }

  func testNSGA2() throws {
    try check("nsga2", trials: 40, directions: [.minimize, .minimize], objective: Self.twoObjectives) {
      try NSGA2Sampler(seed: 5, populationSize: 6)
    }
  }

  /// The check can fail: the same workers without the horizon take other trials.
  func testWithoutItParallelTrialsDiffer() throws {
    let make: @Sendable () throws -> any Sampler = {
      try TPESampler(seed: 5, nStartupTrials: 6, multivariate: true, constantLiar: true)
    }
    let one = try run(workers: 1, trials: 36, lag: nil, sampler: make)
    let four = try run(workers: 4, trials: 36, lag: nil, sampler: make)
    XCTAssertNotEqual(one, four)
  }

  /// Trial n sees trials up to n − lag as they finished, the later ones as running stand-ins
  /// holding their settled values only, and nothing after itself.
  func testHorizonView() throws {
    let d = try Distribution.float(0, 1)
    func trial(_ n: Int, _ state: TrialState, ready: [String: AttrValue]? = nil) -> FrozenTrial {
      var attrs: [String: AttrValue] = ["mine": .int(n), "late": .int(0)]
      if let ready { attrs[DeterministicHorizon.readyKey] = .object(["params": .object(ready), "attrs": .array([.string("mine")])]) }
      return FrozenTrial(
        id: n, number: n, state: state, values: state == .complete ? [Double(n)] : nil, params: ["x": .float(0.1 * Double(n))],
        distributions: ["x": d], systemAttrs: attrs)
    }
    // Trial 5, lag 4: trials 0 and 1 as they finished, 2 and 3 as stand-ins, 4 not at all.
    let horizon = DeterministicHorizon(number: 5, lag: 4)
    let trials = [
      trial(0, .complete), trial(1, .fail), trial(2, .running, ready: [:]), trial(3, .complete, ready: ["x": .double(0.35)]),
      trial(4, .running), trial(5, .running), trial(6, .complete),
    ]
    XCTAssertNil(horizon.blocker(in: trials), "trial 4 has not settled its start, and need not have")
    let seen = horizon.view(trials)
    XCTAssertEqual(seen.map(\.number), [0, 1, 2, 3])
    XCTAssertEqual(seen[0], trials[0])
    XCTAssertEqual(seen[1], trials[1])
    XCTAssertEqual(seen[3].state, .running, "a finished trial inside the lag is still a stand-in")
    XCTAssertNil(seen[3].values)
    XCTAssertEqual(seen[3].params, ["x": .float(0.35)])
    XCTAssertEqual(seen[3].distributions, ["x": d])
    XCTAssertEqual(seen[3].systemAttrs, ["mine": .int(3)], "only the attributes set before it settled")
    XCTAssertEqual(seen[2].params, [:])

    XCTAssertEqual(horizon.blocker(in: [trial(0, .complete), trial(1, .complete), trial(2, .running), trial(3, .complete)])?.number, 2,
                   "a stand-in that has not settled its start")
    XCTAssertEqual(horizon.blocker(in: [trial(0, .complete), trial(1, .running, ready: [:])])?.number, 1,
                   "a trial up to n − lag that has not finished")
    XCTAssertEqual(DeterministicHorizon(number: 9, lag: 1).seenThrough, 8)
    XCTAssertEqual(DeterministicHorizon(number: 9, lag: 2).seenThrough, 8)
    XCTAssertEqual(DeterministicHorizon(number: 9, lag: 8).seenThrough, 5)
  }

  /// Asking more trials than the lag without telling any would wait forever: it is an error.
  func testAskingPastTheLagIsAnError() throws {
    let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 1), deterministicLag: 2)
    let a = try study.ask()
    let b = try study.ask()
    XCTAssertThrowsError(try study.ask()) { error in
      XCTAssertTrue(String(describing: error).contains("needs trial 0 to be told first"), "\(error)")
    }
    try study.tell(a, values: [1])
    try study.tell(b, values: [2])
    let c = try study.ask()
    try study.tell(c, values: [3])
    XCTAssertEqual(try study.trials().map(\.state), [.complete, .complete, .fail, .complete])

    // The same through a second object on the same study, in the same thread.
    let again = try Study.create(
      name: study.name, direction: .minimize, sampler: RandomSampler(seed: 1), storage: study.storage, loadIfExists: true,
      deterministicLag: 2)
    let d = try study.ask()
    _ = try again.ask()
    XCTAssertThrowsError(try again.ask()) { error in
      XCTAssertTrue(String(describing: error).contains("needs trial 4 to be told first"), "\(error)")
    }
    try study.tell(d, values: [4])
  }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  func next() -> Int {
    lock.lock()
    defer { lock.unlock() }
    count += 1
    return count - 1
  }
  var value: Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }
}
