import Foundation

/// A running trial: the objective asks it for parameters (define-by-run) and reports progress.
///
/// Parameters are asked by name; asking a name again in the same trial returns the same value
/// if the distribution is the same, and is an error otherwise.
public final class Trial {
  public let study: Study
  /// The storage id and the study-wide number.
  public let id: Int
  public let number: Int
  /// When the trial must end by, if the optimize call set a `trialTimeout`.
  public internal(set) var deadline: ContinuousClock.Instant?
  public private(set) var isFinished = false

  let context: SamplingContext
  private var fixedParams: [String: ParamValue]
  private var relative: (space: [String: Distribution], params: [String: ParamValue])?
  public private(set) var params: [String: ParamValue] = [:]
  public private(set) var distributions: [String: Distribution] = [:]
  /// The steps reported so far, as the storage holds them (the trial keeps no copy: a long run
  /// of reports would be held twice, the second time out of any memory limit's sight).
  public var intermediateValues: [Int: Double] {
    (try? study.storage.trial(id: id).intermediateValues) ?? [:]
  }

  init(study: Study, frozen: FrozenTrial, context: SamplingContext) {
    self.study = study
    self.id = frozen.id
    self.number = frozen.number
    self.context = context
    self.fixedParams = frozen.fixedParams
  }

  // MARK: Suggest

  public func suggestFloat(_ name: String, _ low: Double, _ high: Double, log: Bool = false, step: Double? = nil) throws -> Double {
    let value = try suggest(name, .float(low, high, log: log, step: step))
    return value.number ?? .nan
  }

  public func suggestInt(_ name: String, _ low: Int, _ high: Int, log: Bool = false, step: Int = 1) throws -> Int {
    let value = try suggest(name, .int(low, high, log: log, step: step))
    if case .int(let v) = value { return v }
    return Int(value.number ?? Double(low))
  }

  public func suggestCategorical(_ name: String, _ choices: [ParamValue]) throws -> ParamValue {
    try suggest(name, .categorical(choices: choices))
  }

  /// The value of parameter `name` drawn from `distribution`: an enqueued value, else the only
  /// value, else the relative sampler's, else the independent sampler's.
  public func suggest(_ name: String, _ distribution: Distribution) throws -> ParamValue {
    try checkRunning()
    if let existing = distributions[name] {
      guard existing == distribution else {
        throw ParameterConflict(name: name, existing: existing, asked: distribution)
      }
      return params[name]!
    }
    let value: ParamValue
    if let fixed = fixedParams[name] {
      value = Self.coerce(fixed, to: distribution)
    } else if let only = distribution.singleValue {
      value = only
    } else if let relative = try relativeSample(), relative.space[name] == distribution, let v = relative.params[name] {
      value = v
    } else {
      value = try study.sampler.sampleIndependent(context, name: name, distribution: distribution)
    }
    try study.storage.setTrialParam(trialID: id, name: name, value: value, distribution: distribution)
    params[name] = value
    distributions[name] = distribution
    return value
  }

  private func relativeSample() throws -> (space: [String: Distribution], params: [String: ParamValue])? {
    if let relative { return relative }
    let space = try study.sampler.inferRelativeSearchSpace(context)
    let params = space.isEmpty ? [:] : try study.sampler.sampleRelative(context, space: space)
    relative = (space, params)
    return relative
  }

  /// In a deterministic study, draws the relative sample now, as the trial starts, and records
  /// it with the system attributes set so far (`DeterministicHorizon.readyKey`): what later
  /// trials see of this one while it runs.
  func settleStart() throws {
    var shown = try relativeSample()?.params.mapValues(\.attr) ?? [:]
    for (name, value) in fixedParams { shown[name] = value.attr }
    let attrs = try frozen().systemAttrs.keys.sorted().map(AttrValue.string)
    try study.storage.setTrialSystemAttr(
      trialID: id, key: DeterministicHorizon.readyKey, value: .object(["params": .object(shown), "attrs": .array(attrs)]))
  }

  /// An enqueued value in the form the distribution hands out (3 for an int, 3.0 for a float).
  static func coerce(_ value: ParamValue, to distribution: Distribution) -> ParamValue {
    switch (distribution, value) {
    case (.int, _): if let v = value.number, v == v.rounded() { return .int(Int(v)) }
    case (.float, _): if let v = value.number { return .float(v) }
    case (.categorical(let choices), _): if let c = choices.first(where: { $0.matches(value) }) { return c }
    }
    return value
  }

  // MARK: Report and prune

  /// Records an intermediate objective value at `step` (an integer >= 0). A step reported twice
  /// keeps its first value.
  public func report(_ value: Double, step: Int) throws {
    try checkRunning()
    guard step >= 0 else { throw StudyError("step must be >= 0, got \(step)") }
    guard study.directions.count == 1 else {
      throw StudyError("report is not supported for multi-objective studies")
    }
    // The storage keeps the first report of a step.
    try study.storage.reportIntermediate(trialID: id, step: step, value: value)
  }

  /// Whether the study's pruner says to stop this trial now.
  public func shouldPrune() throws -> Bool {
    try checkRunning()
    guard study.directions.count == 1 else {
      throw StudyError("shouldPrune is not supported for multi-objective studies")
    }
    return try study.pruner.shouldPrune(PrunerContext(history: study.history, trial: try frozen()))
  }

  public func setUserAttr(_ key: String, _ value: AttrValue) throws {
    try checkRunning()
    try study.storage.setTrialUserAttr(trialID: id, key: key, value: value)
  }

  /// A snapshot of the trial as stored.
  public func frozen() throws -> FrozenTrial { try study.storage.trial(id: id) }

  func markFinished() {
    isFinished = true
    if study.deterministicLag != nil { OpenTrials.shared.closed(id, in: study.storage) }
  }

  private func checkRunning() throws {
    if isFinished { throw StorageError.trialFinished(number: number) }
  }
}
