import LuaVM
import TunaTrain

/// A dataset as a script holds it.
final class DatasetBox {
  let data: Dataset
  init(_ data: Dataset) { self.data = data }
}

extension TunaEngine {
  /// The `tuna.data` table: bundled datasets, CSV files, generators, standardization.
  func pushDataModule(on lua: Lua) {
    lua.newTable(recordCount: 8)
    lua.push(function: { [unowned self] l in
      guard let name = l.toString(1) else {
        throw ArgumentError(1, "load", "dataset name expected (one of \(Dataset.bundledNames.joined(separator: ", "))), got \(l.describe(1))")
      }
      try self.pushDataset(try self.train { try Dataset.load(name) }, on: l)
      return 1
    })
    lua.rawSet(-2, "load")
    lua.push(function: { [unowned self] l in
      guard let path = l.toString(1) else { throw ArgumentError(1, "csv", "file path expected, got \(l.describe(1))") }
      let options = try Options(l, at: 2, function: "csv", allowed: ["target", "task"])
      let task = try options.string("task").map { text -> LearningTask in
        guard let t = LearningTask(rawValue: text) else { throw ArgumentError(2, "csv", "'task' must be \"classification\" or \"regression\", got \"\(text)\"") }
        return t
      }
      let target = try options.string("target")
      let file = self.state.isSandboxed ? try self.configuration.files.checkRead(path, for: "tuna.data.csv") : path
      try self.pushDataset(try self.train { try Dataset.csv(path: file, target: target, task: task) }, on: l)
      return 1
    })
    lua.rawSet(-2, "csv")
    lua.push(function: { [unowned self] l in
      let f = "make_classification"
      let o = try Options(l, at: 1, function: f, allowed: [
        "n_samples", "n_features", "n_informative", "n_redundant", "n_classes", "n_clusters_per_class",
        "class_sep", "flip_y", "seed",
      ])
      let d = try self.train {
        try Dataset.makeClassification(
          nSamples: try o.integer("n_samples") ?? 100, nFeatures: try o.integer("n_features") ?? 20,
          nInformative: try o.integer("n_informative") ?? 2, nRedundant: try o.integer("n_redundant") ?? 2,
          nClasses: try o.integer("n_classes") ?? 2, nClustersPerClass: try o.integer("n_clusters_per_class") ?? 2,
          classSep: try o.number("class_sep") ?? 1.0, flipY: try o.number("flip_y") ?? 0.01,
          shuffle: true, seed: try self.trainSeed(o))
      }
      try self.pushDataset(d, on: l)
      return 1
    })
    lua.rawSet(-2, "make_classification")
    lua.push(function: { [unowned self] l in
      let o = try Options(l, at: 1, function: "make_regression", allowed: ["n_samples", "n_features", "n_informative", "noise", "bias", "seed"])
      let d = try self.train {
        try Dataset.makeRegression(
          nSamples: try o.integer("n_samples") ?? 100, nFeatures: try o.integer("n_features") ?? 100,
          nInformative: try o.integer("n_informative") ?? 10, noise: try o.number("noise") ?? 0,
          bias: try o.number("bias") ?? 0, shuffle: true, seed: try self.trainSeed(o))
      }
      try self.pushDataset(d, on: l)
      return 1
    })
    lua.rawSet(-2, "make_regression")
    lua.push(function: { [unowned self] l in
      let o = try Options(l, at: 1, function: "make_moons", allowed: ["n_samples", "noise", "seed"])
      let d = try self.train {
        try Dataset.makeMoons(nSamples: try o.integer("n_samples") ?? 100, noise: try o.number("noise") ?? 0, shuffle: true, seed: try self.trainSeed(o))
      }
      try self.pushDataset(d, on: l)
      return 1
    })
    lua.rawSet(-2, "make_moons")
    lua.push(function: { [unowned self] l in
      // standardize(first, ...): fitted on the first, applied to all; returns them in order.
      let n = l.top
      guard n >= 1 else { throw ArgumentError(1, "standardize", "dataset expected, got no value") }
      // One result per argument: room for them all first (Lua promises only 20 free slots).
      guard l.ensureStack(n + 2) else { throw ArgumentError(Int32(clamping: n), "standardize", "too many datasets (\(n))") }
      let sets = try (1...n).map { try self.classes.dataset.check($0, on: l, function: "standardize").data }
      for d in try self.train({ try standardize(sets[0], Array(sets.dropFirst())) }) { try self.pushDataset(d, on: l) }
      return n
    })
    lua.rawSet(-2, "standardize")
    lua.newTable()
    for name in Dataset.bundledNames {
      lua.push(name)
      lua.rawSet(-2, index: lua.rawLength(-2) + 1)
    }
    lua.rawSet(-2, "bundled")
  }

  func pushDataset(_ data: Dataset, on lua: Lua) throws {
    classes.dataset.push(DatasetBox(data), on: lua)
  }

  /// A seed option for the training core (any integer, as its 64-bit pattern; 0 when absent).
  func trainSeed(_ options: Options) throws -> UInt64 { try seedValue(options) ?? 0 }

