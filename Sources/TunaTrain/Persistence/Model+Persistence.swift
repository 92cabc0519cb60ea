import Foundation

// Saving and loading each fitted model in a `ModelFile`: its settings and shapes in the
// header's `meta`, what it learned in the arrays, bit for bit.

extension MLP {
  struct Meta: Codable {
    var hidden: [Int]
    var activation: String
    var dropout: Float
    var task: String
    var layerSizes: [Int]
  }

  /// Saves the fitted network (its shape and every weight) to `path`.
  public func save(to path: String) throws {
    guard isBuilt, let task else { throw TrainError("the network is not fitted; call fit before save") }
    let meta = Meta(
      hidden: config.hidden, activation: config.activation.rawValue, dropout: config.dropout, task: task.rawValue,
      layerSizes: layerSizes)
    try ModelFile.write(kind: "mlp", meta: meta, arrays: [("parameters", .f32(parameters))], to: path)
  }

  /// The network saved at `path`, ready to predict (or to go on training).
  public static func load(from path: String) throws -> MLP {
    let file = try ModelFile.read(path, kind: "mlp")
    let meta = try file.meta(Meta.self)
    let parameters = try file.f32("parameters")
    // The shape must account for the weights the file holds, before anything is allocated.
    // Each layer holds inputs × outputs weights and outputs biases; nil when a size is not
    // positive or the count overflows.
    var expected: Int? = meta.layerSizes.allSatisfy { $0 >= 1 } ? 0 : nil
    for (inputs, outputs) in zip(meta.layerSizes, meta.layerSizes.dropFirst()) {
      let weights = inputs.multipliedReportingOverflow(by: outputs)
      let layer = weights.partialValue.addingReportingOverflow(outputs)
      let sum = (expected ?? 0).addingReportingOverflow(layer.partialValue)
      expected = weights.overflow || layer.overflow || sum.overflow ? nil : expected.map { _ in sum.partialValue }
    }
    guard let activation = Activation(rawValue: meta.activation), let task = LearningTask(rawValue: meta.task),
      meta.layerSizes.count == meta.hidden.count + 2, Array(meta.layerSizes.dropFirst().dropLast()) == meta.hidden,
      expected == parameters.count
    else { throw TrainError("'\(path)' is not a readable model file: its network's shape does not fit its weights") }
    let net = try MLP(MLPConfig(hidden: meta.hidden, activation: activation, dropout: meta.dropout))
    net.build(inputs: meta.layerSizes[0], outputs: meta.layerSizes[meta.layerSizes.count - 1], task: task, seed: 0)
    net.parameters = parameters
    return net
  }
}

extension LinearRegression {
  struct Meta: Codable {
    var l2: Double
    var fitIntercept: Bool
    var intercept: Double
    var rankDeficient: Bool
  }

  public func save(to path: String) throws {
    guard !coefficients.isEmpty else { throw TrainError("the linear regression is not fitted; call fit before save") }
    try ModelFile.write(
      kind: "linear_regression", meta: Meta(l2: l2, fitIntercept: fitIntercept, intercept: intercept, rankDeficient: rankDeficient),
      arrays: [("coefficients", .f64(coefficients))], to: path)
  }

  public static func load(from path: String) throws -> LinearRegression {
    let file = try ModelFile.read(path, kind: "linear_regression")
    let meta = try file.meta(Meta.self)
    let model = try LinearRegression(l2: meta.l2, fitIntercept: meta.fitIntercept)
    model.restore(coefficients: try file.f64("coefficients"), intercept: meta.intercept, rankDeficient: meta.rankDeficient)
    return model
  }
}

extension LogisticRegression {
  struct Meta: Codable {
    var c: Double
    var maxIterations: Int
    var tolerance: Double
    var fitIntercept: Bool
    var classes: [Int]
    var nClasses: Int
    var nFeatures: Int
    var iterations: Int
    var converged: Bool
  }

  public func save(to path: String) throws {
    guard !coefficients.isEmpty else { throw TrainError("the logistic regression is not fitted; call fit before save") }
    let meta = Meta(
      c: c, maxIterations: maxIterations, tolerance: tolerance, fitIntercept: fitIntercept, classes: classes,
      nClasses: fittedClassCount, nFeatures: coefficients[0].count, iterations: iterations, converged: converged)
    try ModelFile.write(
      kind: "logistic_regression", meta: meta,
      arrays: [("coefficients", .f64(coefficients.flatMap { $0 })), ("intercepts", .f64(intercepts))], to: path)
  }

