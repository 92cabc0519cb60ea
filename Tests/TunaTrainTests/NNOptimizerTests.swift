import XCTest

@testable import TunaTrain

/// Each update rule against values worked out by hand (constant gradient, so that the
/// arithmetic can be followed on paper) and against a plain Double transcription of PyTorch's
/// formulas with changing gradients; coupled and decoupled weight decay.
final class NNOptimizerTests: XCTestCase {
  /// Runs `steps` steps from `start`, the gradient of step t being `gradients[t]`; returns θ
  /// after each step.
  private func run(_ config: OptimizerConfig, start: [Float], gradients: [[Float]]) throws -> [[Float]] {
    let optimizer = try Optimizer.make(config, parameterCount: start.count)
    let p = FloatBuffer(start)
    var trace: [[Float]] = []
    for g in gradients {
      let grad = FloatBuffer(g)
      optimizer.step(parameters: p.base, gradient: grad.base, lr: config.lr)
      trace.append(p.array)
    }
    return trace
  }

  private func assertTrace(_ trace: [[Float]], _ expected: [[Double]], accuracy: Double = 1e-5, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(trace.count, expected.count, what, file: file, line: line)
    for (t, (got, want)) in zip(trace, expected).enumerated() {
      for (i, (g, w)) in zip(got, want).enumerated() {
        XCTAssertEqual(Double(g), w, accuracy: accuracy, "\(what): step \(t + 1), θ[\(i)]", file: file, line: line)
      }
    }
  }

  /// Gradients that change sign and size, on 11 parameters (the 8-wide loop and its tail).
  private let start: [Float] = [1, -0.5, 0.25, 2, -1.5, 0.1, 0.75, -0.2, 0.6, -2.2, 0.05]
  private var gradients: [[Float]] {
    (0..<3).map { t in start.indices.map { i in Float(sin(Double(3 * i + 7 * t + 1))) * 0.8 } }
  }

  // MARK: SGD

  func testSGDPlainByHand() throws {
    // θ ← θ − lr·g: 1 − 0.1·0.5 = 0.95, 0.9, 0.85.
    let trace = try run(OptimizerConfig(kind: .sgd, lr: 0.1), start: [1], gradients: Array(repeating: [0.5], count: 3))
    assertTrace(trace, [[0.95], [0.9], [0.85]], "sgd")
  }

  func testSGDMomentumByHand() throws {
    // b = 0.5, 0.95, 1.355; θ = 1 − 0.05 = 0.95, 0.95 − 0.095 = 0.855, 0.855 − 0.1355 = 0.7195.
    let trace = try run(
      OptimizerConfig(kind: .sgd, lr: 0.1, momentum: 0.9), start: [1], gradients: Array(repeating: [0.5], count: 3))
    assertTrace(trace, [[0.95], [0.855], [0.7195]], "sgd momentum")
  }

  func testSGDNesterovByHand() throws {
    // d = g + μ·b: 0.5 + 0.45 = 0.95, 0.5 + 0.855 = 1.355, 0.5 + 1.2195 = 1.7195;
    // θ = 0.905, 0.7695, 0.59755.
    let trace = try run(
      OptimizerConfig(kind: .sgd, lr: 0.1, momentum: 0.9, nesterov: true), start: [1],
      gradients: Array(repeating: [0.5], count: 3))
    assertTrace(trace, [[0.905], [0.7695], [0.59755]], "sgd nesterov")
  }

  func testSGDAgainstReference() throws {
    for nesterov in [false, true] {
      let config = OptimizerConfig(kind: .sgd, lr: 0.05, weightDecay: 0.01, momentum: 0.8, nesterov: nesterov)
      var p = start.map(Double.init), b = [Double](repeating: 0, count: start.count)
      var expected: [[Double]] = []
      for g in gradients {
        for i in p.indices {
          let gi = Double(g[i]) + 0.01 * p[i]
          b[i] = 0.8 * b[i] + gi
          p[i] -= 0.05 * (nesterov ? gi + 0.8 * b[i] : b[i])
        }
        expected.append(p)
      }
      assertTrace(try run(config, start: start, gradients: gradients), expected, "sgd reference nesterov=\(nesterov)")
    }
  }

  // MARK: Adam and AdamW

