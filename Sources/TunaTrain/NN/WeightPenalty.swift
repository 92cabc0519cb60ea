/// L1 and L2 penalties on the weights, applied in the gradient before the optimizer's step:
///
///     Ω(W) = l1 · Σ|w| + (l2 / 2) · Σw²        dΩ/dw = l1 · sign(w) + l2 · w
///
/// Biases are not penalized (as scikit-learn's `alpha` and Keras's kernel regularizers). With
/// this scaling `l2` is the same as SGD's coupled `weight_decay`. sign(0) = 0. The reported
/// losses do not include Ω.
struct WeightPenalty: Sendable {
  var l1: Float
  var l2: Float

  var isZero: Bool { l1 == 0 && l2 == 0 }

  /// Ω over the weights in `ranges` of the arena.
  func value(_ parameters: UnsafePointer<Float>, ranges: [Range<Int>]) -> Double {
    var sum = 0.0
    for range in ranges {
      for i in range {
        let w = Double(parameters[i])
        sum += Double(l1) * abs(w) + 0.5 * Double(l2) * w * w
      }
    }
    return sum
  }

  /// gradient += dΩ/dw over the weights in `ranges`.
  func addGradient(_ parameters: UnsafePointer<Float>, _ gradient: UnsafeMutablePointer<Float>, ranges: [Range<Int>]) {
    let l1 = self.l1, l2 = self.l2
    for range in ranges {
      let p = parameters + range.lowerBound, g = gradient + range.lowerBound
      if l1 == 0 {
        var i = 0
        while i &+ 8 <= range.count {
          g.setLanes(i, g.lanes(i) + l2 * p.lanes(i))
          i &+= 8
        }
        while i < range.count {
          g[i] += l2 * p[i]
          i &+= 1
        }
      } else {
        for i in 0..<range.count {
          let w = p[i]
          let sign: Float = w > 0 ? 1 : (w < 0 ? -1 : 0)
          g[i] += l1 * sign + l2 * w
        }
      }
    }
  }
}
