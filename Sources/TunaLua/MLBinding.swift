import LuaVM
import TunaSearch
import TunaTrain

/// The classical models by name, each made from a table of options. Option tables are read
/// with `Options`, so a misspelt option is an error naming the known ones.
enum EstimatorFactory {
  static let names = ["random_forest", "decision_tree", "logistic_regression", "linear_regression"]

  /// The options of each kind of model.
  static func options(_ kind: String) -> OptionTable {
    switch kind {
    case "random_forest": OptionTable("n_estimators?: integer, " + treeOptions + ", bootstrap?: boolean, criterion?: \(criteria), seed?: integer")
    case "decision_tree": OptionTable(treeOptions + ", criterion?: \(criteria), seed?: integer")
    case "logistic_regression": OptionTable("c?: number, max_iter?: integer, tol?: number, fit_intercept?: boolean")
    case "linear_regression": OptionTable("l2?: number, fit_intercept?: boolean")
    default: OptionTable("")
    }
  }

  static func allowed(_ kind: String) -> [String] { options(kind).keys }

  private static let treeOptions =
    "max_depth?: integer, min_samples_split?: integer, min_samples_leaf?: integer, max_features?: \"sqrt\"|\"log2\"|\"all\"|number"
  private static let criteria = literalUnion(["gini", "entropy", "squared_error"])

  /// Makes a `kind` model from the options table at `index` (nil: defaults).
  static func make(_ kind: String, _ l: Lua, at index: Int32) throws -> any Estimator {
    let o = try Options(l, at: index, options(kind))
    switch kind {
    case "random_forest":
      return try RandomForest(
        nEstimators: try o.integer("n_estimators") ?? 100, options: try treeSettings(o, l),
        bootstrap: try o.bool("bootstrap") ?? true, seed: try seed(o))
    case "decision_tree":
      return try DecisionTree(options: try treeSettings(o, l), seed: try seed(o))
    case "logistic_regression":
      return try LogisticRegression(
        c: try o.number("c") ?? 1.0, maxIterations: try o.integer("max_iter") ?? 100,
        tolerance: try o.number("tol") ?? 1e-4, fitIntercept: try o.bool("fit_intercept") ?? true)
    case "linear_regression":
      return try LinearRegression(l2: try o.number("l2") ?? 0, fitIntercept: try o.bool("fit_intercept") ?? true)
    default:
      throw ArgumentError(1, "unknown estimator \"\(kind)\" (known: \(names.joined(separator: ", ")))")
    }
  }

  private static func seed(_ o: Options) throws -> UInt64 { try seedValue(o) ?? 0 }

  private static func treeSettings(_ o: Options, _ l: Lua) throws -> TreeOptions {
    var t = TreeOptions()
    if let d = try o.integer("max_depth") { t.maxDepth = d }
    if let n = try o.integer("min_samples_split") { t.minSamplesSplit = n }
    if let n = try o.integer("min_samples_leaf") { t.minSamplesLeaf = n }
    if let c = try o.string("criterion") {
      guard let criterion = Criterion(rawValue: c) else {
        throw ArgumentError(o.position, "'criterion' must be \"gini\", \"entropy\" or \"squared_error\", got \"\(c)\"")
      }
      t.criterion = criterion
    }
    try o.with("max_features") { type in
      switch type {
      case .nil: return
      case .string:
        switch l.toString(-1) {
        case "sqrt": t.maxFeatures = .sqrt
        case "log2": t.maxFeatures = .log2
        case "all": t.maxFeatures = .all
        default: throw o.bad("max_features", "\"sqrt\", \"log2\", a count or a fraction")
        }
      case .number:
        if l.isInteger(-1), let n = l.toInteger(-1) { t.maxFeatures = .count(n) }
        else if let x = l.toNumber(-1), x > 0, x <= 1 { t.maxFeatures = .fraction(x) }
        else { throw o.bad("max_features", "\"sqrt\", \"log2\", a count or a fraction in (0, 1]") }
      default: throw o.bad("max_features", "\"sqrt\", \"log2\", a count or a fraction")
      }
    }
    return t
  }
}

