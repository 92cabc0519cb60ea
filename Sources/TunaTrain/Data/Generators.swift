import Foundation
import TunaRandom

/// Synthetic datasets after scikit-learn's `sklearn.datasets.make_*`: the same algorithms and so
/// the same distributions, drawn from `RandomSource` (not bit-identical to scikit-learn's output).
extension Dataset {
  /// A random classification problem, after Guyon (2003), "Design of experiments for the NIPS
  /// 2003 variable selection benchmark", as scikit-learn's `make_classification` builds it:
  ///
  /// 1. `nClasses * nClustersPerClass` clusters are centred on distinct vertices of a hypercube
  ///    with sides `2 * classSep` in the space of the `nInformative` features; each cluster is
  ///    standard normal points times a random matrix with entries in [-1, 1) (so correlated),
  ///    and cluster `k` belongs to class `k % nClasses`. Samples are shared equally among the
  ///    clusters (the first clusters get one more when it does not divide).
  /// 2. The `nRedundant` features are random linear combinations (weights in [-1, 1)) of the
  ///    informative ones; the remaining `nFeatures - nInformative - nRedundant` are noise, N(0, 1).
  /// 3. Each label is replaced, with probability `flipY`, by a class drawn uniformly (which may be
  ///    the same one).
  /// 4. When `shuffle`, the rows and then the columns are permuted (so the informative features
  ///    are not the first ones); otherwise the columns are informative, redundant, noise.
  ///
  /// - Throws: `TrainError` naming the argument that is out of range.
  public static func makeClassification(
    nSamples: Int = 100, nFeatures: Int = 20, nInformative: Int = 2, nRedundant: Int = 2,
    nClasses: Int = 2, nClustersPerClass: Int = 2, classSep: Double = 1.0, flipY: Double = 0.01,
    shuffle: Bool = true, seed: UInt64
  ) throws -> Dataset {
    let fn = "makeClassification"
    try require(nSamples >= 1, fn, "nSamples must be at least 1, got \(nSamples)")
    try require(nFeatures >= 1, fn, "nFeatures must be at least 1, got \(nFeatures)")
    try require(nInformative >= 1, fn, "nInformative must be at least 1, got \(nInformative)")
    try require(nRedundant >= 0, fn, "nRedundant must be at least 0, got \(nRedundant)")
    let (used, tooMany) = nInformative.addingReportingOverflow(nRedundant)
    try require(
      !tooMany && used <= nFeatures, fn,
      "nInformative + nRedundant (\(tooMany ? "\(nInformative) + \(nRedundant)" : String(used))) must be at most nFeatures (\(nFeatures))")
    try require(nClasses >= 2, fn, "nClasses must be at least 2, got \(nClasses)")
    try require(nClustersPerClass >= 1, fn, "nClustersPerClass must be at least 1, got \(nClustersPerClass)")
    let (nClusters, overflow) = nClasses.multipliedReportingOverflow(by: nClustersPerClass)
    try require(
      !overflow && (nInformative >= 62 || nClusters <= 1 << nInformative), fn,
      "nClasses * nClustersPerClass (\(overflow ? "too many" : String(nClusters))) must be at most 2^nInformative (2^\(nInformative))")
    try require(classSep.isFinite, fn, "classSep must be a finite number, got \(classSep)")
    try require(flipY >= 0 && flipY <= 1, fn, "flipY must be between 0 and 1, got \(flipY)")
    // Doubles while generating, Floats in the dataset.
    try MemoryBudget.reserveCurrent(MemoryBudget.size(nSamples, nFeatures, 12), for: fn)

    var rng = RandomSource(seed: seed)
    let nUseless = nFeatures - nInformative - nRedundant
    var perCluster = [Int](repeating: nSamples / nClusters, count: nClusters)
    for i in 0..<(nSamples - perCluster.reduce(0, +)) { perCluster[i % nClusters] += 1 }

    // Cluster centres: distinct hypercube vertices, scaled to {-classSep, +classSep}.
    let vertices = hypercubeVertices(nClusters, nInformative, &rng)
    var x = [Double](repeating: 0, count: nSamples * nFeatures)
    var y = [Int](repeating: 0, count: nSamples)
    for i in 0..<nSamples {
      if i & 4095 == 0 { try Cancellation.checkCurrent() }
      for j in 0..<nInformative { x[i * nFeatures + j] = rng.normal() }
    }
    var start = 0
    var a = [Double](repeating: 0, count: nInformative * nInformative)
    var row = [Double](repeating: 0, count: nInformative)
    for k in 0..<nClusters {
      let stop = start + perCluster[k]
      for t in a.indices { a[t] = 2 * rng.unit() - 1 }
      for i in start..<stop {
        if i & 4095 == 0 { try Cancellation.checkCurrent() }
        y[i] = k % nClasses
        for j in 0..<nInformative { row[j] = x[i * nFeatures + j] }
        for j in 0..<nInformative {
          var s = 0.0
          for l in 0..<nInformative { s += row[l] * a[l * nInformative + j] }
          x[i * nFeatures + j] = s + (vertices[k][j] ? classSep : -classSep)
        }
      }
      start = stop
    }
    if nRedundant > 0 {
      var b = [Double](repeating: 0, count: nInformative * nRedundant)
      for t in b.indices { b[t] = 2 * rng.unit() - 1 }
      for i in 0..<nSamples {
        if i & 4095 == 0 { try Cancellation.checkCurrent() }
        for r in 0..<nRedundant {
          var s = 0.0
          for l in 0..<nInformative { s += x[i * nFeatures + l] * b[l * nRedundant + r] }
          x[i * nFeatures + nInformative + r] = s
        }
      }
    }
    if nUseless > 0 {
      for i in 0..<nSamples {
        if i & 4095 == 0 { try Cancellation.checkCurrent() }
        for j in (nFeatures - nUseless)..<nFeatures { x[i * nFeatures + j] = rng.normal() }
      }
    }
    if flipY > 0 {
      let flip = (0..<nSamples).map { _ in rng.unit() < flipY }
      for i in 0..<nSamples where flip[i] { y[i] = rng.integer(0, nClasses - 1) }
    }

    return try shuffled(
      x, y.map(Double.init), nSamples: nSamples, nFeatures: nFeatures, shuffle: shuffle, rng: &rng,
      task: .classification, nClasses: nClasses)
  }

