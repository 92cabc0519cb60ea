/// Why an analysis could not run, worded for the person who asked for it.
public struct AnalysisError: Error, CustomStringConvertible, Sendable, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
