import Foundation
import TunaSearch
import XCTest

@testable import TunaAnalysis

/// Functional ANOVA against analytic variance decompositions.
final class FanovaKnownAnswerTests: XCTestCase {
  /// The Ishigami function's first-order fractions (Sobol' indices) with a = 7, b = 0.1 on
  /// [−π, π]³ (Ishigami & Homma 1990; Saltelli et al., *Global Sensitivity Analysis*, 2008): V =
  /// a²/8 + b π⁴/5 + b² π⁸/18 + 1/2, V₁ = (1 + b π⁴/5)²/2, V₂ = a²/8, V₁₃ = b² π⁸ (1/18 − 1/50).
  static let ishigamiFractions: (s1: Double, s2: Double, s13: Double) = {
    let a = 7.0, b = 0.1, pi4 = pow(Double.pi, 4), pi8 = pow(Double.pi, 8)
    let v = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5
    let v1 = pow(1 + b * pi4 / 5, 2) / 2
    return (v1 / v, a * a / 8 / v, b * b * pi8 * (1.0 / 18 - 1.0 / 50) / v)
  }()

  func testIshigamiFractionsAreTheTextbookOnes() {
    XCTAssertEqual(Self.ishigamiFractions.s1, 0.3139, accuracy: 1e-4)
    XCTAssertEqual(Self.ishigamiFractions.s2, 0.4424, accuracy: 1e-4)
    XCTAssertEqual(Self.ishigamiFractions.s13, 0.2437, accuracy: 1e-4)
  }

  /// On the 2,000 uniform trials of the fixture, the main effects land at least as close to the
  /// analytic fractions as Optuna 5.0's fANOVA on the same trials, and every pair within 0.10.
  func testIshigamiFromTheFixtureTrials() throws {
    let fixture = try Fixture("ishigami")
    let exact = ["x1": Self.ishigamiFractions.s1, "x2": Self.ishigamiFractions.s2, "x3": 0.0]
    let optuna = try XCTUnwrap(fixture.results["fanova_raw"])
    let optunaError = exact.map { abs(optuna[$0.key]! - $0.value) }.max()!
    let fanova = try FunctionalANOVA(trials: fixture.trials, target: .objective(0, of: fixture.directions))
    var error = 0.0
    for (name, want) in exact {
      let got = try XCTUnwrap(fanova.mainEffect(name)).fraction
      error = max(error, abs(got - want))
    }
    XCTAssertLessThanOrEqual(error, optunaError, "largest main-effect error: Tuna \(error), Optuna \(optunaError)")
    XCTAssertEqual(try XCTUnwrap(fanova.interaction("x1", "x3")).fraction, Self.ishigamiFractions.s13, accuracy: 0.10)
    XCTAssertEqual(try XCTUnwrap(fanova.interaction("x1", "x2")).fraction, 0, accuracy: 0.10)
    XCTAssertEqual(try XCTUnwrap(fanova.interaction("x2", "x3")).fraction, 0, accuracy: 0.10)
    XCTAssertEqual(fanova.interactions.first.map { [$0.first, $0.second] }, ["x1", "x3"], "x1 × x3 is the strongest pair")
  }

  /// The same on trials Tuna's own random sampler draws, for three seeds.
  func testIshigamiOverSeeds() throws {
    for seed in UInt64(0)..<3 {
      let trials = uniformTrials(count: 2000, names: ["x1", "x2", "x3"], low: -.pi, high: .pi, seed: seed, ishigami)
      let fanova = try FunctionalANOVA(trials: trials, target: .objective(0, of: [.minimize]))
      XCTAssertEqual(fanova.mainEffect("x1")!.fraction, Self.ishigamiFractions.s1, accuracy: 0.08, "seed \(seed)")
      XCTAssertEqual(fanova.mainEffect("x2")!.fraction, Self.ishigamiFractions.s2, accuracy: 0.08, "seed \(seed)")
      XCTAssertEqual(fanova.mainEffect("x3")!.fraction, 0, accuracy: 0.02, "seed \(seed)")
      XCTAssertEqual(fanova.interaction("x1", "x3")!.fraction, Self.ishigamiFractions.s13, accuracy: 0.10, "seed \(seed)")
    }
  }

