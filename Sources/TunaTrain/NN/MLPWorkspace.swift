import TunaRandom

/// Everything one pass needs, allocated once per fit (or per inference call) for batches of up
/// to `capacity` rows: the gathered batch, each layer's outputs, GELU's pre-activations, dropout
/// masks, the per-layer gradients and the parameter gradient.
final class MLPWorkspace {
  /// Rows per chunk when predicting or evaluating outside a fit.
  static let inferenceRows = 256

  let capacity: Int
  /// The gathered batch: `capacity × inputs`.
  let input: FloatBuffer
  /// The gathered targets (class indices or values).
  let targets: FloatBuffer
  /// Per layer, `capacity × width`: f(z) for hidden layers; logits or predictions for the last.
  let outputs: [FloatBuffer]
  /// Per hidden layer, z + b where the activation's backward pass needs it (GELU).
  let pre: [FloatBuffer?]
  /// Per hidden layer with dropout: the mask, and f(z) ⊙ mask (the next layer's input).
  let masks: [FloatBuffer?]
  let dropped: [FloatBuffer?]
  /// Per layer, dL/dz (`capacity × width`).
  let deltas: [FloatBuffer]
  /// dL/dθ, in arena order.
  let gradient: FloatBuffer
  /// Draws the dropout masks.
  var dropoutRNG = RandomSource(seed: 0)
  /// Whether the last forward pass applied dropout (so backward reads the dropped outputs).
  var droppedOut = false

  init(_ net: MLP, capacity: Int, gradients: Bool) {
    self.capacity = capacity
    let widths = net.layers.map(\.outputs)
    let hiddenCount = widths.count - 1
    let dropout = gradients && net.config.dropout > 0
    input = FloatBuffer(count: capacity * net.inputSize)
    targets = FloatBuffer(count: capacity)
    outputs = widths.map { FloatBuffer(count: capacity * $0) }
    pre = (0..<hiddenCount).map { net.config.activation.needsPreactivation ? FloatBuffer(count: capacity * widths[$0]) : nil }
    masks = (0..<hiddenCount).map { dropout ? FloatBuffer(count: capacity * widths[$0]) : nil }
    dropped = (0..<hiddenCount).map { dropout ? FloatBuffer(count: capacity * widths[$0]) : nil }
    deltas = gradients ? widths.map { FloatBuffer(count: capacity * $0) } : []
    gradient = FloatBuffer(count: gradients ? net.arena.count : 0)
  }
}

/// What `forward` does about dropout.
enum DropoutMode {
  /// Inference: no dropout.
  case off
  /// Training: draw fresh masks.
  case draw
  /// Training with the masks already in the workspace (gradient checks).
  case reuse
}

/// Sums over the rows of an evaluation, turned into metrics at the end.
struct EvaluationSums {
  var rows = 0
  var loss = 0.0
  var hits = 0
  var absoluteError = 0.0
  var squaredDeviation = 0.0

  func values(task: LearningTask) -> [String: Double] {
    let n = Double(max(rows, 1))
    switch task {
    case .classification:
      return ["accuracy": Double(hits) / n, "loss": loss / n]
    case .regression:
      return ["loss": loss / n, "mse": loss / n, "mae": absoluteError / n, "r2": r2]
    }
  }

  /// 1 − SSres/SStot, and as `Metrics.r2` when the targets are constant.
  var r2: Double {
    if squaredDeviation == 0 { return loss == 0 ? 1 : 0 }
    return 1 - loss / squaredDeviation
  }
}

extension MLP {
  /// The input of layer `l`: x for the first, the previous layer's output (with dropout, if
  /// applied) otherwise.
  @inline(__always)
  func layerInput(_ l: Int, x: UnsafePointer<Float>, ws: MLPWorkspace) -> UnsafePointer<Float> {
    if l == 0 { return x }
    if ws.droppedOut, let dropped = ws.dropped[l - 1] { return UnsafePointer(dropped.base) }
    return UnsafePointer(ws.outputs[l - 1].base)
  }

