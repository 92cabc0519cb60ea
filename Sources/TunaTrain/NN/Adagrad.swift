/// Adagrad (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning and
/// Stochastic Optimization"), as PyTorch's `torch.optim.Adagrad` with no lr decay and a zero
/// initial accumulator:
///
///     s ← s + g²;   θ ← θ − lr · g / (√s + ε)
final class Adagrad: Optimizer {
  private let sum: FloatBuffer

  override init(_ config: OptimizerConfig, parameterCount: Int) throws {
    sum = FloatBuffer(count: parameterCount)
    try super.init(config, parameterCount: parameterCount)
  }

  override func update(parameters p: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>, lanes: Int, lr: Float) {
    let eps = config.eps
    let s = sum.base
    var i = 0
    while i < lanes {
      let gi = g.lanes(i)
      let si = s.lanes(i) + gi * gi
      s.setLanes(i, si)
      p.setLanes(i, p.lanes(i) - lr * gi / (squareRoot(si) + eps))
      i &+= 8
    }
  }
}
