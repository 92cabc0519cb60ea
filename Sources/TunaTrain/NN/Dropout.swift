import TunaRandom

/// Inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov 2014, "Dropout:
/// A Simple Way to Prevent Neural Networks from Overfitting"): in training each hidden unit is
/// kept with probability 1 − p and then scaled by 1 / (1 − p), so that at inference the layer is
/// used as it is, with no rescaling. Applied after each hidden layer's activation; never to the
/// inputs or the output layer.
enum Dropout {
  /// Draws a mask of `count` values: 1 / (1 − p) with probability 1 − p, else 0.
  static func drawMask(_ mask: UnsafeMutablePointer<Float>, count: Int, rate p: Float, rng: inout RandomSource) {
    let keep = 1 / (1 - p)
    // unit() = (next() >> 11) · 2⁻⁵³ < p  ⇔  next() >> 11 < p · 2⁵³ — the same test without the
    // conversion per draw.
    let threshold = UInt64((Double(p) * 0x1p53).rounded(.up))
    for i in 0..<count { mask[i] = (rng.next() >> 11) < threshold ? 0 : keep }
  }

  /// out = x ⊙ mask.
  static func forward(_ x: UnsafePointer<Float>, mask: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i &+ 8 <= count {
      out.setLanes(i, x.lanes(i) * mask.lanes(i))
      i &+= 8
    }
    while i < count {
      out[i] = x[i] * mask[i]
      i &+= 1
    }
  }

  /// grad ← grad ⊙ mask: the mask is a constant of the step, so the derivative is the mask.
  static func backward(_ grad: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i &+ 8 <= count {
      grad.setLanes(i, grad.lanes(i) * mask.lanes(i))
      i &+= 8
    }
    while i < count {
      grad[i] *= mask[i]
      i &+= 1
    }
  }
}
