import Foundation

/// The nonlinearity after each hidden layer. The output layer has none: its values are logits
/// (softmax cross-entropy) or the prediction itself (squared error).
public enum Activation: String, CaseIterable, Sendable {
  /// max(0, z) (Nair & Hinton 2010).
  case relu
  /// z for z > 0, else 0.01·z (Maas, Hannun & Ng 2013).
  case leakyRelu = "leaky_relu"
  /// The exact Gaussian error linear unit z·Φ(z) = ½z(1 + erf(z/√2)) (Hendrycks & Gimpel 2016,
  /// "Gaussian Error Linear Units (GELUs)"), as PyTorch's default `nn.GELU()`; not the tanh
  /// approximation.
  case gelu
  case tanh
  /// 1 / (1 + e^−z), computed without overflow for large |z|.
  case sigmoid
  case identity

  /// The slope of `leakyRelu` below zero.
  public static let leakySlope: Float = 0.01

  /// Whether the backward pass needs the pre-activation z (GELU) rather than the output f(z):
  /// for the others f′ is a function of f(z) (ReLU: f > 0; tanh: 1 − f²; sigmoid: f(1 − f)).
  var needsPreactivation: Bool { self == .gelu }

  /// Whether He initialization suits it (the ReLU family); otherwise Glorot's.
  var isReLUFamily: Bool { self == .relu || self == .leakyRelu || self == .gelu }

  // MARK: Forward and backward, side by side

  /// `z ← f(z + bias)` for `rows` rows of `cols`, bias broadcast over the rows: the bias add and
  /// the activation in one pass after the layer's sgemm. When `pre` is given (GELU), z + bias is
  /// kept there for the backward pass.
  func forward(
    _ z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, cols: Int,
    pre: UnsafeMutablePointer<Float>? = nil
  ) {
    switch self {
    case .relu: Self.reluForward(z, bias, rows, cols)
    case .leakyRelu: Self.leakyForward(z, bias, rows, cols)
    case .gelu: Self.geluForward(z, bias, rows, cols, pre)
    case .tanh: Self.scalarForward(z, bias, rows, cols) { Foundation.tanh($0) }
    case .sigmoid: Self.scalarForward(z, bias, rows, cols, Self.sigmoid)
    case .identity: Self.biasForward(z, bias, rows, cols)
    }
  }

  /// `grad ← grad ⊙ f′(z)` over `count` values, from the forward pass's output `y = f(z)` (or
  /// from `pre` = z for GELU): dL/dz = dL/dy · f′(z).
  func backward(
    _ grad: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, pre: UnsafePointer<Float>?, count: Int
  ) {
    switch self {
    case .relu: Self.reluBackward(grad, y, count)  // f′ = [z > 0] = [f > 0]
    case .leakyRelu: Self.leakyBackward(grad, y, count)  // f′ = 1 or 0.01, by the sign of f
    case .gelu:
      guard let pre else { preconditionFailure("gelu backward needs the pre-activation") }
      Self.geluBackward(grad, pre, count)
    case .tanh: Self.tanhBackward(grad, y, count)  // f′ = 1 − f²
    case .sigmoid: Self.sigmoidBackward(grad, y, count)  // f′ = f(1 − f)
    case .identity: break  // f′ = 1
    }
  }

  // The loops: eight lanes at a time, then one by one (see `Lanes`).

  private static func reluForward(_ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ rows: Int, _ cols: Int) {
    for r in 0..<rows {
      let row = z + r * cols
      var j = 0
      while j &+ 8 <= cols {
        let v = row.lanes(j) + bias.lanes(j)
        row.setLanes(j, v.replacing(with: 0, where: v .< 0))
        j &+= 8
      }
      while j < cols {
        row[j] = Swift.max(row[j] + bias[j], 0)
        j &+= 1
      }
    }
  }

