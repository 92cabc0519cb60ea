import LuaVM
import TunaSearch
import TunaTrain

/// Raised inside training when a script's `on_epoch` raised something that must reach the
/// objective unchanged (a prune signal); the value waits in the registry.
struct PendingLuaSignal: Error {}

extension TunaEngine {
  /// The `tuna.nn` table: `mlp{...}` and `fit(net, data, {...})`.
  func pushNNModule(on lua: Lua) {
    let mlp = OptionTable("hidden?: integer|integer[], activation?: \(literalUnion(Activation.self)), dropout?: number")
    let library = LuaLibrary("tuna.nn", "Neural networks: multilayer perceptrons trained by mini-batch gradient descent.", functions: [
      LuaBinding("mlp", "options?: \(mlp.type)", returns: "tuna.MLP", "A multilayer perceptron with the given hidden layer widths.") {
        [unowned self] l in
        let o = try Options(l, at: 1, mlp)
        var config = MLPConfig()
        try o.with("hidden") { type in
          guard type != .nil else { return }
          if type == .number, let n = l.toInteger(-1) { config.hidden = [n]; return }
          guard type == .table else { throw o.bad("hidden", "an array of layer widths") }
          config.hidden = try l.readArray(-1, argument: o.position) { _ in
            guard l.type(at: -1) == .number, let n = l.toInteger(-1) else { throw o.bad("hidden", "an array of integer layer widths") }
            return n
          }
        }
        if let name = try o.string("activation") {
          guard let a = Activation(rawValue: name) else {
            throw ArgumentError(1, "'activation' must be one of \(Activation.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(name)\"")
          }
          config.activation = a
        }
        if let p = try o.number("dropout") { config.dropout = Float(p) }
        let net = try self.train { try MLP(config) }
        self.classes.mlp.push(net, on: l, charging: self.granted.take())
        return 1
      },
      LuaBinding("load", "path: string", returns: "tuna.MLP", "A network saved with net:save(path).") { [unowned self] l in
        let file = try self.modelPath(l, at: 1, for: "tuna.nn.load", writing: false)
        let net = try self.train { try MLP.load(from: file) }
        self.classes.mlp.push(net, on: l, charging: self.granted.take())
        return 1
      },
      LuaBinding(
        "fit", "net: tuna.MLP, data: tuna.Dataset, options?: \(Self.fitOptions.type)", returns: "tuna.FitResult",
        "Trains the network on the data; with `prune = trial` it reports each epoch to the trial and prunes it."
      ) { [unowned self] l in try self.fitNetwork(l) },
    ])
    lua.push(library: library, recordingIn: api)
  }

  static let optimizerOptions = OptionTable(
    "lr?: number, beta1?: number, beta2?: number, eps?: number, weight_decay?: number, momentum?: number, alpha?: number, nesterov?: boolean")
  static let scheduleOptions = OptionTable("warmup_epochs?: integer, step_size?: integer, gamma?: number, min_lr?: number")
  static let earlyStoppingOptions = OptionTable("patience?: integer, monitor?: string, min_delta?: number, restore_best?: boolean")
  static let fitOptions = OptionTable(
    """
    valid?: tuna.Dataset, epochs?: integer, batch_size?: integer, seed?: integer, \
    optimizer?: \(literalUnion(OptimizerKind.self))|{ [1]: \(literalUnion(OptimizerKind.self)), \(optimizerOptions.type.dropFirst(2).dropLast(2)) }, \
    l1?: number, l2?: number, \
    lr_schedule?: \(literalUnion(ScheduleKind.self))|{ [1]: \(literalUnion(ScheduleKind.self)), \(scheduleOptions.type.dropFirst(2).dropLast(2)) }, \
    early_stopping?: \(earlyStoppingOptions.type), on_epoch?: fun(epoch: integer, metrics: table<string, number>): "stop"?, \
    prune?: tuna.Trial, prune_monitor?: "train_loss"|"valid_loss"|"valid_accuracy"|"valid_r2"
    """)

