import Foundation
import TunaAnalysis
import TunaSearch
import XCTest

@testable import TunaReport

/// The report's model: samples of big studies, timeline lanes, the trials table, escaping, and
/// whole pages for studies of every shape.
final class ReportModelTests: XCTestCase {
  func trial(_ n: Int, _ state: TrialState = .complete, value: Double? = nil, start: Double? = 0, end: Double? = nil,
             params: [String: ParamValue] = [:], distributions: [String: Distribution] = [:]) -> FrozenTrial {
    FrozenTrial(
      id: n, number: n, state: state, values: value.map { [$0] }, params: params, distributions: distributions,
      datetimeStart: start.map { Date(timeIntervalSince1970: $0) }, datetimeComplete: end.map { Date(timeIntervalSince1970: $0) })
  }

  func testSampleKeepsWhatItMustAndStaysInOrder() {
    let items = Array(0..<1000)
    let kept = sample(items, limit: 100, seed: 1, keep: { $0 % 100 == 0 })
    XCTAssertEqual(kept.count, 100)
    XCTAssertEqual(kept, kept.sorted())
    for k in stride(from: 0, to: 1000, by: 100) { XCTAssertTrue(kept.contains(k)) }
    XCTAssertEqual(sample(items, limit: 100, seed: 1, keep: { $0 % 100 == 0 }), kept, "seeded")
    XCTAssertNotEqual(sample(items, limit: 100, seed: 2), sample(items, limit: 100, seed: 3))
    XCTAssertEqual(sample([1, 2, 3], limit: 10, seed: 0), [1, 2, 3])
  }

  /// Two workers: trials 0 and 1 overlap, 2 starts when 0 has ended; a running trial holds its
  /// lane to `now`.
  func testTimelineLanesFromOverlaps() {
    let trials = [
      trial(0, start: 0, end: 10), trial(1, start: 1, end: 5), trial(2, start: 10, end: 12), trial(3, .running, start: 6),
      trial(4, start: 11, end: 13), trial(5, .waiting, start: nil),
    ]
    let (bars, lanes) = timelineBars(trials, now: Date(timeIntervalSince1970: 20))
    XCTAssertEqual(lanes, 3)
    XCTAssertEqual(bars.map(\.number), [0, 1, 3, 2, 4])
    XCTAssertEqual(bars.map(\.lane), [0, 1, 1, 0, 2])
    XCTAssertNil(bars[2].end)
  }

  func testTrialsTableOfABigStudyListsTheBestAndTheLatest() {
    let d = try! Distribution.float(0, 1)
    let trials = (0..<50).map { trial($0, value: Double(($0 * 37) % 50), params: ["x": .float(0.5)], distributions: ["x": d]) }
    let study = StudySnapshot(name: "big", directions: [.minimize], trials: trials)
    var options = ReportOptions()
    options.maxTableRows = 10
    let table = trialsTable(study, space: ["x": d], options: options)
    let rows = table["rows"] as! [[String: Any]]
    let numbers = rows.map { Int(($0["cells"] as! [[String: Any]])[0]["text"] as! String)! }
    XCTAssertEqual(numbers, numbers.sorted())
    let best = trials.sorted { $0.value! < $1.value! }.prefix(5).map(\.number)
    for n in best { XCTAssertTrue(numbers.contains(n), "best trial \(n) listed") }
    for n in 45..<50 { XCTAssertTrue(numbers.contains(n), "latest trial \(n) listed") }
    XCTAssertEqual(rows.filter { $0["best"] as! Bool }.count, 1)
    XCTAssertTrue((table["note"] as! String).contains(" of 50 trials: the 5 best and the most recent ones"), table["note"] as! String)
  }

  func testTrialNotes() {
    var failed = trial(0, .fail)
    failed.failReason = "model.lua:3: boom\nstack traceback:\n..."
    XCTAssertEqual(trialNote(failed), "model.lua:3: boom")
    var pruned = trial(1, .pruned, value: 0.5)
    pruned.intermediateValues = [1: 0.2, 4: 0.5]
    XCTAssertEqual(trialNote(pruned), "pruned at step 4")
    XCTAssertEqual(trialNote(trial(2, value: 1)), "")
  }

  func testFormatting() {
    XCTAssertEqual(formatNumber(0.000012345678), "1.23457e-5")
    XCTAssertEqual(formatNumber(3), "3")
    XCTAssertEqual(formatNumber(-0.5), "-0.5")
    XCTAssertEqual(formatNumber(.nan), "NaN")
    XCTAssertEqual(formatSeconds(0.0042), "4.2 ms")
    XCTAssertEqual(formatSeconds(12.34), "12.3 s")
    XCTAssertEqual(formatSeconds(245), "4 min 05 s")
    XCTAssertEqual(formatSeconds(7380), "2 h 03 min")
    XCTAssertEqual(describeDistribution(try! .float(1e-5, 0.1, log: true)), "float [1e-5, 0.1] log")
    XCTAssertEqual(describeDistribution(try! .int(0, 10, step: 2)), "int [0, 10] step 2")
    XCTAssertEqual(["p10", "p2", "b", "p1", "a10", "a9"].sorted(by: naturalOrder), ["a9", "a10", "b", "p1", "p2", "p10"])
  }

