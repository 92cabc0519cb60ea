import Foundation

/// Lets long training work stop early: a model polls it between units of work (a batch, a tree
/// node, a block of generated rows, a fold) and throws ``TrainingStopped`` once it says so.
///
/// Work picks up the cancellation current on its calling thread (``withCurrent(_:_:)``) and hands
/// it to the threads it starts; without one, nothing is polled.
public struct Cancellation: Sendable {
  private let probe: @Sendable () -> Bool

  /// A cancellation that holds once `probe` returns true (it is called from any thread).
  public init(_ probe: @escaping @Sendable () -> Bool) { self.probe = probe }

  public var isCancelled: Bool { probe() }

  /// Throws ``TrainingStopped`` when cancelled.
  public func check() throws(TrainingStopped) {
    if probe() { throw TrainingStopped() }
  }

  private static let key = "TunaTrain.Cancellation"

  /// The cancellation set on this thread, if any.
  public static var current: Cancellation? { Thread.current.threadDictionary[key] as? Cancellation }

  /// Runs `body` with `cancellation` current on this thread.
  public static func withCurrent<R>(_ cancellation: Cancellation?, _ body: () throws -> R) rethrows -> R {
    let dictionary = Thread.current.threadDictionary
    let previous = dictionary[key]
    dictionary[key] = cancellation
    defer { dictionary[key] = previous }
    return try body()
  }

  /// Throws when the current cancellation holds (none: never).
  static func checkCurrent() throws(TrainingStopped) { try current?.check() }
}

/// Thrown by training work whose ``Cancellation`` held.
public struct TrainingStopped: Error, CustomStringConvertible, Sendable {
  public init() {}
  public var description: String { "training was stopped" }
}
