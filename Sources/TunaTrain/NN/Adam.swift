import Foundation

/// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization"), as PyTorch's
/// `torch.optim.Adam`:
///
///     m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
///     θ ← θ − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// The bias corrections are computed in Double once per step.
class Adam: Optimizer {
  private let m: FloatBuffer
  private let v: FloatBuffer

  override init(_ config: OptimizerConfig, parameterCount: Int) throws {
    m = FloatBuffer(count: parameterCount)
    v = FloatBuffer(count: parameterCount)
    try super.init(config, parameterCount: parameterCount)
  }

  /// The factor θ is multiplied by before the Adam step: 1 here, 1 − lr·λ for AdamW.
  func shrink(lr: Float) -> Float { 1 }

  override func update(parameters p: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>, lanes: Int, lr: Float) {
    let b1 = config.beta1, b2 = config.beta2, eps = config.eps
    let t = Double(steps)
    let correction1 = 1 - Foundation.pow(Double(b1), t)
    let correction2 = 1 - Foundation.pow(Double(b2), t)
    let stepSize = Float(Double(lr) / correction1)
    let invRootCorrection2 = Float(1 / correction2.squareRoot())
    let decay = shrink(lr: lr)
    let c1 = 1 - b1, c2 = 1 - b2
    let m = self.m.base, v = self.v.base
    var i = 0
    while i < lanes {
      let gi = g.lanes(i)
      let mi = b1 * m.lanes(i) + c1 * gi
      let vi = b2 * v.lanes(i) + c2 * gi * gi
      m.setLanes(i, mi)
      v.setLanes(i, vi)
      p.setLanes(i, p.lanes(i) * decay - stepSize * mi / (squareRoot(vi) * invRootCorrection2 + eps))
      i &+= 8
    }
  }
}

/// AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"): Adam whose weight
/// decay shrinks the parameters directly, θ ← θ·(1 − lr·λ), instead of entering the gradient
/// and so the moment estimates (as PyTorch's `torch.optim.AdamW`).
final class AdamW: Adam {
  override var decouplesWeightDecay: Bool { true }
  override func shrink(lr: Float) -> Float { 1 - lr * config.weightDecay }
}
