import Foundation
import TunaSearch
import XCTest

/// One parameter of the conformance search space.
struct SpaceParam {
  let name: String
  let distribution: Distribution
  /// Asks the parameter again through the typed API an objective uses (`suggestFloat`, …).
  let askTyped: (Trial) throws -> ParamValue
  /// Another distribution under the same name: asking it in the same trial must throw.
  let conflicting: Distribution

  static func float(_ name: String, _ low: Double, _ high: Double, log: Bool = false, step: Double? = nil) throws -> SpaceParam {
    SpaceParam(
      name: name, distribution: try .float(low, high, log: log, step: step),
      askTyped: { .float(try $0.suggestFloat(name, low, high, log: log, step: step)) },
      conflicting: try .float(low, high + 1, log: log, step: step))
  }

  static func int(_ name: String, _ low: Int, _ high: Int, log: Bool = false, step: Int = 1) throws -> SpaceParam {
    SpaceParam(
      name: name, distribution: try .int(low, high, log: log, step: step),
      askTyped: { .int(try $0.suggestInt(name, low, high, log: log, step: step)) },
      conflicting: try .float(Double(low), Double(high) + 1))  // another kind
  }

  static func categorical(_ name: String, _ choices: [ParamValue]) throws -> SpaceParam {
    SpaceParam(
      name: name, distribution: try .categorical(choices: choices),
      askTyped: { try $0.suggestCategorical(name, choices) },
      conflicting: try .categorical(choices: choices + [.string("__not_a_choice__")]))
  }
}

/// The mixed space every sampler must handle: every kind of distribution, log and step
/// variants, categoricals of strings, numbers, booleans and a mix, single-valued distributions,
/// and two conditional parameters (define-by-run).
func conformanceSpace() throws -> (fixed: [SpaceParam], whenRelu: SpaceParam, whenTrue: SpaceParam) {
  let fixed: [SpaceParam] = [
    try .float("f", -5, 5),
    try .float("f_log", 1e-5, 100, log: true),
    try .float("f_step", 0, 1, step: 0.25),
    try .float("f_step_odd", -2.5, 3.7, step: 0.4),  // high lowered to 3.5
    try .int("i", -10, 10),
    try .int("i_log", 1, 1024, log: true),
    try .int("i_step", 0, 100, step: 7),  // high lowered to 98
    try .int("i_wide", -1_000_000, 1_000_000),
    try .categorical("c_str", [.string("relu"), .string("tanh"), .string("sigmoid")]),
    try .categorical("c_num", [.int(1), .float(2.5), .int(-3)]),
    try .categorical("c_bool", [.bool(true), .bool(false)]),
    try .categorical("c_mixed", [.string("a"), .int(3), .bool(true), .float(0.5)]),
    try .float("single_f", 2.5, 2.5),
    try .int("single_i", 3, 3),
    try .categorical("single_c", [.string("only")]),
  ]
  return (fixed, try .float("cond_f", 0, 1), try .int("cond_i", 1, 5))
}

/// Checks one value a trial handed out for `param`.
func checkValue(_ value: ParamValue, of param: SpaceParam, trial: Int, _ r: ConformanceReporter) {
  let d = param.distribution
  let at = "trial \(trial), '\(param.name)' (\(d))"
  r.check(d.contains(value), "\(at): \(value) is outside the distribution")
  switch (d, value) {
  case (.float, .float), (.int, .int): break
  case (.categorical(let choices), _):
    r.check(choices.contains(value), "\(at): \(value) is not one of the choices exactly (kind and value)")
  default:
    r.fail("\(at): \(value) has the wrong kind for a \(d.kind) parameter")
  }
  if let only = d.singleValue {
    r.check(identicalBits(value, only), "\(at): a single-valued distribution gave \(value), not \(only)")
  }
}

