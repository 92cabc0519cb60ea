import Foundation

/// How the learning rate changes from epoch to epoch.
public enum ScheduleKind: String, CaseIterable, Sendable {
  case constant, step, exponential, cosine
}

/// A learning-rate schedule, applied per epoch, after an optional linear warm-up.
///
/// With base rate η, W = `warmupEpochs`, E epochs in all and t = epoch − W − 1 the epochs since
/// the warm-up (epochs counted from 1):
///
/// - warm-up, epoch e ≤ W: η·e/(W + 1), rising linearly to η (which epoch W + 1 reaches);
/// - `constant`: η;
/// - `step`: η·γ^⌊t / stepSize⌋ (γ defaults to 0.1), as PyTorch's `StepLR`;
/// - `exponential`: η·γᵗ (γ defaults to 0.95), as PyTorch's `ExponentialLR`;
/// - `cosine`: minLR + (η − minLR)·(1 + cos(π·t/T))/2 over T = E − W epochs (Loshchilov &
///   Hutter 2017, "SGDR: Stochastic Gradient Descent with Warm Restarts", one cycle without
///   restarts, as PyTorch's `CosineAnnealingLR` with T_max = T): η at the first epoch after the
///   warm-up, reaching minLR as the last epoch ends.
public struct ScheduleConfig: Sendable, Equatable {
  public var kind: ScheduleKind
  public var warmupEpochs: Int
  /// `step`: epochs between decays.
  public var stepSize: Int
  /// `step` and `exponential`: the factor per decay; nil for the kind's default.
  public var gamma: Float?
  /// `cosine`: the rate it ends at.
  public var minLR: Float

  public init(kind: ScheduleKind = .constant, warmupEpochs: Int = 0, stepSize: Int = 10, gamma: Float? = nil, minLR: Float = 0) {
    self.kind = kind
    self.warmupEpochs = warmupEpochs
    self.stepSize = stepSize
    self.gamma = gamma
    self.minLR = minLR
  }

  /// γ's default per kind: 0.1 for `step`, 0.95 for `exponential` (unused by the others).
  public static func defaultGamma(_ kind: ScheduleKind) -> Float { kind == .exponential ? 0.95 : 0.1 }

  /// `gamma`, or the kind's default.
  public var resolvedGamma: Float { gamma ?? Self.defaultGamma(kind) }

  /// Throws a `TrainError` naming the first option out of range.
  public func validate() throws {
    guard warmupEpochs >= 0 else { throw TrainError("schedule's warmupEpochs must be ≥ 0, got \(warmupEpochs)") }
    guard stepSize >= 1 else { throw TrainError("schedule's stepSize must be at least 1, got \(stepSize)") }
    let g = resolvedGamma
    guard g > 0, g.isFinite else { throw TrainError("schedule's gamma must be > 0, got \(g)") }
    guard minLR >= 0, minLR.isFinite else { throw TrainError("schedule's minLR must be ≥ 0, got \(minLR)") }
  }

  /// The learning rate of `epoch` (1-based) of `epochs`, for base rate `base`.
  public func rate(base: Float, epoch: Int, epochs: Int) -> Float {
    let w = warmupEpochs
    if epoch <= w { return Float(Double(base) * Double(epoch) / Double(w + 1)) }
    let t = epoch - w - 1
    switch kind {
    case .constant:
      return base
    case .step:
      return Float(Double(base) * Foundation.pow(Double(resolvedGamma), Double(t / stepSize)))
    case .exponential:
      return Float(Double(base) * Foundation.pow(Double(resolvedGamma), Double(t)))
    case .cosine:
      let total = max(epochs - w, 1)
      let lo = Double(minLR)
      return Float(lo + (Double(base) - lo) * (1 + Foundation.cos(Double.pi * Double(t) / Double(total))) / 2)
    }
  }
}
