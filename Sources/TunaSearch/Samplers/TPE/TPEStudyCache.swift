import Foundation

/// What a `TPESampler` keeps of one study between suggestions, so that a suggestion costs no
/// dictionary lookups per past trial: finished trials never change (a `Storage` contract), so
/// each one is read once — its values, its parameters in numeric form, its share of the
/// intersection and group search spaces — and only trials not yet seen are read afterwards.
final class TPEStudyCache {
  /// The study (and Hyperband's bracket, if any) the cache describes; it never keeps the
  /// storage alive.
  let identity: StudyIdentity

  /// A finished trial the sampler learns from (complete or pruned): plain values only, so the
  /// split reads every record on every suggestion without reference counting.
  struct Record {
    let number: Int
    let state: TrialState
    /// The first objective value (NaN when none) and how many there are.
    let firstValue: Double
    let valueCount: Int
    /// The last intermediate step and value of a pruned trial.
    let lastStep: (step: Int, value: Double)?

    init(number: Int, state: TrialState, values: [Double]?, lastStep: (step: Int, value: Double)?) {
      self.number = number
      self.state = state
      firstValue = values?.first ?? .nan
      valueCount = values?.count ?? 0
      self.lastStep = lastStep
    }
  }

  /// The numbers a parameter took, one entry per record: the value (the choice's index for a
  /// categorical), its log for positive values, and NaN where the trial lacks the parameter.
  struct Column {
    var raw: [Double]
    var logRaw: [Double]
    /// The records that have the parameter, by value (ties by trial number): estimators read
    /// their observations' order from here instead of sorting them for every suggestion.
    var sortedSlots: [Int] = []
  }

  private(set) var records: [Record] = []
  /// Each record's objective values (what a multi-objective split compares).
  private(set) var values: [[Double]?] = []
  /// Record indices sorted by trial number.
  private(set) var slotsByNumber: [Int] = []
  private(set) var columns: [String: Column] = [:]
  /// Per trial number: whether the trial has been read (only finished trials are).
  private var seen: [Bool] = []
  /// Every trial numbered below this one has been read.
  private var cursor = 0
  /// The parameters every record has, each with the distribution all of them used; nil before
  /// the first record.
  private(set) var intersection: [String: Distribution]?
  /// Groups of parameters that always appear together (Optuna's group decomposition), in the
  /// order they were formed.
  private(set) var groups: [[String: Distribution]] = []

  init(_ identity: StudyIdentity) {
    self.identity = identity
  }

  func describes(_ history: TrialHistory) -> Bool { identity.isAlive && identity == history.identity }

  /// Reads the finished trials of `trials` (the study's trials in number order) not read before.
  func update(with trials: [FrozenTrial]) {
    var fresh: [Int] = []
    var advancing = true
    var i = cursor
    while i < trials.count {
      let number = trials[i].number
      if number >= seen.count { seen.append(contentsOf: repeatElement(false, count: number + 1 - seen.count)) }
      if !seen[number] {
        switch trials[i].state {
        case .complete, .pruned:
          fresh.append(i)
          seen[number] = true
        case .fail:
          seen[number] = true
        case .running, .waiting:
          break
        }
      }
      if advancing {
        if seen[number] { cursor = i + 1 } else { advancing = false }
      }
      i += 1
    }
    for i in fresh { add(trials[i]) }
  }

  /// The index in the study's trial list from which trials may still be unfinished.
  var firstUnread: Int { cursor }

  private func add(_ trial: FrozenTrial) {
    let slot = records.count
    records.append(Record(
      number: trial.number, state: trial.state, values: trial.values,
      lastStep: trial.state == .pruned ? trial.lastStep : nil))
    values.append(trial.values)
    var at = slotsByNumber.count
    while at > 0, records[slotsByNumber[at - 1]].number > trial.number { at -= 1 }
    slotsByNumber.insert(slot, at: at)

    for name in columns.keys {
      columns[name]!.raw.append(.nan)
      columns[name]!.logRaw.append(.nan)
    }
    for (name, value) in trial.params {
      guard let distribution = trial.distributions[name], let raw = Self.raw(value, distribution) else { continue }
      if columns[name] == nil {
        columns[name] = Column(raw: Array(repeating: .nan, count: slot + 1), logRaw: Array(repeating: .nan, count: slot + 1))
      }
      columns[name]!.raw[slot] = raw
      columns[name]!.logRaw[slot] = raw > 0 ? log(raw) : .nan
      insertSorted(slot, value: raw, number: trial.number, into: &columns[name]!)
    }

    if var space = intersection {
      for (name, distribution) in space where trial.distributions[name] != distribution { space[name] = nil }
      intersection = space
    } else {
      intersection = trial.distributions
    }
    addToGroups(trial.distributions)
  }

  /// Inserts `slot` into the column's value order (binary search; later numbers after equal
  /// values).
  private func insertSorted(_ slot: Int, value: Double, number: Int, into column: inout Column) {
    var lo = 0
    var hi = column.sortedSlots.count
    while lo < hi {
      let mid = (lo + hi) / 2
      let other = column.sortedSlots[mid]
      let v = column.raw[other]
      if v < value || (v == value && records[other].number < number) { lo = mid + 1 } else { hi = mid }
    }
    column.sortedSlots.insert(slot, at: lo)
  }

  /// The split of the records with `nBelow` below: computed once per state of the cache, so a
  /// trial's parameters sampled one at a time share it.
  func split(directions: [StudyDirection], nBelow: Int) -> TPESplit {
    if let last = lastSplit, last.records == records.count, last.nBelow == nBelow { return last.split }
    let split = TPESplit(records: records, values: values, slotsByNumber: slotsByNumber, directions: directions, nBelow: nBelow)
    lastSplit = (records.count, nBelow, split)
    return split
  }

  private var lastSplit: (records: Int, nBelow: Int, split: TPESplit)?

  /// The number a value is kept as: itself, or its choice index for a categorical.
  static func raw(_ value: ParamValue, _ distribution: Distribution) -> Double? {
    if case .categorical = distribution { return distribution.toInternal(value) }
    return value.number
  }

  /// Splits every group by whether the trial has its parameters, and opens a group for the
  /// trial's parameters no group holds yet.
  private func addToGroups(_ distributions: [String: Distribution]) {
    var rest = Set(distributions.keys)
    var next: [[String: Distribution]] = []
    for group in groups {
      var inside: [String: Distribution] = [:]
      var outside: [String: Distribution] = [:]
      for (name, distribution) in group {
        if rest.contains(name) { inside[name] = distribution } else { outside[name] = distribution }
      }
      for name in group.keys { rest.remove(name) }
      if !inside.isEmpty { next.append(inside) }
      if !outside.isEmpty { next.append(outside) }
    }
    if !rest.isEmpty {
      var fresh: [String: Distribution] = [:]
      for name in rest { fresh[name] = distributions[name] }
      next.append(fresh)
    }
    groups = next
  }
}