  /// Names and values the user chose reach the page escaped.
  func testUserTextIsEscaped() throws {
    let d = try Distribution.categorical(choices: [.string("<b>bold</b>"), .string("a&b")])
    let trials = (0..<6).map { n in
      trial(n, value: Double(n), start: Double(n), end: Double(n) + 1, params: ["<x>": .string(n % 2 == 0 ? "<b>bold</b>" : "a&b")], distributions: ["<x>": d])
    }
    let html = try StudyReport.html([StudySnapshot(name: "<script>alert(1)</script>", directions: [.minimize], trials: trials)])
    XCTAssertFalse(html.contains("<script>"), "no raw user text")
    XCTAssertFalse(html.contains("<b>bold</b>"))
    XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    XCTAssertTrue(html.contains("a&amp;b"))
  }

  /// Every shape of study makes a whole page: empty, one trial, only failures, a conditional
  /// space, several objectives, a parameter that never changes.
  func testPagesForStudiesOfEveryShape() throws {
    let x = try Distribution.float(0, 1), c = try Distribution.categorical(choices: [.string("a"), .string("b")])
    var rng = RandomSource(seed: 9)
    let conditional = (0..<40).map { n -> FrozenTrial in
      let kind = n % 2 == 0 ? "a" : "b"
      let v = rng.uniform(0, 1)
      let name = kind == "a" ? "p" : "q"
      var t = trial(n, value: v * v, start: Double(n), end: Double(n) + 0.5, params: ["kind": .string(kind), name: .float(v)], distributions: ["kind": c, name: x])
      t.intermediateValues = [1: v, 2: v * v]
      return t
    }
    let multi = (0..<30).map { n -> FrozenTrial in
      let v = rng.uniform(0, 1)
      var t = trial(n, start: Double(n), end: Double(n) + 1, params: ["x": .float(v), "k": .float(0.5)], distributions: ["x": x, "k": x])
      t.values = [v, 1 - v * v]
      return t
    }
    let studies = [
      StudySnapshot(name: "empty", directions: [.minimize], trials: []),
      StudySnapshot(name: "one", directions: [.maximize], trials: [trial(0, value: 1, start: 0, end: 1, params: ["x": .float(0.3)], distributions: ["x": x])]),
      StudySnapshot(name: "failing", directions: [.minimize], trials: (0..<3).map { trial($0, .fail, start: Double($0), end: Double($0) + 1) }),
      StudySnapshot(name: "conditional", directions: [.minimize], trials: conditional),
      StudySnapshot(name: "multi", directions: [.minimize, .maximize], trials: multi),
    ]
    for study in studies {
      let html = try StudyReport.html([study])
      XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"), study.name)
      XCTAssertTrue(html.hasSuffix("</html>\n"), study.name)
      XCTAssertFalse(html.contains("<script"), study.name)
      XCTAssertFalse(html.lowercased().contains(">nan<"), study.name)
      XCTAssertTrue(html.contains("id=\"s0-trials\""), study.name)
    }
    let all = try StudyReport.html(studies)
    for i in 0..<studies.count { XCTAssertTrue(all.contains("id=\"s\(i)-summary\"")) }
    XCTAssertTrue(try StudyReport.html([studies[4]]).contains("id=\"s0-pareto\""))
    XCTAssertThrowsError(try StudyReport.html([]))
  }

  /// Fifty parameters: the parallel-coordinates plot keeps its own width and scrolls sideways.
  func testManyParametersKeepTheirWidth() throws {
    let d = try Distribution.float(0, 1)
    var rng = RandomSource(seed: 5)
    let names = (0..<50).map { "p\($0)" }
    let trials = (0..<60).map { n -> FrozenTrial in
      let x = names.map { _ in rng.uniform(0, 1) }
      return trial(
        n, value: x[0] + x[1] * x[2], start: Double(n), end: Double(n) + 1,
        params: Dictionary(uniqueKeysWithValues: zip(names, x.map(ParamValue.float))),
        distributions: Dictionary(uniqueKeysWithValues: names.map { ($0, d) }))
    }
    let html = try StudyReport.html([StudySnapshot(name: "wide", directions: [.minimize], trials: trials)])
    let marker = try XCTUnwrap(html.range(of: "<figure class=\"plot\" style=\"width: "))
    let width = Int(html[marker.upperBound...].prefix { $0.isNumber })!
    XCTAssertGreaterThan(width, 2000)
    XCTAssertEqual(naturalWidth("<svg viewBox=\"0 0 640.5 400\">"), 641)
    XCTAssertNil(naturalWidth("<svg>"))
  }

  func testTheSameStudyMakesTheSamePage() throws {
    let x = try Distribution.float(0, 1)
    var rng = RandomSource(seed: 4)
    let trials = (0..<100).map { n -> FrozenTrial in
      let a = rng.uniform(0, 1), b = rng.uniform(0, 1)
      return trial(n, value: a * b + a, start: Double(n), end: Double(n) + 1, params: ["a": .float(a), "b": .float(b)], distributions: ["a": x, "b": x])
    }
    var options = ReportOptions()
    options.generatedAt = Date(timeIntervalSince1970: 1_800_000_000)
    let study = StudySnapshot(name: "same", directions: [.minimize], trials: trials)
    XCTAssertEqual(try StudyReport.html([study], options: options), try StudyReport.html([study], options: options))
  }
}
