import TunaRandom

/// Seeded shuffles written out here, so that a seed gives the same order whatever the standard
/// library's `shuffle(using:)` does in a later Swift release.
enum Shuffling {
  /// Fisher–Yates (Durstenfeld's form, Knuth TAOCP vol. 2, Algorithm 3.4.2P), in place.
  static func shuffle<T>(_ a: inout [T], _ rng: inout RandomSource) {
    guard a.count > 1 else { return }
    for i in stride(from: a.count - 1, to: 0, by: -1) {
      let j = rng.integer(0, i)
      if i != j { a.swapAt(i, j) }
    }
  }

  /// A random permutation of 0..<n.
  static func permutation(_ n: Int, _ rng: inout RandomSource) -> [Int] {
    var p = Array(0..<n)
    shuffle(&p, &rng)
    return p
  }
}
