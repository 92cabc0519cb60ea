import Foundation

/// Hyperband (Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
/// Optimization", JMLR 2018) run asynchronously: several successive-halving brackets that trade
/// how many configurations are tried against how early they are judged.
///
/// With s_max = ⌊log_η(maxResource / minResource)⌋ there are s_max + 1 brackets. Bracket i is
/// ASHA with minimum early-stopping rate i: its first rung sits at minResource · η^i, so bracket
/// 0 judges trials earliest and the last bracket latest (at maxResource itself when the ratio
/// maxResource / minResource is a power of η; otherwise at the largest such step below it). Each trial
/// joins one bracket, fixed by its number and the study's name; brackets get trials in the
/// proportions the paper gives them, n_s = ⌈(s_max + 1) η^s / (s + 1)⌉ for the bracket with s
/// halvings (s = s_max − i). Rungs are kept per bracket, and a sampler picking a trial's
/// parameters sees only the trials of its bracket (`samplerPartition`), as each bracket of the
/// paper runs its own search.
public final class HyperbandPruner: PartitioningPruner {
  public let minResource: Int
  public let maxResource: Int
  public let reductionFactor: Int
  public let bootstrapCount: Int
  /// One successive-halving pruner per bracket, bracket 0 (earliest judgement) first.
  let brackets: [SuccessiveHalvingPruner]
  /// Each bracket's share of the trials (the paper's n_s), in bracket order.
  let weights: [Int]

  public init(minResource: Int = 1, maxResource: Int = 81, reductionFactor: Int = 3, bootstrapCount: Int = 0) throws {
    try InvalidArgument.require("minResource", minResource, atLeast: 1)
    guard maxResource > minResource else {
      throw InvalidArgument("maxResource", "maxResource must be greater than minResource, got \(maxResource) <= \(minResource)")
    }
    try InvalidArgument.require("reductionFactor", reductionFactor, atLeast: 2)
    self.minResource = minResource
    self.maxResource = maxResource
    self.reductionFactor = reductionFactor
    self.bootstrapCount = bootstrapCount
    var sMax = 0
    while let next = SuccessiveHalvingPruner.rungStep(minResource: minResource, reductionFactor: reductionFactor, rate: sMax + 1),
      next <= maxResource
    {
      sMax += 1
    }
    var brackets: [SuccessiveHalvingPruner] = []
    var weights: [Int] = []
    for i in 0...sMax {
      brackets.append(try SuccessiveHalvingPruner(
        minResource: .steps(minResource), reductionFactor: reductionFactor, minEarlyStoppingRate: i,
        bootstrapCount: bootstrapCount, keyPrefix: "hyperband:\(i):"))
      let s = sMax - i
      let scale = pow(Double(reductionFactor), Double(s))
      weights.append(Int((Double(sMax + 1) * scale / Double(s + 1)).rounded(.up)))
    }
    self.brackets = brackets
    self.weights = weights
  }

  /// The bracket trial `number` of the study `studyName` belongs to.
  public func bracket(ofTrial number: Int, studyName: String) -> Int {
    Self.bracket(ofTrial: number, studyHash: stableHash(studyName), weights: weights)
  }

  static func bracket(ofTrial number: Int, studyHash: UInt64, weights: [Int]) -> Int {
    let total = UInt64(weights.reduce(0, +))
    var ticket = mix(studyHash ^ UInt64(truncatingIfNeeded: number)) % total
    for (i, w) in weights.enumerated() {
      if ticket < UInt64(w) { return i }
      ticket -= UInt64(w)
    }
    return weights.count - 1
  }

  public func shouldPrune(_ context: PrunerContext) throws -> Bool {
    try brackets[bracket(ofTrial: context.trial.number, studyName: context.history.studyName)].shouldPrune(context)
  }

  public func samplerPartition(trialNumber: Int, history: TrialHistory) -> HistoryPartition? {
    let hash = stableHash(history.studyName)
    let weights = weights
    let mine = Self.bracket(ofTrial: trialNumber, studyHash: hash, weights: weights)
    return HistoryPartition(key: mine) { number in Self.bracket(ofTrial: number, studyHash: hash, weights: weights) == mine }
  }

  /// SplitMix64's finalizer: spreads consecutive trial numbers over the tickets.
  static func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9e37_79b9_7f4a_7c15
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
