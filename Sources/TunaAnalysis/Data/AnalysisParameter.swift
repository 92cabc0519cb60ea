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

/// The parameters to analyse: those in `names` in that order, or every parameter seen in name
/// order. Names and distributions come from `known` (every complete trial: a parameter named
/// there is never unknown, even when only trials without a usable target have it); the share of
/// `trials` (those analysed) without each parameter is its inactive share.
func analysisParameters(of trials: [FrozenTrial], known: [FrozenTrial], names: [String]?) throws(AnalysisError) -> [AnalysisParameter] {
  let merged = mergedSearchSpace(of: known + trials)
  var present: [String: Int] = [:]
  for trial in trials {
    for name in trial.distributions.keys { present[name, default: 0] += 1 }
  }
  let chosen: [String]
  if let names {
    for name in names where merged[name] == nil {
      throw AnalysisError("parameter '\(name)' does not appear in any complete trial")
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

/// The smallest distribution holding both ranges, built through the validated constructors: log
/// only when both are log, a step only when both have the same one; nil when the kinds differ
/// (storage forbids it), the choices do, or no valid distribution holds both (an integer span
/// past Int.max), and then the caller keeps the newer one.
private func widen(_ a: Distribution, _ b: Distribution) -> Distribution? {
  switch (a, b) {
  case (.float(let l1, let h1, let log1, let s1), .float(let l2, let h2, let log2, let s2)):
    return try? Distribution.float(min(l1, l2), max(h1, h2), log: log1 && log2, step: s1 == s2 ? s1 : nil)
  case (.int(let l1, let h1, let log1, let s1), .int(let l2, let h2, let log2, let s2)):
    return try? Distribution.int(min(l1, l2), max(h1, h2), log: log1 && log2, step: s1 == s2 ? s1 : 1)
  case (.categorical(let c1), .categorical(let c2)):
    return c1 == c2 ? a : nil
  default:
    return nil
  }
}

/// Every parameter of `trials` with its distributions merged across them: the lowest `low` and
/// the highest `high` (see `widen`).
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
