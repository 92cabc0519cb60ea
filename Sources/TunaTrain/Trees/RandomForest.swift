import Foundation
import TunaRandom

/// A random forest (Breiman, "Random Forests", *Machine Learning* 45, 2001): CART trees grown
/// to their limits, each on a bootstrap sample of the rows and comparing a random subset of the
/// features at each split; the forest averages its trees' class probabilities (classification,
/// as scikit-learn does rather than Breiman's majority vote) or values (regression).
///
/// Trees are grown in parallel on `nJobs` threads. Tree `i` draws its sample and its features
/// from its own stream, `RandomSource(seed: seed, stream: i)`, so a forest depends only on its
/// seed and options, not on the number of threads or their timing. All trees share one presorted
/// copy of the training set (see ``TreeOptions`` and the notes in `TreeData`).
public final class RandomForest: ProbabilisticClassifier {
  public let nEstimators: Int
  public let options: TreeOptions
  public let bootstrap: Bool
  public let seed: UInt64
  /// Threads to grow and apply trees on; nil uses one per core.
  public let nJobs: Int?
  private(set) var trees: [FittedTree] = []
  private var shape: TreeModelShape?

  /// `options.maxFeatures` nil means scikit-learn's default: `.sqrt` for classification, every
  /// feature for regression (decided at fit, from the dataset's task). Throws a `TrainError`
  /// naming an option out of range.
  public init(
    nEstimators: Int = 100, options: TreeOptions = TreeOptions(), bootstrap: Bool = true, seed: UInt64 = 0,
    nJobs: Int? = nil
  ) throws {
    guard nEstimators >= 1 else { throw TrainError("nEstimators must be >= 1, got \(nEstimators)") }
    if let nJobs, nJobs < 1 { throw TrainError("nJobs must be >= 1, got \(nJobs)") }
    try options.validate()
    self.nEstimators = nEstimators
    self.options = options
    self.bootstrap = bootstrap
    self.seed = seed
    self.nJobs = nJobs
  }

  private var threads: Int { nJobs ?? defaultThreadCount() }

  /// Takes the fitted state a model file holds (`load(from:)`).
  func restore(trees: [FittedTree], shape: TreeModelShape) {
    self.trees = trees
    self.shape = shape
  }

  /// The fitted forest's shape (nil before `fit`).
  var fittedShape: TreeModelShape? { shape }

  public func fit(_ data: Dataset) throws {
    // The presorted copy, a builder per thread, and the trees: about two nodes a row each.
    try MemoryBudget.reserveCurrent(
      MemoryBudget.sum(MemoryBudget.size(data.nSamples, data.nFeatures, 24), MemoryBudget.size(nEstimators, data.nSamples, 2, 40)),
      for: "the random forest")
    let treeData = try TreeData(data)
    let resolved = try options.resolved(
      for: treeData, defaultMaxFeatures: data.task == .classification ? .sqrt : .all)
    let count = nEstimators
    let bootstrap = self.bootstrap
    let seed = self.seed
    let slots = UnsafeMutablePointer<FittedTree>.allocate(capacity: count)
    defer { slots.deallocate() }
    // Which slots hold a grown tree: a cancelled fit leaves some empty.
    let grown = UnsafeMutablePointer<Bool>.allocate(capacity: count)
    grown.initialize(repeating: false, count: count)
    defer { grown.deallocate() }
    let output = SendablePointer(slots)
    let done = SendablePointer(grown)
    let next = WorkCounter()
    let workers = min(threads, count)
    let cancellation = Cancellation.current
    let work: @Sendable (Int) -> Void = { _ in
      let builder = TreeBuilder(data: treeData, options: resolved)
      builder.cancellation = cancellation
      while let i = next.take(below: count) {
        if cancellation?.isCancelled == true { return }
        var rng = RandomSource(seed: seed, stream: i)
        let tree = builder.grow(bootstrap: bootstrap, rng: &rng)
        if builder.stopped { return }
        (output.pointer + i).initialize(to: tree)
        done.pointer[i] = true
      }
    }
    if workers <= 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
    guard (0..<count).allSatisfy({ grown[$0] }) else {
      for i in 0..<count where grown[i] { (slots + i).deinitialize(count: 1) }
      throw TrainingStopped()
    }
    trees = Array(UnsafeBufferPointer(start: slots, count: count))
    slots.deinitialize(count: count)
    shape = TreeModelShape(treeData)
  }

  private func fitted(_ x: Matrix) throws -> TreeModelShape {
    guard let shape, !trees.isEmpty else { throw TrainError("the random forest is not fitted; call fit first") }
    try shape.check(x, model: "random forest")
    return shape
  }

  /// The class with the largest mean probability over the trees (as a Float), or the mean of the
  /// trees' values.
  public func predict(_ x: Matrix) throws -> [Float] {
    let shape = try fitted(x)
    return shape.predictions(from: shape.averageLeafValues(trees, x, threads: threads), rows: x.rows)
  }

  /// The mean over the trees of each row's leaf class proportions (classification).
  public func predictProbabilities(_ x: Matrix) throws -> Matrix {
    let shape = try fitted(x)
    return try shape.probabilities(
      from: shape.averageLeafValues(trees, x, threads: threads), rows: x.rows, model: "random forest")
  }

  /// The task of the last fit (nil before one).
  public var task: LearningTask? { shape?.task }
  /// The number of classes of the last fit (0 for regression or before a fit).
  public var nClasses: Int { shape?.nClasses ?? 0 }
  /// The depth of each tree (empty before a fit).
  public var treeDepths: [Int] { trees.map(\.depth) }
  /// The number of leaves of each tree (empty before a fit).
  public var treeLeafCounts: [Int] { trees.map(\.leafCount) }

  /// The mean over the trees of each tree's normalized impurity-decrease importances, itself
  /// normalized to sum to 1 (trees that are one leaf left out, as scikit-learn does; all zeros
  /// when every tree is one leaf; empty before a fit).
  public var featureImportances: [Double] {
    guard let shape else { return [] }
    var out = [Double](repeating: 0, count: shape.nFeatures)
    for tree in trees where tree.nodeCount > 1 {
      for (f, v) in tree.featureImportances(nFeatures: shape.nFeatures).enumerated() { out[f] += v }
    }
    let total = out.reduce(0, +)
    if total > 0 { for f in out.indices { out[f] /= total } }
    return out
  }
}

/// Hands out the indices 0, 1, 2, … to worker threads, each once.
final class WorkCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0

  func take(below limit: Int) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard next < limit else { return nil }
    next += 1
    return next - 1
  }
}
