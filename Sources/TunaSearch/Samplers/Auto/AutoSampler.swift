import Foundation

/// The default sampler: it runs, per study and per phase, the built-in sampler that wins there,
/// after OptunaHub's AutoSampler (Optuna's team, 2024–2026), with the thresholds measured on
/// Tuna's own samplers (README, "The automatic sampler").
///
/// The choice is made when a trial starts, from the study as it stands — how many trials are
/// complete, the search space they share, whether parameters come and go between trials
/// (a conditional space), how many objectives — and that sampler then serves the whole trial:
///
/// - **Before any complete trial**: random values (there is no space to model yet).
/// - **One objective**: Gaussian-process BO while fewer than `modelTrials` trials are complete
///   (GP wins most small budgets, categoricals included — its kernel compares them by equality —
///   and Tuna's costs milliseconds per trial), its values warped (`OutputWarp`) on spaces of up
///   to 16 parameters, as `GPSampler` does by default; then CMA-ES on a space of numbers, warm-started
///   from the best trials so far (`CMAESSampler`'s Warm start), or TPE when there are
///   categoricals. A space of integers and categoricals only (a lattice) goes to TPE after 50
///   complete trials. A conditional space (parameters that come and go) goes to TPE with `group`,
///   for good: it models each set of parameters that appear together, where GP and CMA-ES see
///   only the parameters every trial shares. OptunaHub's AutoSampler sends categorical spaces to
///   TPE as well; on Tuna's measurements GP beat TPE over 100-fold there (README).
/// - **Several objectives**: TPE while fewer than `modelTrials` trials are complete (or for good,
///   on a conditional space); then NSGA-II, whose first generation is every earlier trial.
///
/// Each trial records the sampler that chose its values in the system attribute `auto:sampler`,
/// and `currentName` tells the latest choice. The sub-samplers derive their streams from this
/// sampler's seed, so a seeded study is reproducible.
public final class AutoSampler: Sampler {
  /// The samplers it can run.
  public enum Choice: String, Sendable, CaseIterable {
    case random, gp, tpe, cmaes, nsga2
  }

  public let seed: UInt64
  /// Complete trials up to which GP (one objective) or TPE (several) models the study.
  public let modelTrials: Int

  /// The system attribute naming the sampler of each trial.
  public static let attribute = "auto:sampler"

  /// The latest choice (`random` until the first trial starts).
  public private(set) var current: Choice = .random
  /// The sampler a phase keeps once it is chosen (TPE and CMA-ES are not left again).
  private var settled: Choice?
  /// The sampler of each trial that has started and not finished, by trial id.
  private var serving: [Int: (choice: Choice, sampler: any Sampler)] = [:]
  private let lock = NSLock()

  private let random: RandomSampler
  private let gp: GPSampler
  /// Complete trials after which a space of integers and categoricals only goes to TPE (the
  /// 6-d integer lattice at 200 trials, 30 seeds: 4.6 against 8.5 staying with GP; Optuna's
  /// TPE 5.25).
  static let discreteModelTrials = 50
  private let tpe: TPESampler
  private let nsga2: NSGA2Sampler
  /// Made at the hand-off, from the trials before it.
  private var cmaes: CMAESSampler?

  public init(seed: UInt64? = nil, modelTrials: Int = 250) throws(InvalidArgument) {
    try InvalidArgument.require("modelTrials", modelTrials, atLeast: 0)
    let seed = seed ?? randomSeed()
    self.seed = seed
    self.modelTrials = modelTrials
    random = RandomSampler(seed: seed)
    gp = GPSampler(seed: seed)
    // Arguments known to be valid: these cannot throw.
    tpe = try! TPESampler(seed: seed, multivariate: true, group: true, constantLiar: true)
    nsga2 = try! NSGA2Sampler(seed: seed)
  }

  /// The name of the sampler it runs now, as `auto(gp)`.
  public var currentName: String { "auto(\(locked { current.rawValue }))" }

  // MARK: Sampler

  public func beforeTrial(_ context: SamplingContext) throws {
    let (choice, sampler) = try choose(context)
    locked {
      current = choice
      serving[context.trialID] = (choice, sampler)
    }
    try context.setSystemAttr(Self.attribute, .string(choice.rawValue))
    if choice != .nsga2, context.history.directions.count > 1 {
      // NSGA-II's first generation, when it takes over, is every trial before it.
      try context.setSystemAttr(NSGA2Sampler.generationKey, .int(0))
    }
    try sampler.beforeTrial(context)
  }