  /// `tuna.nn.fit(net, train, { valid, epochs, batch_size, seed, optimizer, l1, l2, lr_schedule,
  /// early_stopping, on_epoch, prune, prune_monitor })`. With `prune = trial` each epoch reports
  /// the monitored metric to the trial (step = epoch) and prunes it when its pruner says so.
  private func fitNetwork(_ l: Lua) throws -> Int32 {
    let net = try classes.mlp.check(1, on: l)
    let trainSet = try classes.dataset.check(2, on: l).data
    let o = try Options(l, at: 3, Self.fitOptions)
    var options = FitOptions()
    if let n = try o.integer("epochs") { options.epochs = n }
    if let n = try o.integer("batch_size") { options.batchSize = n }
    options.seed = try trainSeed(o)
    if let v = try o.number("l1") { options.l1 = Float(v) }
    if let v = try o.number("l2") { options.l2 = Float(v) }
    let valid: Dataset? = try o.with("valid") { type in
      guard type != .nil else { return nil }
      guard let box = classes.dataset.object(at: -1, on: l) else { throw o.bad("valid", "a dataset") }
      return box.data
    }
    try o.with("optimizer") { type in
      guard type != .nil else { return }
      options.optimizer = try optimizerConfig(l, options: o)
    }
    try o.with("lr_schedule") { type in
      guard type != .nil else { return }
      options.schedule = try scheduleConfig(l, options: o)
    }
    try o.with("early_stopping") { type in
      guard type != .nil else { return }
      guard type == .table else { throw o.bad("early_stopping", "a table like { patience = 5, monitor = \"valid_loss\" }") }
      let e = try Options(l, at: l.top, Self.earlyStoppingOptions)
      var config = EarlyStoppingConfig()
      if let p = try e.integer("patience") { config.patience = p }
      if let m = try e.string("monitor") { config.monitor = m }
      if let d = try e.number("min_delta") { config.minDelta = d }
      if let r = try e.bool("restore_best") { config.restoreBest = r }
      options.earlyStopping = config
    }
    var onEpoch: LuaRef?
    try o.with("on_epoch") { type in
      guard type != .nil else { return }
      guard type == .function else { throw o.bad("on_epoch", "a function(epoch, metrics)") }
      l.pushValue(at: -1)
      onEpoch = l.ref()
    }
    defer { onEpoch.map(l.release) }

    let pruning = try pruneOption(l, o, valid: valid)

    var pending: LuaRef?
    var prunedByOption = false
    let callback: (EpochMetrics) throws -> EpochDecision = { [unowned self] m in
      // Training runs in Swift, where the count hook cannot reach: an armed trial deadline is
      // checked at every epoch boundary instead.
      try self.state.checkDeadline()
      var decision = EpochDecision.proceed
      if let ref = onEpoch {
        _ = l.ensureStack(6)
        l.push(ref)
        l.push(m.epoch)
        self.push(metrics: m.values, on: l)
        let status = l.pcallStatus(arguments: 2, results: 1)
        if status != 0 {
          if self.isPruneSignal(l, at: -1) {
            pending = l.ref()
            throw PendingLuaSignal()
          }
          throw l.popError(status: status)
        }
        if l.toString(-1) == "stop" { decision = .stop }
        l.pop()
      }
      if let (trial, monitor) = pruning, let value = m.values[monitor] {
        try trial.report(value, step: m.epoch)
        if try trial.shouldPrune() {
          prunedByOption = true
          throw PendingLuaSignal()
        }
      }
      return decision
    }
    let result: FitResult
    do {
      result = try train { try TunaTrain.fit(net, trainSet, valid: valid, options: options, onEpoch: callback) }
    } catch is PendingLuaSignal {
      if let pending {
        l.push(pending)
        l.release(pending)
      } else if prunedByOption {
        l.push(pruneSignal)
      }
      throw RaiseTopOfStack()
    }
    l.newTable(recordCount: 8)
    let summary: [String: Double?] = [
      "train_loss": result.trainLoss, "valid_loss": result.validLoss,
      "valid_accuracy": result.validAccuracy, "valid_r2": result.validR2,
    ]
    for case let (key, value?) in summary { l.push(value); l.rawSet(-2, key) }
    l.push(result.epochs); l.rawSet(-2, "epochs")
    l.push(result.stoppedEarly); l.rawSet(-2, "stopped_early")
    l.newTable(arrayCount: Int32(result.history.count))
    for (i, m) in result.history.enumerated() {
      push(metrics: m.values, on: l)
      l.push(m.epoch); l.rawSet(-2, "epoch")
      l.rawSet(-2, index: i + 1)
    }
    l.rawSet(-2, "history")
    return 1
  }

