import Foundation
import TunaTrain

/// The anchor's data exactly: scikit-learn's `make_classification(n_samples=1000, n_features=10,
/// random_state=42)`, `train_test_split(test_size=0.2, random_state=42)` and `StratifiedKFold(5)`,
/// replayed from NumPy's legacy `RandomState` (MT19937, Matsumoto & Nishimura 1998) so that the
/// forest grid search runs on the very rows scikit-learn's did and its CV scores compare with the
/// anchor's 0.910 directly. Checked against scikit-learn 1.9.1 / NumPy 2.4 output.
enum SklearnReplica {
  /// NumPy's `RandomState`: MT19937 seeded with `init_genrand`, 53-bit doubles, the polar
  /// Gaussian with its cached second value, masked rejection for bounded integers.
  struct LegacyRandomState {
    private var key = [UInt32](repeating: 0, count: 624)
    private var pos = 624
    private var cachedGauss: Double?

    init(seed: UInt32) {
      var s = seed
      for i in 0..<624 {
        key[i] = s
        s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(i + 1)
      }
    }

    private mutating func generate() {
      let upper: UInt32 = 0x8000_0000, lower: UInt32 = 0x7fff_ffff, matrixA: UInt32 = 0x9908_b0df
      for i in 0..<624 {
        let y = (key[i] & upper) | (key[(i + 1) % 624] & lower)
        key[i] = key[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : matrixA)
      }
      pos = 0
    }

    mutating func nextUInt32() -> UInt32 {
      if pos == 624 { generate() }
      var y = key[pos]
      pos += 1
      y ^= y >> 11
      y ^= (y << 7) & 0x9d2c_5680
      y ^= (y << 15) & 0xefc6_0000
      y ^= y >> 18
      return y
    }

    /// `random_sample()`: uniform in [0, 1) with 53 random bits.
    mutating func double() -> Double {
      let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
      return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `standard_normal()`: Marsaglia's polar method, keeping the second value for the next call.
    mutating func gauss() -> Double {
      if let g = cachedGauss {
        cachedGauss = nil
        return g
      }
      var x1 = 0.0, x2 = 0.0, r2 = 0.0
      repeat {
        x1 = 2 * double() - 1
        x2 = 2 * double() - 1
        r2 = x1 * x1 + x2 * x2
      } while r2 >= 1 || r2 == 0
      let f = (-2 * log(r2) / r2).squareRoot()
      cachedGauss = f * x1
      return f * x2
    }

    /// An integer in 0...max by masked rejection (`random_interval`; `randint`'s 32-bit path).
    mutating func interval(_ max: Int) -> Int {
      if max == 0 { return 0 }
      var mask = UInt32(max)
      mask |= mask >> 1
      mask |= mask >> 2
      mask |= mask >> 4
      mask |= mask >> 8
      mask |= mask >> 16
      while true {
        let v = nextUInt32() & mask
        if v <= UInt32(max) { return Int(v) }
      }
    }

    /// `shuffle(array)`: Fisher–Yates from the end.
    mutating func shuffle(_ a: inout [Int]) {
      var i = a.count - 1
      while i >= 1 {
        a.swapAt(i, interval(i))
        i -= 1
      }
    }

    /// `permutation(n)`.
    mutating func permutation(_ n: Int) -> [Int] {
      var a = Array(0..<n)
      shuffle(&a)
      return a
    }
  }