  public func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    try sampler(for: context).inferRelativeSearchSpace(context)
  }

  public func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    try sampler(for: context).sampleRelative(context, space: space)
  }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    try sampler(for: context).sampleIndependent(context, name: name, distribution: distribution)
  }

  public func afterTrial(_ context: SamplingContext, state: TrialState, values: [Double]?) throws {
    let sampler = try sampler(for: context)
    locked { serving[context.trialID] = nil }
    try sampler.afterTrial(context, state: state, values: values)
  }

  // MARK: Choosing

  /// What the study looks like to the rules.
  struct Shape {
    var complete = 0
    var objectives = 1
    /// Parameters come and go between finished trials.
    var conditional = false
    /// The space the complete trials share has a categorical with more than one choice.
    var categorical = false
    /// Every one of them is an integer or a categorical (a lattice: no continuous axis).
    var discrete = false
  }

  static func shape(_ history: TrialHistory) throws -> Shape {
    var shape = Shape(objectives: history.directions.count)
    var names: [String: Distribution]?  // the first finished trial's parameters
    var shared: [String: Distribution]?  // the parameters every complete trial has, alike
    for t in try history.trials(states: [.complete, .pruned]) {
      if let names {
        if t.distributions.count != names.count || t.distributions.keys.contains(where: { names[$0] == nil }) {
          shape.conditional = true
        }
      } else {
        names = t.distributions
      }
      guard t.state == .complete else { continue }
      shape.complete += 1
      if var s = shared {
        for (name, d) in s where t.distributions[name] != d { s[name] = nil }
        shared = s
      } else {
        shared = t.distributions
      }
    }
    shape.categorical = (shared ?? [:]).values.contains { d in
      if case .categorical = d { !d.isSingle } else { false }
    }
    let varying = (shared ?? [:]).values.filter { !$0.isSingle }
    shape.discrete = !varying.isEmpty && varying.allSatisfy { d in
      switch d {
      case .int, .categorical: true
      case .float(_, _, _, let step): step != nil
      }
    }
    return shape
  }

  /// The rules of the type's documentation, as a function of the study's shape and the phase
  /// already settled.
  static func rule(_ shape: Shape, settled: Choice?, modelTrials: Int) -> Choice {
    if let settled, settled == .tpe || settled == .cmaes { return settled }
    if shape.complete == 0 { return .random }
    if shape.objectives > 1 {
      return shape.conditional || shape.complete < modelTrials ? .tpe : .nsga2
    }
    if shape.conditional { return .tpe }
    if shape.discrete, shape.complete >= min(discreteModelTrials, modelTrials) { return .tpe }
    if shape.complete < modelTrials { return .gp }
    return shape.categorical ? .tpe : .cmaes
  }

  private func choose(_ context: SamplingContext) throws -> (Choice, any Sampler) {
    let settled = locked { self.settled }
    // A settled phase needs no look at the study (reading it costs O(trials)).
    let shape = try settled == nil ? Self.shape(context.history) : nil
    let choice = settled ?? Self.rule(shape!, settled: nil, modelTrials: modelTrials)
    let sampler: any Sampler
    switch choice {
    case .random: sampler = random
    case .gp: sampler = gp
    case .tpe:
      sampler = tpe
      locked { self.settled = .tpe }
    case .nsga2: sampler = nsga2
    case .cmaes:
      if let cmaes {
        sampler = cmaes
      } else {
        // Started from what the earlier phase found: its first `modelTrials` complete trials, in
        // number order — the same trials whichever worker hands over, and whenever.
        let source = try context.history.trials(states: [.complete]).prefix(max(modelTrials, 2))
        let made = try CMAESSampler(seed: seed, sourceTrials: Array(source))
        locked {
          cmaes = made
          self.settled = .cmaes
        }
        sampler = made
      }
    }
    return (choice, sampler)
  }

  private func sampler(for context: SamplingContext) throws -> any Sampler {
    if let s = locked({ serving[context.trialID]?.sampler }) { return s }
    // A trial that started before this sampler served it (it cannot happen through a study).
    return try choose(context).1
  }

  private func locked<R>(_ body: () throws -> R) rethrows -> R {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }
}
