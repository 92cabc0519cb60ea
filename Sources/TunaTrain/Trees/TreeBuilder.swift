import Foundation
import TunaRandom

/// Grows CART trees (Breiman et al. 1984) on one ``TreeData``, depth first, with the random
/// feature choice per split of random forests (Breiman 2001).
///
/// A builder owns every buffer a tree needs and reuses them from tree to tree, so growing a tree
/// allocates only its output: one builder per thread grows a forest's trees without touching the
/// allocator at each node. Class statistics are integer weighted counts (a bootstrap sample gives
/// each row an integer weight), so Gini scores are exact and ties go to the first candidate; a
/// tree depends only on its data, options and random stream.
final class TreeBuilder {
  struct Pending {
    var node: Int
    var start: Int
    var end: Int
    var depth: Int
    /// A feature whose list holds the node's rows in `start..<end` (every list does, unless the
    /// parent skipped partitioning because both children are leaves).
    var list: Int
  }

  let data: TreeData
  let options: ResolvedTreeOptions
  let n: Int
  let nf: Int
  /// Values per node: the number of classes, or 1 (regression).
  let width: Int

  /// How often each row is in the bag (0 = left out).
  let weight: UnsafeMutablePointer<Int32>
  /// For each feature, the in-bag rows (with their values) in increasing order of that feature,
  /// each node's rows a contiguous range (the same range in every feature's list).
  let lists: UnsafeMutablePointer<SortedEntry>
  private let scratch: UnsafeMutablePointer<SortedEntry>
  /// Two classes: each row's weight and class in one number, `2 · weight + class`, so a scan
  /// reads one value per row.
  let codes: UnsafeMutablePointer<Int32>
  private let goesLeft: UnsafeMutablePointer<UInt8>
  /// The features in the order the current node drew them (a running Fisher–Yates shuffle).
  let features: UnsafeMutablePointer<Int>
  /// The current node's weighted class counts, and the left child's during a scan.
  let nodeCounts: UnsafeMutablePointer<Int>
  let leftCounts: UnsafeMutablePointer<Int>
  /// x·ln x for the integer weights 0...n (the entropy criterion only).
  let xlogx: UnsafeMutablePointer<Double>
  private var stack: [Pending] = []
  private var tree: FittedTree
  /// Polled every 128 nodes; when it holds, the tree stops growing and `stopped` is set.
  var cancellation: Cancellation?
  private(set) var stopped = false

  init(data: TreeData, options: ResolvedTreeOptions) {
    self.data = data
    self.options = options
    n = data.nRows
    nf = data.nFeatures
    width = data.task == .classification ? max(data.nClasses, 1) : 1
    weight = .allocate(capacity: n)
    lists = .allocate(capacity: n * nf)
    scratch = .allocate(capacity: n)
    codes = .allocate(capacity: n)
    goesLeft = .allocate(capacity: n)
    features = .allocate(capacity: nf)
    nodeCounts = .allocate(capacity: width)
    leftCounts = .allocate(capacity: width)
    xlogx = .allocate(capacity: n + 1)
    xlogx[0] = 0
    if options.criterion == .entropy {
      for i in 1...n { xlogx[i] = Double(i) * log(Double(i)) }
    }
    tree = FittedTree(width: width)
  }

  deinit {
    weight.deallocate()
    lists.deallocate()
    scratch.deallocate()
    codes.deallocate()
    goesLeft.deallocate()
    features.deallocate()
    nodeCounts.deallocate()
    leftCounts.deallocate()
    xlogx.deallocate()
  }

  /// Grows one tree: on a bootstrap sample of the rows (n draws with replacement) or on all of
  /// them. `rng` decides the sample and the features each split compares.
  func grow(bootstrap: Bool, rng: inout RandomSource) -> FittedTree {
    if bootstrap {
      weight.update(repeating: 0, count: n)
      for _ in 0..<n { weight[rng.integer(0, n - 1)] += 1 }
    } else {
      weight.update(repeating: 1, count: n)
    }
    for f in 0..<nf { features[f] = f }
    tree.removeAll()
    data.sorted.withUnsafeBufferPointer { sorted in
      data.classes.withUnsafeBufferPointer { classes in
        data.targets.withUnsafeBufferPointer { targets in
          let isClassification = data.task == .classification
          growTree(
            sorted: sorted.baseAddress!, classes: isClassification ? classes.baseAddress : nil,
            targets: isClassification ? nil : targets.baseAddress, rng: &rng)
        }
      }
    }
    return tree.compacted()
  }

