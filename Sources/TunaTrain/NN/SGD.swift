/// Stochastic gradient descent with optional heavy-ball momentum (Polyak 1964) or Nesterov's
/// accelerated gradient (Nesterov 1983; in the form of Sutskever, Martens, Dahl & Hinton 2013),
/// as PyTorch's `torch.optim.SGD` with dampening 0:
///
///     b ← μ·b + g            (b = g on the first step)
///     d = g + μ·b  (Nesterov)   or   d = b   (momentum)   or   d = g   (μ = 0)
///     θ ← θ − lr·d
final class SGD: Optimizer {
  private let velocity: FloatBuffer?

  override init(_ config: OptimizerConfig, parameterCount: Int) throws {
    velocity = config.momentum > 0 ? FloatBuffer(count: parameterCount) : nil
    try super.init(config, parameterCount: parameterCount)
  }

  override func update(parameters p: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>, count: Int, lr: Float) {
    guard let velocity else {
      forEachLanes(count) { i, n in p.setLanes(i, p.lanes(i, n) - lr * g.lanes(i, n), n) }
      return
    }
    let mu = config.momentum
    let b = velocity.base
    if config.nesterov {
      forEachLanes(count) { i, n in
        let gi = g.lanes(i, n)
        let bi = mu * b.lanes(i, n) + gi
        b.setLanes(i, bi, n)
        p.setLanes(i, p.lanes(i, n) - lr * (gi + mu * bi), n)
      }
    } else {
      forEachLanes(count) { i, n in
        let bi = mu * b.lanes(i, n) + g.lanes(i, n)
        b.setLanes(i, bi, n)
        p.setLanes(i, p.lanes(i, n) - lr * bi, n)
      }
    }
  }
}