  /// Refuses, under --memory-limit, to allocate `bytes` for the script (for `what`, as the
  /// message names it) when the limit does not leave them.
  func reserve(_ bytes: Int, for what: String) throws {
    guard state.memoryLimit != nil else { return }
    let memory = state.memoryProbe
    do { try MemoryBudget { memory.headroom }.reserve(bytes, for: what) } catch let e as TrainError {
      throw ScriptError(e.message)
    }
  }

  /// Runs training-core code, turning its errors into script errors at the caller's line, with
  /// Swift's option names (`nSamples`, `makeClassification`) spelled as scripts spell them.
  ///
  /// Under a limit (a trial's deadline, --timeout, Ctrl-C) the training core polls it between
  /// units of work — batches, tree nodes, blocks of rows — on every thread it uses, so native
  /// work stops as promptly as Lua code does and raises the limit's own error.
  func train<R>(_ body: () throws -> R) throws -> R {
    let probe = state.limitProbe
    let cancellation = state.hasLimit ? Cancellation { probe.passed } : nil
    // Under --memory-limit, large buffers made for the script are asked for first.
    let memory = state.memoryProbe
    let budget = state.memoryLimit == nil ? nil : MemoryBudget { memory.headroom }
    do {
      return try MemoryBudget.withCurrent(budget) { try Cancellation.withCurrent(cancellation, body) }
    } catch let e as TrainError {
      throw ScriptError(luaSpelling(e.message))
    } catch is TrainingStopped {
      try state.checkDeadline()
      throw ScriptError("training was stopped")
    }
  }
}

/// Fields and methods of a dataset userdata.
enum DatasetMethods {
  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let d = try engine.classes.dataset.check(1, on: l, function: "index").data
      switch l.toString(2) {
      case "n_samples": l.push(d.nSamples)
      case "n_features": l.push(d.nFeatures)
      case "n_classes": l.push(d.nClasses)
      case "task": l.push(d.task.rawValue)
      case "target_name": l.push(d.targetName)
      case "feature_names": pushStrings(d.featureNames, on: l)
      case "class_names": pushStrings(d.classNames, on: l)
      case "y", "targets":
        l.newTable(arrayCount: Int32(d.y.count))
        for (i, v) in d.y.enumerated() {
          if d.task == .classification { l.push(Int(v)) } else { l.push(Double(v)) }
          l.rawSet(-2, index: i + 1)
        }
      default: l.pushNil()
      }
      return 1
    }
  }

  static func table(_ engine: TunaEngine) -> [String: HostFunction] {
    [
      "split": { [unowned engine] l in
        let d = try engine.classes.dataset.check(1, on: l, function: "split").data
        let o = try Options(l, at: 2, function: "split", allowed: ["test_size", "stratify", "seed"])
        let parts = try engine.train {
          try d.split(testSize: try o.number("test_size") ?? 0.25, stratify: try o.bool("stratify") ?? false, seed: try engine.trainSeed(o))
        }
        try engine.pushDataset(parts.train, on: l)
        try engine.pushDataset(parts.test, on: l)
        return 2
      },
      "kfold": { [unowned engine] l in
        let d = try engine.classes.dataset.check(1, on: l, function: "kfold").data
        let o = try Options(l, at: 2, function: "kfold", allowed: ["k", "stratify", "shuffle", "seed"])
        let folds = try engine.train {
          try d.kfold(k: try o.integer("k") ?? 5, stratify: try o.bool("stratify") ?? false,
                      shuffle: try o.bool("shuffle") ?? true, seed: try engine.trainSeed(o))
        }
        // for i, train, valid in ds:kfold{...} do ... end
        var next = 0
        l.push(function: { [unowned engine] l in
          guard next < folds.count else { l.pushNil(); return 1 }
          next += 1
          l.push(next)
          try engine.pushDataset(folds[next - 1].train, on: l)
          try engine.pushDataset(folds[next - 1].valid, on: l)
          return 3
        })
        return 1
      },
    ]
  }

  static func pushStrings(_ items: [String], on l: Lua) {
    l.newTable(arrayCount: Int32(items.count))
    for (i, s) in items.enumerated() {
      l.push(s)
      l.rawSet(-2, index: i + 1)
    }
  }
}

/// `makeClassification: nSamples must be …` → `make_classification: n_samples must be …`: the
/// training core names things the Swift way; scripts know them the Lua way.
func luaSpelling(_ message: String) -> String {
  var out = ""
  var word = ""
  func flush() {
    if word.first?.isLowercase == true, word.contains(where: \.isUppercase), word.allSatisfy({ $0.isLetter || $0.isNumber }) {
      for c in word { out += c.isUppercase ? "_" + c.lowercased() : String(c) }
    } else {
      out += word
    }
    word = ""
  }
  for c in message {
    if c.isLetter || c.isNumber { word.append(c) } else { flush(); out.append(c) }
  }
  flush()
  return out
}
