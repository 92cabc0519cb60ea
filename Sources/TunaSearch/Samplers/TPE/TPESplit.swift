import Foundation

/// The split of past trials into the good ones ("below", modelled by l(x)) and the rest
/// ("above", g(x)), the heart of TPE's policy (Bergstra et al. 2011; Watanabe 2023, §3.1).
///
/// As in Optuna: the best `gamma(n)` complete trials are below (n counts complete and pruned
/// trials); if fewer complete trials exist, pruned ones fill the rest, those that reached later
/// steps first and then by their last intermediate value; everything else is above, and so are
/// running trials under the constant liar. Multi-objective studies rank complete trials by
/// non-domination; the last front that does not fit whole is cut by crowding distance (Optuna
/// uses hypervolume subset selection there).
struct TPESplit {
  /// Record indices (into `TPEStudyCache.records`) of the below trials, by trial number.
  var below: [Int]
  /// Record indices of the above trials, by trial number.
  var above: [Int]

  /// - Parameter values: each record's objective values (read for several objectives only).
  init(
    records: [TPEStudyCache.Record], values: [[Double]?], slotsByNumber: [Int], directions: [StudyDirection], nBelow wanted: Int
  ) {
    let sign = directions[0] == .minimize ? 1.0 : -1.0
    var complete: [Int] = []
    var pruned: [Int] = []
    // Single objective: each record's value, signed so that smaller is better.
    var key = [Double](repeating: 0, count: records.count)
    complete.reserveCapacity(records.count)
    for slot in records.indices {
      if records[slot].state == .pruned {
        pruned.append(slot)
      } else if records[slot].valueCount == directions.count {
        complete.append(slot)
        key[slot] = sign * records[slot].firstValue
      }
    }
    var isBelow = [Bool](repeating: false, count: records.count)
    var remaining = max(0, wanted)

    let chosen: [Int]
    if directions.count == 1 {
      chosen = Self.best(complete, count: remaining) { a, b in
        key[a] < key[b] || (key[a] == key[b] && records[a].number < records[b].number)
      }
    } else {
      chosen = Self.bestByDomination(complete, count: remaining, records: records, values: values, directions: directions)
    }
    for slot in chosen { isBelow[slot] = true }
    remaining -= chosen.count

    func prunedKey(_ slot: Int) -> (Double, Double) {
      guard let last = records[slot].lastStep else { return (1, 0) }
      return (-Double(last.step), last.value.isNaN ? .infinity : sign * last.value)
    }
    let chosenPruned = Self.best(pruned, count: remaining) { a, b in
      let ka = prunedKey(a)
      let kb = prunedKey(b)
      if ka.0 != kb.0 { return ka.0 < kb.0 }
      if ka.1 != kb.1 { return ka.1 < kb.1 }
      return records[a].number < records[b].number
    }
    for slot in chosenPruned { isBelow[slot] = true }

    below = []
    above = []
    below.reserveCapacity(wanted)
    above.reserveCapacity(records.count)
    for slot in slotsByNumber where records[slot].state == .pruned || records[slot].valueCount == directions.count {
      if isBelow[slot] { below.append(slot) } else { above.append(slot) }
    }
  }

  /// The `count` first of `items` in the order `less`, keeping a sorted buffer: about one
  /// comparison per item when `count` is small next to `items.count`.
  static func best(_ items: [Int], count: Int, less: (Int, Int) -> Bool) -> [Int] {
    guard count > 0 else { return [] }
    if count >= items.count { return items }
    var buffer: [Int] = []
    buffer.reserveCapacity(count + 1)
    for item in items {
      if buffer.count == count, !less(item, buffer[count - 1]) { continue }
      var at = buffer.count
      while at > 0, less(item, buffer[at - 1]) { at -= 1 }
      buffer.insert(item, at: at)
      if buffer.count > count { buffer.removeLast() }
    }
    return buffer
  }

  /// The `count` best complete trials of a multi-objective study: whole non-domination fronts
  /// while they fit, then the most isolated members (largest crowding distance) of the next.
  static func bestByDomination(
    _ items: [Int], count: Int, records: [TPEStudyCache.Record], values: [[Double]?], directions: [StudyDirection]
  ) -> [Int] {
    guard count > 0 else { return [] }
    if count >= items.count { return items }
    let m = directions.count
    let points: [[Double]] = items.map { slot in
      (0..<m).map { directions[$0] == .minimize ? values[slot]![$0] : -values[slot]![$0] }
    }
    func dominates(_ a: Int, _ b: Int) -> Bool {
      var better = false
      for j in 0..<m {
        if points[a][j] > points[b][j] { return false }
        if points[a][j] < points[b][j] { better = true }
      }
      return better
    }
    var left = Array(items.indices)
    var chosen: [Int] = []
    while chosen.count < count, !left.isEmpty {
      let front = left.filter { i in !left.contains { j in j != i && dominates(j, i) } }
      let need = count - chosen.count
      if front.count <= need {
        chosen += front
        let inFront = Set(front)
        left.removeAll { inFront.contains($0) }
        continue
      }
      // Crowding distance within the front; ties go to the earlier trial.
      var distance = [Double](repeating: 0, count: front.count)
      for j in 0..<m {
        let order = front.indices.sorted { points[front[$0]][j] < points[front[$1]][j] }
        let span = points[front[order.last!]][j] - points[front[order.first!]][j]
        distance[order.first!] = .infinity
        distance[order.last!] = .infinity
        guard span > 0, order.count > 2 else { continue }
        for r in 1..<(order.count - 1) {
          distance[order[r]] += (points[front[order[r + 1]]][j] - points[front[order[r - 1]]][j]) / span
        }
      }
      let ranked = front.indices.sorted {
        distance[$0] > distance[$1] || (distance[$0] == distance[$1] && records[items[front[$0]]].number < records[items[front[$1]]].number)
      }
      chosen += ranked.prefix(need).map { front[$0] }
      break
    }
    return chosen.map { items[$0] }
  }
}
