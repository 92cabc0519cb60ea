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

/// An argument out of range, in the spirit of swift-argument-parser's `ValidationError`: the
/// one error every constructor and builder of the search core throws for a bad setting. The
/// argument and the message use the core's own (Swift) names; a binding renders them its way.
public struct InvalidArgument: Error, CustomStringConvertible, Sendable, Equatable {
  /// The argument's name, as the Swift API spells it (`populationSize`).
  public let argument: String
  public let message: String
  public init(_ argument: String, _ message: String) {
    self.argument = argument
    self.message = message
  }
  public var description: String { message }

  /// Throws unless `value >= minimum`, saying so in the one wording the core uses.
  static func require(_ argument: String, _ value: Int, atLeast minimum: Int) throws(InvalidArgument) {
    guard value >= minimum else { throw InvalidArgument(argument, "\(argument) must be >= \(minimum), got \(value)") }
  }
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
