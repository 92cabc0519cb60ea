import Foundation

/// Quasi-Monte Carlo point sets in the unit cube [0, 1)^d: low-discrepancy sequences that cover
/// a space more evenly than independent uniform draws.
///
/// ```swift
/// let points = QMC.sobol(dimensions: 3, count: 8, scrambleSeed: nil)
/// // [[0, 0, 0], [0.5, 0.5, 0.5], [0.75, 0.25, 0.25], [0.25, 0.75, 0.75], …]
/// ```
public enum QMC {
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case sobol, halton
  }

  /// The end of the indices each sequence is defined for here: Sobol's 32-bit direction numbers
  /// give 2^32 points; Halton's indices stay below 2^52 so that digit arithmetic cannot overflow.
  public static func indexLimit(_ kind: Kind) -> Int { kind == .sobol ? 1 << 32 : 1 << 52 }

  /// Why `sobol`/`halton` would refuse these arguments (a precondition there), or nil: callers
  /// that take them from users ask first and report the reason.
  public static func problem(_ kind: Kind, dimensions: Int, count: Int, skip: Int) -> String? {
    if dimensions < 1 { return "dimensions must be at least 1, got \(dimensions)" }
    if kind == .sobol, dimensions > maxSobolDimensions { return "at most \(maxSobolDimensions) dimensions, got \(dimensions)" }
    if kind == .halton, dimensions > maxHaltonDimensions {
      return "at most \(maxHaltonDimensions) dimensions, got \(dimensions)"
    }
    if count < 0 { return "count must be >= 0, got \(count)" }
    if skip < 0 { return "skip must be >= 0, got \(skip)" }
    let limit = indexLimit(kind)
    if skip > limit - min(count, limit) {
      return "points \(skip) ..< \(skip) + \(count) are past the sequence's end (\(limit) points)"
    }
    return nil
  }

  /// The most dimensions `sobol` has direction numbers for (Joe and Kuo's new-joe-kuo-6.21201,
  /// the first 1,024 of its 21,201).
  public static let maxSobolDimensions = SobolDirectionNumbers.count

  /// The most dimensions `halton` builds: a base per dimension (the 100,000th prime is
  /// 1,299,709) and, scrambled, a digit scramble per digit of each. Far past where Halton points
  /// stop being more even than random ones (a few dozen dimensions without scrambling).
  public static let maxHaltonDimensions = 100_000

  /// Points `skip ..< skip + count` of the Sobol sequence (Sobol 1967, with Joe and Kuo's 2008
  /// direction numbers, in Gray-code order as SciPy gives them; unscrambled, the first point is
  /// the origin and dimension 1 runs 0, 0.5, 0.75, 0.25, …).
  ///
  /// - Parameters:
  ///   - dimensions: 1 ... `maxSobolDimensions`; more is a precondition failure.
  ///   - count: the number of points; `skip + count` must be at most 2^32.
  ///   - scrambleSeed: nil for the plain sequence; a seed for a linear matrix scramble with a
  ///     random digital shift (different seeds, independent randomizations of the same net).
  /// - Returns: `count` points of `dimensions` coordinates each, in [0, 1).
  public static func sobol(dimensions: Int, count: Int, skip: Int = 0, scrambleSeed: UInt64?) -> [[Double]] {
    precondition(problem(.sobol, dimensions: dimensions, count: count, skip: skip) == nil,
                 "QMC.sobol: \(problem(.sobol, dimensions: dimensions, count: count, skip: skip) ?? "")")
    let sequence = SobolSequence(dimensions: dimensions, scrambleSeed: scrambleSeed)
    return rows(dimensions: dimensions, count: count) { sequence.fill(start: skip, count: count, into: $0) }
  }

  /// Points `skip ..< skip + count` of the Halton sequence (the radical inverses of the index in
  /// the first `dimensions` primes; unscrambled, the first point is the origin).
  ///
  /// - Parameters:
  ///   - scrambleSeed: nil for the plain sequence; a seed for random digit permutations (one per
  ///     digit position and dimension), which break the correlations between high dimensions.
  /// - Returns: `count` points of `dimensions` coordinates each, in [0, 1).
  public static func halton(dimensions: Int, count: Int, skip: Int = 0, scrambleSeed: UInt64?) -> [[Double]] {
    precondition(problem(.halton, dimensions: dimensions, count: count, skip: skip) == nil,
                 "QMC.halton: \(problem(.halton, dimensions: dimensions, count: count, skip: skip) ?? "")")
    let sequence = HaltonSequence(dimensions: dimensions, scrambleSeed: scrambleSeed)
    return rows(dimensions: dimensions, count: count) { sequence.fill(start: skip, count: count, into: $0) }
  }

  /// The centered L2 discrepancy of points in [0, 1]^d (Hickernell 1998): lower is more even.
  public static func centeredL2Discrepancy(_ points: [[Double]]) -> Double {
    guard let d = points.first?.count, d > 0 else { return 0 }
    let n = Double(points.count)
    var term2 = 0.0
    for p in points {
      var prod = 1.0
      for x in p {
        let a = abs(x - 0.5)
        prod *= 1 + 0.5 * a - 0.5 * a * a
      }
      term2 += prod
    }
    var term3 = 0.0
    for p in points {
      for q in points {
        var prod = 1.0
        for k in 0..<d {
          let a = abs(p[k] - 0.5), b = abs(q[k] - 0.5)
          prod *= 1 + 0.5 * a + 0.5 * b - 0.5 * abs(p[k] - q[k])
        }
        term3 += prod
      }
    }
    let term1 = pow(13.0 / 12.0, Double(d))
    return term1 - 2 / n * term2 + term3 / (n * n)
  }

  private static func rows(dimensions: Int, count: Int, _ fill: (UnsafeMutablePointer<Double>) -> Void) -> [[Double]] {
    guard count > 0 else { return [] }
    var flat = [Double](repeating: 0, count: count * dimensions)
    flat.withUnsafeMutableBufferPointer { fill($0.baseAddress!) }
    return (0..<count).map { Array(flat[$0 * dimensions..<($0 + 1) * dimensions]) }
  }
}