extension TunaEngine {
  /// The `tuna.ml` table: models, `cross_val_score`, `grid_search_cv`.
  func pushMLModule(on lua: Lua) {
    let summaries = [
      "random_forest": "A random forest: trees grown in parallel, each on its own seeded stream.",
      "decision_tree": "A single decision tree.",
      "logistic_regression": "Multinomial logistic regression with an L2 penalty of strength 1/c.",
      "linear_regression": "Least squares, ridge regression when l2 > 0.",
    ]
    let models = EstimatorFactory.names.map { kind in
      LuaBinding(kind, "options?: \(EstimatorFactory.options(kind).type)", returns: "tuna.Model", summaries[kind] ?? "") {
        [unowned self] l in
        let estimator = try self.train { try EstimatorFactory.make(kind, l, at: 1) }
        self.classes.estimator.push(EstimatorBox(estimator, name: kind), on: l, charging: self.granted.take())
        return 1
      }
    }
    let load = LuaBinding("load", "path: string", returns: "tuna.Model", "A model saved with model:save(path).") { [unowned self] l in
      let file = try self.modelPath(l, at: 1, for: "tuna.ml.load", writing: false)
      let (estimator, kind) = try self.train { try ModelPersistence.load(file) }
      self.classes.estimator.push(EstimatorBox(estimator, name: kind), on: l, charging: self.granted.take())
      return 1
    }
    let library = LuaLibrary("tuna.ml", "Classical models, cross-validation and grid search.", functions: models + [load] + [
      .named(
        "cross_val_score", "make_model: fun(): tuna.Model, data: tuna.Dataset, options?: \(Self.crossValidationOptions.type)",
        returns: "tuna.CVResult",
        "Scores a fresh model per fold; with `trial`, reports each fold and prunes between folds."
      ) { [unowned self] l, name in try self.crossValScore(l, name) },
      .named(
        "grid_search_cv", "options: \(Self.gridSearchOptions.type)", returns: "tuna.GridSearchResult",
        "scikit-learn's GridSearchCV as a grid-sampled study; refits the best configuration on all the data."
      ) { [unowned self] l, name in try self.gridSearchCV(l, name) },
    ])
    lua.push(library: library, recordingIn: api)
  }

  static let crossValidationOptions = OptionTable(
    "cv?: integer, scoring?: \(literalUnion(Scoring.self)), seed?: integer, stratify?: boolean, shuffle?: boolean, trial?: tuna.Trial, report?: \"fold\"|\"mean\""
  )
  static let gridSearchOptions = OptionTable(
    """
    estimator: \(literalUnion(EstimatorFactory.names)), data: tuna.Dataset, param_grid: table<string, (number|string|boolean)[]>, \
    cv?: integer, scoring?: \(literalUnion(Scoring.self)), seed?: integer, params?: table<string, number|string|boolean>, \
    name?: string, shuffle?: boolean, pruner?: tuna.Pruner
    """)

