import Foundation

/// Wilcoxon's signed-rank test (Wilcoxon, "Individual Comparisons by Ranking Methods",
/// Biometrics Bulletin 1945), one-sided: how likely paired differences at least this far on the
/// positive side would be if the differences were symmetric about zero.
enum SignedRankTest {
  /// The p-value of "the differences tend to be positive". Zero differences are dropped
  /// (Wilcoxon's convention) and tied magnitudes share their average rank. Up to 50 differences
  /// the null distribution is enumerated exactly (ranks doubled to stay integers, so ties are
  /// exact too); beyond, the normal approximation with the tie-corrected variance and a
  /// continuity correction. No usable difference gives 1.
  static func pValueGreater(_ differences: [Double]) -> Double {
    let d = differences.filter { $0 != 0 && !$0.isNaN }
    let n = d.count
    guard n > 0 else { return 1 }
    // Doubled average ranks of |d|.
    let order = d.indices.sorted { abs(d[$0]) < abs(d[$1]) }
    var doubledRank = [Int](repeating: 0, count: n)
    var tieSizes: [Int] = []
    var i = 0
    while i < n {
      var j = i
      while j + 1 < n, abs(d[order[j + 1]]) == abs(d[order[i]]) { j += 1 }
      // Ranks i+1 … j+1 averaged, doubled: (i + 1) + (j + 1).
      for k in i...j { doubledRank[order[k]] = i + j + 2 }
      tieSizes.append(j - i + 1)
      i = j + 1
    }
    let observed = d.indices.reduce(0) { $0 + (d[$1] > 0 ? doubledRank[$1] : 0) }
    if n <= 50 { return exactUpperTail(doubledRanks: doubledRank, atLeast: observed) }

    let nD = Double(n)
    let mean = nD * (nD + 1) / 4
    let tieTerm = tieSizes.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) } / 48
    let variance = nD * (nD + 1) * (2 * nD + 1) / 24 - tieTerm
    guard variance > 0 else { return 1 }
    let w = Double(observed) / 2
    let z = (w - mean - 0.5) / variance.squareRoot()
    return 0.5 * erfc(z / 2.0.squareRoot())
  }

  /// P(sum of a random subset of `doubledRanks` ≥ `atLeast`), each rank in with probability ½.
  private static func exactUpperTail(doubledRanks: [Int], atLeast: Int) -> Double {
    let total = doubledRanks.reduce(0, +)
    // counts[s]: how many of the subsets seen so far sum to s (as probabilities, to stay finite).
    var counts = [Double](repeating: 0, count: total + 1)
    counts[0] = 1
    var reach = 0
    for r in doubledRanks {
      for s in stride(from: reach, through: 0, by: -1) where counts[s] != 0 {
        counts[s + r] += counts[s] * 0.5
        counts[s] *= 0.5
      }
      reach += r
    }
    var tail = 0.0
    for s in max(atLeast, 0)...total { tail += counts[s] }
    return min(tail, 1)
  }
}