  func testAdamByHand() throws {
    // Constant g: m̂ = g, v̂ = g², so each step moves lr·g/|g| = 0.1 (less a hair for ε).
    // Step 1: m = 0.05, v = 0.00025, m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25, θ = 1 − 0.1·0.5/0.5.
    let trace = try run(OptimizerConfig(kind: .adam, lr: 0.1), start: [1], gradients: Array(repeating: [0.5], count: 3))
    assertTrace(trace, [[0.9], [0.8], [0.7]], "adam")
  }

  func testAdamBiasCorrectionWithChangingGradient() throws {
    // g = 1 then 0: step 2 m = 0.09, v = 0.000999; m̂ = 0.09/0.19, v̂ = 0.000999/0.001999.
    let trace = try run(OptimizerConfig(kind: .adam, lr: 0.01), start: [0], gradients: [[1], [0]])
    let m2 = 0.09 / 0.19, v2 = 0.000999 / 0.001999
    assertTrace(trace, [[-0.01], [-0.01 - 0.01 * m2 / (v2.squareRoot() + 1e-8)]], accuracy: 1e-7, "adam bias correction")
  }

  private func adamReference(decoupled: Bool, weightDecay: Double, lr: Double = 0.01) -> [[Double]] {
    let b1 = 0.85, b2 = 0.99, eps = 1e-6
    var p = start.map(Double.init)
    var m = [Double](repeating: 0, count: p.count), v = m
    var expected: [[Double]] = []
    for (t, g) in gradients.enumerated() {
      let step = Double(t + 1)
      for i in p.indices {
        var gi = Double(g[i])
        if decoupled { p[i] *= 1 - lr * weightDecay } else { gi += weightDecay * p[i] }
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        let mHat = m[i] / (1 - pow(b1, step)), vHat = v[i] / (1 - pow(b2, step))
        p[i] -= lr * mHat / (vHat.squareRoot() + eps)
      }
      expected.append(p)
    }
    return expected
  }

  func testAdamAndAdamWAgainstReference() throws {
    let adam = OptimizerConfig(kind: .adam, lr: 0.01, beta1: 0.85, beta2: 0.99, eps: 1e-6, weightDecay: 0.3)
    assertTrace(try run(adam, start: start, gradients: gradients), adamReference(decoupled: false, weightDecay: 0.3), "adam + L2")
    let adamw = OptimizerConfig(kind: .adamw, lr: 0.01, beta1: 0.85, beta2: 0.99, eps: 1e-6, weightDecay: 0.3)
    assertTrace(try run(adamw, start: start, gradients: gradients), adamReference(decoupled: true, weightDecay: 0.3), "adamw")
  }

  func testAdamWDecouplesWeightDecay() throws {
    // With g = 0 Adam's step is 0: AdamW still shrinks θ by (1 − lr·λ) per step, Adam with
    // coupled decay moves by its normalized step instead (lr·sign(θ) on the first step).
    let zero = Array(repeating: [Float(0)], count: 2)
    let adamw = try run(OptimizerConfig(kind: .adamw, lr: 0.1, weightDecay: 0.5), start: [2], gradients: zero)
    assertTrace(adamw, [[2 * 0.95], [2 * 0.95 * 0.95]], "adamw shrink")
    let adam = try run(OptimizerConfig(kind: .adam, lr: 0.1, weightDecay: 0.5), start: [2], gradients: zero)
    XCTAssertEqual(Double(adam[0][0]), 1.9, accuracy: 1e-6)  // g = λθ = 1, step lr·1/1
    // AdamW's default weight decay is PyTorch's 0.01; the others' 0.
    XCTAssertEqual(OptimizerConfig(kind: .adamw).weightDecay, 0.01)
    XCTAssertEqual(OptimizerConfig(kind: .adam).weightDecay, 0)
  }

  // MARK: RMSProp and Adagrad

  func testRMSPropByHand() throws {
    // v = 0.0025 → θ = 1 − 0.01·0.5/0.05 = 0.9; v = 0.99·0.0025 + 0.0025 = 0.004975,
    // θ = 0.9 − 0.005/√0.004975.
    let trace = try run(OptimizerConfig(kind: .rmsprop, lr: 0.01), start: [1], gradients: Array(repeating: [0.5], count: 2))
    assertTrace(trace, [[0.9], [0.9 - 0.005 / 0.004975.squareRoot()]], "rmsprop")
  }

