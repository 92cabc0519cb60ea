/// Floats at a fixed address, allocated once and freed with the owner: the parameter arena, its
/// gradient, optimizer state and the per-batch activations of a fit. Hot loops work on `base`
/// directly, with no copy-on-write or exclusivity checks in the way.
final class FloatBuffer {
  let count: Int
  let base: UnsafeMutablePointer<Float>

  init(count: Int, repeating value: Float = 0) {
    self.count = count
    base = .allocate(capacity: max(count, 1))
    base.initialize(repeating: value, count: max(count, 1))
  }

  convenience init(_ values: [Float]) {
    self.init(count: values.count)
    values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
  }

  deinit { base.deallocate() }

  subscript(i: Int) -> Float {
    get { base[i] }
    set { base[i] = newValue }
  }

  /// A copy of the values.
  var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

  func fill(_ value: Float) { base.update(repeating: value, count: count) }

  func copy(from other: FloatBuffer) {
    precondition(other.count == count, "FloatBuffer.copy: \(other.count) values into \(count)")
    base.update(from: other.base, count: count)
  }

  func copy(from values: [Float]) {
    precondition(values.count == count, "FloatBuffer.copy: \(values.count) values into \(count)")
    values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: count) }
  }
}
