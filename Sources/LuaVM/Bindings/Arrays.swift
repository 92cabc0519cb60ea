import CLua

extension Lua {
  /// The most items an array argument may hold: past it, a length is taken for a mistake (or
  /// an attack: `#t` is any border of the table, and can be 2^40 for a table of 43 entries).
  public static let maxArrayLength = 1 << 26

  /// Reads items 1…n of the table at `index`, n being its raw length: calls `item(i)` with item
  /// `i` on top of the stack (popped afterwards). A length over `maxArrayLength` or a hole (a nil
  /// before n) is an `ArgumentError` for argument `argument`, raised in the script; nothing is
  /// reserved for the length before the items are seen.
  public func readArray<T>(_ index: Int32, argument: Int32, _ item: (Int) throws -> T) throws -> [T] {
    let t = absolute(index)
    let n = rawLength(t)
    guard n <= Self.maxArrayLength else {
      throw ArgumentError(argument, "array too long (its length is \(n); at most \(Self.maxArrayLength))")
    }
    var items: [T] = []
    items.reserveCapacity(min(n, 1024))
    var i = 1
    while i <= n {
      if rawGet(t, index: i) == .nil {
        pop()
        throw ArgumentError(argument, "array has a hole at [\(i)] (its length is \(n))")
      }
      defer { pop() }
      items.append(try item(i))
      i += 1
    }
    return items
  }
}