  /// Reads `scoring = "accuracy"`; nil when absent.
  private func scoring(_ o: Options) throws -> Scoring? {
    try o.string("scoring").map { name in
      guard let s = Scoring(rawValue: name) else {
        throw ArgumentError(o.position, "unknown scoring \"\(name)\" (known: \(Scoring.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      return s
    }
  }

  /// `tuna.ml.cross_val_score(make_model, data, { cv = 5, scoring, seed, stratify, shuffle, trial,
  /// report })`. With `trial`, each fold's score is reported to it at step = the fold's index
  /// (from 0) — or, with `report = "mean"`, the mean of the folds so far — and the trial is
  /// pruned between folds when its pruner says so.
  private func crossValScore(_ l: Lua, _ function: String) throws -> Int32 {
    guard l.type(at: 1) == .function else {
      throw ArgumentError(1, "a function returning a new model expected, got \(l.typeName(1))")
    }
    let data = try classes.dataset.check(2, on: l).data
    let o = try Options(l, at: 3, Self.crossValidationOptions)
    let reporter = try foldReporter(l, o)
    let make: () throws -> any Estimator = { [unowned self] in
      l.pushValue(at: 1)
      try l.pcall(arguments: 0, results: 1)
      defer { l.pop() }
      guard let box = self.classes.estimator.object(at: -1, on: l) else {
        throw ScriptError("\(function): the model function returned \(l.describe(-1)), not a model")
      }
      return box.value
    }
    let result: CVResult
    do {
      result = try train {
        try TunaTrain.crossValScore(
          make, data, cv: try o.integer("cv") ?? 5, scoring: try scoring(o), stratify: try o.bool("stratify"),
          shuffle: try o.bool("shuffle") ?? false, seed: try trainSeed(o), afterFold: reporter)
      }
    } catch is TrialPruned {
      l.push(pruneSignal)
      throw RaiseTopOfStack()
    }
    push(cv: result, on: l)
    return 1
  }

  /// The `trial` and `report` options of `cross_val_score`: a fold callback that reports to the
  /// trial and throws `TrialPruned` when its pruner says to stop.
  private func foldReporter(_ l: Lua, _ o: Options) throws -> ((Int, Double) throws -> Void)? {
    let trial: Trial? = try o.with("trial") { type in
      if type == .nil { return nil }
      guard let t = classes.trial.object(at: -1, on: l) else { throw o.bad("trial", "a trial") }
      return t
    }
    let mode = try o.string("report") ?? "fold"
    guard mode == "fold" || mode == "mean" else { throw ArgumentError(o.position, "'report' must be \"fold\" or \"mean\", got \"\(mode)\"") }
    guard let trial else {
      if o.has("report") { throw ArgumentError(o.position, "'report' needs 'trial' (the trial to report to)") }
      return nil
    }
    guard trial.study.directions == [.maximize] else {
      throw ArgumentError(
        o.position,
        "scores are higher-is-better, so the trial's study must maximize (use direction = \"maximize\" and return cv.mean)")
    }
    return reportingFolds(to: trial, mean: mode == "mean")
  }

  /// Reports each fold's score (or the running mean of the scores) to `trial` at step = the
  /// fold's index, and throws `TrialPruned` when the trial's pruner says to stop.
  private func reportingFolds(to trial: Trial, mean: Bool) -> (Int, Double) throws -> Void {
    var sum = 0.0
    return { fold, score in
      sum += score
      try trial.report(mean ? sum / Double(fold + 1) : score, step: fold)
      if try trial.shouldPrune() { throw TrialPruned() }
    }
  }

  func push(cv: CVResult, on l: Lua) {
    l.newTable(recordCount: 3)
    l.push(cv.mean); l.rawSet(-2, "mean")
    l.push(cv.std); l.rawSet(-2, "std")
    l.newTable(arrayCount: Int32(cv.scores.count))
    for (i, s) in cv.scores.enumerated() { l.push(s); l.rawSet(-2, index: i + 1) }
    l.rawSet(-2, "scores")
  }

  /// `tuna.ml.grid_search_cv{ estimator, data, param_grid, cv, scoring, seed, params, name,
  /// pruner }`: scikit-learn's GridSearchCV as a study over a grid sampler, refitting the best
  /// model on all of `data`. With `pruner`, each configuration's folds report their scores (step
  /// = fold index) and a configuration its pruner stops is dropped before its remaining folds
  /// (`tuna.pruners.wilcoxon{}` compares it with the best configuration fold by fold).
  private func gridSearchCV(_ l: Lua, _ function: String) throws -> Int32 {
    let o = try Options(l, at: 1, Self.gridSearchOptions)
    guard let kind = try o.string("estimator"), EstimatorFactory.names.contains(kind) else {
      throw ArgumentError(1, "'estimator' must be one of \(EstimatorFactory.names.map { "\"\($0)\"" }.joined(separator: ", "))")
    }
    let data: Dataset = try o.with("data") { _ in
      guard let box = classes.dataset.object(at: -1, on: l) else { throw o.bad("data", "a dataset") }
      return box.data
    }
    var grid: [String: [ParamValue]] = [:]
    try o.with("param_grid") { type in
      guard type == .table else { throw o.bad("param_grid", "a table of value arrays") }
      try l.forEach(-1) {
        guard let name = l.toString(-2), l.type(at: -1) == .table, l.rawLength(-1) > 0 else {
          throw ArgumentError(1, "param_grid must map option names to non-empty arrays of values")
        }
        guard EstimatorFactory.allowed(kind).contains(name) else {
          throw ArgumentError(1, "\(kind) has no option '\(name)' (known: \(EstimatorFactory.allowed(kind).joined(separator: ", ")))")
        }
        grid[name] = try l.readArray(-1, argument: 1) { _ in
          guard let v = l.paramValue(at: -1) else { throw ArgumentError(1, "param_grid['\(name)'] holds a \(l.typeName(-1))") }
          return v
        }
      }
    }
    guard !grid.isEmpty else { throw ArgumentError(1, "param_grid must name at least one option") }
    let fixed: [String: ParamValue] = try o.with("params") { type in
      guard type != .nil else { return [:] }
      guard type == .table else { throw o.bad("params", "a table of fixed options") }
      var fixed: [String: ParamValue] = [:]
      try l.forEach(-1) {
        guard let k = l.toString(-2), let v = l.paramValue(at: -1) else { throw o.bad("params", "a table of fixed options") }
        fixed[k] = v
      }
      return fixed
    }
    let cv = try o.integer("cv") ?? 5
    let scoring = try scoring(o)
    let shuffle = try o.bool("shuffle") ?? false
    let seed = try trainSeed(o)
    let estimatorTakesSeed = EstimatorFactory.allowed(kind).contains("seed")

    let pruner: (any Pruner)? = try o.with("pruner") { type in
      if type == .nil { return nil }
      guard let box = classes.pruner.object(at: -1, on: l) else { throw o.bad("pruner", "a pruner") }
      return box.value
    }

    let sampler = try GridSampler(searchSpace: grid, seed: seed)
    let study = try Study.create(
      name: try o.string("name") ?? "\(function)-\(studyBoxes.count + 1)", direction: .maximize,
      sampler: sampler, pruner: pruner, storage: storage)
    let box = StudyBox(study)
    studyBoxes.append(box)

    /// Makes the model for one grid point: the grid values, the fixed options, and the seed.
    func model(_ params: [String: ParamValue]) throws -> any Estimator {
      var all = fixed.merging(params) { $1 }
      if estimatorTakesSeed, all["seed"] == nil { all["seed"] = .int(Int(Int64(bitPattern: seed))) }
      l.newTable(recordCount: Int32(all.count))
      for (k, v) in all { l.push(v); l.rawSet(-2, k) }
      defer { l.pop() }
      // Made inside a trial, an argument error is reported as text: it names the function.
      do { return try EstimatorFactory.make(kind, l, at: l.top) } catch var e as ArgumentError {
        e.function = function
        throw e
      }
    }

    var options = OptimizeOptions(nTrials: sampler.size, catchErrors: false)
    options.callbacks = [{ [unowned self] s, t in self.emit(.trialFinished(s, t)) }]
    emit(.optimizeStarted(study, nTrials: sampler.size, showProgress: true))
    defer { emit(.optimizeFinished(study)) }
    do {
      try study.optimize(options) { trial in
        var params: [String: ParamValue] = [:]
        for name in grid.keys.sorted() {
          params[name] = try trial.suggestCategorical(name, grid[name]!)
        }
        let reportFolds = pruner == nil ? nil : self.reportingFolds(to: trial, mean: false)
        let result = try self.train {
          try TunaTrain.crossValScore(
            { try model(params) }, data, cv: cv, scoring: scoring, stratify: nil, shuffle: shuffle, seed: seed,
            afterFold: reportFolds)
        }
        try trial.setUserAttr("std_score", .double(result.std))
        try trial.setUserAttr("scores", .array(result.scores.map(AttrValue.double)))
        return [result.mean]
      }
    } catch let failed as TrialFailed {
      throw failed.underlying is LuaError ? failed.underlying : ScriptError(failed.description)
    }

    let best = try study.bestTrial
    let bestModel = try train {
      let m = try model(best.params)
      try m.fit(data)
      return m
    }
    let trials = try study.trials(states: [.complete, .pruned])
    let ranks = Dictionary(uniqueKeysWithValues: trials.filter { $0.state == .complete }
      .sorted { ($0.value ?? -.infinity) > ($1.value ?? -.infinity) }
      .enumerated().map { ($1.number, $0 + 1) })

    l.newTable(recordCount: 6)
    let t = l.top
    push(params: best.params, on: l); l.rawSet(t, "best_params")
    l.push(best.value ?? .nan); l.rawSet(t, "best_score")
    classes.estimator.push(EstimatorBox(bestModel, name: kind), on: l); l.rawSet(t, "best_estimator")
    classes.study.push(box, on: l); l.rawSet(t, "study")
    l.newTable(arrayCount: Int32(trials.count))
    for (i, trial) in trials.enumerated() {
      l.newTable(recordCount: 6)
      push(params: trial.params, on: l); l.rawSet(-2, "params")
      l.push(trial.state.rawValue); l.rawSet(-2, "state")
      if trial.state == .complete {
        l.push(trial.value ?? .nan); l.rawSet(-2, "mean_score")
        if case .double(let s)? = trial.userAttrs["std_score"] { l.push(s); l.rawSet(-2, "std_score") }
        try l.push(trial.userAttrs["scores"] ?? .null); l.rawSet(-2, "scores")
        l.push(ranks[trial.number] ?? 0); l.rawSet(-2, "rank")
      } else {
        // A pruned configuration: the folds it got through, in order.
        let folds = trial.intermediateValues.sorted { $0.key < $1.key }.map(\.value)
        try l.push(.array(folds.map(AttrValue.double))); l.rawSet(-2, "scores")
      }
      l.rawSet(-2, index: i + 1)
    }
    l.rawSet(t, "results")
    return 1
  }
}

/// Methods and fields of a model userdata.
enum EstimatorMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<EstimatorBox> {
    LuaClass(
      engine.state.lua, name: "tuna.Model", summary: "A classical model (`tuna.ml.*`): fit it, then predict or score.",
      methods: methods(engine), fields: [LuaFieldDoc("kind", literalUnion(EstimatorFactory.names), "The constructor that made it.")],
      getter: getter(engine), recordingIn: engine.api)
  }

  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let box = try engine.classes.estimator.check(1, on: l)
      switch l.toString(2) {
      case "kind": l.push(box.name)
      default: l.pushNil()
      }
      return 1
    }
  }

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    [
      LuaBinding("fit", "data: tuna.Dataset", returns: "tuna.Model", "Trains the model on the data; returns the model.") { [unowned engine] l in
        let box = try engine.classes.estimator.check(1, on: l)
        let d = try engine.classes.dataset.check(2, on: l).data
        try engine.train { try box.value.fit(d) }
        engine.classes.estimator.setCharge(at: 1, on: l, bytes: engine.granted.take())
        l.pushValue(at: 1)
        return 1
      },
      LuaBinding("predict", "data: tuna.Dataset", returns: "number[]", "Predictions: class indices from 0, or values for regression.") {
        [unowned engine] l in
        let box = try engine.classes.estimator.check(1, on: l)
        let d = try engine.classes.dataset.check(2, on: l).data
        engine.push(predictions: try engine.train { try box.value.predict(d.x) }, task: d.task, on: l)
        return 1
      },
      LuaBinding("predict_proba", "data: tuna.Dataset", returns: "number[][]", "Each sample's class probabilities (classifiers only).") {
        [unowned engine] l in
        let box = try engine.classes.estimator.check(1, on: l)
        let d = try engine.classes.dataset.check(2, on: l).data
        guard let classifier = box.value as? any ProbabilisticClassifier else {
          throw ScriptError("\(box.name) gives no class probabilities")
        }
        engine.push(probabilities: try engine.train { try classifier.predictProbabilities(d.x) }, on: l)
        return 1
      },
      LuaBinding("save", "path: string", "Saves the fitted model to a file (tuna.ml.load reads it back).") {
        [unowned engine] l in
        let box = try engine.classes.estimator.check(1, on: l)
        let file = try engine.modelPath(l, for: "save", writing: true)
        try engine.train { try ModelPersistence.save(box.value, to: file) }
        return 0
      },
      LuaBinding("score", "data: tuna.Dataset", returns: "number", "Accuracy on the data, or R² for regression.") { [unowned engine] l in
        let box = try engine.classes.estimator.check(1, on: l)
        let d = try engine.classes.dataset.check(2, on: l).data
        l.push(try engine.train { try box.value.score(d) })
        return 1
      },
    ]
  }
}

extension LuaClassDoc {
  /// The table `tuna.ml.cross_val_score` returns.
  static var cvResult: LuaClassDoc {
    LuaClassDoc(
      name: "tuna.CVResult", summary: "Cross-validation scores (higher is better).",
      fields: [
        LuaFieldDoc("mean", "number"),
        LuaFieldDoc("std", "number"),
        LuaFieldDoc("scores", "number[]", "Each fold's score."),
      ])
  }

  /// The table `tuna.ml.grid_search_cv` returns.
  static var gridSearchResult: LuaClassDoc {
    LuaClassDoc(
      name: "tuna.GridSearchResult", summary: "What a grid search found.",
      fields: [
        LuaFieldDoc("best_params", "table<string, number|string|boolean>"),
        LuaFieldDoc("best_score", "number", "The best configuration's mean score."),
        LuaFieldDoc("best_estimator", "tuna.Model", "The best configuration refitted on all the data."),
        LuaFieldDoc("study", "tuna.Study", "The study that ran the grid."),
        LuaFieldDoc(
          "results", "table<string, any>[]",
          "Each configuration: params, state, and mean_score, std_score, scores and rank (or a pruned one's scores)."),
      ])
  }
}
