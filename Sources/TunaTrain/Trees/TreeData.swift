/// A training set laid out for growing trees, computed once per fit and shared (read-only) by
/// every tree of a forest.
///
/// Each feature is kept as its (value, row) pairs sorted by value (a presort, as in CART's
/// original implementation, Breiman et al. 1984 §5.3, and SLIQ). A node then finds the best
/// threshold of a feature by one scan of its rows in that order, and a split keeps every order by
/// a stable partition, so no node sorts anything. Keeping the value beside the row makes the scan
/// read one array in sequence instead of gathering values by row. Thresholds are exact midpoints between
/// neighbouring distinct values, as scikit-learn's, rather than histogram bin edges: on the small
/// tables a tuner meets (hundreds to tens of thousands of rows) the presort is as fast as binning
/// and gives the same trees as an exact CART.
struct TreeData: Sendable {
  let task: LearningTask
  let nRows: Int
  let nFeatures: Int
  /// The number of classes (0 for regression).
  let nClasses: Int
  /// Feature `f`'s values and their rows, by increasing value (ties by row index), at
  /// `sorted[f * nRows ..< (f + 1) * nRows]`.
  let sorted: [SortedEntry]
  /// The class index of each row (classification; empty for regression).
  let classes: [Int32]
  /// The target of each row less `targetOffset` (regression; empty for classification).
  let targets: [Double]
  /// The mean target (regression; 0 for classification). Centred targets keep the sums that
  /// score splits small, so a large common offset costs no precision.
  let targetOffset: Double

  init(_ data: Dataset) throws {
    let n = data.nSamples
    let nf = data.nFeatures
    guard n > 0 else { throw TrainError("cannot fit a tree on an empty dataset") }
    guard nf > 0 else { throw TrainError("cannot fit a tree on a dataset without features") }
    guard n < Int(Int32.max) else { throw TrainError("too many rows for a tree: \(n)") }
    task = data.task
    nRows = n
    nFeatures = nf

    switch data.task {
    case .classification:
      var labels = [Int32](repeating: 0, count: n)
      var maxLabel = -1
      for (i, v) in data.y.enumerated() {
        guard v.isFinite, v >= 0, v == v.rounded(), v < Float(Int32.max) else {
          throw TrainError("classification targets must be class indices 0, 1, …; row \(i + 1) has \(v)")
        }
        labels[i] = Int32(v)
        maxLabel = max(maxLabel, Int(v))
      }
      nClasses = max(data.nClasses, maxLabel + 1)
      classes = labels
      targets = []
      targetOffset = 0
    case .regression:
      var values = [Double](repeating: 0, count: n)
      for (i, v) in data.y.enumerated() {
        guard v.isFinite else { throw TrainError("regression targets must be finite; row \(i + 1) has \(v)") }
        values[i] = Double(v)
      }
      let mean = values.reduce(0, +) / Double(n)
      nClasses = 0
      classes = []
      targets = values.map { $0 - mean }
      targetOffset = mean
    }

    var sorted = [SortedEntry](repeating: SortedEntry(value: 0, row: 0), count: n * nf)
    var column = [Float](repeating: 0, count: n)
    var keys = [UInt64](repeating: 0, count: n)
    try data.x.data.withUnsafeBufferPointer { x in
      for f in 0..<nf {
        for r in 0..<n {
          let v = x[r * nf + f] + 0  // + 0 turns -0 into +0
          guard v.isFinite else {
            throw TrainError("features must be finite; row \(r + 1), feature \(f + 1) has \(v)")
          }
          column[r] = v
          keys[r] = UInt64(Self.orderedBits(v)) << 32 | UInt64(r)
        }
        keys.sort()
        for i in 0..<n {
          let r = Int32(truncatingIfNeeded: keys[i])
          sorted[f * n + i] = SortedEntry(value: column[Int(r)], row: r)
        }
      }
    }
    self.sorted = sorted
  }

  /// The bits of `v` as an unsigned integer in the same order as the values.
  @inline(__always)
  static func orderedBits(_ v: Float) -> UInt32 {
    let bits = v.bitPattern
    return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
  }
}

/// One row of a feature's sorted list: its value of the feature and its index, packed in one
/// 64-bit word so that partitions move each entry with one load and one store.
struct SortedEntry: Sendable {
  var bits: UInt64

  init(value: Float, row: Int32) {
    bits = UInt64(value.bitPattern) | UInt64(UInt32(bitPattern: row)) << 32
  }

  var value: Float { Float(bitPattern: UInt32(truncatingIfNeeded: bits)) }
  var row: Int32 { Int32(truncatingIfNeeded: bits >> 32) }
}
