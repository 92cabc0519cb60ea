import Synchronization
import TunaSearch
import TunaTestSupport
import XCTest

final class InMemoryStorageTests: XCTestCase {
  func testConformance() throws {
    try checkStorage({ InMemoryStorage() }, name: "InMemoryStorage")
  }

  /// The protocol's default `bestTrial` and `trialCount` keep the contract too.
  func testProtocolDefaultsConformance() throws {
    try checkStorage({ ScanningStorage(InMemoryStorage()) }, name: "Storage defaults")
  }

  func testDefaultBestTrialMatchesTheTrackedOne() throws {
    // The protocol's default bestTrial (a scan) and InMemoryStorage's tracked one agree.
    let storage = InMemoryStorage()
    let study = try storage.createStudy(name: "s", directions: [.maximize])
    var rng = RandomSource(seed: 4)
    for _ in 0..<50 {
      let t = try storage.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
      _ = try storage.finishTrial(trialID: t.id, state: .complete, values: [Double(rng.integer(0, 9))], failReason: nil)
    }
    let scanned = try ScanningStorage(storage).bestTrial(studyID: study.id)
    XCTAssertEqual(scanned, try storage.bestTrial(studyID: study.id))
    XCTAssertEqual(scanned?.value, 9)
  }

  /// The meter hears what the studies hold grow with what is kept (a 1 MB attribute counts
  /// about 1 MB; replacing it counts the difference), and gets it all back when a study goes.
  func testMeterCountsWhatStudiesHold() throws {
    let counted = Mutex(0)
    let storage = InMemoryStorage(meter: { bytes in counted.withLock { $0 += bytes } })
    try checkStorage({ InMemoryStorage(meter: { _ in }) }, name: "metered InMemoryStorage")
    let a = try storage.createStudy(name: "a", directions: [.minimize])
    let b = try storage.createStudy(name: "b", directions: [.minimize])
    let t = try storage.createTrial(studyID: a.id, waiting: false, systemAttrs: [:])
    let before = counted.withLock { $0 }
    try storage.setTrialUserAttr(trialID: t.id, key: "big", value: .string(String(repeating: "x", count: 1 << 20)))
    let big = counted.withLock { $0 } - before
    XCTAssertEqual(Double(big), Double(1 << 20), accuracy: 512)
    try storage.setTrialUserAttr(trialID: t.id, key: "big", value: .string("small"))
    XCTAssertLessThan(counted.withLock { $0 } - before, 256)
    let beforeReports = counted.withLock { $0 }
    for step in 0..<1000 { try storage.reportIntermediate(trialID: t.id, step: step, value: 1) }
    let reports = counted.withLock { $0 } - beforeReports
    // At least the 16 bytes of a step and its value each, at most a sparse table's worth.
    XCTAssertTrue((16_000...64_000).contains(reports), "\(reports)")
    try storage.reportIntermediate(trialID: t.id, step: 0, value: 2)  // the first value stays: no growth
    XCTAssertEqual(counted.withLock { $0 } - beforeReports, reports)
    _ = try storage.finishTrial(trialID: t.id, state: .fail, values: nil, failReason: "why")
    let tb = try storage.createTrial(studyID: b.id, waiting: false, systemAttrs: [:])
    _ = try storage.finishTrial(trialID: tb.id, state: .complete, values: [1], failReason: nil)
    let heldByB = counted.withLock { $0 }
    try storage.deleteStudy(studyID: a.id)
    XCTAssertGreaterThan(counted.withLock { $0 }, 0)
    try storage.deleteStudy(studyID: b.id)
    XCTAssertEqual(counted.withLock { $0 }, 0, "held by b alone before: \(heldByB)")
  }

  func testStudiesAreIndependent() throws {
    let storage = InMemoryStorage()
    let a = try storage.createStudy(name: "a", directions: [.minimize])
    let b = try storage.createStudy(name: "b", directions: [.minimize])
    let ta = try storage.createTrial(studyID: a.id, waiting: false, systemAttrs: [:])
    let tb = try storage.createTrial(studyID: b.id, waiting: false, systemAttrs: [:])
    XCTAssertEqual(ta.number, 0)
    XCTAssertEqual(tb.number, 0)
    XCTAssertNotEqual(ta.id, tb.id)
    _ = try storage.finishTrial(trialID: ta.id, state: .complete, values: [1], failReason: nil)
    XCTAssertEqual(try storage.bestTrial(studyID: a.id)?.id, ta.id)
    XCTAssertNil(try storage.bestTrial(studyID: b.id))
    assertThrows(StorageError.noSuchStudy("#7"), { try storage.trials(studyID: 7, states: nil) })
  }
}

/// Forwards to a storage but leaves `bestTrial` and `trialCount` to the protocol's defaults.
private final class ScanningStorage: Storage {
  let base: InMemoryStorage
  init(_ base: InMemoryStorage) { self.base = base }
  func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord { try base.createStudy(name: name, directions: directions) }
  func study(named name: String) throws -> StudyRecord? { try base.study(named: name) }
  func allStudies() throws -> [StudyRecord] { try base.allStudies() }
  func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws { try base.setStudyUserAttr(studyID: studyID, key: key, value: value) }
  func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] { try base.studyUserAttrs(studyID: studyID) }
  func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial {
    try base.createTrial(studyID: studyID, waiting: waiting, systemAttrs: systemAttrs)
  }
  func addTrial(studyID: Int, _ trial: FrozenTrial) throws -> FrozenTrial { try base.addTrial(studyID: studyID, trial) }
  func claimWaitingTrial(studyID: Int) throws -> FrozenTrial? { try base.claimWaitingTrial(studyID: studyID) }
  func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws {
    try base.setTrialParam(trialID: trialID, name: name, value: value, distribution: distribution)
  }
  func reportIntermediate(trialID: Int, step: Int, value: Double) throws { try base.reportIntermediate(trialID: trialID, step: step, value: value) }
  func setTrialUserAttr(trialID: Int, key: String, value: AttrValue) throws { try base.setTrialUserAttr(trialID: trialID, key: key, value: value) }
  func setTrialSystemAttr(trialID: Int, key: String, value: AttrValue) throws { try base.setTrialSystemAttr(trialID: trialID, key: key, value: value) }
  func finishTrial(trialID: Int, state: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    try base.finishTrial(trialID: trialID, state: state, values: values, failReason: failReason)
  }
  func trial(id: Int) throws -> FrozenTrial { try base.trial(id: id) }
  func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial] { try base.trials(studyID: studyID, states: states) }
  func recordHeartbeat(trialID: Int) throws { try base.recordHeartbeat(trialID: trialID) }
  func failStaleTrials(studyID: Int, olderThan seconds: Double) throws -> [FrozenTrial] {
    try base.failStaleTrials(studyID: studyID, olderThan: seconds)
  }
  func deleteStudy(studyID: Int) throws { try base.deleteStudy(studyID: studyID) }
}
