import Foundation
import TunaRandom

/// How a dense layer's weights start. Biases start at zero.
enum WeightInit {
  /// He et al. 2015, "Delving Deep into Rectifiers": N(0, 2 / ((1 + a²)·fan_in)), a the negative
  /// slope (0 for ReLU and GELU, 0.01 for leaky ReLU); keeps the activations' variance through
  /// ReLU layers.
  case he(negativeSlope: Float)
  /// Glorot & Bengio 2010, "Understanding the difficulty of training deep feedforward neural
  /// networks": U(−b, b), b = √(6 / (fan_in + fan_out)); for tanh, sigmoid and linear layers.
  case xavier

  /// He for the ReLU family, Xavier for tanh, sigmoid and identity (and for the output layer,
  /// which is linear).
  static func forLayer(followedBy activation: Activation?) -> WeightInit {
    guard let activation, activation.isReLUFamily else { return .xavier }
    return .he(negativeSlope: activation == .leakyRelu ? Activation.leakySlope : 0)
  }

  /// Fills `count = fanIn·fanOut` weights.
  func fill(_ w: UnsafeMutablePointer<Float>, fanIn: Int, fanOut: Int, rng: inout RandomSource) {
    let count = fanIn * fanOut
    switch self {
    case .he(let a):
      let std = (2 / ((1 + Double(a) * Double(a)) * Double(fanIn))).squareRoot()
      for i in 0..<count { w[i] = Float(rng.normal(0, std)) }
    case .xavier:
      let bound = (6 / Double(fanIn + fanOut)).squareRoot()
      for i in 0..<count { w[i] = Float(rng.uniform(-bound, bound)) }
    }
  }
}