  /// `make_classification(n_samples, n_features, random_state=seed)` with its other defaults:
  /// 2 informative and 2 redundant features, 2 classes of 2 clusters, class_sep 1, flip_y 0.01.
  /// Needs 4 clusters = 2² hypercube vertices, so the vertices come out in order (reservoir
  /// sampling of 4 out of 4 draws nothing).
  static func makeClassification(nSamples: Int = 1000, nFeatures: Int = 10, seed: UInt32 = 42) -> Dataset {
    var rng = LegacyRandomState(seed: seed)
    let nInformative = 2, nRedundant = 2, nClasses = 2, nClusters = 4
    let nRandom = nFeatures - nInformative - nRedundant
    var perCluster = [Int](repeating: nSamples / nClusters, count: nClusters)
    for i in 0..<(nSamples - perCluster.reduce(0, +)) { perCluster[i % nClusters] += 1 }
    // Vertex k has the bits of k, most significant first; scaled to ±class_sep.
    let centroids: [[Double]] = (0..<nClusters).map { k in
      (0..<nInformative).map { j in (k >> (nInformative - 1 - j)) & 1 == 1 ? 1.0 : -1.0 }
    }
    var x = [[Double]](repeating: [Double](repeating: 0, count: nFeatures), count: nSamples)
    var y = [Int](repeating: 0, count: nSamples)
    for i in 0..<nSamples { for j in 0..<nInformative { x[i][j] = rng.gauss() } }
    var stop = 0
    for k in 0..<nClusters {
      let start = stop
      stop += perCluster[k]
      var a = [[Double]](repeating: [Double](repeating: 0, count: nInformative), count: nInformative)
      for r in 0..<nInformative { for c in 0..<nInformative { a[r][c] = 2 * rng.double() - 1 } }
      for i in start..<stop {
        y[i] = k % nClasses
        let row = Array(x[i][0..<nInformative])
        for c in 0..<nInformative {
          var s = 0.0
          for r in 0..<nInformative { s += row[r] * a[r][c] }
          x[i][c] = s + centroids[k][c]
        }
      }
    }
    var b = [[Double]](repeating: [Double](repeating: 0, count: nRedundant), count: nInformative)
    for r in 0..<nInformative { for c in 0..<nRedundant { b[r][c] = 2 * rng.double() - 1 } }
    for i in 0..<nSamples {
      for c in 0..<nRedundant {
        var s = 0.0
        for r in 0..<nInformative { s += x[i][r] * b[r][c] }
        x[i][nInformative + c] = s
      }
    }
    for i in 0..<nSamples { for j in (nFeatures - nRandom)..<nFeatures { x[i][j] = rng.gauss() } }
    let flip = (0..<nSamples).map { _ in rng.double() < 0.01 }
    for i in 0..<nSamples where flip[i] { y[i] = rng.interval(nClasses - 1) }
    var rows = Array(0..<nSamples)
    rng.shuffle(&rows)
    var cols = Array(0..<nFeatures)
    rng.shuffle(&cols)
    var data = [Float](repeating: 0, count: nSamples * nFeatures)
    for (i, r) in rows.enumerated() {
      for (j, c) in cols.enumerated() { data[i * nFeatures + j] = Float(x[r][c]) }
    }
    return Dataset(
      x: Matrix(rows: nSamples, cols: nFeatures, data: data), y: rows.map { Float(y[$0]) },
      task: .classification, nClasses: nClasses)
  }

  /// `train_test_split(test_size=testSize, random_state=seed)`: the rows of one permutation,
  /// the first ⌈testSize·n⌉ for the test set, the next ones for training.
  static func trainTestSplit(_ data: Dataset, testSize: Double = 0.2, seed: UInt32 = 42) -> (train: Dataset, test: Dataset) {
    var rng = LegacyRandomState(seed: seed)
    let order = rng.permutation(data.nSamples)
    let nTest = Int((testSize * Double(data.nSamples)).rounded(.up))
    return (data.subset(Array(order[nTest...])), data.subset(Array(order[..<nTest])))
  }

  /// `StratifiedKFold(k)` without shuffling: the labels sorted, dealt to the folds in turn,
  /// and each class's rows given their folds in row order. Returns each fold's (train, valid)
  /// row indices, both in row order.
  static func stratifiedKFold(_ labels: [Int], k: Int = 5) -> [(train: [Int], valid: [Int])] {
    // Classes in order of first appearance, as scikit-learn encodes them.
    var code: [Int: Int] = [:]
    for label in labels where code[label] == nil { code[label] = code.count }
    let encoded = labels.map { code[$0]! }
    let sorted = encoded.sorted()
    var allocation = [[Int]](repeating: [Int](repeating: 0, count: code.count), count: k)
    for (i, c) in sorted.enumerated() { allocation[i % k][c] += 1 }
    var testFold = [Int](repeating: 0, count: labels.count)
    for c in 0..<code.count {
      var folds: [Int] = []
      for f in 0..<k { folds += repeatElement(f, count: allocation[f][c]) }
      var next = 0
      for i in labels.indices where encoded[i] == c {
        testFold[i] = folds[next]
        next += 1
      }
    }
    return (0..<k).map { f in
      (labels.indices.filter { testFold[$0] != f }, labels.indices.filter { testFold[$0] == f })
    }
  }
}
