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
    let classification = OptionTable(
      "n_samples?: integer, n_features?: integer, n_informative?: integer, n_redundant?: integer, n_classes?: integer, n_clusters_per_class?: integer, class_sep?: number, flip_y?: number, seed?: integer"
    )
    let regression = OptionTable(
      "n_samples?: integer, n_features?: integer, n_informative?: integer, noise?: number, bias?: number, seed?: integer")
    let moons = OptionTable("n_samples?: integer, noise?: number, seed?: integer")
    let csv = OptionTable(
      "target?: string, task?: \(literalUnion(["classification", "regression"])), delimiter?: string, header?: boolean, columns?: string[], missing?: \(literalUnion(CSVOptions.MissingValues.self)), categorical?: \(literalUnion(CSVOptions.CategoricalEncoding.self))"
    )
    let library = LuaLibrary(
      "tuna.data", "Datasets: bundled, read from CSV files, or generated (lua-api.md §5).",
      fields: [LuaFieldDoc("bundled", "string[]", "The names tuna.data.load knows.")],
      functions: [
        LuaBinding("load", "name: string", returns: "tuna.Dataset", "A bundled dataset: iris, wine, breast_cancer, digits or diabetes.") {
          [unowned self] l in
          guard let name = l.toString(1) else {
            throw ArgumentError(1, "dataset name expected (one of \(Dataset.bundledNames.joined(separator: ", "))), got \(l.describe(1))")
          }
          try self.pushDataset(try self.train { try Dataset.load(name) }, on: l)
          return 1
        },
        .named(
          "csv", "path: string, options?: \(csv.type)", returns: "tuna.Dataset",
          "A CSV file; the target is the named column (by default the last). Text columns become categorical features."
        ) { [unowned self] l, name in
          guard let path = l.toString(1) else { throw ArgumentError(1, "file path expected, got \(l.describe(1))") }
          let settings = try self.csvOptions(try Options(l, at: 2, csv))
          let file = self.state.isSandboxed ? try self.configuration.files.checkRead(path, for: "tuna.data.\(name)") : path
          try self.pushDataset(try self.train { try Dataset.csv(path: file, options: settings) }, on: l)
          return 1
        },
        LuaBinding(
          "make_classification", "options?: \(classification.type)", returns: "tuna.Dataset",
          "A random classification problem, as scikit-learn's make_classification builds it."
        ) { [unowned self] l in
          let o = try Options(l, at: 1, classification)
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
        },
        LuaBinding(
          "make_regression", "options?: \(regression.type)", returns: "tuna.Dataset",
          "A random linear regression problem, as scikit-learn's make_regression builds it."
        ) { [unowned self] l in
          let o = try Options(l, at: 1, regression)
          let d = try self.train {
            try Dataset.makeRegression(
              nSamples: try o.integer("n_samples") ?? 100, nFeatures: try o.integer("n_features") ?? 100,
              nInformative: try o.integer("n_informative") ?? 10, noise: try o.number("noise") ?? 0,
              bias: try o.number("bias") ?? 0, shuffle: true, seed: try self.trainSeed(o))
          }
          try self.pushDataset(d, on: l)
          return 1
        },
        LuaBinding("make_moons", "options?: \(moons.type)", returns: "tuna.Dataset", "Two interleaving half circles, two classes.") {
          [unowned self] l in
          let o = try Options(l, at: 1, moons)
          let d = try self.train {
            try Dataset.makeMoons(nSamples: try o.integer("n_samples") ?? 100, noise: try o.number("noise") ?? 0, shuffle: true, seed: try self.trainSeed(o))
          }
          try self.pushDataset(d, on: l)
          return 1
        },
        LuaBinding(
          "standardize", "first: tuna.Dataset, ...: tuna.Dataset", returns: "tuna.Dataset ...",
          "Standardizes the features of every dataset with the means and deviations of the first; returns them in order."
        ) { [unowned self] l in
          let n = l.top
          guard n >= 1 else { throw ArgumentError(1, "dataset expected, got no value") }
          // One result per argument: room for them all first (Lua promises only 20 free slots).
          guard l.ensureStack(n + 2) else { throw ArgumentError(Int32(clamping: n), "too many datasets (\(n))") }
          let sets = try (1...n).map { try self.classes.dataset.check($0, on: l).data }
          for d in try self.train({ try standardize(sets[0], Array(sets.dropFirst())) }) { try self.pushDataset(d, on: l) }
          return n
        },
      ])
    lua.push(library: library, recordingIn: api)
    lua.newTable()
    for name in Dataset.bundledNames {
      lua.push(name)
      lua.rawSet(-2, index: lua.rawLength(-2) + 1)
    }
    lua.rawSet(-2, "bundled")
  }

  /// The options of `tuna.data.csv`, checked.
  private func csvOptions(_ options: Options) throws -> CSVOptions {
    var settings = CSVOptions()
    settings.target = try options.string("target")
    settings.task = try options.string("task").map { text -> LearningTask in
      guard let t = LearningTask(rawValue: text) else {
        throw ArgumentError(2, "'task' must be \"classification\" or \"regression\", got \"\(text)\"")
      }
      return t
    }
    if let delimiter = try options.string("delimiter") {
      guard CSVOptions.isValidDelimiter(delimiter) else {
        throw ArgumentError(
          2, "'delimiter' must be one ASCII character other than a double quote or a line break, got \"\(delimiter)\"")
      }
      settings.delimiter = delimiter
    }
    settings.header = try options.bool("header") ?? true
    settings.columns = try options.with("columns") { (type: LuaType) throws -> [String]? in
      guard type != .nil else { return nil }
      let lua = options.lua
      guard type == .table else { throw options.bad("columns", "an array of column names") }
      return try lua.readArray(-1, argument: options.position) { _ in
        guard lua.type(at: -1) == .string, let name = lua.toString(-1) else {
          throw options.bad("columns", "an array of column names")
        }
        return name
      }
    }
    if let text = try options.string("missing") {
      guard let m = CSVOptions.MissingValues(rawValue: text) else {
        throw ArgumentError(
          2, "'missing' must be one of \(CSVOptions.MissingValues.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(text)\"")
      }
      settings.missing = m
    }
    if let text = try options.string("categorical") {
      guard let c = CSVOptions.CategoricalEncoding(rawValue: text) else {
        throw ArgumentError(
          2, "'categorical' must be one of \(CSVOptions.CategoricalEncoding.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(text)\"")
      }
      settings.categorical = c
    }
    return settings
  }

  func pushDataset(_ data: Dataset, on lua: Lua) throws {
    // Its features and targets count against --memory-limit while the script holds it.
    let bytes = MemoryBudget.sum(MemoryBudget.size(data.nSamples, data.nFeatures, 4), MemoryBudget.size(data.y.count, 4))
    classes.dataset.push(DatasetBox(data), on: lua, charging: state.memoryLimit == nil ? 0 : bytes)
  }

  /// A seed option for the training core (any integer, as its 64-bit pattern; 0 when absent).
  func trainSeed(_ options: Options) throws -> UInt64 { try seedValue(options) ?? 0 }

  /// Refuses, under --memory-limit, to allocate `bytes` for the script (for `what`, as the
  /// message names it) when the limit does not leave them.
  func reserve(_ bytes: Int, for what: String) throws {
    guard state.memoryLimit != nil else { return }
    let memory = state.memoryProbe, granted = self.granted
    _ = granted.take()
    do { try Self.budget(memory, granted).reserve(bytes, for: what) } catch let e as TrainError {
      throw ScriptError(e.message)
    }
  }

  /// The training core's budget under --memory-limit: what it is granted counts against the
  /// state's cap (and the workers' shared one) while the call runs, and is noted in `granted`
  /// for the objects the call keeps.
  static func budget(_ memory: LuaMemoryProbe, _ granted: GrantTally) -> MemoryBudget {
    MemoryBudget { bytes in
      if let left = memory.claimWhileRunning(bytes) { return left }
      granted.add(bytes)
      return nil
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
    let memory = state.memoryProbe, granted = self.granted
    let budget = state.memoryLimit == nil ? nil : Self.budget(memory, granted)
    _ = granted.take()
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
  static func makeClass(_ engine: TunaEngine) -> LuaClass<DatasetBox> {
    LuaClass(
      engine.state.lua, name: "tuna.Dataset", summary: "A table of samples: features and a target.",
      methods: methods(engine), fields: fields, getter: getter(engine), recordingIn: engine.api)
  }

  static let fields = [
    LuaFieldDoc("n_samples", "integer"),
    LuaFieldDoc("n_features", "integer"),
    LuaFieldDoc("n_classes", "integer", "The number of classes (classification)."),
    LuaFieldDoc("task", literalUnion(["classification", "regression"])),
    LuaFieldDoc("target_name", "string"),
    LuaFieldDoc("feature_names", "string[]"),
    LuaFieldDoc("class_names", "string[]", "The class labels, in the order of their indices."),
    LuaFieldDoc(
      "categories", "table<string, string[]>",
      "The categories of each text column of a CSV file, by column name, in the order of their codes (empty without text columns)."),
    LuaFieldDoc("y", "number[]", "The targets: class indices from 0, or values."),
    LuaFieldDoc("targets", "number[]", "The same as y."),
  ]

  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let d = try engine.classes.dataset.check(1, on: l).data
      switch l.toString(2) {
      case "n_samples": l.push(d.nSamples)
      case "n_features": l.push(d.nFeatures)
      case "n_classes": l.push(d.nClasses)
      case "task": l.push(d.task.rawValue)
      case "target_name": l.push(d.targetName)
      case "feature_names": pushStrings(d.featureNames, on: l)
      case "class_names": pushStrings(d.classNames, on: l)
      case "categories":
        l.newTable(recordCount: Int32(clamping: d.categories.count))
        for column in d.categories.keys.sorted() {
          pushStrings(d.categories[column]!, on: l)
          l.rawSet(-2, column)
        }
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

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    let split = OptionTable("test_size?: number, stratify?: boolean, seed?: integer")
    let kfold = OptionTable("k?: integer, stratify?: boolean, shuffle?: boolean, seed?: integer")
    return [
      LuaBinding(
        "split", "options?: \(split.type)", returns: "tuna.Dataset train, tuna.Dataset test",
        "Splits the rows into a training and a test set (test_size: a share of the rows, default 0.25, or a count)."
      ) { [unowned engine] l in
        let d = try engine.classes.dataset.check(1, on: l).data
        let o = try Options(l, at: 2, split)
        let parts = try engine.train {
          try d.split(testSize: try o.number("test_size") ?? 0.25, stratify: try o.bool("stratify") ?? false, seed: try engine.trainSeed(o))
        }
        try engine.pushDataset(parts.train, on: l)
        try engine.pushDataset(parts.test, on: l)
        return 2
      },
      LuaBinding(
        "kfold", "options?: \(kfold.type)", returns: "(fun(): integer?, tuna.Dataset?, tuna.Dataset?)",
        "An iterator over k folds: `for i, train, valid in ds:kfold{ k = 5 } do … end`."
      ) { [unowned engine] l in
        let d = try engine.classes.dataset.check(1, on: l).data
        let o = try Options(l, at: 2, kfold)
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
