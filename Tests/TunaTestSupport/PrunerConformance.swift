import Foundation
import TunaSearch
import XCTest

/// Checks the rules every pruner must keep, built in or written in Lua:
///
/// - **robust**: asking never throws on NaN values, on steps reported out of order, on trials
///   that report at different steps, next to failed, pruned and running trials, in either
///   direction;
/// - **no report, no prune**: a trial that reported nothing is never pruned;
/// - **stable**: asking twice in a row gives the same answer, and two fresh pruners fed the same
///   study give the same answers throughout;
/// - **read-only**: asking changes no trial's state, values, parameters, intermediate values or
///   user attributes (a pruner may keep its own system attributes);
/// - **direction-aware** (unless `directionSymmetric` is false, for absolute rules such as
///   thresholds): a maximized study with every value negated gets the same answers;
/// - **prunes the hopeless** (when `expectsPruning`): a trial stuck far worse than every complete
///   trial at every step is pruned before it finishes, in both directions.
///
/// The scenario is a study of 30 complete trials with decreasing curves over steps 0…9 (some
/// reporting only even steps, some in reverse order, some with a NaN), failed and pruned
/// trials among them, each asking the pruner after every report as a real objective does; then
/// probe trials (good, hopeless, all-NaN, sparse, shuffled) ask at every report.
public func checkPruner(
  _ makePruner: () throws -> any Pruner, name: String, directionSymmetric: Bool = true, expectsPruning: Bool = true,
  file: StaticString = #filePath, line: UInt = #line
) throws {
  let r = ConformanceReporter(subject: "checkPruner(\(name))", file: file, line: line)
  try prunerConformance(makePruner, directionSymmetric: directionSymmetric, expectsPruning: expectsPruning, r)
}

/// The body of `checkPruner`, reporting to `r`.
func prunerConformance(
  _ makePruner: () throws -> any Pruner, directionSymmetric: Bool, expectsPruning: Bool, _ r: ConformanceReporter
) throws {
  var minimized: [PrunerDecision] = []
  r.section("minimize") {
    minimized = try runPrunerScenario(try makePruner(), direction: .minimize, r)
  }
  r.section("stable across fresh pruners") {
    let again = try runPrunerScenario(try makePruner(), direction: .minimize, r)
    r.check(again.count == minimized.count, "the scenario asked \(again.count) times, then \(minimized.count)")
    for (a, b) in zip(minimized, again) where a != b {
      r.fail("\(a.label): a fresh pruner answered \(b.prune), the first \(a.prune)")
    }
  }
  var maximized: [PrunerDecision] = []
  r.section("maximize") {
    maximized = try runPrunerScenario(try makePruner(), direction: .maximize, r)
  }
  if directionSymmetric {
    r.section("direction") {
      for (a, b) in zip(minimized, maximized) where a != b {
        r.fail("\(a.label): minimizing v answered \(a.prune), maximizing -v answered \(b.prune)")
      }
    }
  }
  if expectsPruning {
    r.section("prunes the hopeless") {
      for (direction, decisions) in [("minimize", minimized), ("maximize", maximized)] {
        r.check(
          decisions.contains { $0.label.hasPrefix("probe hopeless") && $0.prune },
          "\(direction): a trial far worse than every complete trial at every step was never pruned")
      }
    }
  }
}

/// One answer of the pruner in the scenario.
struct PrunerDecision: Equatable {
  let label: String
  let prune: Bool
}

/// A trial as the rules compare it: everything but the system attributes.
private struct VisibleTrial: Equatable {
  let number: Int
  let state: TrialState
  let values: [Double]?
  let params: [String: ParamValue]
  let intermediate: [Int: Double]
  let userAttrs: [String: AttrValue]

  init(_ t: FrozenTrial) {
    number = t.number
    state = t.state
    values = t.values
    params = t.params
    intermediate = t.intermediateValues
    userAttrs = t.userAttrs
  }