  /// A random linear regression problem, as scikit-learn's `make_regression` builds it (with
  /// `effective_rank=None`): features N(0, 1); the first `nInformative` features get
  /// coefficients uniform in [0, 100), the others 0; `y = X w + bias + N(0, noise²)`; then rows
  /// and columns are shuffled. Like scikit-learn, `nInformative` above `nFeatures` means all.
  ///
  /// - Throws: `TrainError` naming the argument that is out of range.
  public static func makeRegression(
    nSamples: Int = 100, nFeatures: Int = 100, nInformative: Int = 10, noise: Double = 0,
    bias: Double = 0, shuffle: Bool = true, seed: UInt64
  ) throws -> Dataset {
    let fn = "makeRegression"
    try require(nSamples >= 1, fn, "nSamples must be at least 1, got \(nSamples)")
    try require(nFeatures >= 1, fn, "nFeatures must be at least 1, got \(nFeatures)")
    try require(nInformative >= 0, fn, "nInformative must be at least 0, got \(nInformative)")
    try require(noise >= 0 && noise.isFinite, fn, "noise must be a finite number >= 0, got \(noise)")
    try require(bias.isFinite, fn, "bias must be a finite number, got \(bias)")
    try MemoryBudget.reserveCurrent(MemoryBudget.size(nSamples, nFeatures, 12), for: fn)

    var rng = RandomSource(seed: seed)
    let informative = min(nInformative, nFeatures)
    var x = [Double](repeating: 0, count: nSamples * nFeatures)
    for t in x.indices {
      if t & 65535 == 0 { try Cancellation.checkCurrent() }
      x[t] = rng.normal()
    }
    var w = [Double](repeating: 0, count: nFeatures)
    for j in 0..<informative { w[j] = 100 * rng.unit() }
    var y = [Double](repeating: bias, count: nSamples)
    for i in 0..<nSamples {
      for j in 0..<informative { y[i] += x[i * nFeatures + j] * w[j] }
    }
    if noise > 0 { for i in 0..<nSamples { y[i] += rng.normal(0, noise) } }

    return try shuffled(x, y, nSamples: nSamples, nFeatures: nFeatures, shuffle: shuffle, rng: &rng, task: .regression)
  }

