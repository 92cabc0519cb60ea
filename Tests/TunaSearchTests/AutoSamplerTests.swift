import Foundation
@testable import TunaSearch
import TunaTestSupport
import XCTest

final class AutoSamplerTests: XCTestCase {
  func testConformance() throws {
    try checkSampler({ try AutoSampler(seed: $0) }, name: "auto")
    // Past the model phase early, so the conformance run crosses the hand-offs.
    try checkSampler({ try AutoSampler(seed: $0, modelTrials: 12) }, name: "auto, short model phase")
  }

  /// The rules, shape by shape.
  func testRules() {
    typealias S = AutoSampler.Shape
    func rule(_ shape: S, settled: AutoSampler.Choice? = nil) -> AutoSampler.Choice {
      AutoSampler.rule(shape, settled: settled, modelTrials: 250)
    }
    XCTAssertEqual(rule(S(complete: 0)), .random)
    XCTAssertEqual(rule(S(complete: 5)), .gp)
    XCTAssertEqual(rule(S(complete: 249)), .gp)
    XCTAssertEqual(rule(S(complete: 250)), .cmaes)
    XCTAssertEqual(rule(S(complete: 5, categorical: true)), .gp)
    XCTAssertEqual(rule(S(complete: 250, categorical: true)), .tpe)
    XCTAssertEqual(rule(S(complete: 5, conditional: true)), .tpe)
    XCTAssertEqual(rule(S(complete: 49, discrete: true)), .gp, "a lattice: GP first")
    XCTAssertEqual(rule(S(complete: 50, discrete: true)), .tpe, "then TPE")
    XCTAssertEqual(rule(S(complete: 300), settled: .tpe), .tpe, "TPE is not left")
    XCTAssertEqual(rule(S(complete: 300, categorical: true), settled: .cmaes), .cmaes, "nor CMA-ES")
    XCTAssertEqual(rule(S(complete: 5, objectives: 2)), .tpe)
    XCTAssertEqual(rule(S(complete: 250, objectives: 2)), .nsga2)
    XCTAssertEqual(rule(S(complete: 250, objectives: 3, conditional: true)), .tpe)
  }

  /// What a study's trials look like to the rules: conditional when parameter names differ
  /// between finished trials, categorical when the shared space has a categorical.
  func testShapeOfAStudy() throws {
    let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 1))
    try study.optimize(nTrials: 3) { t in try t.suggestFloat("x", 0, 1) }
    var shape = try AutoSampler.shape(study.history)
    XCTAssertEqual(shape.complete, 3)
    XCTAssertFalse(shape.conditional || shape.categorical)
    try study.optimize(nTrials: 1) { t in
      _ = try t.suggestCategorical("c", [.string("a"), .string("b")])
      return try t.suggestFloat("x", 0, 1)
    }
    shape = try AutoSampler.shape(study.history)
    XCTAssertTrue(shape.conditional)
    XCTAssertFalse(shape.categorical, "c is not in every complete trial")
  }

  /// The sampler of each trial is recorded; on a numeric space GP runs the model phase and
  /// CMA-ES takes over, starting near the best trials GP found.
  func testHandsOverFromGPToAWarmStartedCMAES() throws {
    let auto = try AutoSampler(seed: 3, modelTrials: 30)
    let study = try Study.create(direction: .minimize, sampler: auto)
    try study.optimize(nTrials: 60) { t in
      let x = try t.suggestFloat("x", -5, 5), y = try t.suggestFloat("y", -5, 5)
      return (x - 1) * (x - 1) + (y + 2) * (y + 2)
    }
    let trials = try study.trials()
    let chosen = trials.map { t -> String in
      if case .string(let s)? = t.systemAttrs[AutoSampler.attribute] { return s }
      return "?"
    }
    XCTAssertEqual(chosen[0], "random")
    XCTAssertEqual(Set(chosen[1..<30]), ["gp"])
    XCTAssertEqual(Set(chosen[30...]), ["cmaes"])
    XCTAssertEqual(auto.currentName, "auto(cmaes)")
    // CMA-ES's first generation is drawn around the best point, not around the centre (0, 0).
    let firstGeneration = trials[30..<36].map { ($0.params["x"]!.number!, $0.params["y"]!.number!) }
    let meanX = firstGeneration.map(\.0).reduce(0, +) / 6, meanY = firstGeneration.map(\.1).reduce(0, +) / 6
    XCTAssertEqual(meanX, 1, accuracy: 0.75, "\(firstGeneration)")
    XCTAssertEqual(meanY, -2, accuracy: 0.75, "\(firstGeneration)")
  }

  /// A conditional space goes to TPE and stays there; categoricals alone stay with GP.
  func testConditionalSpacesGoToTPE() throws {
    let study = try Study.create(direction: .minimize, sampler: try AutoSampler(seed: 5))
    try study.optimize(nTrials: 15) { t in
      let c = try t.suggestCategorical("c", [.string("a"), .string("b"), .string("c")])
      return try t.suggestFloat("x", 0, 1) + (c == .string("b") ? 0 : 1)
    }
    XCTAssertEqual(try study.trials().last!.systemAttrs[AutoSampler.attribute], .string("gp"))
    // Trials with y instead of x: parameters come and go.
    try study.optimize(nTrials: 3) { t in
      _ = try t.suggestCategorical("c", [.string("a"), .string("b"), .string("c")])
      return try t.suggestFloat("y", 0, 1)
    }
    XCTAssertEqual(try study.trials().last!.systemAttrs[AutoSampler.attribute], .string("tpe"))
  }

  /// The warm start of WS-CMA-ES from source trials: the mean of the best tenth, a step size
  /// from their spread.
  func testWarmStartFromSourceTrials() throws {
    let d = try Distribution.float(0, 10)
    var trials: [FrozenTrial] = []
    for i in 0..<40 {
      var t = FrozenTrial(id: i, number: i, state: .complete)
      let x = Double(i) / 4
      t.params = ["x": .float(x)]
      t.distributions = ["x": d]
      t.values = [abs(x - 7.1)]
      trials.append(t)
    }
    let warm = try XCTUnwrap(CMAESSampler.warmStart(trials, names: ["x"], distributions: [d], sign: 1))
    // The best four are x = 7, 7.25, 6.75, 7.5 (unit 0.7125 on average).
    XCTAssertEqual(warm.mean[0], 0.7125, accuracy: 1e-12)
    let best: [Double] = [0.7, 0.725, 0.675, 0.75]
    var variance = 0.0
    for u in best { variance += (u - 0.7125) * (u - 0.7125) / 4 }
    XCTAssertEqual(warm.sigma, (0.01 + variance).squareRoot(), accuracy: 1e-12)
    XCTAssertNil(CMAESSampler.warmStart(Array(trials.prefix(1)), names: ["x"], distributions: [d], sign: 1))
  }
}
