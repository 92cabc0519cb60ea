import Foundation

/// The test functions of the regret benchmark, with their published optima (minimization).
struct TestFunction: Sendable {
  let name: String
  let bounds: [(low: Double, high: Double)]
  let optimum: Double
  let f: @Sendable ([Double]) -> Double

  /// Branin–Hoo: three global minima of 0.397887 (x1 ∈ [−5, 10], x2 ∈ [0, 15]).
  static let branin = TestFunction(name: "Branin", bounds: [(-5, 10), (0, 15)], optimum: 0.397887) { x in
    let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
    let u = x[1] - b * x[0] * x[0] + c * x[0] - 6
    return u * u + 10 * (1 - t) * cos(x[0]) + 10
  }

  /// Hartmann 6-D on [0, 1]^6: minimum −3.32237.
  static let hartmann6 = TestFunction(
    name: "Hartmann6", bounds: Array(repeating: (0, 1), count: 6), optimum: -3.32237
  ) { x in
    let alpha = [1.0, 1.2, 3.0, 3.2]
    let a: [[Double]] = [
      [10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14],
    ]
    let p: [[Double]] = [
      [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
      [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ]
    var sum = 0.0
    for i in 0..<4 {
      var inner = 0.0
      for j in 0..<6 { inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]) }
      sum += alpha[i] * exp(-inner)
    }
    return -sum
  }

  /// Rosenbrock in 4-D on [−5, 10]^4: minimum 0 at (1, …, 1).
  static let rosenbrock4 = TestFunction(
    name: "Rosenbrock-4D", bounds: Array(repeating: (-5, 10), count: 4), optimum: 0
  ) { x in
    var s = 0.0
    for i in 0..<(x.count - 1) {
      let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
      s += 100 * a * a + b * b
    }
    return s
  }

  /// Ackley in 5-D on [−32.768, 32.768]^5 (a = 20, b = 0.2, c = 2π): minimum 0 at the origin.
  static let ackley5 = TestFunction(
    name: "Ackley-5D", bounds: Array(repeating: (-32.768, 32.768), count: 5), optimum: 0
  ) { x in
    let n = Double(x.count)
    let s1 = x.reduce(0) { $0 + $1 * $1 }, s2 = x.reduce(0) { $0 + cos(2 * Double.pi * $1) }
    return -20 * exp(-0.2 * (s1 / n).squareRoot()) - exp(s2 / n) + 20 + M_E
  }

  static let all = [branin, hartmann6, rosenbrock4, ackley5]
}
