import Foundation
import TunaSearch
@testable import TunaTestSupport
import XCTest

/// The conformance suites must fail for broken implementations: each broken sampler or
/// storage below breaks one rule, and the suite must report it (and nothing for a sound one).
final class ConformanceSuiteTests: XCTestCase {
  private func samplerFailures(deterministic: Bool = false, _ make: (UInt64) throws -> any Sampler) throws -> [String] {
    var failures: [String] = []
    let r = ConformanceReporter(subject: "test", file: #filePath, line: #line) { failures.append($0) }
    try samplerConformance(make, deterministic: deterministic, r)
    return failures
  }

  private func storageFailures(_ make: () throws -> any Storage) throws -> [String] {
    var failures: [String] = []
    let r = ConformanceReporter(subject: "test", file: #filePath, line: #line) { failures.append($0) }
    try storageConformance(make, r)
    return failures
  }

  private func assertReports(_ failures: [String], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(
      failures.contains { $0.contains(fragment) }, "no failure mentions '\(fragment)'; got \(failures.prefix(5))",
      file: file, line: line)
  }

  // MARK: Samplers

  func testSoundSamplerPasses() throws {
    XCTAssertEqual(try samplerFailures { RandomSampler(seed: $0) }, [])
    XCTAssertEqual(try storageFailures { InMemoryStorage() }, [])
  }

  func testOutOfRangeValuesAreReported() throws {
    let failures = try samplerFailures { Broken(seed: $0, flaw: .outOfRange) }
    assertReports(failures, "is outside the distribution")
    assertReports(failures, "more failures not shown")
  }

  func testWrongKindIsReported() throws {
    let failures = try samplerFailures { Broken(seed: $0, flaw: .floatForInt) }
    assertReports(failures, "has the wrong kind for a int parameter")
    let categorical = try samplerFailures { Broken(seed: $0, flaw: .numberNotTheChoice) }
    assertReports(categorical, "is not one of the choices exactly")
  }

  func testIgnoringTheSeedIsReported() throws {
    assertReports(try samplerFailures { Broken(seed: $0, flaw: .unseeded) }, "same seed, trial 0: params differ")
  }

  func testSeedInsensitivityIsReportedUnlessDeterministic() throws {
    assertReports(try samplerFailures { Broken(seed: $0, flaw: .constant) }, "different seeds gave the same params")
    XCTAssertEqual(try samplerFailures(deterministic: true) { Broken(seed: $0, flaw: .constant) }, [])
  }

  func testTheRelativePathIsChecked() throws {
    let failures = try samplerFailures { Broken(seed: $0, flaw: .relativeOutOfRange) }
    assertReports(failures, "'f' (float [-5, 5]): 6 is outside the distribution")
  }

  func testThrowingSamplerIsReported() throws {
    let failures = try samplerFailures { Broken(seed: $0, flaw: .throwsOnCategorical) }
    assertReports(failures, "[a space of one categorical]: unexpected error: no categoricals")
  }

  // MARK: Storages

  func testMutableFinishedTrialsAreReported() throws {
    let failures = try storageFailures { BrokenStorage(.finishedWritable) }
    assertReports(failures, "setTrialUserAttr on a complete trial: expected an error")
  }

  func testSparseNumbersAreReported() throws {
    let failures = try storageFailures { BrokenStorage(.sparseNumbers) }
    assertReports(failures, "[dense unique numbers]")
  }

  func testWrongBestTrialIsReported() throws {
    let failures = try storageFailures { BrokenStorage(.lastIsBest) }
    assertReports(failures, "[best trial]")
  }

  func testAcceptingIncompatibleDistributionsIsReported() throws {
    let failures = try storageFailures { BrokenStorage(.anyDistribution) }
    assertReports(failures, "'c' asked as categorical {\"a\", \"b\"}: expected an error")
  }
}

/// A sampler with one flaw.
private final class Broken: Sampler {
  enum Flaw { case outOfRange, floatForInt, numberNotTheChoice, unseeded, constant, relativeOutOfRange, throwsOnCategorical }
  let seed: UInt64
  let flaw: Flaw
  init(seed: UInt64, flaw: Flaw) {
    self.seed = seed
    self.flaw = flaw
  }

  func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    flaw == .relativeOutOfRange ? try context.history.intersectionSearchSpace() : [:]
  }

  func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    space.mapValues { d in
      if case .float(_, let high, _, nil) = d { return .float(high + 1) }
      return RandomSampler.sample(d, using: &context.rng)
    }
  }