  /// Runs `rows` rows of `x` (`rows × inputs`, rows ≤ capacity) forward; the result is in
  /// `ws.outputs.last`.
  func forward(_ x: UnsafePointer<Float>, rows: Int, ws: MLPWorkspace, dropout: DropoutMode) {
    let p = arena.base
    let rate = config.dropout
    ws.droppedOut = dropout != .off && rate > 0
    let last = layers.count - 1
    for (l, layer) in layers.enumerated() {
      let z = ws.outputs[l].base
      layer.forward(layerInput(l, x: x, ws: ws), rows: rows, parameters: p, into: z)
      let bias = UnsafePointer(p + layer.biasOffset)
      if l == last {
        Activation.identity.forward(z, bias: bias, rows: rows, cols: layer.outputs)
      } else {
        config.activation.forward(z, bias: bias, rows: rows, cols: layer.outputs, pre: ws.pre[l]?.base)
        if ws.droppedOut, let mask = ws.masks[l], let dropped = ws.dropped[l] {
          let count = rows * layer.outputs
          if dropout == .draw { Dropout.drawMask(mask.base, count: count, rate: rate, rng: &ws.dropoutRNG) }
          Dropout.forward(z, mask: mask.base, into: dropped.base, count: count)
        }
      }
    }
  }

  /// The summed loss of the last forward pass against `ws.targets`, and dL/d(output) for the
  /// mean loss over `rows` in `ws.deltas.last`.
  func lossAndDelta(rows: Int, ws: MLPWorkspace) -> Double {
    let out = UnsafePointer(ws.outputs.last!.base)
    let delta = ws.deltas.last!.base
    let scale = 1 / Float(rows)
    switch task! {
    case .classification:
      return SoftmaxCrossEntropy.loss(
        logits: out, labels: ws.targets.base, rows: rows, classes: outputSize, gradient: delta, scale: scale)
    case .regression:
      return SquaredError.loss(predictions: out, targets: ws.targets.base, rows: rows, gradient: delta, scale: scale)
    }
  }

  /// Back-propagates `ws.deltas.last` through the layers into `ws.gradient` (dL/dθ), after a
  /// forward pass of the same rows. dL/dx goes to `inputGradient` when given.
  func backward(_ x: UnsafePointer<Float>, rows: Int, ws: MLPWorkspace, inputGradient: UnsafeMutablePointer<Float>? = nil) {
    let p = UnsafePointer(arena.base)
    let g = ws.gradient.base
    for l in stride(from: layers.count - 1, through: 0, by: -1) {
      let layer = layers[l]
      let below = l > 0 ? ws.deltas[l - 1].base : inputGradient
      layer.backward(
        layerInput(l, x: x, ws: ws), dz: ws.deltas[l].base, rows: rows, parameters: p, gradient: g, inputGradient: below)
      guard l > 0, let below else { continue }
      // dL/d(dropped) → dL/d f(z) → dL/dz of the layer below.
      let count = rows * layer.inputs
      if ws.droppedOut, let mask = ws.masks[l - 1] { Dropout.backward(below, mask: mask.base, count: count) }
      config.activation.backward(
        below, output: ws.outputs[l - 1].base, pre: ws.pre[l - 1].map { UnsafePointer($0.base) }, count: count)
    }
  }

  /// The loss sums of `data` (already checked), in chunks of `ws.capacity` rows, without dropout.
  func evaluate(_ data: Dataset, ws: MLPWorkspace) -> EvaluationSums {
    var sums = EvaluationSums()
    let n = data.nSamples, d = data.nFeatures, k = outputSize
    let isClassification = task == .classification
    let mean = isClassification ? 0 : data.y.reduce(0.0) { $0 + Double($1) } / Double(max(n, 1))
    data.x.data.withUnsafeBufferPointer { xs in
      data.y.withUnsafeBufferPointer { ys in
        var start = 0
        while start < n {
          let rows = min(ws.capacity, n - start)
          forward(xs.baseAddress! + start * d, rows: rows, ws: ws, dropout: .off)
          let out = UnsafePointer(ws.outputs.last!.base)
          let y = ys.baseAddress! + start
          if isClassification {
            sums.loss += SoftmaxCrossEntropy.loss(logits: out, labels: y, rows: rows, classes: k)
            for r in 0..<rows where SoftmaxCrossEntropy.argmax(out + r * k, count: k) == Int(y[r]) { sums.hits += 1 }
          } else {
            sums.loss += SquaredError.loss(predictions: out, targets: y, rows: rows)
            for r in 0..<rows {
              sums.absoluteError += Double(abs(out[r] - y[r]))
              let dev = Double(y[r]) - mean
              sums.squaredDeviation += dev * dev
            }
          }
          start += rows
        }
      }
    }
    sums.rows = n
    return sums
  }
}
