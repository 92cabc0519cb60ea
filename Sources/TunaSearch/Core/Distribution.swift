import Foundation

/// The range a parameter is drawn from, with Optuna's semantics: bounds are inclusive, `log`
/// and `step` exclude each other, `log` needs a positive `low`, and a `high` that the step does
/// not reach is lowered to the last point on the grid.
///
/// Samplers work in one internal unit per distribution (`toInternal`/`fromInternal`): the
/// log of the value for log distributions, the value itself otherwise, and the index of the
/// choice for categoricals.
public enum Distribution: Hashable, Sendable, CustomStringConvertible {
  case float(low: Double, high: Double, log: Bool, step: Double?)
  case int(low: Int, high: Int, log: Bool, step: Int)
  case categorical([ParamValue])

  // MARK: Validated constructors

  public static func float(_ low: Double, _ high: Double, log: Bool = false, step: Double? = nil)
    throws(InvalidArgument) -> Distribution
  {
    guard low.isFinite else { throw InvalidArgument("low", "low must be finite, got \(formatDouble(low))") }
    guard high.isFinite else { throw InvalidArgument("high", "high must be finite, got \(formatDouble(high))") }
    guard low <= high else {
      throw InvalidArgument("high", "low must be <= high, got \(formatDouble(low)) > \(formatDouble(high))")
    }
    if let step {
      guard !log else { throw InvalidArgument("step", "step and log cannot be used together") }
      guard step > 0, step.isFinite else {
        throw InvalidArgument("step", "step must be > 0, got \(formatDouble(step))")
      }
      // As Optuna does in decimal: a high on the grid stays as given (3 * 0.3 is not 0.9 in
      // binary), one off the grid is lowered to the last grid point, written as briefly as it
      // can be (0.9, not 0.8999999999999999).
      let r = (high - low) / step
      // Samplers count the grid's points in Int.
      guard r <= 0x1p62 else {
        throw InvalidArgument("step", "step \(formatDouble(step)) is too small for the range: more than 2^62 grid points")
      }
      if abs(r - r.rounded()) <= 1e-9 * max(1, r) {
        return .float(low: low, high: high, log: false, step: step)
      }
      let last = low + r.rounded(.down) * step
      return .float(low: low, high: shortestNear(last, within: 1e-9 * step, atMost: high), log: false, step: step)
    }
    if log, low <= 0 {
      throw InvalidArgument("low", "low must be > 0 for a log distribution, got \(formatDouble(low))")
    }
    return .float(low: low, high: high, log: log, step: nil)
  }

  public static func int(_ low: Int, _ high: Int, log: Bool = false, step: Int = 1)
    throws(InvalidArgument) -> Distribution
  {
    guard low <= high else { throw InvalidArgument("high", "low must be <= high, got \(low) > \(high)") }
    // Wider ranges would overflow (and trap) in every computation on the grid.
    guard !high.subtractingReportingOverflow(low).overflow else {
      throw InvalidArgument("high", "high - low must be at most \(Int.max), got \(low) to \(high)")
    }
    guard step > 0 else { throw InvalidArgument("step", "step must be > 0, got \(step)") }
    if log {
      guard step == 1 else { throw InvalidArgument("step", "step and log cannot be used together") }
      guard low >= 1 else { throw InvalidArgument("low", "low must be >= 1 for a log distribution, got \(low)") }
    }
    let high = low + (high - low) / step * step
    return .int(low: low, high: high, log: log, step: step)
  }

  public static func categorical(choices: [ParamValue]) throws(InvalidArgument) -> Distribution {
    guard !choices.isEmpty else { throw InvalidArgument("choices", "choices must not be empty") }
    // Distinct as `matches` judges (3 and 3.0 are one choice), in one pass: comparing every pair
    // took 8 s for 100,000 choices, out of reach of any time limit.
    enum Key: Hashable {
      case number(Double)
      case other(ParamValue)
    }
    var seen = Set<Key>(minimumCapacity: choices.count)
    for a in choices {
      if case .float(let v) = a, v.isNaN { throw InvalidArgument("choices", "choices must not contain nan") }
      guard seen.insert(a.number.map(Key.number) ?? .other(a)).inserted else {
        throw InvalidArgument("choices", "choices must be distinct, got \(a) twice")
      }
    }
    return .categorical(choices)
  }

  // MARK: Queries

  /// The name of the kind: `float`, `int` or `categorical`.
  public var kind: String {
    switch self {
    case .float: "float"
    case .int: "int"
    case .categorical: "categorical"
    }
  }

  /// Whether the distribution holds one value only (samplers are not asked for it).
  public var isSingle: Bool {
    switch self {
    case .float(let low, let high, _, _): low == high
    case .int(let low, let high, _, _): low == high
    case .categorical(let choices): choices.count == 1
    }
  }