  func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    switch (flaw, distribution) {
    case (.outOfRange, .float(_, let high, _, _)): return .float(high + 1)
    case (.floatForInt, .int(let low, _, _, _)): return .float(Double(low))
    case (.numberNotTheChoice, .categorical(let choices)):
      let c = choices[context.rng.integer(0, choices.count - 1)]
      if case .int(let i) = c { return .float(Double(i)) }
      return c
    case (.unseeded, _):
      var g = RandomSource(seed: UInt64.random(in: 0...UInt64.max))
      return RandomSampler.sample(distribution, using: &g)
    case (.constant, _): return distribution.fromInternal(distribution.internalBounds.low)
    case (.throwsOnCategorical, .categorical): throw TestError("no categoricals")
    default: return RandomSampler.sample(distribution, using: &context.rng)
    }
  }
}

/// An in-memory storage with one flaw.
private final class BrokenStorage: Storage {
  enum Flaw { case finishedWritable, sparseNumbers, lastIsBest, anyDistribution }
  let base = InMemoryStorage()
  let flaw: Flaw
  init(_ flaw: Flaw) { self.flaw = flaw }

  private func fix(_ t: FrozenTrial) -> FrozenTrial {
    var t = t
    if flaw == .sparseNumbers { t.number *= 2 }
    return t
  }

  private func lenient(_ body: () throws -> Void) throws {
    do { try body() } catch StorageError.trialFinished where flaw == .finishedWritable {}
  }

  func createStudy(name: String, directions: [StudyDirection]) throws -> StudyRecord { try base.createStudy(name: name, directions: directions) }
  func study(named name: String) throws -> StudyRecord? { try base.study(named: name) }
  func allStudies() throws -> [StudyRecord] { try base.allStudies() }
  func setStudyUserAttr(studyID: Int, key: String, value: AttrValue) throws { try base.setStudyUserAttr(studyID: studyID, key: key, value: value) }
  func studyUserAttrs(studyID: Int) throws -> [String: AttrValue] { try base.studyUserAttrs(studyID: studyID) }
  func createTrial(studyID: Int, waiting: Bool, systemAttrs: [String: AttrValue]) throws -> FrozenTrial {
    fix(try base.createTrial(studyID: studyID, waiting: waiting, systemAttrs: systemAttrs))
  }
  func addTrial(studyID: Int, _ trial: FrozenTrial) throws -> FrozenTrial { fix(try base.addTrial(studyID: studyID, trial)) }
  func claimWaitingTrial(studyID: Int) throws -> FrozenTrial? { try base.claimWaitingTrial(studyID: studyID).map(fix) }
  func setTrialParam(trialID: Int, name: String, value: ParamValue, distribution: Distribution) throws {
    do {
      try base.setTrialParam(trialID: trialID, name: name, value: value, distribution: distribution)
    } catch StorageError.incompatibleDistribution where flaw == .anyDistribution {
    } catch StorageError.trialFinished where flaw == .finishedWritable {}
  }
  func reportIntermediate(trialID: Int, step: Int, value: Double) throws {
    try lenient { try base.reportIntermediate(trialID: trialID, step: step, value: value) }
  }
  func setTrialUserAttr(trialID: Int, key: String, value: AttrValue) throws {
    try lenient { try base.setTrialUserAttr(trialID: trialID, key: key, value: value) }
  }
  func setTrialSystemAttr(trialID: Int, key: String, value: AttrValue) throws {
    try lenient { try base.setTrialSystemAttr(trialID: trialID, key: key, value: value) }
  }
  func finishTrial(trialID: Int, state: TrialState, values: [Double]?, failReason: String?) throws -> FrozenTrial {
    fix(try base.finishTrial(trialID: trialID, state: state, values: values, failReason: failReason))
  }
  func trial(id: Int) throws -> FrozenTrial { fix(try base.trial(id: id)) }
  func trials(studyID: Int, states: Set<TrialState>?) throws -> [FrozenTrial] { try base.trials(studyID: studyID, states: states).map(fix) }
  func bestTrial(studyID: Int) throws -> FrozenTrial? {
    if flaw == .lastIsBest { return try base.trials(studyID: studyID, states: [.complete]).last }
    return try base.bestTrial(studyID: studyID).map(fix)
  }
  func recordHeartbeat(trialID: Int) throws { try base.recordHeartbeat(trialID: trialID) }
  func failStaleTrials(studyID: Int, olderThan seconds: Double) throws -> [FrozenTrial] {
    try base.failStaleTrials(studyID: studyID, olderThan: seconds).map(fix)
  }
  func deleteStudy(studyID: Int) throws { try base.deleteStudy(studyID: studyID) }
}
