import Foundation
import TunaSearch
import TunaTestSupport
import XCTest

final class NSGA2SamplerTests: XCTestCase {
  typealias P = EvolutionTestProblems

  func testConformance() throws {
    try checkSampler({ try NSGA2Sampler(seed: $0, populationSize: 6) }, name: "nsga2")
  }

  func testInvalidArguments() {
    XCTAssertEqual(assertThrows(InvalidArgument.self) { try NSGA2Sampler(populationSize: 0) }?.argument, "populationSize")
    XCTAssertEqual(assertThrows(InvalidArgument.self) { try GeneticOperators(etaMutation: .infinity) }?.argument, "etaMutation")
  }

  // MARK: Sorting and crowding

  func testNonDominatedSortOnHandMadeFronts() {
    let points: [[Double]] = [
      [1, 5], [2, 3], [4, 1],  // front 0
      [2, 5], [3, 4], [5, 2],  // front 1
      [6, 6],  // front 3: dominated by [4, 5]
      [2, 3],  // a duplicate of a front-0 point: equal points do not dominate each other
      [4, 5],  // front 2: dominated by [3, 4]
    ]
    XCTAssertEqual(NSGA2Sampler.nonDominatedSort(points), [[0, 1, 2, 7], [3, 4, 5], [8], [6]])
    XCTAssertEqual(NSGA2Sampler.nonDominatedSort([]), [])
    XCTAssertEqual(NSGA2Sampler.nonDominatedSort([[3], [1], [2], [1]]), [[1, 3], [2], [0]])
    XCTAssertEqual(NSGA2Sampler.nonDominatedSort([[1, 2, 3], [3, 2, 1], [2, 2, 2], [3, 3, 3]]), [[0, 1, 2], [3]])
  }

  func testCrowdingDistanceOnAHandMadeFront() {
    let d = NSGA2Sampler.crowdingDistance([[0, 4], [1, 2], [2, 1], [4, 0]])
    XCTAssertEqual(d[0], .infinity)
    XCTAssertEqual(d[3], .infinity)
    XCTAssertEqual(d[1], 2.0 / 4 + 3.0 / 4, accuracy: 1e-12)
    XCTAssertEqual(d[2], 3.0 / 4 + 2.0 / 4, accuracy: 1e-12)
    // Scale-free: objectives in different units weigh the same.
    let scaled = NSGA2Sampler.crowdingDistance([[0, 400], [1, 200], [2, 100], [4, 0]])
    XCTAssertEqual(scaled[1], d[1], accuracy: 1e-12)
    XCTAssertEqual(NSGA2Sampler.crowdingDistance([[1, 2], [2, 1]]), [.infinity, .infinity])
    // A constant objective adds nothing.
    XCTAssertEqual(NSGA2Sampler.crowdingDistance([[0, 7], [1, 7], [3, 7]])[1], 3.0 / 3, accuracy: 1e-12)
  }

  // MARK: Search

  /// ZDT1 (Zitzler, Deb & Thiele 2000) with 5 variables: the Pareto front is f2 = 1 − √f1 at
  /// x2…x5 = 0.
  private func zdt1(_ t: Trial) throws -> [Double] {
    let x = try (0..<5).map { try t.suggestFloat("x\($0)", 0, 1) }
    let g = 1 + 9 * x[1...].reduce(0, +) / 4
    return [x[0], g * (1 - (x[0] / g).squareRoot())]
  }

  /// The area the points dominate up to `reference` (two objectives, minimized).
  private func hypervolume(_ points: [[Double]], reference: [Double]) -> Double {
    let front = points.filter { $0[0] < reference[0] && $0[1] < reference[1] }.sorted { $0[0] < $1[0] }
    var area = 0.0
    var bestF2 = reference[1]
    for p in front where p[1] < bestF2 {
      area += (reference[0] - p[0]) * (bestF2 - p[1])
      bestF2 = p[1]
    }
    return area
  }

  private func zdt1Hypervolume(_ sampler: any Sampler, directions: [StudyDirection] = [.minimize, .minimize]) throws -> Double {
    let study = try Study.create(directions: directions, sampler: sampler)
    try study.optimize(OptimizeOptions(nTrials: 500, catchErrors: false)) { t in
      let f = try self.zdt1(t)
      return directions[1] == .minimize ? f : [f[0], -f[1]]
    }
    let front = try study.bestTrials.map { t in directions[1] == .minimize ? t.values! : [t.values![0], -t.values![1]] }
    return hypervolume(front, reference: [1.1, 11])
  }

  func testZDT1FrontDominatesRandomSearchByHypervolume() throws {
    for seed in UInt64(1)...3 {
      let nsga = try zdt1Hypervolume(try NSGA2Sampler(seed: seed))
      let random = try zdt1Hypervolume(RandomSampler(seed: seed))
      // The true front's hypervolume to (1.1, 11) is 1.1 × 11 − 1/3 ≈ 11.767.
      XCTAssertGreaterThan(nsga, random + 0.5, "seed \(seed): NSGA-II \(nsga) vs random \(random)")
      XCTAssertLessThan(nsga, 11.767)
    }
  }

  func testMixedDirections() throws {
    // The same problem with the second objective negated and maximized.
    let nsga = try zdt1Hypervolume(try NSGA2Sampler(seed: 5), directions: [.minimize, .maximize])
    let random = try zdt1Hypervolume(RandomSampler(seed: 5), directions: [.minimize, .maximize])
    XCTAssertGreaterThan(nsga, random + 0.5, "NSGA-II \(nsga) vs random \(random)")
  }

  func testSingleObjectiveDegeneratesToAGA() throws {
    var nsga: [Double] = []
    var random: [Double] = []
    for seed in UInt64(1)...5 {
      nsga.append(try P.run(try NSGA2Sampler(seed: seed, populationSize: 20), nTrials: 300) { try P.sphere($0, dims: 4) }.bestValue)
      random.append(try P.run(RandomSampler(seed: seed), nTrials: 300) { try P.sphere($0, dims: 4) }.bestValue)
    }
    XCTAssertLessThan(P.median(nsga) * 5, P.median(random), "NSGA-II \(nsga) vs random \(random)")
  }

  func testSeededRunsAreIdentical() throws {
    func params(_ seed: UInt64) throws -> [[String: ParamValue]] {
      let study = try Study.create(directions: [.minimize, .minimize], sampler: try NSGA2Sampler(seed: seed, populationSize: 10))
      try study.optimize(OptimizeOptions(nTrials: 60, catchErrors: false), zdt1)
      return try study.trials().map(\.params)
    }
    XCTAssertEqual(try params(3), try params(3))
    XCTAssertNotEqual(try params(3), try params(4))
  }

  func testOutOfOrderCompletionsGiveTheSameStateWhenRebuilt() throws {
    let rounds = try P.outOfOrderRun(directions: [.minimize, .maximize]) { try NSGA2Sampler(seed: 53, populationSize: 6) }
    XCTAssertEqual(rounds.rebuilt, rounds.kept)
  }

  func testGenerationsAreRecorded() throws {
    let study = try Study.create(directions: [.minimize, .minimize], sampler: try NSGA2Sampler(seed: 1, populationSize: 10))
    try study.optimize(OptimizeOptions(nTrials: 35, catchErrors: false), zdt1)
    XCTAssertEqual(try study.trials().map { P.intAttr($0, "nsga2:generation") }, (0..<35).map { $0 / 10 })
  }
}
