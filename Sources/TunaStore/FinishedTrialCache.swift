import TunaSearch

/// The finished trials a storage connection has read, per study. Finished trials never change,
/// so a storage shared by processes reads from its database only the trials it has not seen
/// finished: those it last saw running or waiting, and the new ones. A suggestion in a study of
/// 1,000 finished trials reads one or two rows, not 1,000. Not thread-safe: its storage's lock
/// guards it.
struct FinishedTrialCache {
  /// The trials of one study: `slots[n]` is trial n once seen finished; `pending` lists,
  /// ascending, the numbers below `slots.count` not (yet) seen finished.
  struct Study {
    var slots: [FrozenTrial?] = []
    var pending: [Int] = []

    /// Takes note of trial `t`, and keeps it when finished.
    mutating func observe(_ t: FrozenTrial) {
      let n = t.number
      if n >= slots.count {
        pending.append(contentsOf: slots.count...n)
        slots.append(contentsOf: repeatElement(nil, count: n + 1 - slots.count))
      }
      guard t.state.isFinished, slots[n] == nil else { return }
      slots[n] = t
      if pending.last == n {
        pending.removeLast()
      } else if let i = pending.firstIndex(of: n) {
        pending.remove(at: i)
      }
    }
  }

  private var studies: [Int: Study] = [:]
  /// Trial id → where its finished snapshot is.
  private var finishedLocation: [Int: (study: Int, number: Int)] = [:]

  /// What to read to bring a study up to date: the numbers not seen finished, and the first
  /// number never seen.
  func unread(studyID: Int) -> (pending: [Int], next: Int) {
    let known = studies[studyID] ?? Study()
    return (known.pending, known.slots.count)
  }

  func cached(studyID: Int, number: Int) -> FrozenTrial? {
    guard let study = studies[studyID], number < study.slots.count else { return nil }
    return study.slots[number]
  }

  /// The finished trial with this id, when seen.
  func finished(id: Int) -> (trial: FrozenTrial, study: Int)? {
    guard let at = finishedLocation[id], let t = cached(studyID: at.study, number: at.number) else { return nil }
    return (t, at.study)
  }

  /// Keeps a finished trial (after the transaction that read it committed).
  mutating func learn(_ t: FrozenTrial, studyID: Int) {
    guard t.state.isFinished else { return }
    studies[studyID, default: Study()].observe(t)
    finishedLocation[t.id] = (studyID, t.number)
  }

  /// Drops what is known of a study that no longer exists.
  mutating func forget(studyID: Int) {
    guard let study = studies.removeValue(forKey: studyID) else { return }
    for case let t? in study.slots { finishedLocation[t.id] = nil }
  }

  /// The study's trials in number order, optionally only those in `states`, from what is
  /// cached and `loaded`: every trial `unread` asked for that still exists.
  mutating func merge(studyID: Int, loaded: [FrozenTrial], states: Set<TrialState>?) -> [FrozenTrial] {
    var study = studies.removeValue(forKey: studyID) ?? Study()
    var unfinished: [Int: FrozenTrial] = [:]
    for t in loaded {
      study.observe(t)
      if t.state.isFinished { finishedLocation[t.id] = (studyID, t.number) } else { unfinished[t.number] = t }
    }
    var result: [FrozenTrial] = []
    result.reserveCapacity(study.slots.count)
    for (n, slot) in study.slots.enumerated() {
      guard let t = slot ?? unfinished[n] else { continue }
      if let states, !states.contains(t.state) { continue }
      result.append(t)
    }
    studies[studyID] = study
    return result
  }
}
