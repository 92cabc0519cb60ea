/// The update rules `fit` offers.
public enum OptimizerKind: String, CaseIterable, Sendable {
  case sgd, adam, adamw, rmsprop, adagrad
}

/// An optimizer and its hyperparameters. Each kind reads the ones it uses: SGD `lr`, `momentum`,
/// `nesterov`; Adam and AdamW `lr`, `beta1`, `beta2`, `eps`; RMSProp `lr`, `alpha`, `eps`,
/// `momentum`; Adagrad `lr`, `eps`. All take `weightDecay`: added to the gradient (L2-coupled,
/// as PyTorch's `weight_decay`) except for AdamW, where it is decoupled. Weight decay applies to
/// every parameter, biases included (PyTorch's default); `FitOptions.l1`/`l2` apply to weights
/// only.
public struct OptimizerConfig: Sendable, Equatable {
  public var kind: OptimizerKind
  public var lr: Float
  public var beta1: Float
  public var beta2: Float
  public var eps: Float
  public var weightDecay: Float
  public var momentum: Float
  public var nesterov: Bool
  /// RMSProp's smoothing constant for the mean square (Keras's `rho`).
  public var alpha: Float

  /// `lr` defaults to 1e-3 for Adam, AdamW and RMSProp and to 0.01 for SGD and Adagrad;
  /// `weightDecay` to 0.01 for AdamW (PyTorch's default) and 0 for the others.
  public init(
    kind: OptimizerKind = .adam, lr: Float? = nil, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
    weightDecay: Float? = nil, momentum: Float = 0, nesterov: Bool = false, alpha: Float = 0.99
  ) {
    self.kind = kind
    self.lr = lr ?? Self.defaultLR(kind)
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay ?? Self.defaultWeightDecay(kind)
    self.momentum = momentum
    self.nesterov = nesterov
    self.alpha = alpha
  }

  public static func defaultLR(_ kind: OptimizerKind) -> Float {
    switch kind {
    case .adam, .adamw, .rmsprop: 1e-3
    case .sgd, .adagrad: 0.01
    }
  }

  public static func defaultWeightDecay(_ kind: OptimizerKind) -> Float { kind == .adamw ? 0.01 : 0 }

  /// Throws a `TrainError` naming the first option out of range.
  public func validate() throws {
    func check(_ ok: Bool, _ name: String, _ value: Float, _ rule: String) throws {
      guard ok, value.isFinite else { throw TrainError("optimizer \(name) must be \(rule), got \(value)") }
    }
    try check(lr >= 0, "lr", lr, "≥ 0")
    try check(eps >= 0, "eps", eps, "≥ 0")
    try check(weightDecay >= 0, "weightDecay", weightDecay, "≥ 0")
    try check(momentum >= 0 && momentum < 1, "momentum", momentum, "in [0, 1)")
    try check(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)")
    try check(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)")
    try check(alpha >= 0 && alpha < 1, "alpha", alpha, "in [0, 1)")
    if nesterov && (kind != .sgd || momentum == 0) {
      throw TrainError(kind == .sgd
        ? "optimizer nesterov needs momentum > 0" : "optimizer nesterov applies to sgd only, not \(kind.rawValue)")
    }
  }
}

/// The shared part of every update rule; subclasses supply one hook, `update`.
///
/// `step` counts the step, adds the L2-coupled weight decay to the gradient (g ← g + λθ) unless
/// the subclass decouples it, then calls `update(parameters:gradient:count:lr:)` to change the
/// parameters in place. State (moments, accumulators) is kept per parameter, in the arena's
/// order. (After tinygrad's `Optimizer.step` / `_step`.)
class Optimizer {
  let config: OptimizerConfig
  let count: Int
  /// Steps taken, counting the current one inside `update` (t = 1 on the first).
  private(set) var steps = 0
  /// `count` rounded up to whole lanes: the update loops run over the `FloatBuffer` padding too
  /// (zero gradients and state leave zero parameters there).
  var laneCount: Int { FloatBuffer.laneCount(count) }

  /// Validates the configuration.
  init(_ config: OptimizerConfig, parameterCount: Int) throws {
    try config.validate()
    self.config = config
    self.count = parameterCount
  }

  /// The optimizer for `config.kind`.
  static func make(_ config: OptimizerConfig, parameterCount: Int) throws -> Optimizer {
    switch config.kind {
    case .sgd: try SGD(config, parameterCount: parameterCount)
    case .adam: try Adam(config, parameterCount: parameterCount)
    case .adamw: try AdamW(config, parameterCount: parameterCount)
    case .rmsprop: try RMSProp(config, parameterCount: parameterCount)
    case .adagrad: try Adagrad(config, parameterCount: parameterCount)
    }
  }

  /// Whether weight decay is applied by `update` itself (AdamW) instead of through the gradient.
  var decouplesWeightDecay: Bool { false }

  /// One step at learning rate `lr` (the schedule's value for the epoch). The gradient may be
  /// changed in place. Both pointers are the bases of `FloatBuffer`s of `count` values (the
  /// loops run in whole lanes over their padding).
  final func step(parameters: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>, lr: Float) {
    steps += 1
    let decay = config.weightDecay
    if decay != 0 && !decouplesWeightDecay {
      var i = 0
      while i < laneCount {
        gradient.setLanes(i, gradient.lanes(i) + decay * parameters.lanes(i))
        i &+= 8
      }
    }
    update(parameters: parameters, gradient: gradient, lanes: laneCount, lr: lr)
  }

  /// The hook: θ ← θ − (the rule's step), in place, over `lanes` values (a multiple of 8).
  func update(parameters: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>, lanes: Int, lr: Float) {
    preconditionFailure("Optimizer subclasses override update")
  }
}