  func testRMSPropAgainstReference() throws {
    for momentum in [0.0, 0.7] {
      let config = OptimizerConfig(kind: .rmsprop, lr: 0.02, eps: 1e-6, weightDecay: 0.1, momentum: Float(momentum), alpha: 0.9)
      var p = start.map(Double.init), v = [Double](repeating: 0, count: start.count), b = v
      var expected: [[Double]] = []
      for g in gradients {
        for i in p.indices {
          let gi = Double(g[i]) + 0.1 * p[i]
          v[i] = 0.9 * v[i] + 0.1 * gi * gi
          let step = gi / (v[i].squareRoot() + 1e-6)
          if momentum > 0 {
            b[i] = momentum * b[i] + step
            p[i] -= 0.02 * b[i]
          } else {
            p[i] -= 0.02 * step
          }
        }
        expected.append(p)
      }
      assertTrace(try run(config, start: start, gradients: gradients), expected, accuracy: 2e-5, "rmsprop momentum=\(momentum)")
    }
  }

  func testAdagradByHand() throws {
    // s = 0.25, 0.5, 0.75: θ = 0.9, 0.9 − 0.05/√0.5, then − 0.05/√0.75.
    let trace = try run(OptimizerConfig(kind: .adagrad, lr: 0.1), start: [1], gradients: Array(repeating: [0.5], count: 3))
    let p2 = 0.9 - 0.05 / 0.5.squareRoot()
    assertTrace(trace, [[0.9], [p2], [p2 - 0.05 / 0.75.squareRoot()]], "adagrad")
  }

  func testAdagradAgainstReference() throws {
    let config = OptimizerConfig(kind: .adagrad, lr: 0.05, weightDecay: 0.2)
    var p = start.map(Double.init), s = [Double](repeating: 0, count: start.count)
    var expected: [[Double]] = []
    for g in gradients {
      for i in p.indices {
        let gi = Double(g[i]) + 0.2 * p[i]
        s[i] += gi * gi
        p[i] -= 0.05 * gi / (s[i].squareRoot() + 1e-8)
      }
      expected.append(p)
    }
    assertTrace(try run(config, start: start, gradients: gradients), expected, "adagrad reference")
  }

  // MARK: Configuration

  func testDefaultsPerKind() {
    XCTAssertEqual(OptimizerConfig(kind: .adam).lr, 1e-3)
    XCTAssertEqual(OptimizerConfig(kind: .adamw).lr, 1e-3)
    XCTAssertEqual(OptimizerConfig(kind: .rmsprop).lr, 1e-3)
    XCTAssertEqual(OptimizerConfig(kind: .sgd).lr, 0.01)
    XCTAssertEqual(OptimizerConfig(kind: .adagrad).lr, 0.01)
    let adam = OptimizerConfig()
    XCTAssertEqual([adam.beta1, adam.beta2, adam.eps, adam.alpha], [0.9, 0.999, 1e-8, 0.99])
  }

  func testInvalidConfigurationsNameTheOption() {
    let cases: [(OptimizerConfig, String)] = [
      (OptimizerConfig(kind: .adam, lr: -1), "lr"),
      (OptimizerConfig(kind: .adam, lr: .nan), "lr"),
      (OptimizerConfig(kind: .adam, beta1: 1), "beta1"),
      (OptimizerConfig(kind: .adam, beta2: -0.1), "beta2"),
      (OptimizerConfig(kind: .adam, eps: -1), "eps"),
      (OptimizerConfig(kind: .sgd, weightDecay: -0.1), "weightDecay"),
      (OptimizerConfig(kind: .sgd, momentum: 1.5), "momentum"),
      (OptimizerConfig(kind: .rmsprop, alpha: 1), "alpha"),
      (OptimizerConfig(kind: .sgd, nesterov: true), "nesterov needs momentum"),
      (OptimizerConfig(kind: .adam, momentum: 0.9, nesterov: true), "nesterov applies to sgd only"),
    ]
    for (config, fragment) in cases {
      XCTAssertThrowsError(try Optimizer.make(config, parameterCount: 1)) { error in
        XCTAssertTrue("\(error)".contains(fragment), "'\(error)' should mention \(fragment)")
      }
    }
  }
}
