/// What values cost once kept in a Swift collection, roughly: enough for a memory limit to count
/// what a storage holds in memory (a string's bytes past the 15 kept inline, the slots of a
/// dictionary's entries), not an allocator's exact figure.
enum StoredSize {
  /// A trial with nothing set yet, and its place in the storage's arrays. Growing collections
  /// are counted per element at their worst amortized cost (a table that doubles when full holds
  /// up to twice its elements' slots, and both tables while it moves), so the count grows
  /// smoothly with what is kept rather than in jumps.
  static let trial = 2 * (MemoryLayout<FrozenTrial>.stride + 16)

  /// An intermediate value: a step and a value in a hash table (slot of 16 bytes, at most 3/4 full).
  static let step = 2 * 22

  static func string(_ s: String) -> Int {
    let n = s.utf8.count
    return 16 + (n > 15 ? n + 32 : 0)
  }

  /// One dictionary entry (its slot and the table's spare room) with `key` and a value of `value` bytes.
  static func entry(_ key: String, _ value: Int) -> Int { 16 + string(key) + value }

  static func param(_ value: ParamValue) -> Int {
    if case .string(let s) = value { return string(s) }
    return 16
  }

  static func attr(_ value: AttrValue) -> Int {
    switch value {
    case .null, .bool, .int, .double: 16
    case .string(let s): string(s)
    case .array(let items): 48 + items.reduce(0) { $0 + attr($1) }
    case .object(let fields): 64 + fields.reduce(0) { $0 + entry($1.key, attr($1.value)) }
    }
  }

  static func distribution(_ d: Distribution) -> Int {
    if case .categorical(let choices) = d { return 64 + choices.reduce(0) { $0 + param($1) } }
    return 48
  }

  /// A whole trial, as a copy adds it.
  static func of(_ t: FrozenTrial) -> Int {
    var bytes = trial + t.intermediateValues.count * step + (t.values.map { 32 + 8 * $0.count } ?? 0)
    bytes += t.failReason.map(string) ?? 0
    for (name, value) in t.params { bytes += entry(name, param(value)) }
    for (name, d) in t.distributions { bytes += entry(name, distribution(d)) }
    for (key, value) in t.userAttrs { bytes += entry(key, attr(value)) }
    for (key, value) in t.systemAttrs { bytes += entry(key, attr(value)) }
    return bytes
  }
}
