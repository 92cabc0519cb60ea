import Foundation

extension Study {
  /// Waits until the trials `horizon` depends on are where it needs them (`DeterministicHorizon`),
  /// polling the storage — other workers and processes move them on — with a growing pause of
  /// up to 20 ms. Throws when one of them is a trial this thread asked and has not told,
  /// through any study object: it would never finish while this call waits (ask-and-tell with
  /// more than `lag` trials open).
  func waitForTurn(_ horizon: DeterministicHorizon, waiting: () throws -> Void) throws {
    var pause = 0.000_5
    while let blocker = horizon.blocker(in: try storage.trials(studyID: record.id, states: nil)) {
      if OpenTrials.shared.isOpenOnThisThread(blocker.id, in: storage) {
        throw StudyError(
          "trial \(horizon.number) of a deterministic study (lag \(horizon.lag)) needs trial \(blocker.number) "
            + "to be told first: keep at most \(horizon.lag) trials open at once")
      }
      try waiting()
      Thread.sleep(forTimeInterval: pause)
      pause = min(pause * 2, 0.02)
    }
  }
}

/// The trials of deterministic studies asked and not yet told in this process, by storage and
/// trial id, with the thread that asked each.
final class OpenTrials: @unchecked Sendable {
  static let shared = OpenTrials()
  private struct Key: Hashable {
    let storage: ObjectIdentifier
    let id: Int
  }
  private let lock = NSLock()
  private var owners: [Key: pthread_t] = [:]

  func opened(_ id: Int, in storage: any Storage) {
    lock.lock()
    owners[Key(storage: ObjectIdentifier(storage), id: id)] = pthread_self()
    lock.unlock()
  }

  func closed(_ id: Int, in storage: any Storage) {
    lock.lock()
    owners[Key(storage: ObjectIdentifier(storage), id: id)] = nil
    lock.unlock()
  }

  func isOpenOnThisThread(_ id: Int, in storage: any Storage) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return owners[Key(storage: ObjectIdentifier(storage), id: id)].map { pthread_equal($0, pthread_self()) != 0 } ?? false
  }
}