  public static func load(from path: String) throws -> LogisticRegression {
    let file = try ModelFile.read(path, kind: "logistic_regression")
    let meta = try file.meta(Meta.self)
    let model = try LogisticRegression(
      c: meta.c, maxIterations: meta.maxIterations, tolerance: meta.tolerance, fitIntercept: meta.fitIntercept)
    let intercepts = try file.f64("intercepts")
    // Classes, their count and the rows must agree, or predict would index past them.
    let rows = meta.classes.count == 2 ? 1 : meta.classes.count
    let size = intercepts.count.multipliedReportingOverflow(by: meta.nFeatures)
    guard meta.classes.count >= 2, meta.classes == meta.classes.sorted(), Set(meta.classes).count == meta.classes.count,
      meta.classes.allSatisfy({ $0 >= 0 && $0 < meta.nClasses }), intercepts.count == rows, meta.nFeatures >= 0,
      !size.overflow
    else { throw TrainError("'\(path)' is not a readable model file: its classes and coefficients do not fit") }
    let flat = try file.f64("coefficients", count: size.partialValue)
    let coefficients = (0..<intercepts.count).map { Array(flat[($0 * meta.nFeatures)..<(($0 + 1) * meta.nFeatures)]) }
    model.restore(
      classes: meta.classes, nClasses: meta.nClasses, coefficients: coefficients, intercepts: intercepts, nFeatures: meta.nFeatures,
      iterations: meta.iterations, converged: meta.converged)
    return model
  }
}

/// Tree options and shapes as a model file keeps them.
struct TreeMeta: Codable {
  var criterion: String?
  var maxDepth: Int?
  var minSamplesSplit: Int
  var minSamplesLeaf: Int
  var maxFeatures: String?
  var seed: UInt64
  var task: String
  var nFeatures: Int
  var nClasses: Int
  /// Per tree: its node count, depth and leaf count.
  var nodes: [Int]
  var depths: [Int]
  var leaves: [Int]
  /// Forests only.
  var nEstimators: Int?
  var bootstrap: Bool?

  init(options: TreeOptions, seed: UInt64, shape: TreeModelShape, trees: [FittedTree]) {
    criterion = options.criterion?.rawValue
    maxDepth = options.maxDepth
    minSamplesSplit = options.minSamplesSplit
    minSamplesLeaf = options.minSamplesLeaf
    maxFeatures = options.maxFeatures.map { f in
      switch f {
      case .all, .sqrt, .log2: f.description
      case .count(let k): "count:\(k)"
      case .fraction(let x): "fraction:\(x)"
      }
    }
    self.seed = seed
    task = shape.task.rawValue
    nFeatures = shape.nFeatures
    nClasses = shape.nClasses
    nodes = trees.map(\.nodeCount)
    depths = trees.map(\.depth)
    leaves = trees.map(\.leafCount)
  }

  func options(_ path: String) throws -> TreeOptions {
    var maxFeatures: MaxFeatures?
    if let text = self.maxFeatures {
      if let named = MaxFeatures(name: text) {
        maxFeatures = named
      } else if text.hasPrefix("count:"), let k = Int(text.dropFirst(6)) {
        maxFeatures = .count(k)
      } else if text.hasPrefix("fraction:"), let x = Double(text.dropFirst(9)) {
        maxFeatures = .fraction(x)
      } else {
        throw TrainError("'\(path)' is not a readable model file: max_features '\(text)'")
      }
    }
    var criterion: Criterion?
    if let text = self.criterion {
      guard let c = Criterion(rawValue: text) else { throw TrainError("'\(path)' is not a readable model file: criterion '\(text)'") }
      criterion = c
    }
    return TreeOptions(
      criterion: criterion, maxDepth: maxDepth, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
      maxFeatures: maxFeatures)
  }

  func shape(_ path: String) throws -> TreeModelShape {
    guard let task = LearningTask(rawValue: task) else { throw TrainError("'\(path)' is not a readable model file: task '\(task)'") }
    guard (1...Int(Int32.max)).contains(nFeatures), (0...1_000_000).contains(nClasses) else {
      throw TrainError("'\(path)' is not a readable model file: \(nFeatures) features, \(nClasses) classes")
    }
    return TreeModelShape(task: task, nFeatures: nFeatures, nClasses: nClasses)
  }