/// Asks `param` in `trial` and checks the repeated-ask semantics. Returns the value.
func askChecked(_ param: SpaceParam, in trial: Trial, _ r: ConformanceReporter) throws -> ParamValue {
  let value = try trial.suggest(param.name, param.distribution)
  checkValue(value, of: param, trial: trial.number, r)
  let again = try param.askTyped(trial)
  r.check(
    identicalBits(again, value),
    "trial \(trial.number), '\(param.name)': asked again it gave \(again), first \(value)")
  if let error = r.expectThrows("trial \(trial.number), '\(param.name)' asked as \(param.conflicting)", {
    try trial.suggest(param.name, param.conflicting)
  }) {
    if let conflict = error as? ParameterConflict {
      r.equal(conflict.name, param.name, "trial \(trial.number): the conflict names the parameter")
    } else {
      r.fail("trial \(trial.number), '\(param.name)': a conflicting ask threw \(type(of: error)), not ParameterConflict")
    }
  }
  r.check(
    trial.params[param.name].map { identicalBits($0, value) } ?? false,
    "trial \(trial.number), '\(param.name)': a rejected ask changed the stored value")
  return value
}

/// Asks the whole conformance space (with its conditional parameters) and returns an
/// objective value computed from the answers: smooth in every parameter, so adaptive samplers
/// have something to learn.
func askSpace(_ trial: Trial, _ r: ConformanceReporter) throws -> Double {
  let space = try conformanceSpace()
  var asked: [(SpaceParam, ParamValue)] = []
  for param in space.fixed {
    asked.append((param, try askChecked(param, in: trial, r)))
  }
  if trial.params["c_str"] == .string("relu") {
    asked.append((space.whenRelu, try askChecked(space.whenRelu, in: trial, r)))
  }
  if trial.params["c_bool"] == .bool(true) {
    asked.append((space.whenTrue, try askChecked(space.whenTrue, in: trial, r)))
  }
  var objective = 0.0
  for (param, value) in asked {
    guard let x = param.distribution.toInternal(value) else {
      r.fail("trial \(trial.number), '\(param.name)': toInternal(\(value)) is nil")
      continue
    }
    let bounds = param.distribution.internalBounds
    let u = bounds.high > bounds.low ? (x - bounds.low) / (bounds.high - bounds.low) : 0
    objective += (u - 0.3) * (u - 0.3)
  }
  return objective
}

/// Checks that a sampler honours the contract every sampler keeps, built in or scripted:
///
/// - over a mixed space (float, log float, stepped float, int, log int, stepped int, categoricals
///   of strings, numbers, booleans and a mix, single-valued distributions, conditional
///   parameters) every value lies in its distribution and has the distribution's kind
///   (`.float` for floats, `.int` for ints, the choice itself for categoricals);
/// - asking a name again in a trial returns the same value, and asking it with another
///   distribution throws `ParameterConflict`;
/// - it keeps working after failed and pruned trials, and on a space of one categorical;
/// - samplers made from the same seed give identical trials, bit for bit; samplers made from
///   different seeds give different ones (unless `deterministic`).
///
/// - Parameters:
///   - makeSampler: a new sampler with the given seed (called several times).
///   - name: names the sampler in failure messages.
///   - deterministic: the sampler ignores its seed (different seeds may give the same trials).
public func checkSampler(
  _ makeSampler: (UInt64) throws -> any Sampler, name: String, deterministic: Bool = false,
  file: StaticString = #filePath, line: UInt = #line
) throws {
  let r = ConformanceReporter(subject: "checkSampler(\(name))", file: file, line: line)
  try samplerConformance(makeSampler, deterministic: deterministic, r)
}

