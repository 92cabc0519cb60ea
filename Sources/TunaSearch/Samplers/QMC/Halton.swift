import Foundation

/// A Halton sequence: dimension d is the radical inverse of the point's index in the d-th prime
/// base. Scrambled, each digit position of each dimension has its own random permutation of the
/// base's digits (Braaten and Weller 1979; the random version of Mascagni and Chi 2004), applied
/// to as many digits as a double resolves: a uniformly random permutation for bases up to 256,
/// and for larger bases (past the 54th dimension), where tables would grow with the base, a
/// random affine one, d ↦ (a d + c) mod b with a ≠ 0.
struct HaltonSequence {
  let dimensions: Int
  let bases: [Int]
  /// scrambles[d][j] scrambles digit j (0 the most significant) of dimension d; empty
  /// unscrambled.
  private var scrambles: [[DigitScramble]]

  enum DigitScramble {
    case table([Int])
    case affine(multiplier: Int, offset: Int)

    @inline(__always)
    func apply(_ digit: Int, base: Int) -> Int {
      switch self {
      case .table(let p): p[digit]
      case .affine(let a, let c): (a * digit + c) % base
      }
    }
  }

  init(dimensions: Int, scrambleSeed: UInt64?) {
    precondition(dimensions >= 1, "a Halton sequence needs at least 1 dimension, got \(dimensions)")
    self.dimensions = dimensions
    bases = Self.primes(dimensions)
    scrambles = []
    guard let seed = scrambleSeed else { return }
    var rng = RandomSource(seed: seed)
    scrambles = bases.map { base in
      (0..<Self.digits(base)).map { _ in
        if base <= 256 {
          var p = Array(0..<base)
          p.shuffle(using: &rng)
          return .table(p)
        }
        return .affine(multiplier: rng.integer(1, base - 1), offset: rng.integer(0, base - 1))
      }
    }
  }

  /// The digits a scrambled coordinate has in `base`: as many as keep b^-k above 2^-52.
  static func digits(_ base: Int) -> Int {
    max(1, Int((52 * log(2.0) / log(Double(base))).rounded(.down)))
  }

  /// The first `count` primes, by a sieve of Eratosthenes up to Rosser's bound on the n-th
  /// prime, n (ln n + ln ln n) for n >= 6.
  static func primes(_ count: Int) -> [Int] {
    guard count > 0 else { return [] }
    let n = Double(max(count, 6))
    let limit = Int(n * (log(n) + log(log(n)))) + 1
    var composite = [Bool](repeating: false, count: limit + 1)
    var result: [Int] = []
    result.reserveCapacity(count)
    var candidate = 2
    while result.count < count {
      if !composite[candidate] {
        result.append(candidate)
        var multiple = candidate * candidate
        while multiple <= limit {
          composite[multiple] = true
          multiple += candidate
        }
      }
      candidate += 1
    }
    return result
  }

  /// Writes points `start ..< start + count`, row after row, into `out` (count × dimensions).
  func fill(start: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
    precondition(start >= 0 && count >= 0, "Halton points need a start and count >= 0")
    let below1 = Double(1).nextDown
    var digits: [Int] = []
    for i in 0..<count {
      let index = start + i
      let row = out + i * dimensions
      for d in 0..<dimensions {
        let b = bases[d]
        var x = 0.0
        if scrambles.isEmpty {
          var n = index
          var f = 1.0 / Double(b)
          while n > 0 {
            x += f * Double(n % b)
            n /= b
            f /= Double(b)
          }
        } else {
          // Horner from the least significant scrambled digit up: x = (p0(d0) + (p1(d1) + …)/b)/b.
          let digitScrambles = scrambles[d]
          let k = digitScrambles.count
          digits.removeAll(keepingCapacity: true)
          var n = index
          for _ in 0..<k {
            digits.append(n % b)
            n /= b
          }
          for j in stride(from: k - 1, through: 0, by: -1) {
            x = (Double(digitScrambles[j].apply(digits[j], base: b)) + x) / Double(b)
          }
        }
        row[d] = min(x, below1)
      }
    }
  }
}
