/// RMSProp (Tieleman & Hinton 2012, "Lecture 6.5 — rmsprop", COURSERA: Neural Networks for
/// Machine Learning), as PyTorch's `torch.optim.RMSprop` (not centered):
///
///     v ← α·v + (1 − α)·g²
///     b ← μ·b + g / (√v + ε);  θ ← θ − lr·b      (momentum μ > 0)
///     θ ← θ − lr · g / (√v + ε)                  (μ = 0)
final class RMSProp: Optimizer {
  private let square: FloatBuffer
  private let velocity: FloatBuffer?

  override init(_ config: OptimizerConfig, parameterCount: Int) throws {
    square = FloatBuffer(count: parameterCount)
    velocity = config.momentum > 0 ? FloatBuffer(count: parameterCount) : nil
    try super.init(config, parameterCount: parameterCount)
  }

  override func update(parameters p: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>, lanes: Int, lr: Float) {
    let alpha = config.alpha, c = 1 - config.alpha, eps = config.eps
    let v = square.base
    var i = 0
    if let velocity {
      let mu = config.momentum
      let b = velocity.base
      while i < lanes {
        let gi = g.lanes(i)
        let vi = alpha * v.lanes(i) + c * gi * gi
        v.setLanes(i, vi)
        let bi = mu * b.lanes(i) + gi / (squareRoot(vi) + eps)
        b.setLanes(i, bi)
        p.setLanes(i, p.lanes(i) - lr * bi)
        i &+= 8
      }
    } else {
      while i < lanes {
        let gi = g.lanes(i)
        let vi = alpha * v.lanes(i) + c * gi * gi
        v.setLanes(i, vi)
        p.setLanes(i, p.lanes(i) - lr * gi / (squareRoot(vi) + eps))
        i &+= 8
      }
    }
  }
}
