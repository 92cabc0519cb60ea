import Foundation
import TunaRandom

/// How `fit` trains.
public struct FitOptions: Sendable {
  public var epochs: Int
  public var batchSize: Int
  /// Seeds the weights (when `fit` builds the network), the shuffling and the dropout masks: the
  /// same seed gives bit-identical weights and history.
  public var seed: UInt64
  public var optimizer: OptimizerConfig
  /// L1 and L2 penalties on the weights (see `WeightPenalty`).
  public var l1: Float
  public var l2: Float
  public var schedule: ScheduleConfig
  public var earlyStopping: EarlyStoppingConfig?
  /// Reshuffle the training rows every epoch; otherwise batches go in row order.
  public var shuffle: Bool

  public init(
    epochs: Int = 10, batchSize: Int = 32, seed: UInt64 = 0, optimizer: OptimizerConfig = OptimizerConfig(kind: .adam),
    l1: Float = 0, l2: Float = 0, schedule: ScheduleConfig = ScheduleConfig(),
    earlyStopping: EarlyStoppingConfig? = nil, shuffle: Bool = true
  ) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.seed = seed
    self.optimizer = optimizer
    self.l1 = l1
    self.l2 = l2
    self.schedule = schedule
    self.earlyStopping = earlyStopping
    self.shuffle = shuffle
  }

  /// Throws a `TrainError` naming the first option out of range.
  public func validate() throws {
    guard epochs >= 1 else { throw TrainError("epochs must be at least 1, got \(epochs)") }
    guard batchSize >= 1 else { throw TrainError("batchSize must be at least 1, got \(batchSize)") }
    guard l1 >= 0, l1.isFinite else { throw TrainError("l1 must be ≥ 0, got \(l1)") }
    guard l2 >= 0, l2.isFinite else { throw TrainError("l2 must be ≥ 0, got \(l2)") }
    try optimizer.validate()
    try schedule.validate()
  }
}

/// One epoch's figures, passed to `onEpoch` and kept in `FitResult.history`.
public struct EpochMetrics: Sendable, Equatable {
  /// 1-based.
  public var epoch: Int
  /// The mean loss over the epoch's batches, as they were trained (dropout on, weights moving);
  /// without the L1/L2 penalty.
  public var trainLoss: Double
  /// On the validation data with the weights at the end of the epoch (no dropout).
  public var validLoss: Double?
  public var validAccuracy: Double?
  public var validR2: Double?
  /// The learning rate the epoch used.
  public var lr: Double

  public init(epoch: Int, trainLoss: Double, validLoss: Double? = nil, validAccuracy: Double? = nil, validR2: Double? = nil, lr: Double) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.validLoss = validLoss
    self.validAccuracy = validAccuracy
    self.validR2 = validR2
    self.lr = lr
  }

  /// "train_loss", "valid_loss", "valid_accuracy", "valid_r2", "lr": those present.
  public var values: [String: Double] {
    var v = ["train_loss": trainLoss, "lr": lr]
    v["valid_loss"] = validLoss
    v["valid_accuracy"] = validAccuracy
    v["valid_r2"] = validR2
    return v
  }
}

/// What `onEpoch` wants next.
public enum EpochDecision: Sendable {
  case proceed, stop
}

/// The outcome of `fit`.
public struct FitResult: Sendable {
  /// Epochs run.
  public var epochs: Int
  public var history: [EpochMetrics]
  /// The metrics of the weights the network holds now: the best epoch's when early stopping
  /// restored it, else the last epoch's.
  public var trainLoss: Double
  public var validLoss: Double?
  public var validAccuracy: Double?
  public var validR2: Double?
  /// Whether training ended before `options.epochs`: early stopping, or `onEpoch` said `.stop`.
  public var stoppedEarly: Bool
  /// The epoch whose weights were restored by early stopping (nil when none were).
  public var restoredEpoch: Int?
}

