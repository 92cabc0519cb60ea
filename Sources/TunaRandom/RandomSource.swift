import Foundation

/// A seeded generator: xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
/// generators", 2021), seeded through SplitMix64. The same seed gives the same stream on every
/// platform, which `SystemRandomNumberGenerator` does not.
public struct RandomSource: RandomNumberGenerator, Sendable {
  private var s0, s1, s2, s3: UInt64

  public init(seed: UInt64) {
    var sm = seed
    s0 = Self.splitMix(&sm)
    s1 = Self.splitMix(&sm)
    s2 = Self.splitMix(&sm)
    s3 = Self.splitMix(&sm)
  }

  /// The stream for one trial of a study: independent of every other trial's stream, so a trial
  /// draws the same values whatever ran before it.
  public init(seed: UInt64, stream: Int) {
    var mix = seed ^ (UInt64(bitPattern: Int64(stream)) &* 0x9E37_79B9_7F4A_7C15)
    self.init(seed: Self.splitMix(&mix))
  }

  static func splitMix(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Uniform in [0, 1).
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// Uniform in [low, high).
  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * unit()
  }

  /// Uniform integer in low...high (inclusive), without modulo bias.
  public mutating func integer(_ low: Int, _ high: Int) -> Int {
    precondition(low <= high, "integer(low, high) needs low <= high")
    let span = UInt64(bitPattern: Int64(high &- low)) &+ 1
    if span == 0 { return Int(bitPattern: UInt(next())) }  // the whole range
    return low &+ Int(bitPattern: UInt(next(upperBound: span)))
  }

  /// Normal with mean `mu` and standard deviation `sigma` (Box–Muller).
  public mutating func normal(_ mu: Double = 0, _ sigma: Double = 1) -> Double {
    var u = unit()
    while u == 0 { u = unit() }
    let v = unit()
    return mu + sigma * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
  }
}
