import TunaRandom
import XCTest

@testable import TunaTrain

/// Helpers shared by the NN test files (prefixed so as not to meet other files' helpers).
enum NNFixtures {
  /// `rows × cols` values from N(0, 1), seeded.
  static func gaussian(rows: Int, cols: Int, seed: UInt64) -> Matrix {
    var rng = RandomSource(seed: seed)
    return Matrix(rows: rows, cols: cols, data: (0..<(rows * cols)).map { _ in Float(rng.normal()) })
  }

  /// Well-separated Gaussian blobs: `classes` centres at distance ~4 in `features` dimensions.
  static func blobs(rows: Int, features: Int, classes: Int, seed: UInt64, spread: Double = 1) -> Dataset {
    var rng = RandomSource(seed: seed)
    let centres = (0..<classes).map { _ in (0..<features).map { _ in rng.uniform(-3, 3) } }
    var x: [Float] = []
    var y: [Float] = []
    for i in 0..<rows {
      let c = i % classes
      for j in 0..<features { x.append(Float(centres[c][j] + spread * rng.normal())) }
      y.append(Float(c))
    }
    return Dataset(x: Matrix(rows: rows, cols: features, data: x), y: y, task: .classification, nClasses: classes)
  }

  /// y = x·w + 0.5 + noise·N(0, 1), features N(0, 1).
  static func linear(rows: Int, features: Int, noise: Double, seed: UInt64) -> Dataset {
    var rng = RandomSource(seed: seed)
    let w = (0..<features).map { _ in rng.uniform(-2, 2) }
    var x: [Float] = []
    var y: [Float] = []
    for _ in 0..<rows {
      let row = (0..<features).map { _ in rng.normal() }
      x += row.map(Float.init)
      y.append(Float(zip(row, w).reduce(0.5) { $0 + $1.0 * $1.1 } + noise * rng.normal()))
    }
    return Dataset(x: Matrix(rows: rows, cols: features, data: x), y: y, task: .regression)
  }

  /// A built network with its fit-style workspace, without training.
  static func builtNet(
    _ config: MLPConfig, inputs: Int, outputs: Int, task: LearningTask, seed: UInt64 = 7, capacity: Int = 8
  ) throws -> (MLP, MLPWorkspace) {
    let net = try MLP(config)
    net.build(inputs: inputs, outputs: outputs, task: task, seed: seed)
    // Small nonzero biases, so that bias gradients and activations are exercised off zero.
    var rng = RandomSource(seed: seed + 1)
    for layer in net.layers {
      for j in 0..<layer.outputs { net.arena[layer.biasOffset + j] = Float(rng.uniform(-0.2, 0.2)) }
    }
    let ws = MLPWorkspace(net, capacity: capacity, gradients: true)
    ws.dropoutRNG = RandomSource(seed: seed + 2)
    return (net, ws)
  }
}

/// |analytic − numeric| ≤ abs + rel·max(|analytic|, |numeric|) for each pair.
func nnAssertClose(
  _ analytic: [Double], _ numeric: [Double], abs: Double = 2e-3, rel: Double = 2e-2, _ what: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  XCTAssertEqual(analytic.count, numeric.count, what, file: file, line: line)
  var worst = 0.0
  var worstIndex = -1
  for (i, (a, n)) in zip(analytic, numeric).enumerated() {
    let excess = Swift.abs(a - n) - (abs + rel * max(Swift.abs(a), Swift.abs(n)))
    if excess > worst {
      worst = excess
      worstIndex = i
    }
  }
  if worstIndex >= 0 {
    XCTFail(
      "\(what): index \(worstIndex): analytic \(analytic[worstIndex]) vs numeric \(numeric[worstIndex])",
      file: file, line: line)
  }
}
