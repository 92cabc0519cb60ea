/// SplitMix64: a seeded stream of numbers that is the same on every machine, for the tests'
/// random-input loops.
public struct SeededStream {
  public var state: UInt64
  public init(state: UInt64) { self.state = state }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
  public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
  public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
