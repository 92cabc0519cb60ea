import Foundation

extension Study {
  /// Waits until the trials `horizon` depends on are where it needs them (`DeterministicHorizon`),
  /// polling the storage — other workers and processes move them on — with a growing pause of
  /// up to 20 ms. Throws when one of them is a trial this object asked and has not told: it
  /// would never finish while this call waits (ask-and-tell with more than `lag` trials open).
  func waitForTurn(_ horizon: DeterministicHorizon, waiting: () throws -> Void) throws {
    var pause = 0.000_5
    while let blocker = horizon.blocker(in: try storage.trials(studyID: record.id, states: nil)) {
      if open.contains(blocker.number) {
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