/// The body of `checkSampler`, reporting to `r`.
func samplerConformance(_ makeSampler: (UInt64) throws -> any Sampler, deterministic: Bool, _ r: ConformanceReporter) throws {
  let nTrials = 40
  let seedA: UInt64 = 20_240_611
  let seedB: UInt64 = 7_777_777_777

  /// Runs the mixed space for `nTrials` trials with ask and tell: every tenth trial from the
  /// fourth fails, every tenth from the seventh is pruned after reporting two steps.
  func run(seed: UInt64, label: String) throws -> [FrozenTrial] {
    let sampler = try makeSampler(seed)
    r.equal(sampler.seed, seed, "\(label): the sampler's seed")
    let study = try Study.create(name: "conformance", direction: .minimize, sampler: sampler)
    for n in 0..<nTrials {
      let trial = try study.ask()
      r.equal(trial.number, n, "\(label): trial number")
      let value = try askSpace(trial, r)
      r.check(value.isFinite, "\(label): trial \(n): objective \(value) is not finite")
      let frozen: FrozenTrial
      switch n % 10 {
      case 3:
        frozen = try study.tell(trial, values: nil, state: .fail, failReason: "conformance: a failed trial")
      case 6:
        try trial.report(value + 1, step: 0)
        try trial.report(value, step: 1)
        frozen = try study.tell(trial, values: nil, state: .pruned)
      default:
        frozen = try study.tell(trial, values: [value])
      }
      r.check(
        identicalBits(frozen.params, trial.params),
        "\(label): trial \(n): stored params \(frozen.params) differ from those handed out \(trial.params)")
      r.equal(frozen.distributions, trial.distributions, "\(label): trial \(n): stored distributions")
    }
    let trials = try study.trials()
    r.equal(trials.count, nTrials, "\(label): number of trials")
    r.equal(trials.filter { $0.state == .complete }.count, nTrials - 8, "\(label): complete trials")
    return trials
  }

  r.section("mixed space, same seed twice") {
    let first = try run(seed: seedA, label: "seed A")
    let second = try run(seed: seedA, label: "seed A again")
    for (a, b) in zip(first, second) {
      r.check(
        identicalBits(a.params, b.params),
        "same seed, trial \(a.number): params differ: \(a.params) vs \(b.params)")
      r.check(identicalBits(a.values, b.values), "same seed, trial \(a.number): values differ")
    }
    guard !deterministic else { return }
    let other = try run(seed: seedB, label: "seed B")
    let differing = zip(first, other).filter { !identicalBits($0.params, $1.params) }.count
    r.check(
      differing * 2 > nTrials,
      "different seeds gave the same params in \(nTrials - differing) of \(nTrials) trials")
  }

  r.section("a space of one categorical") {
    let sampler = try makeSampler(seedA)
    let study = try Study.create(direction: .maximize, sampler: sampler)
    let param = try SpaceParam.categorical("activation", [.string("relu"), .string("tanh"), .int(7)])
    try study.optimize(OptimizeOptions(nTrials: 20, catchErrors: false)) { trial in
      let value = try askChecked(param, in: trial, r)
      return [value == .string("tanh") ? 1 : 0]
    }
    let trials = try study.trials()
    r.equal(trials.count, 20, "trials run")
    r.equal(trials.filter { $0.state == .complete }.count, 20, "complete trials")
  }

  r.section("trials after failed trials") {
    let sampler = try makeSampler(seedB)
    let study = try Study.create(direction: .minimize, sampler: sampler)
    struct Boom: Error {}
    try study.optimize(OptimizeOptions(nTrials: 15, catchErrors: true)) { trial in
      switch trial.number {
      case 0, 1, 2:
        _ = try askChecked(try .float("f", -5, 5), in: trial, r)
        throw Boom()
      case 3: throw Boom()  // fails before asking anything
      case 4: return [0]  // completes without parameters
      default: return [try askSpace(trial, r)]
      }
    }
    let trials = try study.trials()
    r.equal(trials.map(\.state), Array(repeating: .fail, count: 4) + Array(repeating: .complete, count: 11), "states")
    for t in trials.dropFirst(5) {
      r.check(t.params.count >= 15, "trial \(t.number) after failures has only \(t.params.count) params")
    }
  }
}
