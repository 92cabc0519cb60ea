import Foundation
import TunaSearch

/// A problem of the regret benchmark: a search space and an objective, both asked through a
/// trial as a user would write them (so mixed and conditional spaces are natural), with the
/// known optimum (minimization).
///
/// The thirteen functions cover the shapes a default sampler meets: smooth, separable,
/// ill-conditioned, multimodal, noisy, integer, categorical, conditional and high-dimensional;
/// two real tuning tasks follow, looked up in tables (`TabularTasks`).
/// Their optima are the published ones (Surjanovic & Bingham's Virtual Library of Simulation
/// Experiments) or hold by construction. `scripts/bench/optuna_regret.py` defines the same
/// problems for Optuna's samplers.
struct RegretProblem: Sendable {
  let name: String
  let shape: String
  let optimum: Double
  /// Standard deviation of the Gaussian noise added to what the sampler sees (0: none); regret
  /// is measured on the noiseless value of the trial with the best observed value.
  let noise: Double
  let value: @Sendable (Trial) throws -> Double

  init(_ name: String, _ shape: String, optimum: Double, noise: Double = 0, _ value: @escaping @Sendable (Trial) throws -> Double) {
    self.name = name
    self.shape = shape
    self.optimum = optimum
    self.noise = noise
    self.value = value
  }

  /// `x0 … x(d−1)`, each a float in its bounds.
  static func floats(_ t: Trial, _ bounds: [(Double, Double)], prefix: String = "x") throws -> [Double] {
    try bounds.enumerated().map { i, b in try t.suggestFloat("\(prefix)\(i)", b.0, b.1) }
  }

  /// A problem over `bounds` of a function of the point.
  static func box(
    _ name: String, _ shape: String, optimum: Double, noise: Double = 0, _ bounds: [(Double, Double)],
    _ f: @escaping @Sendable ([Double]) -> Double
  ) -> RegretProblem {
    RegretProblem(name, shape, optimum: optimum, noise: noise) { t in f(try floats(t, bounds)) }
  }

  static let all: [RegretProblem] = [
    box("Branin", "smooth, 3 minima", optimum: 0.397887357729738, [(-5, 10), (0, 15)], Functions.branin),
    box("Hartmann6", "smooth, multimodal", optimum: -3.32236801141551, Array(repeating: (0, 1), count: 6), Functions.hartmann6),
    box("Rosenbrock-4D", "ill-conditioned valley", optimum: 0, Array(repeating: (-5, 10), count: 4), Functions.rosenbrock),
    box("Ackley-5D", "multimodal", optimum: 0, Array(repeating: (-32.768, 32.768), count: 5), Functions.ackley),
    box("StyblinskiTang-4D", "separable, multimodal", optimum: -39.16616570377142 * 4,
        Array(repeating: (-5, 5), count: 4), Functions.styblinskiTang),
    box("Ellipsoid-8D", "separable, ill-conditioned (10^6)", optimum: 0, Array(repeating: (-5, 5), count: 8), Functions.ellipsoid),
    box("Rastrigin-5D", "highly multimodal", optimum: 0, Array(repeating: (-5.12, 5.12), count: 5), Functions.rastrigin),
    box("Hartmann6-noisy", "smooth, noise sd 0.1", optimum: -3.32236801141551, noise: 0.1,
        Array(repeating: (0, 1), count: 6), Functions.hartmann6),
    RegretProblem("IntegerRastrigin-6D", "integer, multimodal", optimum: 0) { t in
      try (0..<6).reduce(0.0) { s, i in s + Functions.integerBump(try t.suggestInt("n\(i)", -10, 10) - Functions.integerCentre[i]) }
    },
    RegretProblem("MixedHPO-5D", "log floats, int, categoricals", optimum: 0, Functions.mixedHPO),
    RegretProblem("Conditional-3", "conditional branches", optimum: 0, Functions.conditional),
    box("Levy-20D", "high-dimensional, multimodal", optimum: 0, Array(repeating: (-10, 10), count: 20), Functions.levy),
    box("Sphere-30D", "high-dimensional, separable", optimum: 0, Array(repeating: (-5, 5), count: 30), Functions.shiftedSphere),
    RegretProblem("DigitsMLP", "real task: MLP on digits, valid. loss (table)", optimum: TabularTasks.digitsOptimum, TabularTasks.digitsMLP),
    RegretProblem("ForestBC", "real task: forest on breast_cancer, CV log loss (table)", optimum: TabularTasks.forestOptimum,
                  TabularTasks.forest),
  ]
}

/// The test functions, minimization.
enum Functions {
  static func branin(_ x: [Double]) -> Double {
    let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
    let u = x[1] - b * x[0] * x[0] + c * x[0] - 6
    return u * u + 10 * (1 - t) * cos(x[0]) + 10
  }

  static let hartmannAlpha = [1.0, 1.2, 3.0, 3.2]

  /// Hartmann 6-D on [0, 1]^6: minimum −3.32237.
  static func hartmann6(_ x: [Double]) -> Double {
    let a: [[Double]] = [
      [10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14],
    ]
    let p: [[Double]] = [
      [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
      [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ]
    return hartmann(x, a, p)
  }

  /// Hartmann 3-D on [0, 1]^3: minimum −3.86278 at (0.114614, 0.555649, 0.852547).
  static func hartmann3(_ x: [Double]) -> Double {
    let a: [[Double]] = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
    let p: [[Double]] = [
      [0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470], [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828],
    ]
    return hartmann(x, a, p)
  }

  static func hartmann(_ x: [Double], _ a: [[Double]], _ p: [[Double]]) -> Double {
    var sum = 0.0
    for i in 0..<4 {
      var inner = 0.0
      for j in x.indices { inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]) }
      sum += hartmannAlpha[i] * exp(-inner)
    }
    return -sum
  }

