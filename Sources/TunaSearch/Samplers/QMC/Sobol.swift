/// Joe and Kuo's direction numbers (the data is in SobolDirectionNumbers+Data.swift).
enum SobolDirectionNumbers {
  /// The primitive polynomial and initial direction numbers of one dimension.
  struct Entry {
    /// The polynomial's degree s.
    let degree: Int
    /// The polynomial's inner coefficients a_1 ... a_{s-1}, a_1 the highest bit.
    let coefficients: UInt32
    /// m_1 ... m_s.
    let initial: [UInt32]
  }

  /// The dimensions the table covers.
  static let count = 1_024

  /// Entries for the dimensions from the second on (entries[0] is dimension 2).
  static let entries: [Entry] = {
    var result: [Entry] = []
    result.reserveCapacity(count - 1)
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ").map { UInt32($0)! }
      let degree = Int(fields[1])
      precondition(fields.count == 3 + degree && Int(fields[0]) == result.count + 2, "malformed Sobol table line: \(line)")
      result.append(Entry(degree: degree, coefficients: fields[2], initial: Array(fields[3...])))
    }
    precondition(result.count == count - 1, "the Sobol table has \(result.count + 1) dimensions, not \(count)")
    return result
  }()

  /// The 32 direction numbers v_1 ... v_32 of `dimension` (0-based), scaled by 2^32.
  static func directions(dimension: Int) -> [UInt32] {
    var v = [UInt32](repeating: 0, count: 32)
    guard dimension > 0 else {
      for k in 0..<32 { v[k] = 1 << (31 - k) }
      return v
    }
    let e = entries[dimension - 1]
    let s = e.degree
    for k in 0..<min(s, 32) { v[k] = e.initial[k] << (31 - k) }
    if s < 32 {
      for k in s..<32 {
        var x = v[k - s] ^ (v[k - s] >> UInt32(s))
        for j in 1..<s where (e.coefficients >> UInt32(s - 1 - j)) & 1 == 1 {
          x ^= v[k - j]
        }
        v[k] = x
      }
    }
    return v
  }
}

/// A Sobol sequence in Gray-code order (the order SciPy's `qmc.Sobol` uses), optionally scrambled
/// by a random linear matrix scramble and a random digital shift (Matoušek 1998; Owen 2003),
/// which keeps the points a (t, m, s)-net. Points have 32 bits each, so at most 2^32 of them.
struct SobolSequence {
  let dimensions: Int
  /// directions[d * 32 + k] is v_{k+1} of dimension d, scrambled when asked.
  private var directions: [UInt32]
  /// The digital shift of each dimension (zeros unscrambled).
  private var shift: [UInt32]

  init(dimensions: Int, scrambleSeed: UInt64?) {
    precondition(dimensions >= 1, "a Sobol sequence needs at least 1 dimension, got \(dimensions)")
    precondition(
      dimensions <= SobolDirectionNumbers.count,
      "Sobol direction numbers are included for \(SobolDirectionNumbers.count) dimensions, \(dimensions) were asked")
    self.dimensions = dimensions
    directions = []
    directions.reserveCapacity(dimensions * 32)
    shift = [UInt32](repeating: 0, count: dimensions)
    var rng = scrambleSeed.map { RandomSource(seed: $0) }
    for d in 0..<dimensions {
      var v = SobolDirectionNumbers.directions(dimension: d)
      if rng != nil {
        // Linear matrix scramble: a random lower-triangular binary matrix with a unit diagonal
        // mixes each digit with the digits above it. Row i says which input digits (bit 31 is
        // the first digit) make output digit i.
        var rows = [UInt32](repeating: 0, count: 32)
        for i in 0..<32 {
          let above: UInt32 = i == 0 ? 0 : ~UInt32(0) << UInt32(32 - i)
          rows[i] = (UInt32(truncatingIfNeeded: rng!.next()) & above) | (1 << UInt32(31 - i))
        }
        for k in 0..<32 {
          var out: UInt32 = 0
          for i in 0..<32 where (rows[i] & v[k]).nonzeroBitCount & 1 == 1 { out |= 1 << UInt32(31 - i) }
          v[k] = out
        }
        shift[d] = UInt32(truncatingIfNeeded: rng!.next())
      }
      directions += v
    }
  }

  /// The integer coordinates of point `index` (the point times 2^32).
  func integerPoint(_ index: Int, into out: inout [UInt32]) {
    precondition(index >= 0 && index < 1 << 32, "Sobol point index \(index) is outside 0..<2^32")
    let gray = UInt64(index) ^ (UInt64(index) >> 1)
    for d in 0..<dimensions {
      var x = shift[d]
      var g = gray
      var k = d * 32
      while g != 0 {
        if g & 1 == 1 { x ^= directions[k] }
        g >>= 1
        k += 1
      }
      out[d] = x
    }
  }

  /// Writes points `start ..< start + count`, row after row, into `out` (count × dimensions).
  func fill(start: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
    guard count > 0 else { return }
    precondition(start >= 0 && start + count <= 1 << 32, "Sobol points \(start)..<\(start + count) exceed 2^32")
    var x = [UInt32](repeating: 0, count: dimensions)
    integerPoint(start, into: &x)
    let scale = 0x1p-32
    for i in 0..<count {
      let row = out + i * dimensions
      for d in 0..<dimensions { row[d] = Double(x[d]) * scale }
      // Gray code: the next point differs from this one in the direction of the lowest zero bit
      // of the index.
      let next = start + i + 1
      if i + 1 < count {
        let k = next.trailingZeroBitCount
        for d in 0..<dimensions { x[d] ^= directions[d * 32 + k] }
      }
    }
  }
}
