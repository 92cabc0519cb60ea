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

  override func update(parameters p: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>, lanes: Int, lr: Float) {
    var i = 0
    guard let velocity else {
      while i < lanes {
        p.setLanes(i, p.lanes(i) - lr * g.lanes(i))
        i &+= 8
      }
      return
    }
    let mu = config.momentum
    let b = velocity.base
    if config.nesterov {
      while i < lanes {
        let gi = g.lanes(i)
        let bi = mu * b.lanes(i) + gi
        b.setLanes(i, bi)
        p.setLanes(i, p.lanes(i) - lr * (gi + mu * bi))
        i &+= 8
      }
    } else {
      while i < lanes {
        let bi = mu * b.lanes(i) + g.lanes(i)
        b.setLanes(i, bi)
        p.setLanes(i, p.lanes(i) - lr * bi)
        i &+= 8
      }
    }
  }
}
