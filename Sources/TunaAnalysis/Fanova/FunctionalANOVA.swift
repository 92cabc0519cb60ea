import Foundation
import TunaSearch
@_exported import enum TunaTrain.MaxFeatures
import TunaTrain

/// Settings of ``FunctionalANOVA``.
///
/// The forest's trees grow to single-trial leaves (depth at most 64), 64 of them, as in Optuna.
/// Unlike Optuna, by default each tree learns from every trial (no bootstrap) and each split
/// compares a random ⌊0.8 c⌋ of the forest's c columns (a number parameter is one column, a
/// categorical one per choice) once there are 3 parameters or more: the trees then differ by
/// the columns they split on rather than by the trials they saw. On the Ishigami function from
/// 2,000 uniform trials the main effects land within 0.049 of the analytic fractions, where
/// Optuna's fANOVA on the same trials is 0.081 away (and Tuna's forest grown Optuna's way,
/// 0.09–0.11 on three such sets). With one or two parameters a split must see them all, and the
/// trees differ by their bootstrap samples.
public struct FanovaOptions: Sendable {
  public var trees = 64
  public var maxDepth = 64
  public var minSamplesSplit = 2
  public var minSamplesLeaf = 1
  /// Whether each tree learns from a bootstrap sample of the trials; nil decides by the number
  /// of parameters (above).
  public var bootstrap: Bool?
  /// The parameters' forest columns each split compares; nil decides by the number of
  /// parameters (above).
  public var maxFeatures: MaxFeatures?
  /// Seeds the forest (and the subsample, when one is drawn).
  public var seed: UInt64 = 0
  /// Whether to compute every pair's interaction (main effects alone are cheaper).
  public var pairs = true
  /// The most trials the forest learns from: a larger study is subsampled at random (seeded),
  /// which keeps the cost bounded (every pair of 8 parameters takes about 0.1 s at 1,000 trials
  /// and grows with the square of the trials: 6–8 s at 10,000); nil learns from all.
  public var maxTrials: Int? = 5_000
  /// Threads: 1 keeps to the calling thread; otherwise the forest grows on this many (every
  /// core when nil) and the trees are decomposed on every core.
  public var threads: Int?

  public init() {}

  /// The forest settings for `parameters` parameters encoded in `columns` forest columns.
  func forest(parameters: Int, columns: Int) -> (bootstrap: Bool, maxFeatures: MaxFeatures) {
    let few = parameters <= 2
    let features = maxFeatures ?? (few ? .all : .count(max(2, min(columns, Int(0.8 * Double(columns))))))
    return (bootstrap ?? few, features)
  }
}

/// A share of the objective's variance, averaged over the forest's trees.
public struct Effect: Sendable, Hashable {
  /// The mean over the trees of the fraction of each tree's variance.
  public var fraction: Double
  /// Its standard deviation over the trees.
  public var std: Double

  public init(fraction: Double, std: Double) {
    self.fraction = fraction
    self.std = std
  }
}

/// The pure interaction of two parameters: the variance their joint marginal explains beyond
/// both main effects.
public struct PairEffect: Sendable, Hashable {
  public var first: String
  public var second: String
  public var effect: Effect
}

/// Functional ANOVA over a random forest fitted on a study's trials (Hutter, Hoos &
/// Leyton-Brown, ICML 2014): how much of the objective's variance over the search space each
/// parameter explains alone (main effects) and each pair explains together beyond that
/// (pairwise interactions), each tree decomposed exactly (``TreeDecomposition``) and the
/// fractions averaged over the trees.
///
/// The forest learns the target standardized; marginals come back in the target's units.
public final class FunctionalANOVA: @unchecked Sendable {
  public let parameters: [AnalysisParameter]
  /// The trials the forest learned from (after subsampling).
  public let trialCount: Int
  /// Main effects, in the order of `parameters`.
  public let mainEffects: [Effect]
  /// Every pair's interaction (when asked for), strongest first.
  public let interactions: [PairEffect]
  /// The fraction of variance the main effects and pairs leave to higher-order interactions and
  /// the trees' noise (averaged over trees; nil without pairs).
  public let remainder: Double?

  let trees: [TreeDecomposition]
  let encoding: ForestEncoding
  let targetMean: Double
  let targetScale: Double

  /// Fits the forest on the complete trials of `trials` with a finite `target`, over the
  /// parameters `params` (every parameter seen, when nil), and decomposes it.
  public convenience init(
    trials: [FrozenTrial], target: AnalysisTarget, params: [String]? = nil, options: FanovaOptions = FanovaOptions()
  ) throws {
    try self.init(table: TrialTable(trials: trials, target: target, names: params), options: options)
  }

