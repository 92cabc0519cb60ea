import TunaRandom

/// The shape of a multilayer perceptron: the hidden layers' widths, their activation, and the
/// dropout rate after each of them.
public struct MLPConfig: Sendable, Equatable {
  public var hidden: [Int]
  public var activation: Activation
  /// The probability of dropping each hidden unit in training, in [0, 1).
  public var dropout: Float

  public init(hidden: [Int] = [100], activation: Activation = .relu, dropout: Float = 0) {
    self.hidden = hidden
    self.activation = activation
    self.dropout = dropout
  }

  /// Throws a `TrainError` naming the first option out of range. No hidden layer at all is
  /// allowed: the network is then softmax (or linear) regression.
  public func validate() throws {
    if let bad = hidden.firstIndex(where: { $0 < 1 }) {
      throw TrainError("hidden layer sizes must be at least 1, got \(hidden[bad]) at position \(bad + 1)")
    }
    guard dropout >= 0, dropout < 1 else { throw TrainError("dropout must be in [0, 1), got \(dropout)") }
  }
}

/// A multilayer perceptron: dense layers with an activation between them, softmax
/// cross-entropy on the logits for classification, squared error on one linear output for
/// regression. Trained by `fit`.
///
/// The layers are built at the first `fit`, from the data: `nFeatures` inputs and `nClasses`
/// outputs (1 for regression); the weights start from `FitOptions.seed`. A later `fit` goes on
/// from the weights it has (with fresh optimizer state), on data of the same shape.
///
/// Regression targets are used as they are: scale them first if they are large.
///
/// All parameters live in one arena, layer after layer (each layer's weights, then its bias), so
/// optimizers, penalties and snapshots run over one contiguous buffer. A network is not
/// thread-safe: one `fit` or prediction at a time.
public final class MLP {
  public let config: MLPConfig
  /// Whether `fit` has built the layers.
  public private(set) var isBuilt = false
  /// The task the network was built for (nil until built).
  public private(set) var task: LearningTask?
  /// Inputs, hidden widths, outputs (empty until built).
  public private(set) var layerSizes: [Int] = []

  var layers: [Dense] = []
  var arena = FloatBuffer(count: 0)

  /// Validates `config`.
  public init(_ config: MLPConfig) throws {
    try config.validate()
    self.config = config
  }

  /// The number of weights and biases (0 until built).
  public var parameterCount: Int { isBuilt ? arena.count : 0 }
  var inputSize: Int { layerSizes.first ?? 0 }
  var outputSize: Int { layerSizes.last ?? 0 }

  /// The parameters in arena order (for tests and snapshots).
  var parameters: [Float] {
    get { arena.array }
    set { arena.copy(from: newValue) }
  }

  /// The arena ranges of the weights (what L1/L2 penalize).
  var weightRanges: [Range<Int>] { layers.map(\.weightRange) }

  /// Lays out the layers and initializes them: He or Glorot for the hidden layers by their
  /// activation, Glorot for the (linear) output layer, zero biases.
  func build(inputs: Int, outputs: Int, task: LearningTask, seed: UInt64) {
    let sizes = [inputs] + config.hidden + [outputs]
    var offset = 0
    layers = (0..<(sizes.count - 1)).map { l in
      let layer = Dense(inputs: sizes[l], outputs: sizes[l + 1], weightOffset: offset)
      offset += layer.parameterCount
      return layer
    }
    arena = FloatBuffer(count: offset)
    var rng = RandomSource(seed: seed, stream: 0)
    for (l, layer) in layers.enumerated() {
      let init_ = WeightInit.forLayer(followedBy: l < layers.count - 1 ? config.activation : nil)
      init_.fill(arena.base + layer.weightOffset, fanIn: layer.inputs, fanOut: layer.outputs, rng: &rng)
    }
    layerSizes = sizes
    self.task = task
    isBuilt = true
  }

  // MARK: Inference