  /// f = a·x₁ + b·x₂ + c·x₁x₂ on [0, 1]² with three parameters that do nothing. With u = x − ½:
  /// f = const + (a + c/2)u₁ + (b + c/2)u₂ + c·u₁u₂, so V₁ = (a + c/2)²/12, V₂ = (b + c/2)²/12,
  /// V₁₂ = c²/144.
  func testConstructedEffects() throws {
    for (a, b, c) in [(3.0, 2.0, 4.0), (1.0, 0.0, 6.0), (0.0, 5.0, 0.0)] {
      let v1 = pow(a + c / 2, 2) / 12, v2 = pow(b + c / 2, 2) / 12, v12 = c * c / 144
      let total = v1 + v2 + v12
      let trials = uniformTrials(count: 2000, names: ["x1", "x2", "n1", "n2", "n3"], low: 0, high: 1, seed: 7) { x in
        a * x["x1"]! + b * x["x2"]! + c * x["x1"]! * x["x2"]!
      }
      let fanova = try FunctionalANOVA(trials: trials, target: .objective(0, of: [.minimize]))
      let label = "a=\(a) b=\(b) c=\(c)"
      XCTAssertEqual(fanova.mainEffect("x1")!.fraction, v1 / total, accuracy: 0.03, label)
      XCTAssertEqual(fanova.mainEffect("x2")!.fraction, v2 / total, accuracy: 0.03, label)
      XCTAssertEqual(fanova.interaction("x1", "x2")!.fraction, v12 / total, accuracy: 0.03, label)
      for name in ["n1", "n2", "n3"] {
        XCTAssertEqual(fanova.mainEffect(name)!.fraction, 0, accuracy: 0.01, "\(label): \(name) does nothing")
        for other in ["x1", "x2"] {
          XCTAssertEqual(fanova.interaction(name, other)!.fraction, 0, accuracy: 0.01, "\(label): \(name) × \(other)")
        }
      }
    }
  }

  /// The marginals of f = 3x₁ + 2x₂ + 4x₁x₂: over x₁, E[f | x₁] = 5x₁ + 1; over the pair, f itself.
  func testMarginalsFollowTheFunction() throws {
    let trials = uniformTrials(count: 2000, names: ["x1", "x2", "n1"], low: 0, high: 1, seed: 3) { x in
      3 * x["x1"]! + 2 * x["x2"]! + 4 * x["x1"]! * x["x2"]!
    }
    let fanova = try FunctionalANOVA(trials: trials, target: .objective(0, of: [.minimize]))
    let m = try fanova.marginal("x1", points: 21)
    XCTAssertEqual(m.positions.count, 21)
    for (x, y) in zip(m.positions, m.mean) { XCTAssertEqual(y, 5 * x + 1, accuracy: 0.25, "x1 = \(x)") }
    XCTAssertTrue(m.std.allSatisfy { $0 >= 0 && $0 < 0.5 })
    // A tree's leaves at the corners hold the trials nearest to them, so the corners fall short
    // by up to half a unit; elsewhere the surface follows f closely.
    let pair = try fanova.pairMarginal("x1", "x2", points: 11)
    var errors: [Double] = []
    for (j, y) in pair.secondPositions.enumerated() {
      for (i, x) in pair.firstPositions.enumerated() {
        let error = abs(pair.mean[j * pair.firstPositions.count + i] - (3 * x + 2 * y + 4 * x * y))
        XCTAssertLessThan(error, 0.6, "at (\(x), \(y))")
        errors.append(error)
      }
    }
    XCTAssertLessThan(errors.reduce(0, +) / Double(errors.count), 0.15)
  }