  /// `keepTrees` keeps every tree's decomposition for `marginal` and `pairMarginal`; without
  /// it each tree is dropped once its figures are taken, so memory holds a few trees at a time.
  init(table all: TrialTable, options: FanovaOptions, keepTrees: Bool = true) throws {
    // A parameter that holds one value explains nothing and has no range to integrate over.
    let full = all.restricted(to: all.parameters.filter { !$0.distribution.isSingle }.map(\.name))
    guard full.rowCount >= 2 else {
      throw AnalysisError("fANOVA needs at least 2 complete trials with a finite target, got \(full.rowCount)")
    }
    guard !full.parameters.isEmpty else { throw AnalysisError("no parameter to analyse: every parameter holds a single value") }
    var table = full
    if let cap = options.maxTrials, cap >= 2, full.rowCount > cap {
      var rng = RandomSource(seed: options.seed, stream: 0x4641_4E4F)
      var rows = Array(0..<full.rowCount)
      for i in 0..<cap { rows.swapAt(i, rng.integer(i, rows.count - 1)) }
      table = TrialTable(full, rows: Array(rows[..<cap]).sorted())
    }
    parameters = table.parameters
    trialCount = table.rowCount

    // Standardize the target (its spread first brought to 1, so squares cannot overflow).
    let n = Double(table.rowCount)
    let mean = table.targets.reduce(0, +) / n
    let spread = table.targets.reduce(0) { max($0, abs($1 - mean)) }
    let unit = spread > 0 && spread.isFinite ? spread : 1
    let sd = (table.targets.reduce(0) { $0 + (($1 - mean) / unit) * (($1 - mean) / unit) } / n).squareRoot() * unit
    let scale = sd > 0 && sd.isFinite ? sd : 1
    targetMean = mean
    targetScale = scale
    let encoding = ForestEncoding(table.parameters)
    self.encoding = encoding
    let data = encoding.dataset(table, targets: table.targets.map { ($0 - mean) / scale })
    let settings = options.forest(parameters: table.parameters.count, columns: encoding.columnCount)
    let forest = try RandomForest(
      nEstimators: options.trees,
      options: TreeOptions(
        maxDepth: options.maxDepth, minSamplesSplit: options.minSamplesSplit,
        minSamplesLeaf: options.minSamplesLeaf, maxFeatures: settings.maxFeatures),
      bootstrap: settings.bootstrap, seed: options.seed, nJobs: options.threads)
    try forest.fit(data)
    let structures = forest.treeStructures

    // Decompose the trees in parallel; each tree's figures land in its own slot.
    let P = table.parameters.count
    let pairList = options.pairs ? (0..<P).flatMap { i in ((i + 1)..<P).map { (i, $0) } } : []
    let parameters = table.parameters
    let slots = ResultSlots<TreeFigures>(count: structures.count)
    let decompose: @Sendable (Int) -> Void = { t in
      let tree = TreeDecomposition(tree: structures[t], encoding: encoding, parameters: parameters)
      var pairVariances = [Double](repeating: 0, count: pairList.count)
      if tree.variance > 0 {
        for (k, (i, j)) in pairList.enumerated() {
          pairVariances[k] = max(0, tree.pairVariance(i, j) - tree.mainVariance[i] - tree.mainVariance[j])
        }
      }
      slots.set(t, TreeFigures(
        variance: tree.variance, main: tree.mainVariance, pairs: pairVariances, tree: keepTrees ? tree : nil))
    }
    if options.threads == 1 {
      for t in structures.indices { decompose(t) }
    } else {
      DispatchQueue.concurrentPerform(iterations: structures.count, execute: decompose)
    }
    let results = slots.values
    trees = results.compactMap(\.tree)

    // Fractions per tree, over the trees whose variance is not zero.
    let informative = results.filter { $0.variance > 0 }
    func effect(_ fraction: (TreeFigures) -> Double) -> Effect {
      guard !informative.isEmpty else { return Effect(fraction: 0, std: 0) }
      let xs = informative.map(fraction)
      let m = xs.reduce(0, +) / Double(xs.count)
      let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count)
      return Effect(fraction: m, std: v.squareRoot())
    }
    mainEffects = (0..<P).map { p in effect { $0.main[p] / $0.variance } }
    interactions = pairList.enumerated().map { k, pair in
      PairEffect(first: parameters[pair.0].name, second: parameters[pair.1].name, effect: effect { $0.pairs[k] / $0.variance })
    }.sorted { $0.effect.fraction > $1.effect.fraction }
    remainder = options.pairs ? effect { 1 - ($0.main.reduce(0, +) + $0.pairs.reduce(0, +)) / $0.variance }.fraction : nil
  }

  /// The main effect of the parameter named `name`.
  public func mainEffect(_ name: String) -> Effect? {
    parameters.firstIndex { $0.name == name }.map { mainEffects[$0] }
  }

  /// The interaction of the two parameters, in either order.
  public func interaction(_ a: String, _ b: String) -> Effect? {
    interactions.first { ($0.first == a && $0.second == b) || ($0.first == b && $0.second == a) }?.effect
  }
}

/// What one tree contributes: its variance, each parameter's main-effect variance, each pair's
/// interaction variance, and the decomposition itself when marginals will be asked for.
struct TreeFigures: Sendable {
  var variance: Double
  var main: [Double]
  var pairs: [Double]
  var tree: TreeDecomposition?
}

/// Slots filled by worker threads, each once, read after they finish.
final class ResultSlots<T>: @unchecked Sendable {
  private var storage: [T?]
  private let lock = NSLock()

  init(count: Int) { storage = Array(repeating: nil, count: count) }

  func set(_ i: Int, _ value: T) {
    lock.lock()
    storage[i] = value
    lock.unlock()
  }

  var values: [T] { storage.map { $0! } }
}
