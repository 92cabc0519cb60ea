/// A subset of a study's trials, chosen by trial number: what a sampler sees of the study when
/// a pruner splits it (Hyperband's brackets each run their own search).
public struct HistoryPartition: Sendable {
  /// Names the subset: two partitions with the same key hold the same trials.
  public let key: Int
  /// Whether trial `number` belongs to the subset; fixed for the life of the study.
  public let contains: @Sendable (Int) -> Bool

  public init(key: Int, contains: @escaping @Sendable (Int) -> Bool) {
    self.key = key
    self.contains = contains
  }
}
