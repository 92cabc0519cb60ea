import TunaSearch

/// The number an analysis explains for each trial, and which way is better.
///
/// By default it is the study's objective (the first one of a multi-objective study); `objective`
/// picks another, and `custom` any function of the trial (a weighted sum of objectives, a user
/// attribute), as Optuna's `target` argument does. A trial whose target is nil, NaN or infinite
/// is left out.
public struct AnalysisTarget {
  /// The trial's target value, or nil to leave the trial out.
  public let value: (FrozenTrial) throws -> Double?
  /// The direction in which the target is better (PED-ANOVA's top trials are the best ones).
  public let direction: StudyDirection
  /// How the target is named on plots and in messages.
  public let name: String

  public init(name: String, direction: StudyDirection, value: @escaping (FrozenTrial) throws -> Double?) {
    self.name = name
    self.direction = direction
    self.value = value
  }

  /// Objective `index` (from 0) of a study with these directions.
  public static func objective(_ index: Int, of directions: [StudyDirection]) throws(AnalysisError) -> AnalysisTarget {
    guard directions.indices.contains(index) else {
      throw AnalysisError("objective index \(index) is out of range: the study has \(directions.count) objective\(directions.count == 1 ? "" : "s")")
    }
    let count = directions.count
    let name = count == 1 ? "objective value" : "objective \(index)"
    return AnalysisTarget(name: name, direction: directions[index]) { trial in
      guard let values = trial.values, values.count == count else { return nil }
      return values[index]
    }
  }
}