  /// An additive function of a log float, an int, a log int, a stepped float and a categorical:
  /// its main effects are the variances of its terms under the search space's own measure
  /// (uniform in log space for log parameters, each choice equally likely), and no pair interacts.
  func testMixedSpaceAdditiveFunction() throws {
    let space: [String: Distribution] = [
      "lr": try .float(1e-5, 1e-1, log: true), "layers": try .int(1, 8), "units": try .int(16, 512, log: true),
      "dropout": try .float(0, 0.5, step: 0.1), "act": try .categorical(choices: [.string("relu"), .string("tanh"), .string("gelu")]),
      "noise": try .float(0, 1),
    ]
    let penalty = ["relu": 0.0, "tanh": 1.5, "gelu": 0.6]
    func terms(_ p: [String: ParamValue]) -> [String: Double] {
      guard case .string(let act)? = p["act"] else { return [:] }
      return [
        "lr": pow(log10(p["lr"]!.number!) + 3, 2), "layers": 0.5 * pow(p["layers"]!.number! - 3, 2),
        "units": 0.3 * pow(log2(p["units"]!.number!) - 7, 2), "dropout": 4 * p["dropout"]!.number!,
        "act": penalty[act]!, "noise": 0,
      ]
    }
    var rng = RandomSource(seed: 11)
    var rows: [(params: [String: ParamValue], value: Double)] = []
    var samples: [String: [Double]] = [:]
    for _ in 0..<2500 {
      var p: [String: ParamValue] = [:]
      for (name, d) in space { p[name] = RandomSampler.sample(d, using: &rng) }
      let t = terms(p)
      rows.append((p, t.values.reduce(0, +)))
      for (k, v) in t { samples[k, default: []].append(v) }
    }
    // The exact term variances under the measure, by enumeration or fine quadrature.
    func variance(_ xs: [Double], _ ws: [Double]) -> Double {
      let total = ws.reduce(0, +)
      let m = zip(xs, ws).reduce(0) { $0 + $1.0 * $1.1 } / total
      return zip(xs, ws).reduce(0) { $0 + $1.1 * ($1.0 - m) * ($1.0 - m) } / total
    }
    let grid = (0..<20000).map { (Double($0) + 0.5) / 20000 }
    let lnLow = log(1e-5), lnHigh = log(1e-1)
    var exact: [String: Double] = [:]
    exact["lr"] = variance(grid.map { pow(log10(exp(lnLow + $0 * (lnHigh - lnLow))) + 3, 2) }, grid.map { _ in 1 })
    exact["layers"] = variance((1...8).map { 0.5 * pow(Double($0) - 3, 2) }, Array(repeating: 1, count: 8))
    exact["units"] = variance((16...512).map { 0.3 * pow(log2(Double($0)) - 7, 2) }, (16...512).map { log((Double($0) + 0.5) / (Double($0) - 0.5)) })
    exact["dropout"] = variance((0...5).map { 0.4 * Double($0) }, Array(repeating: 1, count: 6))
    exact["act"] = variance([0, 1.5, 0.6], [1, 1, 1])
    exact["noise"] = 0
    let total = exact.values.reduce(0, +)

    let trials = makeTrials(rows, distributions: space)
    let fanova = try FunctionalANOVA(trials: trials, target: .objective(0, of: [.minimize]))
    for (name, v) in exact {
      XCTAssertEqual(fanova.mainEffect(name)!.fraction, v / total, accuracy: 0.04, name)
    }
    for pair in fanova.interactions { XCTAssertLessThan(pair.effect.fraction, 0.03, "\(pair.first) × \(pair.second)") }
    XCTAssertEqual(try fanova.marginal("act").values, [.string("relu"), .string("tanh"), .string("gelu")])
    XCTAssertEqual(try fanova.marginal("layers").positions, (1...8).map(Double.init))
  }

  func testSeedMakesEveryFigureReproducible() throws {
    let trials = uniformTrials(count: 300, names: ["x1", "x2", "x3"], low: -.pi, high: .pi, seed: 5, ishigami)
    var options = FanovaOptions()
    options.seed = 42
    let a = try FunctionalANOVA(trials: trials, target: .objective(0, of: [.minimize]), options: options)
    options.threads = 1
    let b = try FunctionalANOVA(trials: trials, target: .objective(0, of: [.minimize]), options: options)
    XCTAssertEqual(a.mainEffects, b.mainEffects, "the same seed on any number of threads")
    XCTAssertEqual(a.interactions, b.interactions)
    XCTAssertEqual(try a.marginal("x2").mean, try b.marginal("x2").mean)
    options.seed = 43
    let c = try FunctionalANOVA(trials: trials, target: .objective(0, of: [.minimize]), options: options)
    XCTAssertNotEqual(a.mainEffects, c.mainEffects, "another seed grows other trees")
  }

  /// Parameters present in some trials only: a model choice with a parameter of its own each.
  func testConditionalParameters() throws {
    let fixture = try Fixture("conditional")
    let fanova = try FunctionalANOVA(trials: fixture.trials, target: .objective(0, of: fixture.directions))
    XCTAssertEqual(Set(fanova.parameters.map(\.name)), ["model", "p", "q", "r"])
    let p = try XCTUnwrap(fanova.parameters.first { $0.name == "p" })
    XCTAssertGreaterThan(p.inactiveShare, 0.3)
    XCTAssertLessThan(p.inactiveShare, 0.7)
    let total = fanova.mainEffects.reduce(0) { $0 + $1.fraction } + fanova.interactions.reduce(0) { $0 + $1.effect.fraction }
    XCTAssertLessThanOrEqual(total, 1 + 1e-9)
    // p and q decide the value where they are active; r adds a tenth of its range.
    XCTAssertGreaterThan(fanova.mainEffect("p")!.fraction + fanova.interaction("model", "p")!.fraction, fanova.mainEffect("r")!.fraction)
  }
}
