import TunaSearch

/// Keeps big studies' plots small: at most `limit` of `items`, always including those `keep`
/// marks (best trials, record-breaking ones) up to the limit, then a seeded sample of the rest,
/// in their original order.
func sample<T>(_ items: [T], limit: Int, seed: UInt64, keep: (T) -> Bool = { _ in false }) -> [T] {
  guard items.count > limit else { return items }
  var chosen = [Bool](repeating: false, count: items.count)
  var count = 0
  for i in items.indices where count < limit && keep(items[i]) {
    chosen[i] = true
    count += 1
  }
  var rest = items.indices.filter { !chosen[$0] }
  var rng = RandomSource(seed: seed, stream: 0x5341_4D50)
  let wanted = min(limit - count, rest.count)
  for i in 0..<wanted { rest.swapAt(i, rng.integer(i, rest.count - 1)) }
  for i in rest.prefix(wanted) { chosen[i] = true }
  return items.indices.filter { chosen[$0] }.map { items[$0] }
}

/// The `count` best of `trials` by objective `index` in `direction` (finite values only).
func bestTrials(_ trials: [FrozenTrial], objective index: Int, direction: StudyDirection, count: Int) -> Set<Int> {
  let ranked = trials.compactMap { t -> (Int, Double)? in
    guard let v = t.values, v.count > index, v[index].isFinite else { return nil }
    return (t.number, v[index])
  }.sorted { direction.isBetter($0.1, than: $1.1) || ($0.1 == $1.1 && $0.0 < $1.0) }
  return Set(ranked.prefix(count).map(\.0))
}