  /// Two interleaving half circles, as scikit-learn's `make_moons`: class 0 is the upper half of
  /// the unit circle, `(cos t, sin t)` for `nSamples / 2` values of t evenly spaced over [0, π];
  /// class 1 the rest, `(1 - cos t, 0.5 - sin t)`. Rows are shuffled, then Gaussian noise with
  /// standard deviation `noise` is added to every coordinate.
  ///
  /// - Throws: `TrainError` naming the argument that is out of range.
  public static func makeMoons(nSamples: Int = 100, noise: Double = 0, shuffle: Bool = true, seed: UInt64) throws
    -> Dataset
  {
    let fn = "makeMoons"
    try require(nSamples >= 2, fn, "nSamples must be at least 2, got \(nSamples)")
    try require(noise >= 0 && noise.isFinite, fn, "noise must be a finite number >= 0, got \(noise)")
    try MemoryBudget.reserveCurrent(MemoryBudget.size(nSamples, 2, 12), for: fn)

    var rng = RandomSource(seed: seed)
    let nOuter = nSamples / 2, nInner = nSamples - nOuter
    func linspace(_ k: Int, _ i: Int) -> Double { k == 1 ? 0 : Double.pi * Double(i) / Double(k - 1) }
    var points: [(Double, Double, Float)] = []
    points.reserveCapacity(nSamples)
    for i in 0..<nOuter {
      let t = linspace(nOuter, i)
      points.append((cos(t), sin(t), 0))
    }
    for i in 0..<nInner {
      let t = linspace(nInner, i)
      points.append((1 - cos(t), 0.5 - sin(t), 1))
    }
    if shuffle { Shuffling.shuffle(&points, &rng) }
    var data = [Float](repeating: 0, count: nSamples * 2)
    for (i, p) in points.enumerated() {
      let dx = noise > 0 ? rng.normal(0, noise) : 0
      let dy = noise > 0 ? rng.normal(0, noise) : 0
      data[2 * i] = Float(p.0 + dx)
      data[2 * i + 1] = Float(p.1 + dy)
    }
    return Dataset(
      x: Matrix(rows: nSamples, cols: 2, data: data), y: points.map(\.2), task: .classification,
      nClasses: 2)
  }

  /// `nVertices` distinct corners of the unit hypercube in `dims` dimensions, as bit vectors
  /// (scikit-learn's `_generate_hypercube`: distinct codes for up to 30 dimensions, random bits
  /// beyond).
  private static func hypercubeVertices(_ nVertices: Int, _ dims: Int, _ rng: inout RandomSource) -> [[Bool]] {
    let low = min(dims, 30)
    var codes = Set<Int>()
    var ordered: [Int] = []
    while ordered.count < nVertices {
      let c = rng.integer(0, (1 << low) - 1)
      if codes.insert(c).inserted { ordered.append(c) }
    }
    return ordered.map { code in
      var bits = (0..<(dims - low)).map { _ in rng.integer(0, 1) == 1 }
      bits += (0..<low).map { code >> $0 & 1 == 1 }
      return bits
    }
  }

  private static func require(_ ok: Bool, _ function: String, _ message: String) throws {
    if !ok { throw TrainError("\(function): \(message)") }
  }

  /// The generated rows as a dataset, with rows and columns shuffled when `shuffle` (as
  /// scikit-learn's generators do, so informative columns are not always the first ones).
  private static func shuffled(
    _ x: [Double], _ y: [Double], nSamples: Int, nFeatures: Int, shuffle: Bool, rng: inout RandomSource,
    task: LearningTask, nClasses: Int? = nil
  ) throws -> Dataset {
    var rowOrder = Array(0..<nSamples), colOrder = Array(0..<nFeatures)
    if shuffle {
      Shuffling.shuffle(&rowOrder, &rng)
      Shuffling.shuffle(&colOrder, &rng)
    }
    var data = [Float](repeating: 0, count: nSamples * nFeatures)
    for (i, src) in rowOrder.enumerated() {
      if i & 4095 == 0 { try Cancellation.checkCurrent() }
      for (j, srcCol) in colOrder.enumerated() { data[i * nFeatures + j] = Float(x[src * nFeatures + srcCol]) }
    }
    return Dataset(
      x: Matrix(rows: nSamples, cols: nFeatures, data: data), y: rowOrder.map { Float(y[$0]) },
      task: task, nClasses: nClasses)
  }
}
