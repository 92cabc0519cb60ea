import TunaRandom
import XCTest

@testable import TunaTrain

/// Finite-difference checks of every hand-derived backward pass. The network computes in Float,
/// so the checks use central differences with h = 1e-3, losses summed in Double, and a
/// tolerance of 2e-3 absolute + 2% relative.
final class NNGradientTests: XCTestCase {
  private let h: Float = 1e-3

  /// Mean loss of `x` (rows × inputs) against `y` through the network, with dropout masks as
  /// given by `mode`.
  private func loss(_ net: MLP, _ ws: MLPWorkspace, _ x: Matrix, _ y: [Float], _ mode: DropoutMode) -> Double {
    for (r, v) in y.enumerated() { ws.targets[r] = v }
    return x.data.withUnsafeBufferPointer { xs in
      net.forward(xs.baseAddress!, rows: x.rows, ws: ws, dropout: mode)
      return net.lossAndDelta(rows: x.rows, ws: ws) / Double(x.rows)
    }
  }

  /// dL/dθ and dL/dx by backpropagation, after one forward pass that draws the dropout masks.
  private func analytic(_ net: MLP, _ ws: MLPWorkspace, _ x: Matrix, _ y: [Float]) -> (params: [Double], input: [Double]) {
    _ = loss(net, ws, x, y, .draw)
    var dx = [Float](repeating: 0, count: x.rows * x.cols)
    x.data.withUnsafeBufferPointer { xs in
      dx.withUnsafeMutableBufferPointer { net.backward(xs.baseAddress!, rows: x.rows, ws: ws, inputGradient: $0.baseAddress!) }
    }
    return (ws.gradient.array.map(Double.init), dx.map(Double.init))
  }

  /// Central differences of the loss over every parameter and every input, the masks held.
  private func numeric(_ net: MLP, _ ws: MLPWorkspace, _ x: Matrix, _ y: [Float]) -> (params: [Double], input: [Double]) {
    var params: [Double] = []
    for i in 0..<net.arena.count {
      let saved = net.arena[i]
      net.arena[i] = saved + h
      let up = loss(net, ws, x, y, .reuse)
      net.arena[i] = saved - h
      let down = loss(net, ws, x, y, .reuse)
      net.arena[i] = saved
      params.append((up - down) / Double(2 * h))
    }
    var input: [Double] = []
    var xp = x
    for i in 0..<x.data.count {
      let saved = xp.data[i]
      xp.data[i] = saved + h
      let up = loss(net, ws, xp, y, .reuse)
      xp.data[i] = saved - h
      let down = loss(net, ws, xp, y, .reuse)
      xp.data[i] = saved
      input.append((up - down) / Double(2 * h))
    }
    return (params, input)
  }

  private func check(_ config: MLPConfig, task: LearningTask, outputs: Int, seed: UInt64 = 3, file: StaticString = #filePath, line: UInt = #line) throws {
    let (net, ws) = try NNFixtures.builtNet(config, inputs: 4, outputs: outputs, task: task, seed: seed)
    let x = NNFixtures.gaussian(rows: 6, cols: 4, seed: seed + 10)
    var rng = RandomSource(seed: seed + 20)
    let y = (0..<6).map { _ in task == .classification ? Float(rng.integer(0, outputs - 1)) : Float(rng.normal()) }
    let a = analytic(net, ws, x, y)
    let n = numeric(net, ws, x, y)
    let what = "\(config.activation.rawValue) \(config.hidden) dropout \(config.dropout) \(task.rawValue)"
    // Per layer, so that a failure says which part is wrong.
    for (l, layer) in net.layers.enumerated() {
      nnAssertClose(
        Array(a.params[layer.weightRange]), Array(n.params[layer.weightRange]), "\(what): layer \(l + 1) weights",
        file: file, line: line)
      let bias = layer.biasOffset..<(layer.biasOffset + layer.outputs)
      nnAssertClose(Array(a.params[bias]), Array(n.params[bias]), "\(what): layer \(l + 1) bias", file: file, line: line)
    }
    nnAssertClose(a.input, n.input, "\(what): input", file: file, line: line)
    XCTAssertGreaterThan(a.params.map(abs).max() ?? 0, 1e-3, "\(what): the gradient is all but zero", file: file, line: line)
  }