  private static func reluBackward(_ grad: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) {
    var i = 0
    while i &+ 8 <= count {
      grad.setLanes(i, grad.lanes(i).replacing(with: 0, where: y.lanes(i) .<= 0))
      i &+= 8
    }
    while i < count {
      if y[i] <= 0 { grad[i] = 0 }
      i &+= 1
    }
  }

  private static func leakyForward(_ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ rows: Int, _ cols: Int) {
    let slope = leakySlope
    for r in 0..<rows {
      let row = z + r * cols
      var j = 0
      while j &+ 8 <= cols {
        let v = row.lanes(j) + bias.lanes(j)
        row.setLanes(j, v.replacing(with: slope * v, where: v .<= 0))
        j &+= 8
      }
      while j < cols {
        let v = row[j] + bias[j]
        row[j] = v > 0 ? v : slope * v
        j &+= 1
      }
    }
  }

  private static func leakyBackward(_ grad: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) {
    let slope = leakySlope
    var i = 0
    while i &+ 8 <= count {
      let g = grad.lanes(i)
      grad.setLanes(i, g.replacing(with: slope * g, where: y.lanes(i) .<= 0))
      i &+= 8
    }
    while i < count {
      if y[i] <= 0 { grad[i] *= slope }
      i &+= 1
    }
  }

  private static let invSqrt2: Float = 0.70710678118654752
  private static let invSqrt2Pi: Float = 0.39894228040143268

  /// f = z·Φ(z) = ½z(1 + erf(z/√2)).
  private static func geluForward(
    _ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ rows: Int, _ cols: Int, _ pre: UnsafeMutablePointer<Float>?
  ) {
    for r in 0..<rows {
      let row = z + r * cols
      let keep = pre.map { $0 + r * cols }
      for j in 0..<cols {
        let v = row[j] + bias[j]
        keep?[j] = v
        row[j] = 0.5 * v * (1 + Foundation.erf(v * invSqrt2))
      }
    }
  }

  /// f′ = Φ(z) + z·φ(z).
  private static func geluBackward(_ grad: UnsafeMutablePointer<Float>, _ pre: UnsafePointer<Float>, _ count: Int) {
    for i in 0..<count {
      let v = pre[i]
      let cdf = 0.5 * (1 + Foundation.erf(v * invSqrt2))
      let pdf = invSqrt2Pi * Foundation.exp(-0.5 * v * v)
      grad[i] *= cdf + v * pdf
    }
  }

  private static func scalarForward(
    _ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ rows: Int, _ cols: Int, _ f: (Float) -> Float
  ) {
    for r in 0..<rows {
      let row = z + r * cols
      for j in 0..<cols { row[j] = f(row[j] + bias[j]) }
    }
  }

  private static func tanhBackward(_ grad: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) {
    var i = 0
    while i &+ 8 <= count {
      let f = y.lanes(i)
      grad.setLanes(i, grad.lanes(i) * (1 - f * f))
      i &+= 8
    }
    while i < count {
      grad[i] *= 1 - y[i] * y[i]
      i &+= 1
    }
  }

  private static func sigmoidBackward(_ grad: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) {
    var i = 0
    while i &+ 8 <= count {
      let f = y.lanes(i)
      grad.setLanes(i, grad.lanes(i) * f * (1 - f))
      i &+= 8
    }
    while i < count {
      grad[i] *= y[i] * (1 - y[i])
      i &+= 1
    }
  }

  /// The output layer: z + b, no activation.
  private static func biasForward(_ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ rows: Int, _ cols: Int) {
    for r in 0..<rows {
      let row = z + r * cols
      var j = 0
      while j &+ 8 <= cols {
        row.setLanes(j, row.lanes(j) + bias.lanes(j))
        j &+= 8
      }
      while j < cols {
        row[j] += bias[j]
        j &+= 1
      }
    }
  }

  @inline(__always)
  static func sigmoid(_ v: Float) -> Float {
    if v >= 0 { return 1 / (1 + Foundation.exp(-v)) }
    let e = Foundation.exp(v)
    return e / (1 + e)
  }
}
