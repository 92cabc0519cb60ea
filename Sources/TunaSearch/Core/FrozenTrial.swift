import Foundation

/// Where a trial is in its life. Finished states (complete, pruned, fail) never change again.
public enum TrialState: String, Sendable, CaseIterable, Hashable {
  case running, complete, pruned, fail, waiting

  public var isFinished: Bool { self == .complete || self == .pruned || self == .fail }
}

/// Whether a study minimizes or maximizes an objective.
public enum StudyDirection: String, Sendable, Hashable {
  case minimize, maximize

  /// Whether `a` is strictly better than `b` in this direction.
  public func isBetter(_ a: Double, than b: Double) -> Bool { self == .minimize ? a < b : a > b }
}

/// A snapshot of a trial: later writes to storage never change a `FrozenTrial` already returned.
public struct FrozenTrial: Sendable, Hashable {
  /// The storage's id, unique across studies.
  public var id: Int
  /// The trial's number in its study: 0, 1, 2, … dense and unique.
  public var number: Int
  public var state: TrialState
  /// The objective values (one per direction) of a complete trial, or the last intermediate
  /// value of a pruned one.
  public var values: [Double]?
  public var params: [String: ParamValue]
  public var distributions: [String: Distribution]
  public var intermediateValues: [Int: Double]
  public var userAttrs: [String: AttrValue]
  /// Attributes for samplers and the study itself (a grid point, an enqueued trial's params).
  public var systemAttrs: [String: AttrValue]
  public var datetimeStart: Date?
  public var datetimeComplete: Date?
  /// Why a failed trial failed: the message and, for script errors, the traceback.
  public var failReason: String?

  public init(
    id: Int, number: Int, state: TrialState, values: [Double]? = nil,
    params: [String: ParamValue] = [:], distributions: [String: Distribution] = [:],
    intermediateValues: [Int: Double] = [:], userAttrs: [String: AttrValue] = [:],
    systemAttrs: [String: AttrValue] = [:], datetimeStart: Date? = nil,
    datetimeComplete: Date? = nil, failReason: String? = nil
  ) {
    self.id = id
    self.number = number
    self.state = state
    self.values = values
    self.params = params
    self.distributions = distributions
    self.intermediateValues = intermediateValues
    self.userAttrs = userAttrs
    self.systemAttrs = systemAttrs
    self.datetimeStart = datetimeStart
    self.datetimeComplete = datetimeComplete
    self.failReason = failReason
  }

  /// The single objective value, when there is exactly one.
  public var value: Double? {
    guard let values, values.count == 1 else { return nil }
    return values[0]
  }

  /// Seconds from start to completion, once finished.
  public var duration: TimeInterval? {
    guard let start = datetimeStart, let end = datetimeComplete else { return nil }
    return end.timeIntervalSince(start)
  }

  /// The last reported step and its value.
  public var lastStep: (step: Int, value: Double)? {
    intermediateValues.max { $0.key < $1.key }.map { ($0.key, $0.value) }
  }

  /// Params fixed by `enqueueTrial`, stored while the trial waits.
  public var fixedParams: [String: ParamValue] {
    guard case .object(let fixed)? = systemAttrs[SystemKey.fixedParams] else { return [:] }
    return fixed.compactMapValues(ParamValue.init(attr:))
  }
}

/// System attribute keys the core itself uses.
enum SystemKey {
  static let fixedParams = "fixed_params"
  /// How many times a trial failed as stale was enqueued again to reach this one.
  static let retryCount = "retry_count"
  /// The number of the first trial of a chain of retries.
  static let retriedFrom = "retried_from"
}

extension ParamValue {
  init?(attr: AttrValue) {
    switch attr {
    case .double(let d): self = .float(d)
    case .int(let i): self = .int(i)
    case .string(let s): self = .string(s)
    case .bool(let b): self = .bool(b)
    default: return nil
    }
  }

  var attr: AttrValue {
    switch self {
    case .float(let d): .double(d)
    case .int(let i): .int(i)
    case .string(let s): .string(s)
    case .bool(let b): .bool(b)
    }
  }
}