  /// `prune = trial` and `prune_monitor`: the trial to report to and the metric it gets. By
  /// default the metric follows the study's direction: validation accuracy (R² for regression)
  /// when it maximizes, validation loss when it minimizes.
  private func pruneOption(_ l: Lua, _ o: Options, valid: Dataset?) throws -> (Trial, String)? {
    let trial: Trial? = try o.with("prune") { type in
      if type == .nil { return nil }
      guard let t = classes.trial.object(at: -1, on: l) else { throw o.bad("prune", "a trial") }
      return t
    }
    let asked = try o.string("prune_monitor")
    guard let trial else {
      if asked != nil { throw ArgumentError(o.position, "'prune_monitor' needs 'prune' (the trial to report to)") }
      return nil
    }
    let known = valid == nil ? ["train_loss"] : ["train_loss", "valid_loss", valid!.task == .classification ? "valid_accuracy" : "valid_r2"]
    let monitor: String
    if let asked {
      guard known.contains(asked) else {
        throw ArgumentError(o.position, "'prune_monitor' must be one of \(known.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(asked)\"")
      }
      monitor = asked
    } else {
      guard let valid else {
        throw ArgumentError(o.position, "'prune' reports a validation metric: give 'valid' data (or prune_monitor = \"train_loss\")")
      }
      let maximize = trial.study.directions == [.maximize]
      monitor = maximize ? (valid.task == .classification ? "valid_accuracy" : "valid_r2") : "valid_loss"
    }
    return (trial, monitor)
  }

  func push(metrics: [String: Double], on l: Lua) {
    l.newTable(recordCount: Int32(metrics.count))
    for (key, value) in metrics { l.push(value); l.rawSet(-2, key) }
  }

  /// `"adam"` or `{ "sgd", lr = 0.1, momentum = 0.9, nesterov = true }`, value on top.
  private func optimizerConfig(_ l: Lua, options o: Options) throws -> OptimizerConfig {
    func kind(_ name: String?) throws -> OptimizerKind {
      guard let name, let k = OptimizerKind(rawValue: name) else {
        throw o.bad("optimizer", "one of \"sgd\", \"adam\", \"adamw\", \"rmsprop\", \"adagrad\" (or a table starting with one)")
      }
      return k
    }
    if l.type(at: -1) == .string { return OptimizerConfig(kind: try kind(l.toString(-1))) }
    guard l.type(at: -1) == .table else { throw o.bad("optimizer", "a name or a table like { \"adam\", lr = 1e-3 }") }
    l.rawGet(-1, index: 1)
    let k = try kind(l.toString(-1))
    l.pop()
    let t = try Options(l, at: l.top, allowed: nil)
    var c = OptimizerConfig(kind: k)
    let fields: [(String, WritableKeyPath<OptimizerConfig, Float>)] = [
      ("lr", \.lr), ("beta1", \.beta1), ("beta2", \.beta2), ("eps", \.eps), ("weight_decay", \.weightDecay),
      ("momentum", \.momentum), ("alpha", \.alpha),
    ]
    for (key, path) in fields {
      if let v = try t.number(key) { c[keyPath: path] = Float(v) }
    }
    if let n = try t.bool("nesterov") { c.nesterov = n }
    try checkKeys(l, t, allowed: Self.optimizerOptions.keys, what: "optimizer")
    return c
  }

  /// `"cosine"` or `{ "step", step_size = 10, gamma = 0.1, warmup_epochs = 1 }`, value on top.
  private func scheduleConfig(_ l: Lua, options o: Options) throws -> ScheduleConfig {
    func kind(_ name: String?) throws -> ScheduleKind {
      guard let name, let k = ScheduleKind(rawValue: name) else {
        throw o.bad("lr_schedule", "one of \"constant\", \"step\", \"exponential\", \"cosine\" (or a table starting with one)")
      }
      return k
    }
    if l.type(at: -1) == .string { return ScheduleConfig(kind: try kind(l.toString(-1))) }
    guard l.type(at: -1) == .table else { throw o.bad("lr_schedule", "a name or a table like { \"cosine\", warmup_epochs = 1 }") }
    l.rawGet(-1, index: 1)
    let k = try kind(l.toString(-1))
    l.pop()
    let t = try Options(l, at: l.top, allowed: nil)
    var c = ScheduleConfig(kind: k)
    if let v = try t.integer("warmup_epochs") { c.warmupEpochs = v }
    if let v = try t.integer("step_size") { c.stepSize = v }
    if let v = try t.number("gamma") { c.gamma = Float(v) }
    if let v = try t.number("min_lr") { c.minLR = Float(v) }
    try checkKeys(l, t, allowed: Self.scheduleOptions.keys, what: "lr_schedule")
    return c
  }

