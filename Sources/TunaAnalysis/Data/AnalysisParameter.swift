import Foundation
import TunaSearch

/// One parameter as the analyses see it: its distribution widened to every range the study asked
/// it with, and the measure the analyses integrate over — uniform in the distribution's internal
/// unit (log space for log parameters, each choice equally likely for categoricals), as the
/// samplers' prior is.
///
/// A conditional parameter, absent from some trials, also has an *inactive* state whose mass is
/// the share of trials that lack it.
public struct AnalysisParameter: Sendable, Hashable {
  public let name: String
  /// The distribution, with the lowest `low` and the highest `high` seen in the trials.
  public let distribution: Distribution
  /// The share of the analysed trials that lack the parameter (0 for an unconditional one).
  public let inactiveShare: Double

  /// The range of the internal unit: for integers and stepped floats widened by half a step
  /// each side, so every grid point owns an equal share.
  public var internalBounds: (low: Double, high: Double) { distribution.internalBounds }

  public var isCategorical: Bool {
    if case .categorical = distribution { return true }
    return false
  }

  /// The number of choices of a categorical parameter (0 otherwise).
  public var choiceCount: Int {
    if case .categorical(let choices) = distribution { return choices.count }
    return 0
  }

  public var isLog: Bool {
    switch distribution {
    case .float(_, _, let log, _), .int(_, _, let log, _): log
    case .categorical: false
    }
  }
}

/// The parameters of `trials` to analyse: those in `names` in that order, or every parameter seen
/// in name order, each with its distributions merged across trials.
func analysisParameters(of trials: [FrozenTrial], names: [String]?) throws(AnalysisError) -> [AnalysisParameter] {
  let merged = mergedSearchSpace(of: trials)
  var present: [String: Int] = [:]
  for trial in trials {
    for name in trial.distributions.keys { present[name, default: 0] += 1 }
  }
  let chosen: [String]
  if let names {
    for name in names where merged[name] == nil {
      throw AnalysisError("parameter '\(name)' does not appear in any of the \(trials.count) trials analysed")
    }
    var seen = Set<String>()
    chosen = names.filter { seen.insert($0).inserted }
  } else {
    chosen = merged.keys.sorted()
  }
  return chosen.map { name in
    AnalysisParameter(
      name: name, distribution: merged[name]!,
      inactiveShare: trials.isEmpty ? 0 : 1 - Double(present[name] ?? 0) / Double(trials.count))
  }
}

/// The smallest distribution holding both ranges, keeping the newer one's log and step; nil when
/// the kinds differ (storage forbids it) or the choices do.
private func widen(_ a: Distribution, _ b: Distribution) -> Distribution? {
  switch (a, b) {
  case (.float(let l1, let h1, _, _), .float(let l2, let h2, let log, let step)):
    return .float(low: min(l1, l2), high: max(h1, h2), log: log, step: step)
  case (.int(let l1, let h1, _, _), .int(let l2, let h2, let log, let step)):
    return .int(low: min(l1, l2), high: max(h1, h2), log: log, step: step)
  case (.categorical(let c1), .categorical(let c2)):
    return c1 == c2 ? a : nil
  default:
    return nil
  }
}

/// Every parameter of `trials` with its distributions merged across them: the lowest `low`, the
/// highest `high`, the latest trial's log and step.
public func mergedSearchSpace(of trials: [FrozenTrial]) -> [String: Distribution] {
  var merged: [String: Distribution] = [:]
  for trial in trials {
    for (name, d) in trial.distributions {
      merged[name] = merged[name].flatMap { widen($0, d) } ?? d
    }
  }
  return merged
}

extension AnalysisParameter {
  /// A point in the internal unit as a plain number to plot: the value itself for numbers (log
  /// parameters too, whose axes are logarithmic), the choice's index for categoricals.
  public func plotCoordinate(internal x: Double) -> Double {
    switch distribution {
    case .float(_, _, let log, _), .int(_, _, let log, _): log ? exp(x) : x
    case .categorical: x
    }
  }
}