  static func rosenbrock(_ x: [Double]) -> Double {
    var s = 0.0
    for i in 0..<(x.count - 1) {
      let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
      s += 100 * a * a + b * b
    }
    return s
  }

  /// a = 20, b = 0.2, c = 2π: minimum 0 at the origin.
  static func ackley(_ x: [Double]) -> Double {
    let n = Double(x.count)
    let s1 = x.reduce(0) { $0 + $1 * $1 }, s2 = x.reduce(0) { $0 + cos(2 * Double.pi * $1) }
    return -20 * exp(-0.2 * (s1 / n).squareRoot()) - exp(s2 / n) + 20 + M_E
  }

  /// Minimum −39.16617 per dimension at x_i = −2.903534.
  static func styblinskiTang(_ x: [Double]) -> Double {
    0.5 * x.reduce(0) { $0 + $1 * $1 * $1 * $1 - 16 * $1 * $1 + 5 * $1 }
  }

  /// Σ 10^(6 i/(d−1)) x_i²: axes scaled a million to one.
  static func ellipsoid(_ x: [Double]) -> Double {
    x.enumerated().reduce(0) { s, e in s + pow(10, 6 * Double(e.offset) / Double(x.count - 1)) * e.element * e.element }
  }

  static func rastrigin(_ x: [Double]) -> Double {
    10 * Double(x.count) + x.reduce(0) { $0 + $1 * $1 - 10 * cos(2 * Double.pi * $1) }
  }

  /// Levy: w = 1 + (x − 1)/4; minimum 0 at x = (1, …, 1).
  static func levy(_ x: [Double]) -> Double {
    let w = x.map { 1 + ($0 - 1) / 4 }
    let d = w.count
    var s = pow(sin(Double.pi * w[0]), 2)
    for i in 0..<(d - 1) { s += (w[i] - 1) * (w[i] - 1) * (1 + 10 * pow(sin(Double.pi * w[i] + 1), 2)) }
    return s + (w[d - 1] - 1) * (w[d - 1] - 1) * (1 + pow(sin(2 * Double.pi * w[d - 1]), 2))
  }

  /// Σ (x_i − s_i)² with the optimum at s_i = 2 sin(i + 1), off the centre and off any grid.
  static func shiftedSphere(_ x: [Double]) -> Double {
    x.enumerated().reduce(0) { s, e in let d = e.element - 2 * sin(Double(e.offset + 1)); return s + d * d }
  }

  /// Where the integer problem's minimum lies.
  static let integerCentre = [3, -2, 7, 0, -5, 1]

  /// An integer offset's cost: a bowl (k²/4) with bumps (3 (1 − cos(πk/2))) that make
  /// odd offsets and offsets of 2 worse than 4: local minima on the lattice.
  static func integerBump(_ k: Int) -> Double {
    let k = Double(k)
    return k * k / 4 + 3 * (1 - cos(Double.pi * k / 2))
  }

  /// A tuning problem's shape: a learning rate whose best value depends on the optimizer, a
  /// weight decay, a depth and an activation; minimum 0 at adam, lr 1e-3, wd 1e-4, depth 4, gelu.
  static func mixedHPO(_ t: Trial) throws -> Double {
    let optimizer = try t.suggestCategorical("optimizer", [.string("sgd"), .string("adam"), .string("rmsprop")])
    let lr = log10(try t.suggestFloat("lr", 1e-5, 1e-1, log: true))
    let wd = log10(try t.suggestFloat("weight_decay", 1e-6, 1e-2, log: true))
    let depth = Double(try t.suggestInt("depth", 1, 8))
    let activation = try t.suggestCategorical("activation", [.string("relu"), .string("tanh"), .string("gelu"), .string("sigmoid")])
    let (bestLR, optimizerCost): (Double, Double) =
      switch optimizer {
      case .string("sgd"): (-1.5, 0.2)
      case .string("adam"): (-3, 0)
      default: (-3.5, 0.1)
      }
    let activationCost: Double =
      switch activation {
      case .string("relu"): 0.05
      case .string("tanh"): 0.3
      case .string("gelu"): 0
      default: 0.8
      }
    let l = lr - bestLR, w = wd + 4, k = depth - 4
    // The depth's best learning rate shifts too (the interaction term vanishes at the optimum).
    return l * l + 0.25 * w * w + 0.1 * k * k + 0.15 * l * k + optimizerCost + activationCost
  }

  /// Three branches with their own parameters: Branin (minimum 0.5 after the shift), Hartmann3
  /// (minimum 0) and a quadratic (minimum 1).
  static func conditional(_ t: Trial) throws -> Double {
    switch try t.suggestCategorical("branch", [.string("a"), .string("b"), .string("c")]) {
    case .string("a"):
      return branin([try t.suggestFloat("a0", -5, 10), try t.suggestFloat("a1", 0, 15)]) - 0.397887357729738 + 0.5
    case .string("b"):
      return hartmann3(try RegretProblem.floats(t, Array(repeating: (0, 1), count: 3), prefix: "b")) + 3.86278214782076
    default:
      let z = try t.suggestFloat("c0", -1, 1)
      return 10 * (z - 0.3) * (z - 0.3) + 1
    }
  }
}