  /// Rejects string keys other than `allowed` (the first array slot holds the kind's name).
  private func checkKeys(_ l: Lua, _ t: Options, allowed: [String], what: String) throws {
    guard let table = t.table else { return }
    try l.forEach(table) {
      if let key = l.toString(-2), !allowed.contains(key) {
        throw ArgumentError(t.position, "unknown \(what) option '\(key)' (known: \(allowed.joined(separator: ", ")))")
      }
    }
  }
}

/// Methods and fields of a network userdata.
enum MLPMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<MLP> {
    LuaClass(
      engine.state.lua, name: "tuna.MLP", summary: "A multilayer perceptron (`tuna.nn.mlp`), trained with `tuna.nn.fit`.",
      methods: methods(engine),
      fields: [
        LuaFieldDoc("parameter_count", "integer", "Its number of weights and biases."),
        LuaFieldDoc("hidden", "integer[]", "The hidden layers' widths."),
        LuaFieldDoc("activation", literalUnion(Activation.self)),
        LuaFieldDoc("dropout", "number"),
      ],
      getter: getter(engine), recordingIn: engine.api)
  }

  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let net = try engine.classes.mlp.check(1, on: l)
      switch l.toString(2) {
      case "parameter_count": l.push(net.parameterCount)
      case "hidden": try l.push(AttrValue.array(net.config.hidden.map(AttrValue.int)))
      case "activation": l.push(net.config.activation.rawValue)
      case "dropout": l.push(Double(net.config.dropout))
      default: l.pushNil()
      }
      return 1
    }
  }

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    [
      LuaBinding("predict", "data: tuna.Dataset", returns: "number[]", "Predictions: class indices from 0, or values for regression.") {
        [unowned engine] l in
        let net = try engine.classes.mlp.check(1, on: l)
        let d = try engine.classes.dataset.check(2, on: l).data
        engine.push(predictions: try engine.train { try net.predict(d.x) }, task: d.task, on: l)
        return 1
      },
      LuaBinding("predict_proba", "data: tuna.Dataset", returns: "number[][]", "Each sample's class probabilities (classification networks).") {
        [unowned engine] l in
        let net = try engine.classes.mlp.check(1, on: l)
        let d = try engine.classes.dataset.check(2, on: l).data
        engine.push(probabilities: try engine.train { try net.predictProbabilities(d.x) }, on: l)
        return 1
      },
      LuaBinding("save", "path: string", "Saves the fitted network to a file (tuna.nn.load reads it back).") {
        [unowned engine] l in
        let net = try engine.classes.mlp.check(1, on: l)
        let file = try engine.modelPath(l, for: "save", writing: true)
        try engine.train { try net.save(to: file) }
        return 0
      },
      LuaBinding(
        "evaluate", "data: tuna.Dataset", returns: "table<string, number>",
        "Metrics on the data: loss and accuracy, or loss, r2, mse and mae for regression."
      ) { [unowned engine] l in
        let net = try engine.classes.mlp.check(1, on: l)
        let d = try engine.classes.dataset.check(2, on: l).data
        engine.push(metrics: try engine.train { try net.evaluate(d) }, on: l)
        return 1
      },
    ]
  }
}

extension LuaClassDoc {
  /// The table `tuna.nn.fit` returns.
  static var fitResult: LuaClassDoc {
    LuaClassDoc(
      name: "tuna.FitResult", summary: "What training did: the metrics of the weights the network now holds, and each epoch's.",
      fields: [
        LuaFieldDoc("train_loss", "number"),
        LuaFieldDoc("valid_loss", "number?"),
        LuaFieldDoc("valid_accuracy", "number?", "Classification with validation data."),
        LuaFieldDoc("valid_r2", "number?", "Regression with validation data."),
        LuaFieldDoc("epochs", "integer", "Epochs run."),
        LuaFieldDoc("stopped_early", "boolean", "By early stopping, or on_epoch returning \"stop\"."),
        LuaFieldDoc("history", "table<string, number>[]", "Each epoch's metrics (epoch, train_loss, lr, valid_…)."),
      ])
  }
}

extension TunaEngine {
  /// Predictions as a Lua array: class indices (integers) or values.
  func push(predictions: [Float], task: LearningTask, on l: Lua) {
    l.newTable(arrayCount: Int32(predictions.count))
    for (i, v) in predictions.enumerated() {
      if task == .classification { l.push(Int(v)) } else { l.push(Double(v)) }
      l.rawSet(-2, index: i + 1)
    }
  }
}
