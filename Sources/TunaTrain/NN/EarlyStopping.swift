/// Stop when a monitored metric has not improved for `patience` epochs, and (with
/// `restoreBest`) put back the weights of its best epoch.
///
/// `monitor` names one of `EpochMetrics.values`: "valid_loss" (the default), "valid_accuracy",
/// "valid_r2", "train_loss". Losses are minimized; accuracy and R² maximized. An epoch improves
/// when it beats the best so far by more than `minDelta`; training stops at the end of the
/// `patience`-th epoch in a row that does not (as Keras's `EarlyStopping`).
public struct EarlyStoppingConfig: Sendable, Equatable {
  public var monitor: String
  public var patience: Int
  public var minDelta: Double
  public var restoreBest: Bool

  public init(monitor: String = "valid_loss", patience: Int = 5, minDelta: Double = 0, restoreBest: Bool = true) {
    self.monitor = monitor
    self.patience = patience
    self.minDelta = minDelta
    self.restoreBest = restoreBest
  }

  /// The metrics that can be monitored.
  public static let monitors = ["valid_loss", "valid_accuracy", "valid_r2", "train_loss"]

  /// Whether larger values of `monitor` are better (accuracy, R²).
  public var maximizes: Bool { monitor.hasSuffix("accuracy") || monitor.hasSuffix("r2") }

  /// Throws a `TrainError` for an unknown monitor, one the fit will not report, or a bad value.
  func validate(task: LearningTask, hasValidation: Bool) throws {
    guard Self.monitors.contains(monitor) else {
      throw TrainError("earlyStopping monitor '\(monitor)' is not one of \(Self.monitors.joined(separator: ", "))")
    }
    if monitor.hasPrefix("valid_") && !hasValidation {
      throw TrainError("earlyStopping monitor '\(monitor)' needs validation data (valid)")
    }
    if monitor == "valid_accuracy" && task != .classification {
      throw TrainError("earlyStopping monitor 'valid_accuracy' needs a classification task")
    }
    if monitor == "valid_r2" && task != .regression {
      throw TrainError("earlyStopping monitor 'valid_r2' needs a regression task")
    }
    guard patience >= 0 else { throw TrainError("earlyStopping patience must be ≥ 0, got \(patience)") }
    guard minDelta >= 0, minDelta.isFinite else { throw TrainError("earlyStopping minDelta must be ≥ 0, got \(minDelta)") }
  }
}

/// The running state of early stopping within one fit.
struct EarlyStopper {
  let config: EarlyStoppingConfig
  private(set) var best: Double?
  private(set) var bestEpoch: Int?
  private(set) var epochsWithoutImprovement = 0

  init(_ config: EarlyStoppingConfig) { self.config = config }

  /// Records an epoch's value of the monitored metric; true when it is the new best. A NaN
  /// never improves.
  mutating func record(_ value: Double, epoch: Int) -> Bool {
    let improved: Bool
    if let best {
      improved = config.maximizes ? value > best + config.minDelta : value < best - config.minDelta
    } else {
      improved = !value.isNaN
    }
    if improved {
      best = value
      bestEpoch = epoch
      epochsWithoutImprovement = 0
    } else {
      epochsWithoutImprovement += 1
    }
    return improved
  }

  /// Whether patience has run out.
  var shouldStop: Bool { epochsWithoutImprovement > 0 && epochsWithoutImprovement >= config.patience }
}