  /// Class indices (as Floats) for classification, values for regression.
  public func predict(_ x: Matrix) throws -> [Float] {
    try checkInput(x)
    var out = [Float](repeating: 0, count: x.rows)
    let k = outputSize
    let isClassification = task == .classification
    try inference(x) { logits, start, rows in
      for r in 0..<rows {
        out[start + r] = isClassification ? Float(SoftmaxCrossEntropy.argmax(logits + r * k, count: k)) : logits[r]
      }
    }
    return out
  }

  /// Class probabilities, one row per sample (classification only).
  public func predictProbabilities(_ x: Matrix) throws -> Matrix {
    try checkInput(x)
    guard task == .classification else { throw TrainError("class probabilities need a classification network") }
    let k = outputSize
    var out = Matrix(rows: x.rows, cols: k)
    try out.data.withUnsafeMutableBufferPointer { dst in
      try inference(x) { logits, start, rows in
        SoftmaxCrossEntropy.probabilities(logits, rows: rows, classes: k)
        (dst.baseAddress! + start * k).update(from: logits, count: rows * k)
      }
    }
    return out
  }

  /// Classification: "accuracy" and "loss" (mean cross-entropy). Regression: "loss" and "mse"
  /// (mean squared error, the same number), "mae", "r2".
  public func evaluate(_ data: Dataset) throws -> [String: Double] {
    try checkData(data, name: "data")
    guard data.nSamples > 0 else { throw TrainError("evaluate: the data has no rows") }
    let ws = MLPWorkspace(self, capacity: min(data.nSamples, MLPWorkspace.inferenceRows), gradients: false)
    return evaluate(data, ws: ws).values(task: data.task)
  }

  /// Runs `x` through the network in chunks; `body` gets each chunk's outputs (rows × outputs,
  /// writable), the index of its first row and its row count.
  private func inference(_ x: Matrix, _ body: (UnsafeMutablePointer<Float>, Int, Int) throws -> Void) throws {
    guard x.rows > 0 else { return }
    let ws = MLPWorkspace(self, capacity: min(x.rows, MLPWorkspace.inferenceRows), gradients: false)
    try x.data.withUnsafeBufferPointer { src in
      var start = 0
      while start < x.rows {
        let rows = min(ws.capacity, x.rows - start)
        forward(src.baseAddress! + start * x.cols, rows: rows, ws: ws, dropout: .off)
        try body(ws.outputs.last!.base, start, rows)
        start += rows
      }
    }
  }

  // MARK: Checks

  func checkInput(_ x: Matrix) throws {
    guard isBuilt else { throw TrainError("the network is not fitted yet") }
    guard x.cols == inputSize else {
      throw TrainError("the data has \(x.cols) features but the network was built for \(inputSize)")
    }
  }

  /// Shape, task and labels of `data` against the built network.
  func checkData(_ data: Dataset, name: String) throws {
    try checkInput(data.x)
    guard data.task == task else {
      throw TrainError("\(name) is a \(data.task.rawValue) dataset but the network was built for \(task!.rawValue)")
    }
    try Self.checkTargets(data, name: name, classes: outputSize)
  }

  /// Finite features and targets; class indices in 0..<classes.
  static func checkTargets(_ data: Dataset, name: String, classes: Int) throws {
    if let i = data.x.data.firstIndex(where: { !$0.isFinite }) {
      throw TrainError("\(name) has a non-finite feature at row \(i / max(data.nFeatures, 1) + 1)")
    }
    switch data.task {
    case .classification:
      if let i = data.y.firstIndex(where: { !($0 >= 0 && $0 < Float(classes) && $0 == $0.rounded()) }) {
        throw TrainError("\(name) row \(i + 1): class index \(data.y[i]) is not in 0..<\(classes)")
      }
    case .regression:
      if let i = data.y.firstIndex(where: { !$0.isFinite }) {
        throw TrainError("\(name) row \(i + 1): the target \(data.y[i]) is not finite")
      }
    }
  }
}