  static func == (a: Self, b: Self) -> Bool {
    func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
    func sameValues(_ x: [Double]?, _ y: [Double]?) -> Bool {
      switch (x, y) {
      case (nil, nil): true
      case (let x?, let y?): x.count == y.count && zip(x, y).allSatisfy(same)
      default: false
      }
    }
    return a.number == b.number && a.state == b.state && sameValues(a.values, b.values) && a.params == b.params
      && a.intermediate.count == b.intermediate.count
      && a.intermediate.allSatisfy { k, v in b.intermediate[k].map { same($0, v) } ?? false }
      && a.userAttrs == b.userAttrs
  }
}

/// Runs the scenario in `direction` (values negated when maximizing), returning every answer.
func runPrunerScenario(_ pruner: any Pruner, direction: StudyDirection, _ r: ConformanceReporter) throws -> [PrunerDecision] {
  let sign = direction == .minimize ? 1.0 : -1.0
  let study = try Study.create(name: "pruner-conformance", direction: direction, sampler: RandomSampler(seed: 5), pruner: pruner)
  var decisions: [PrunerDecision] = []
  var rng = RandomSource(seed: 99)

  /// Asks about `trial` twice, checking that the answers agree and that nothing visible changed.
  func ask(_ trial: Trial, _ label: String) throws -> Bool {
    let before = try study.trials().map(VisibleTrial.init)
    let first = try trial.shouldPrune()
    let second = try trial.shouldPrune()
    let after = try study.trials().map(VisibleTrial.init)
    r.check(first == second, "\(label): asked twice it answered \(first), then \(second)")
    if before != after {
      let changed = zip(before, after).filter { $0 != $1 }.map { "\($0.0.number)" }
      r.fail("\(label): asking changed trials \(changed.joined(separator: ", "))")
    }
    decisions.append(PrunerDecision(label: label, prune: first))
    return first
  }

  /// Reports `curve` ((step, value) in report order), asking after each report.
  func play(_ label: String, _ curve: [(Int, Double)], finish: TrialState?) throws {
    let trial = try study.ask()
    _ = try trial.suggestFloat("x", 0, 1)
    let noReport = try ask(trial, "\(label) before any report")
    r.check(!noReport, "\(label): a trial with no reports was pruned")
    for (step, value) in curve {
      try trial.report(sign * value, step: step)
      _ = try ask(trial, "\(label), step \(step)")
    }
    switch finish {
    case .complete?:
      let last = curve.max { $0.0 < $1.0 }.map { $0.1 } ?? 0
      try study.tell(trial, values: [sign * (last.isNaN ? 50 : last)])
    case .pruned?, .fail?:
      try study.tell(trial, values: nil, state: finish)
    default:
      break  // left running
    }
  }

  func curve(base: Double, steps: some Sequence<Int>) -> [(Int, Double)] {
    steps.map { ($0, base + 10 / Double($0 + 1)) }
  }

  for t in 0..<30 {
    let base = rng.uniform(0, 10)
    var points: [(Int, Double)]
    switch t % 6 {
    case 1: points = curve(base: base, steps: stride(from: 0, through: 9, by: 2))  // even steps only
    case 2: points = curve(base: base, steps: (0...9).reversed())  // reported backwards
    case 3:
      points = curve(base: base, steps: 0...9)
      points[4].1 = .nan
    case 4: points = curve(base: base, steps: [0, 3, 7, 9])  // sparse
    default: points = curve(base: base, steps: 0...9)
    }
    try play("trial \(t)", points, finish: .complete)
    if t % 10 == 5 { try play("failed after \(t)", curve(base: base, steps: 0...2), finish: .fail) }
    if t % 10 == 8 { try play("pruned after \(t)", curve(base: base + 5, steps: 0...3), finish: .pruned) }
  }
  try play("running", curve(base: 3, steps: 0...4), finish: nil)

  try play("probe good", curve(base: -5, steps: 0...9), finish: .complete)
  try play("probe hopeless", (0...9).map { ($0, 1_000_000) }, finish: .pruned)
  try play("probe hopeless sparse", [0, 4, 8, 9].map { ($0, 1_000_000) }, finish: .pruned)
  try play("probe all NaN", (0...5).map { ($0, .nan) }, finish: .fail)
  var shuffled = curve(base: 4, steps: 0...9)
  for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.integer(0, i)) }
  try play("probe shuffled", shuffled, finish: .complete)
  try play("probe late start", curve(base: 6, steps: 5...9), finish: .complete)
  return decisions
}