  // MARK: Dense layers and losses

  /// No hidden layer: one dense layer into softmax cross-entropy (weights, bias, input).
  func testDenseLayerWithSoftmaxCrossEntropy() throws {
    try check(MLPConfig(hidden: [], activation: .identity), task: .classification, outputs: 3)
  }

  /// One dense layer into squared error.
  func testDenseLayerWithSquaredError() throws {
    try check(MLPConfig(hidden: [], activation: .identity), task: .regression, outputs: 1)
  }

  // MARK: Activations, through two hidden layers

  func testEveryActivationClassification() throws {
    for activation in Activation.allCases {
      try check(MLPConfig(hidden: [5, 3], activation: activation), task: .classification, outputs: 3)
    }
  }

  func testEveryActivationRegression() throws {
    for activation in Activation.allCases {
      try check(MLPConfig(hidden: [5, 3], activation: activation), task: .regression, outputs: 1, seed: 11)
    }
  }

  /// Dropout with the masks drawn once and held while differencing.
  func testDropoutWithFixedMask() throws {
    for activation in [Activation.relu, .tanh, .gelu] {
      try check(MLPConfig(hidden: [6, 5], activation: activation, dropout: 0.4), task: .classification, outputs: 3)
    }
    // The masks really drop something and scale the rest by 1 / (1 − p).
    let (net, ws) = try NNFixtures.builtNet(
      MLPConfig(hidden: [50], activation: .relu, dropout: 0.4), inputs: 4, outputs: 2, task: .classification)
    let x = NNFixtures.gaussian(rows: 8, cols: 4, seed: 1)
    _ = loss(net, ws, x, [0, 1, 0, 1, 0, 1, 0, 1], .draw)
    let mask = Array(UnsafeBufferPointer(start: ws.masks[0]!.base, count: 8 * 50))
    XCTAssertEqual(Set(mask), [0, Float(1) / 0.6])
    let dropped = Double(mask.filter { $0 == 0 }.count) / Double(mask.count)
    XCTAssertEqual(dropped, 0.4, accuracy: 0.08)
  }

  // MARK: Activation kernels alone

