import Foundation

/// What training work may still allocate on a caller's behalf (a script under a memory limit):
/// the training core asks before each large buffer — a generated dataset, a network's weights
/// and workspace, a forest's trees — and refuses with a `TrainError` naming the need and what
/// is left, instead of allocating past the limit.
///
/// The budget is checked here, and kept by the caller: it hears what was granted and can count
/// it for as long as it holds what was made (the Lua binding does, per object).
public struct MemoryBudget: Sendable {
  /// Takes `bytes` when they fit: nil when granted, otherwise the bytes that are left.
  private let claim: @Sendable (Int) -> Int?

  /// A budget that leaves `headroom()` bytes (nil: no limit). Called on the calling thread.
  /// `granted` hears every request that was let through (the caller may then count what the
  /// objects it keeps hold).
  public init(headroom: @escaping @Sendable () -> Int?, granted: (@Sendable (Int) -> Void)? = nil) {
    claim = { bytes in
      if let left = headroom(), bytes > left { return left }
      granted?(bytes)
      return nil
    }
  }

  /// A budget whose `claim` checks and takes in one step (what several threads sharing one
  /// limit need: two requests that each fit alone cannot both pass): it returns nil when it
  /// granted the bytes, otherwise the bytes that are left.
  public init(claim: @escaping @Sendable (Int) -> Int?) {
    self.claim = claim
  }

  /// Throws when `bytes` (for `what`, as messages name it) is more than is left.
  public func reserve(_ bytes: Int, for what: String) throws {
    if let left = claim(bytes) {
      throw TrainError(
        "\(what) needs \(Self.describe(bytes)), more than the memory limit leaves (\(Self.describe(left)))")
    }
  }

  private static let key = "TunaTrain.MemoryBudget"

  /// The budget set on this thread, if any.
  public static var current: MemoryBudget? { Thread.current.threadDictionary[key] as? MemoryBudget }

  /// Runs `body` with `budget` current on this thread.
  public static func withCurrent<R>(_ budget: MemoryBudget?, _ body: () throws -> R) rethrows -> R {
    let dictionary = Thread.current.threadDictionary
    let previous = dictionary[key]
    dictionary[key] = budget
    defer { dictionary[key] = previous }
    return try body()
  }

  /// Asks the current budget, if any, for `bytes`.
  static func reserveCurrent(_ bytes: Int, for what: String) throws { try current?.reserve(bytes, for: what) }

  /// The product (`rows × columns × bytesEach`), saturating instead of overflowing.
  public static func size(_ factors: Int...) -> Int {
    factors.reduce(1) { total, f in
      let (p, overflow) = total.multipliedReportingOverflow(by: max(f, 0))
      return overflow ? Int.max : p
    }
  }

  /// The sum, saturating instead of overflowing.
  public static func sum(_ terms: Int...) -> Int {
    terms.reduce(0) { total, t in
      let (s, overflow) = total.addingReportingOverflow(max(t, 0))
      return overflow ? Int.max : s
    }
  }

  /// `bytes` as messages give sizes: "1.5 GB", "64.0 MB", "12 KB".
  public static func describe(_ bytes: Int) -> String {
    if bytes >= 1 << 30 { return String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) }
    if bytes >= 1 << 20 { return String(format: "%.1f MB", Double(bytes) / Double(1 << 20)) }
    return "\(max(1, bytes / 1024)) KB"
  }
}