  /// The trees' arrays, each tree's nodes one after another.
  static func arrays(_ trees: [FittedTree]) -> [(String, ModelFile.Numbers)] {
    [
      ("feature", .i32(trees.flatMap { $0.splits.map(\.feature) })),
      ("left", .i32(trees.flatMap { $0.splits.map(\.left) })),
      ("threshold", .f32(trees.flatMap { $0.splits.map(\.threshold) })),
      ("samples", .i32(trees.flatMap(\.samples))),
      ("weighted_samples", .f64(trees.flatMap(\.weightedSamples))),
      ("impurity", .f64(trees.flatMap(\.impurity))),
      ("values", .f32(trees.flatMap(\.values))),
    ]
  }

  /// The trees a file holds.
  func trees(_ file: ModelFile.Contents, shape: TreeModelShape) throws -> [FittedTree] {
    let width = shape.width
    var total = 0
    var sizesFit = nodes.count == depths.count && nodes.count == leaves.count
    for n in nodes where sizesFit {
      let sum = total.addingReportingOverflow(n)
      sizesFit = n >= 1 && !sum.overflow
      total = sum.partialValue
    }
    let valueCount = total.multipliedReportingOverflow(by: width)
    guard sizesFit, !valueCount.overflow else {
      throw TrainError("'\(file.path)' is not a readable model file: its trees' sizes do not fit")
    }
    let feature = try file.i32("feature", count: total), left = try file.i32("left", count: total)
    let threshold = try file.f32("threshold", count: total), samples = try file.i32("samples", count: total)
    let weighted = try file.f64("weighted_samples", count: total), impurity = try file.f64("impurity", count: total)
    let values = try file.f32("values", count: valueCount.partialValue)
    var trees: [FittedTree] = []
    var start = 0
    for (t, count) in nodes.enumerated() {
      var tree = FittedTree(width: width)
      for i in start..<(start + count) {
        // A feature must be one of the data's, and a split's children nodes of this tree that
        // come after it (as a tree is grown): so every walk from the root ends at a leaf.
        let node = i - start
        guard Int(feature[i]) < shape.nFeatures, feature[i] < 0 || (Int(left[i]) > node && Int(left[i]) + 1 < count) else {
          throw TrainError("'\(file.path)' is not a readable model file: tree \(t) has a node out of range")
        }
        tree.splits.append(FittedTree.Split(feature: feature[i], left: left[i], threshold: threshold[i]))
      }
      tree.samples = Array(samples[start..<(start + count)])
      tree.weightedSamples = Array(weighted[start..<(start + count)])
      tree.impurity = Array(impurity[start..<(start + count)])
      tree.values = Array(values[(start * width)..<((start + count) * width)])
      tree.depth = depths[t]
      tree.leafCount = leaves[t]
      trees.append(tree)
      start += count
    }
    return trees
  }
}

extension DecisionTree {
  public func save(to path: String) throws {
    guard let tree, let shape = fittedShape else { throw TrainError("the decision tree is not fitted; call fit before save") }
    try ModelFile.write(
      kind: "decision_tree", meta: TreeMeta(options: options, seed: seed, shape: shape, trees: [tree]),
      arrays: TreeMeta.arrays([tree]), to: path)
  }

  public static func load(from path: String) throws -> DecisionTree {
    let file = try ModelFile.read(path, kind: "decision_tree")
    let meta = try file.meta(TreeMeta.self)
    let shape = try meta.shape(path)
    let trees = try meta.trees(file, shape: shape)
    guard trees.count == 1 else { throw TrainError("'\(path)' is not a readable model file: a decision tree has one tree") }
    let model = try DecisionTree(options: try meta.options(path), seed: meta.seed)
    model.restore(tree: trees[0], shape: shape)
    return model
  }
}

extension RandomForest {
  public func save(to path: String) throws {
    guard let shape = fittedShape, !trees.isEmpty else { throw TrainError("the random forest is not fitted; call fit before save") }
    var meta = TreeMeta(options: options, seed: seed, shape: shape, trees: trees)
    meta.nEstimators = nEstimators
    meta.bootstrap = bootstrap
    try ModelFile.write(kind: "random_forest", meta: meta, arrays: TreeMeta.arrays(trees), to: path)
  }

  public static func load(from path: String) throws -> RandomForest {
    let file = try ModelFile.read(path, kind: "random_forest")
    let meta = try file.meta(TreeMeta.self)
    let shape = try meta.shape(path)
    let trees = try meta.trees(file, shape: shape)
    let model = try RandomForest(
      nEstimators: meta.nEstimators ?? trees.count, options: try meta.options(path), bootstrap: meta.bootstrap ?? true,
      seed: meta.seed)
    model.restore(trees: trees, shape: shape)
    return model
  }
}