  private func growTree(
    sorted: UnsafePointer<SortedEntry>, classes: UnsafePointer<Int32>?, targets: UnsafePointer<Double>?,
    rng: inout RandomSource
  ) {
    // Each feature's list keeps the in-bag rows of the presorted order.
    var inBag = 0
    for f in 0..<nf {
      let source = sorted + f * n
      let list = lists + f * n
      var j = 0
      for i in 0..<n {
        let entry = source[i]
        list[j] = entry
        j += weight[Int(entry.row)] > 0 ? 1 : 0
      }
      inBag = j
    }
    if let classes, width == 2 {
      for r in 0..<n { codes[r] = weight[r] &<< 1 | classes[r] }
    }

    // Locals rather than properties in the loop: no exclusivity checks on each access.
    var tree = self.tree
    var stack = self.stack
    self.tree = FittedTree(width: width)
    defer {
      self.tree = tree
      self.stack = stack
    }
    let options = self.options
    stack.removeAll(keepingCapacity: true)
    stack.append(Pending(node: tree.appendNode(), start: 0, end: inBag, depth: 0, list: 0))
    var visited = 0
    while let p = stack.popLast() {
      visited += 1
      if visited & 127 == 0, let cancellation, cancellation.isCancelled {
        stopped = true
        break
      }
      let nodeSamples = p.end - p.start
      // The node's statistics, from its rows in one feature's list.
      let rows = lists + p.list * n + p.start
      var totalWeight = 0
      var pure: Bool
      var sumSquares = 0  // Σ count², classification
      var sum = 0.0  // Σ w·y, regression
      if let classes {
        if width == 2 {
          var positive = 0
          for i in 0..<nodeSamples {
            let r = Int(rows[i].row)
            let w = Int(weight[r])
            positive &+= w & -Int(classes[r])
            totalWeight &+= w
          }
          nodeCounts[0] = totalWeight - positive
          nodeCounts[1] = positive
        } else {
          nodeCounts.update(repeating: 0, count: width)
          for i in 0..<nodeSamples {
            let r = Int(rows[i].row)
            let w = Int(weight[r])
            nodeCounts[Int(classes[r])] += w
            totalWeight += w
          }
        }
        for c in 0..<width { sumSquares += nodeCounts[c] * nodeCounts[c] }
        pure = sumSquares == totalWeight * totalWeight
        let W = Double(totalWeight)
        let impurity: Double
        if options.criterion == .entropy {
          var entropySum = 0.0
          for c in 0..<width { entropySum += xlogx[nodeCounts[c]] }
          impurity = max(0, (xlogx[totalWeight] - entropySum) / W / Self.ln2)
        } else {
          impurity = max(0, 1 - Double(sumSquares) / (W * W))
        }
        tree.impurity[p.node] = impurity
        let base = p.node * width
        for c in 0..<width { tree.values[base + c] = Float(Double(nodeCounts[c]) / W) }
      } else {
        let targets = targets!
        var sumY2 = 0.0
        var low = Double.infinity, high = -Double.infinity
        for i in 0..<nodeSamples {
          let r = Int(rows[i].row)
          let w = Int(weight[r])
          let y = targets[r]
          totalWeight += w
          sum += Double(w) * y
          sumY2 += Double(w) * y * y
          low = min(low, y)
          high = max(high, y)
        }
        pure = low == high
        let W = Double(totalWeight)
        let mean = sum / W
        tree.impurity[p.node] = pure ? 0 : max(0, sumY2 / W - mean * mean)
        tree.values[p.node] = Float(mean + data.targetOffset)
      }
      tree.samples[p.node] = Int32(nodeSamples)
      tree.weightedSamples[p.node] = Double(totalWeight)
      tree.depth = max(tree.depth, p.depth)

      let isLeaf =
        pure || p.depth >= options.maxDepth || nodeSamples < options.minSamplesSplit
        || nodeSamples < 2 * options.minSamplesLeaf
      guard !isLeaf,
        let split = bestSplit(
          p.start, p.end, totalWeight: totalWeight, sumSquares: sumSquares, sum: sum,
          classes: classes, targets: targets, rng: &rng)
      else {
        tree.leafCount += 1
        continue
      }

      // Children that the limits make leaves need only their statistics, which the split
      // feature's list gives; the other lists are partitioned only for children that may split.
      let leftSamples = split.position - p.start
      let rightSamples = p.end - split.position
      let smallest = max(options.minSamplesSplit, 2 * options.minSamplesLeaf)
      if p.depth + 1 < options.maxDepth && max(leftSamples, rightSamples) >= smallest {
        partition(p.start, p.end, feature: split.feature, at: split.position)
      }
      let left = tree.appendNode()
      _ = tree.appendNode()
      tree.splits[p.node] = FittedTree.Split(
        feature: Int32(split.feature), left: Int32(left), threshold: split.threshold)
      stack.append(
        Pending(node: left + 1, start: split.position, end: p.end, depth: p.depth + 1, list: split.feature))
      stack.append(
        Pending(node: left, start: p.start, end: split.position, depth: p.depth + 1, list: split.feature))
    }
  }

  private static let ln2 = log(2.0)

  /// Splits rows `start..<end` of every feature's list at `position` of `feature`'s list: the
  /// rows before it go left. The split feature's list is already in place; the others are
  /// partitioned stably (branch-free), so each side stays sorted.
  private func partition(_ start: Int, _ end: Int, feature: Int, at position: Int) {
    let split = lists + feature * n
    for j in start..<position { goesLeft[Int(split[j].row)] = 1 }
    for j in position..<end { goesLeft[Int(split[j].row)] = 0 }
    for g in 0..<nf where g != feature {
      let list = lists + g * n
      var write = start
      var spill = 0
      for j in start..<end {
        let entry = list[j]
        let left = Int(goesLeft[Int(entry.row)])
        list[write] = entry
        scratch[spill] = entry
        write += left
        spill += 1 - left
      }
      (list + write).update(from: scratch, count: spill)
    }
  }
}