  /// Each activation's backward kernel against central differences of its forward kernel.
  func testActivationDerivatives() {
    let z: [Float] = [-3, -1.2, -0.4, -0.05, 0.07, 0.3, 0.9, 1.7, 2.5, 4]
    let count = z.count
    for activation in Activation.allCases {
      func f(_ values: [Float]) -> [Float] {
        var out = values
        let zero = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
          zero.withUnsafeBufferPointer { activation.forward(o.baseAddress!, bias: $0.baseAddress!, rows: 1, cols: count) }
        }
        return out
      }
      let y = f(z)
      var grad = [Float](repeating: 1, count: count)
      z.withUnsafeBufferPointer { pre in
        y.withUnsafeBufferPointer { out in
          grad.withUnsafeMutableBufferPointer {
            activation.backward($0.baseAddress!, output: out.baseAddress!, pre: pre.baseAddress!, count: count)
          }
        }
      }
      let up = f(z.map { $0 + h }), down = f(z.map { $0 - h })
      let numeric = (0..<count).map { (Double(up[$0]) - Double(down[$0])) / Double(2 * h) }
      nnAssertClose(grad.map(Double.init), numeric, abs: 1e-3, rel: 1e-2, "\(activation.rawValue) f′")
    }
  }

  /// Forward values against their definitions (and bias broadcast, and the 8-wide and tail
  /// parts of the loops: 2 rows × 11 columns).
  func testActivationValues() {
    let rows = 2, cols = 11
    let z = (0..<(rows * cols)).map { Float($0 - 11) * 0.37 }
    let bias = (0..<cols).map { Float($0) * 0.05 - 0.2 }
    let exact: [Activation: (Double) -> Double] = [
      .relu: { max($0, 0) },
      .leakyRelu: { $0 > 0 ? $0 : 0.01 * $0 },
      .gelu: { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) },
      .tanh: { Foundation.tanh($0) },
      .sigmoid: { 1 / (1 + exp(-$0)) },
      .identity: { $0 },
    ]
    for activation in Activation.allCases {
      var out = z
      out.withUnsafeMutableBufferPointer { o in
        bias.withUnsafeBufferPointer { activation.forward(o.baseAddress!, bias: $0.baseAddress!, rows: rows, cols: cols) }
      }
      for i in 0..<(rows * cols) {
        let v = Double(z[i]) + Double(bias[i % cols])
        XCTAssertEqual(Double(out[i]), exact[activation]!(v), accuracy: 1e-5, "\(activation.rawValue)(\(v))")
      }
    }
    // Sigmoid does not overflow far out.
    var far: [Float] = [-200, 200]
    far.withUnsafeMutableBufferPointer { o in
      [Float](repeating: 0, count: 2).withUnsafeBufferPointer {
        Activation.sigmoid.forward(o.baseAddress!, bias: $0.baseAddress!, rows: 1, cols: 2)
      }
    }
    XCTAssertEqual(far, [0, 1])
  }

  // MARK: Losses alone

  func testSoftmaxCrossEntropyGradientAndStability() {
    let classes = 4, rows = 3
    var logits: [Float] = [0.3, -1.2, 2.0, 0.1, 5, 5, 5, 5, -0.7, 0.4, 0.0, 1.1]
    let labels: [Float] = [2, 1, 0]
    func total(_ z: [Float]) -> Double {
      z.withUnsafeBufferPointer { zs in
        labels.withUnsafeBufferPointer { SoftmaxCrossEntropy.loss(logits: zs.baseAddress!, labels: $0.baseAddress!, rows: rows, classes: classes) }
      }
    }
    var grad = [Float](repeating: 0, count: rows * classes)
    let value = logits.withUnsafeBufferPointer { zs in
      labels.withUnsafeBufferPointer { ys in
        grad.withUnsafeMutableBufferPointer {
          SoftmaxCrossEntropy.loss(
            logits: zs.baseAddress!, labels: ys.baseAddress!, rows: rows, classes: classes, gradient: $0.baseAddress!, scale: 1)
        }
      }
    }
    XCTAssertEqual(value, total(logits))
    // Row 2 has equal logits: its loss is log 4.
    var numeric: [Double] = []
    for i in logits.indices {
      let saved = logits[i]
      logits[i] = saved + h
      let up = total(logits)
      logits[i] = saved - h
      let down = total(logits)
      logits[i] = saved
      numeric.append((up - down) / Double(2 * h))
    }
    nnAssertClose(grad.map(Double.init), numeric, abs: 1e-3, rel: 1e-2, "softmax cross-entropy")
    // Each row's gradient sums to 0 (softmax − one-hot).
    for r in 0..<rows { XCTAssertEqual(grad[(r * classes)..<((r + 1) * classes)].reduce(0, +), 0, accuracy: 1e-6) }
    // Huge logits neither overflow nor lose the answer.
    let huge: [Float] = [1000, -1000, 0, 3000, 2990, -3000]
    let hugeLoss = huge.withUnsafeBufferPointer { zs in
      [Float(0), 1].withUnsafeBufferPointer { SoftmaxCrossEntropy.loss(logits: zs.baseAddress!, labels: $0.baseAddress!, rows: 2, classes: 3) }
    }
    XCTAssertEqual(hugeLoss, 10, accuracy: 1e-3)  // row 1: ≈ 0; row 2: 3000 − 2990 = 10
    XCTAssertTrue(hugeLoss.isFinite)
  }

  func testSquaredErrorGradient() {
    var predictions: [Float] = [0.5, -1.25, 3]
    let targets: [Float] = [1, -1, 2]
    func total(_ p: [Float]) -> Double {
      p.withUnsafeBufferPointer { ps in targets.withUnsafeBufferPointer { SquaredError.loss(predictions: ps.baseAddress!, targets: $0.baseAddress!, rows: 3) } }
    }
    XCTAssertEqual(total(predictions), 0.25 + 0.0625 + 1, accuracy: 1e-9)
    var grad = [Float](repeating: 0, count: 3)
    _ = predictions.withUnsafeBufferPointer { ps in
      targets.withUnsafeBufferPointer { ts in
        grad.withUnsafeMutableBufferPointer {
          SquaredError.loss(predictions: ps.baseAddress!, targets: ts.baseAddress!, rows: 3, gradient: $0.baseAddress!, scale: 1)
        }
      }
    }
    var numeric: [Double] = []
    for i in predictions.indices {
      let saved = predictions[i]
      predictions[i] = saved + h
      let up = total(predictions)
      predictions[i] = saved - h
      let down = total(predictions)
      predictions[i] = saved
      numeric.append((up - down) / Double(2 * h))
    }
    nnAssertClose(grad.map(Double.init), numeric, abs: 1e-3, rel: 1e-3, "squared error")
    XCTAssertEqual(grad, [-1, -0.5, 2])
  }

  // MARK: Penalties

  func testL1AndL2PenaltyGradients() {
    let penalty = WeightPenalty(l1: 0.03, l2: 0.2)
    var params: [Float] = [0.5, -0.3, 1.2, -2, 0.7, 0.25, -0.9, 0.4]
    let ranges = [0..<3, 5..<8]  // 3 and 4 are "biases": not penalized
    func value(_ p: [Float]) -> Double { p.withUnsafeBufferPointer { penalty.value($0.baseAddress!, ranges: ranges) } }
    var grad = [Float](repeating: 0, count: params.count)
    params.withUnsafeBufferPointer { ps in
      grad.withUnsafeMutableBufferPointer { penalty.addGradient(ps.baseAddress!, $0.baseAddress!, ranges: ranges) }
    }
    var numeric: [Double] = []
    for i in params.indices {
      let saved = params[i]
      params[i] = saved + h
      let up = value(params)
      params[i] = saved - h
      let down = value(params)
      params[i] = saved
      numeric.append((up - down) / Double(2 * h))
    }
    nnAssertClose(grad.map(Double.init), numeric, abs: 1e-4, rel: 1e-3, "L1 + L2")
    XCTAssertEqual(grad[3], 0)
    XCTAssertEqual(grad[4], 0)
    XCTAssertEqual(grad[0], 0.03 + 0.2 * 0.5, accuracy: 1e-7)
    XCTAssertEqual(value(params), 0.03 * 3.55 + 0.1 * (0.25 + 0.09 + 1.44 + 0.0625 + 0.81 + 0.16), accuracy: 1e-6)
  }

  /// The penalties reach the parameters through `fit`: with a huge L2 and plain SGD the weights
  /// shrink towards zero, the biases do not.
  func testL2PenaltyShrinksWeightsInFit() throws {
    let data = NNFixtures.blobs(rows: 60, features: 3, classes: 2, seed: 4)
    func weightNorm(l2: Float) throws -> Double {
      let net = try MLP(MLPConfig(hidden: [8]))
      _ = try fit(net, data, options: FitOptions(epochs: 5, batchSize: 10, optimizer: OptimizerConfig(kind: .sgd, lr: 0.05), l2: l2))
      return net.weightRanges.flatMap { r in r.map { Double(net.arena[$0] * net.arena[$0]) } }.reduce(0, +)
    }
    XCTAssertLessThan(try weightNorm(l2: 5), 0.5 * (try weightNorm(l2: 0)))
  }
}