/// Trains `net` on `train` by mini-batch gradient descent and returns the history.
///
/// The first fit builds the network from the data's shape, its weights drawn from
/// `options.seed`; a later one continues from the current weights. Each epoch shuffles the rows
/// (seeded), runs forward, loss, backward, penalties and the optimizer's step batch by batch,
/// then measures `valid` (if given) and calls `onEpoch`, which may stop training by returning
/// `.stop` or abort it by throwing (the error propagates; the weights stay as they are). With
/// early stopping and `restoreBest`, the weights of the best epoch are put back at the end,
/// whether patience ran out, `onEpoch` said `.stop` or the epochs were used up.
///
/// All buffers are allocated once here; each step is three sgemm calls per layer (two for the
/// first, whose input gradient is not needed) plus fused elementwise passes. BLAS runs with
/// whatever thread count the process has set (`BLAS.setThreads`), OpenBLAS's default if none.
public func fit(
  _ net: MLP, _ train: Dataset, valid: Dataset? = nil, options: FitOptions = .init(),
  onEpoch: ((EpochMetrics) throws -> EpochDecision)? = nil
) throws -> FitResult {
  try options.validate()
  guard train.nSamples > 0 else { throw TrainError("the training data has no rows") }
  guard train.nFeatures > 0 else { throw TrainError("the training data has no features") }
  if let valid, valid.nSamples == 0 { throw TrainError("the validation data has no rows") }
  try options.earlyStopping?.validate(task: net.task ?? train.task, hasValidation: valid != nil)

  if !net.isBuilt {
    let outputs = train.task == .classification ? train.nClasses : 1
    guard outputs >= 1 else { throw TrainError("the training data has no classes") }
    try MLP.checkTargets(train, name: "the training data", classes: outputs)
    // Weights, their gradient and the optimizer's two moments; activations for a batch.
    let sizes = [train.nFeatures] + net.config.hidden + [outputs]
    var parameters = 0, activations = 0
    for l in 0..<(sizes.count - 1) {
      parameters = MemoryBudget.sum(parameters, MemoryBudget.size(MemoryBudget.sum(sizes[l], 1), sizes[l + 1]))
      activations = MemoryBudget.sum(activations, sizes[l + 1])
    }
    let needed = MemoryBudget.sum(
      MemoryBudget.size(parameters, 16), MemoryBudget.size(activations, min(options.batchSize, train.nSamples), 12))
    try MemoryBudget.reserveCurrent(needed, for: "the network")
    // Without a memory limit too: a width past the machine's memory (hidden = 2^63 - 1) would
    // overflow the weight count as the network is built.
    let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
    guard needed <= physical else {
      throw TrainError(
        "the network needs \(MemoryBudget.describe(needed)), more than this machine's memory (\(MemoryBudget.describe(physical)))")
    }
    net.build(inputs: train.nFeatures, outputs: outputs, task: train.task, seed: options.seed)
  } else {
    try net.checkData(train, name: "the training data")
  }
  if let valid { try net.checkData(valid, name: "the validation data") }

  let n = train.nSamples
  let batch = min(options.batchSize, n)
  let capacity = max(batch, min(valid?.nSamples ?? 0, MLPWorkspace.inferenceRows))
  let ws = MLPWorkspace(net, capacity: capacity, gradients: true)
  ws.dropoutRNG = RandomSource(seed: options.seed, stream: 2)
  var shuffler = RandomSource(seed: options.seed, stream: 1)
  let optimizer = try Optimizer.make(options.optimizer, parameterCount: net.arena.count)
  let penalty = WeightPenalty(l1: options.l1, l2: options.l2)
  let weightRanges = net.weightRanges
  var stopper = options.earlyStopping.map(EarlyStopper.init)
  let best = stopper != nil && options.earlyStopping!.restoreBest ? FloatBuffer(count: net.arena.count) : nil

  var order = Array(0..<n)
  var history: [EpochMetrics] = []
  var stoppedEarly = false
  let d = train.nFeatures

  for epoch in 1...options.epochs {
    let lr = options.schedule.rate(base: options.optimizer.lr, epoch: epoch, epochs: options.epochs)
    if options.shuffle {
      for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, shuffler.integer(0, i)) }
    }
    var lossSum = 0.0
    var stopped = false
    let cancellation = Cancellation.current
    train.x.data.withUnsafeBufferPointer { xs in
      train.y.withUnsafeBufferPointer { ys in
        order.withUnsafeBufferPointer { idx in
          let x = xs.baseAddress!, y = ys.baseAddress!
          var start = 0
          while start < n {
            // Between batches: a limit or an interrupt stops training within one batch.
            if let cancellation, cancellation.isCancelled {
              stopped = true
              break
            }
            let rows = min(batch, n - start)
            let picked = idx.baseAddress! + start
            DenseKernels.gatherRows(x, cols: d, indices: picked, count: rows, into: ws.input.base)
            for r in 0..<rows { ws.targets[r] = y[picked[r]] }
            net.forward(ws.input.base, rows: rows, ws: ws, dropout: .draw)
            lossSum += net.lossAndDelta(rows: rows, ws: ws)
            net.backward(ws.input.base, rows: rows, ws: ws)
            if !penalty.isZero { penalty.addGradient(net.arena.base, ws.gradient.base, ranges: weightRanges) }
            optimizer.step(parameters: net.arena.base, gradient: ws.gradient.base, lr: lr)
            start += rows
          }
        }
      }
    }

    if stopped { throw TrainingStopped() }
    var metrics = EpochMetrics(epoch: epoch, trainLoss: lossSum / Double(n), lr: Double(lr))
    if let valid {
      let sums = net.evaluate(valid, ws: ws)
      metrics.validLoss = sums.loss / Double(sums.rows)
      if valid.task == .classification {
        metrics.validAccuracy = Double(sums.hits) / Double(sums.rows)
      } else {
        metrics.validR2 = sums.r2
      }
    }
    history.append(metrics)

    if stopper != nil, let value = metrics.values[stopper!.config.monitor] {
      if stopper!.record(value, epoch: epoch) { best?.copy(from: net.arena) }
    }
    let decision = try onEpoch?(metrics) ?? .proceed
    if decision == .stop || stopper?.shouldStop == true {
      stoppedEarly = epoch < options.epochs
      break
    }
  }

  var final = history.last!
  var restored: Int?
  if let best, let bestEpoch = stopper?.bestEpoch, bestEpoch != history.count {
    net.arena.copy(from: best)
    final = history[bestEpoch - 1]
    restored = bestEpoch
  }
  return FitResult(
    epochs: history.count, history: history, trainLoss: final.trainLoss, validLoss: final.validLoss,
    validAccuracy: final.validAccuracy, validR2: final.validR2, stoppedEarly: stoppedEarly, restoredEpoch: restored)
}
