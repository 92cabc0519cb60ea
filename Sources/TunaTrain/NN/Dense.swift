/// A fully connected layer, z = x·W + b, whose weights and bias are slices of the network's
/// parameter arena: W is `inputs × outputs` row-major at `weightOffset` (W[i, j] joins input i
/// to unit j), then b, `outputs` values.
///
/// The forward pass here is the product alone; the bias is added together with the activation
/// in one pass (`Activation.forward`). The backward pass sits beside it.
struct Dense: Sendable {
  let inputs: Int
  let outputs: Int
  let weightOffset: Int

  var weightCount: Int { inputs * outputs }
  var biasOffset: Int { weightOffset + weightCount }
  var parameterCount: Int { weightCount + outputs }
  /// The arena indices of the weights (the part L1/L2 penalties apply to).
  var weightRange: Range<Int> { weightOffset..<biasOffset }

  /// z = x·W for `rows` rows of x (`rows × inputs`) into z (`rows × outputs`).
  @inline(__always)
  func forward(_ x: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>) {
    DenseKernels.gemm(x, parameters + weightOffset, into: z, m: rows, n: outputs, k: inputs)
  }

  /// Given dL/dz (`rows × outputs`) and the layer's input x:
  ///
  ///     dL/dW = xᵀ · dz        (inputs × outputs)
  ///     dL/db = Σ_rows dz      (outputs)
  ///     dL/dx = dz · Wᵀ        (rows × inputs), only when `inputGradient` is given
  ///
  /// The parameter gradients are written (not accumulated) at this layer's offsets in
  /// `gradient`. The first layer's input gradient is not needed to train and is skipped there.
  @inline(__always)
  func backward(
    _ x: UnsafePointer<Float>, dz: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
    gradient: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?
  ) {
    DenseKernels.gemm(x, transposeA: true, dz, into: gradient + weightOffset, m: inputs, n: outputs, k: rows)
    DenseKernels.columnSums(dz, rows: rows, cols: outputs, into: gradient + biasOffset)
    if let inputGradient {
      DenseKernels.gemm(dz, parameters + weightOffset, transposeB: true, into: inputGradient, m: rows, n: inputs, k: outputs)
    }
  }
}
