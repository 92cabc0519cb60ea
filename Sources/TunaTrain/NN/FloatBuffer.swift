/// Floats at a fixed address, allocated once and freed with the owner: the parameter arena, its
/// gradient, optimizer state and the per-batch activations of a fit. Hot loops work on `base`
/// directly, with no copy-on-write or exclusivity checks in the way.
///
/// The allocation is rounded up to whole `Lanes` (8 Floats) and the padding zero-filled, so a
/// loop over a whole buffer may run in whole lanes (`laneCount`) without a scalar tail; nothing
/// else reads the padding.
final class FloatBuffer {
  let count: Int
  let base: UnsafeMutablePointer<Float>

  init(count: Int, repeating value: Float = 0) {
    self.count = count
    let padded = Self.laneCount(count)
    base = .allocate(capacity: padded)
    base.initialize(repeating: 0, count: padded)
    base.update(repeating: value, count: count)
  }

  /// `count` rounded up to whole lanes (at least one).
  static func laneCount(_ count: Int) -> Int { max(8, (count + 7) & ~7) }

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