  /// The value of a distribution that holds only one.
  public var singleValue: ParamValue? {
    switch self {
    case .float(let low, let high, _, _): low == high ? .float(low) : nil
    case .int(let low, let high, _, _): low == high ? .int(low) : nil
    case .categorical(let choices): choices.count == 1 ? choices[0] : nil
    }
  }

  /// Whether `value` is a value of this distribution.
  public func contains(_ value: ParamValue) -> Bool {
    switch self {
    case .float(let low, let high, _, let step):
      guard let v = value.number, v.isFinite, v >= low, v <= high else { return false }
      guard let step else { return true }
      let k = (v - low) / step
      return abs(k - k.rounded()) < 1e-8 * max(1, abs(k))
    case .int(let low, let high, _, let step):
      guard let v = value.number, v == v.rounded(), v >= Double(low), v <= Double(high) else { return false }
      return (Int(v) - low) % step == 0
    case .categorical(let choices):
      return choices.contains { $0.matches(value) }
    }
  }

  /// The value in the samplers' unit: log-space for log distributions, the choice's index for
  /// categoricals. Nil when the value is not one of this distribution's kind.
  public func toInternal(_ value: ParamValue) -> Double? {
    switch self {
    case .float(_, _, let log, _), .int(_, _, let log, _):
      guard let v = value.number else { return nil }
      return log ? Foundation.log(v) : v
    case .categorical(let choices):
      return choices.firstIndex { $0.matches(value) }.map(Double.init)
    }
  }

  /// The nearest value of the distribution to an internal-unit number: exponentiated for log,
  /// snapped to the step, clamped to the bounds; the nearest index for categoricals.
  public func fromInternal(_ x: Double) -> ParamValue {
    switch self {
    case .float(let low, let high, let log, let step):
      var v = log ? exp(x) : x
      if let step { v = low + ((v - low) / step).rounded() * step }
      return .float(min(max(v, low), high))
    case .int(let low, let high, let log, let step):
      let v = log ? exp(x) : x
      guard v.isFinite else { return .int(v > 0 ? high : low) }
      let k = ((v - Double(low)) / Double(step)).rounded()
      // Compared in Double, converted only below the last step: a range may span all of Int,
      // whose last step count does not survive the round trip through Double.
      let last = (high - low) / step
      let steps = k <= 0 ? 0 : k >= Double(last) ? last : Int(k)
      return .int(low + steps * step)
    case .categorical(let choices):
      guard x.isFinite else { return choices[0] }
      let i = min(max(Int(x.rounded()), 0), choices.count - 1)
      return choices[i]
    }
  }

  /// The bounds of the internal unit a continuous sampler should search: for integers and
  /// stepped floats each end is widened by half a step so every point has an equal share.
  public var internalBounds: (low: Double, high: Double) {
    switch self {
    case .float(let low, let high, let log, let step):
      if log { return (Foundation.log(low), Foundation.log(high)) }
      if let step { return (low - step / 2, high + step / 2) }
      return (low, high)
    case .int(let low, let high, let log, let step):
      if log { return (Foundation.log(Double(low) - 0.5), Foundation.log(Double(high) + 0.5)) }
      return (Double(low) - Double(step) / 2, Double(high) + Double(step) / 2)
    case .categorical(let choices):
      return (-0.5, Double(choices.count) - 0.5)
    }
  }

  /// Whether a parameter may be asked with `other` in a study where it was asked with `self`:
  /// ranges may change between trials, kinds may not, and neither may categorical choices.
  public func isCompatible(with other: Distribution) -> Bool {
    switch (self, other) {
    case (.float, .float), (.int, .int): true
    case (.categorical(let a), .categorical(let b)): a == b
    default: false
    }
  }

  public var description: String {
    switch self {
    case .float(let low, let high, let log, let step):
      var s = "float [\(formatDouble(low)), \(formatDouble(high))]"
      if log { s += " log" }
      if let step { s += " step \(formatDouble(step))" }
      return s
    case .int(let low, let high, let log, let step):
      var s = "int [\(low), \(high)]"
      if log { s += " log" }
      if step != 1 { s += " step \(step)" }
      return s
    case .categorical(let choices):
      return "categorical {" + choices.map(\.description).joined(separator: ", ") + "}"
    }
  }
}

/// The number with the fewest significant digits within `tolerance` of `x` and not above
/// `limit`: `x` itself when no shorter one is.
private func shortestNear(_ x: Double, within tolerance: Double, atMost limit: Double) -> Double {
  for digits in 1...16 {
    if let y = Double(String(format: "%.\(digits)g", x)), abs(y - x) <= tolerance, y <= limit { return y }
  }
  return x
}
