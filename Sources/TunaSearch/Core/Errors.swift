/// Thrown by an objective to end its trial as pruned (`trial:prune()` in Lua).
public struct TrialPruned: Error, CustomStringConvertible, Sendable {
  public init() {}
  public var description: String { "trial pruned" }
}

/// A misuse of the study API, worded for the person who wrote the script.
public struct StudyError: Error, CustomStringConvertible, Sendable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// A parameter asked twice in one trial with different distributions.
public struct ParameterConflict: Error, CustomStringConvertible, Sendable {
  public let name: String
  public let existing: Distribution
  public let asked: Distribution
  public var description: String {
    "parameter '\(name)' was already suggested in this trial as \(existing); it cannot be \(asked)"
  }
}
