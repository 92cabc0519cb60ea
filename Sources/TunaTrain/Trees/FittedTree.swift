/// A grown CART tree in flat arrays: node `i`'s split, statistics and value sit at index `i` of
/// each array, and the two children of a split are neighbours (`right == left + 1`). Flat
/// storage keeps a tree in a few allocations and a prediction in a tight loop over 12-byte nodes.
struct FittedTree: Sendable {
  /// The test at a node: rows with `x[feature] <= threshold` go to `left`, the others to
  /// `left + 1`. `feature` is -1 at a leaf.
  struct Split: Sendable {
    var feature: Int32
    var left: Int32
    var threshold: Float
  }

  var splits: [Split] = []
  /// The training rows (distinct, in the bag) that reached each node.
  var samples: [Int32] = []
  /// The same, counting each row as often as the bootstrap drew it.
  var weightedSamples: [Double] = []
  /// The criterion's impurity of each node.
  var impurity: [Double] = []
  /// `width` numbers per node: the class proportions (classification) or the mean (regression).
  var values: [Float] = []
  var width: Int
  /// The depth of the deepest leaf (0 for a tree that is one leaf).
  var depth = 0
  var leafCount = 0

  init(width: Int) { self.width = width }

  var nodeCount: Int { splits.count }

  /// Empties the tree, keeping its arrays' capacity (a builder reuses one tree as scratch).
  mutating func removeAll() {
    splits.removeAll(keepingCapacity: true)
    samples.removeAll(keepingCapacity: true)
    weightedSamples.removeAll(keepingCapacity: true)
    impurity.removeAll(keepingCapacity: true)
    values.removeAll(keepingCapacity: true)
    depth = 0
    leafCount = 0
  }

  /// Appends a node to be filled in later and returns its index.
  mutating func appendNode() -> Int {
    splits.append(Split(feature: -1, left: -1, threshold: 0))
    samples.append(0)
    weightedSamples.append(0)
    impurity.append(0)
    for _ in 0..<width { values.append(0) }
    return splits.count - 1
  }

  /// A copy in arrays of exactly the size needed.
  func compacted() -> FittedTree {
    var out = FittedTree(width: width)
    out.splits = exactCopy(splits)
    out.samples = exactCopy(samples)
    out.weightedSamples = exactCopy(weightedSamples)
    out.impurity = exactCopy(impurity)
    out.values = exactCopy(values)
    out.depth = depth
    out.leafCount = leafCount
    return out
  }

  /// The leaf that the row at `row` (its features contiguous) falls into.
  @inline(__always)
  func leaf(_ row: UnsafePointer<Float>, _ splits: UnsafeBufferPointer<Split>) -> Int {
    var node = 0
    while true {
      let s = splits[node]
      if s.feature < 0 { return node }
      node = row[Int(s.feature)] <= s.threshold ? Int(s.left) : Int(s.left) + 1
    }
  }

  /// The leaf of each row of `x`.
  func leaves(_ x: Matrix) -> [Int] {
    var out = [Int](repeating: 0, count: x.rows)
    x.data.withUnsafeBufferPointer { data in
      splits.withUnsafeBufferPointer { splits in
        for i in 0..<x.rows { out[i] = leaf(data.baseAddress! + i * x.cols, splits) }
      }
    }
    return out
  }

  /// Adds `scale` times each leaf value of rows `range` of `x` into `sums` (`width` per row,
  /// from row `range.lowerBound`).
  func accumulate(
    _ x: UnsafePointer<Float>, cols: Int, rows range: Range<Int>, into sums: UnsafeMutablePointer<Double>
  ) {
    splits.withUnsafeBufferPointer { splits in
      values.withUnsafeBufferPointer { values in
        var out = sums
        for i in range {
          let leaf = leaf(x + i * cols, splits)
          for k in 0..<width { out[k] += Double(values[leaf * width + k]) }
          out += width
        }
      }
    }
  }

  /// The total impurity decrease each feature's splits bring, weighted by the share of the
  /// training rows through each split (Breiman et al. 1984 §5.3.4; "mean decrease in impurity"),
  /// normalized to sum to 1 (all zeros for a tree that is one leaf).
  func featureImportances(nFeatures: Int) -> [Double] {
    var out = [Double](repeating: 0, count: nFeatures)
    for i in 0..<splits.count where splits[i].feature >= 0 {
      let l = Int(splits[i].left)
      let r = l + 1
      let decrease =
        weightedSamples[i] * impurity[i] - weightedSamples[l] * impurity[l] - weightedSamples[r] * impurity[r]
      out[Int(splits[i].feature)] += decrease
    }
    let total = out.reduce(0, +)
    if total > 0 { for f in out.indices { out[f] /= total } }
    return out
  }
}

/// A new array with the elements of `a` and no spare capacity.
private func exactCopy<T>(_ a: [T]) -> [T] {
  [T](unsafeUninitializedCapacity: a.count) { buffer, count in
    a.withUnsafeBufferPointer { source in
      if let base = buffer.baseAddress, let from = source.baseAddress { base.initialize(from: from, count: a.count) }
    }
    count = a.count
  }
}
