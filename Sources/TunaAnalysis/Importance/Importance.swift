import TunaSearch

/// How importances are computed.
public enum ImportanceEvaluator: String, Sendable, CaseIterable {
  /// PED-ANOVA: how the best trials' values differ from all trials' (the default, as in
  /// Optuna 5.0).
  case pedAnova = "ped_anova"
  /// Functional ANOVA over a random forest: the share of the objective's variance each
  /// parameter explains alone.
  case fanova
}

/// What ``parameterImportances(_:directions:options:)`` computes.
public struct ImportanceOptions {
  public var evaluator: ImportanceEvaluator = .pedAnova
  /// The parameters to rank; nil ranks every parameter seen in complete trials.
  public var params: [String]?
  /// What to explain: nil is the study's objective (for a multi-objective study, PED-ANOVA then
  /// takes the best trials by Pareto rank, and fANOVA needs a target).
  public var target: AnalysisTarget?
  /// Divide by the sum so the importances add up to 1 (equal shares when all are 0).
  public var normalize = true
  public var fanova = FanovaOptions()
  public var pedAnova = PedAnovaOptions()

  public init(evaluator: ImportanceEvaluator = .pedAnova, params: [String]? = nil, target: AnalysisTarget? = nil, seed: UInt64 = 0) {
    self.evaluator = evaluator
    self.params = params
    self.target = target
    fanova.seed = seed
  }

  /// Seeds every random choice an evaluator makes (only fANOVA makes any).
  public var seed: UInt64 {
    get { fanova.seed }
    set { fanova.seed = newValue }
  }
}

/// One parameter's importance.
public struct ParameterImportance: Sendable, Hashable {
  public var name: String
  public var importance: Double
  /// The spread over the forest's trees (fANOVA; nil for PED-ANOVA), scaled as `importance`.
  public var std: Double?

  public init(name: String, importance: Double, std: Double? = nil) {
    self.name = name
    self.importance = importance
    self.std = std
  }
}

/// How much each hyperparameter mattered in `trials` (a study's, with its `directions`), most
/// important first (ties in name order), as Optuna's `get_param_importances` ranks them.
public func parameterImportances(
  _ trials: [FrozenTrial], directions: [StudyDirection], options: ImportanceOptions = ImportanceOptions()
) throws -> [ParameterImportance] {
  var raw: [ParameterImportance]
  switch options.evaluator {
  case .pedAnova:
    raw = try PedAnova.importances(
      trials: trials, target: options.target, directions: directions, params: options.params, options: options.pedAnova
    ).map { ParameterImportance(name: $0.name, importance: $0.value) }
  case .fanova:
    raw = try fanovaImportances(trials, directions: directions, options: options)
  }
  if options.normalize {
    let total = raw.reduce(0) { $0 + $1.importance }
    for i in raw.indices {
      if total > 0 {
        raw[i].importance /= total
        raw[i].std = raw[i].std.map { $0 / total }
      } else {
        raw[i].importance = 1 / Double(raw.count)
      }
    }
  }
  return raw.sorted { $0.importance != $1.importance ? $0.importance > $1.importance : $0.name < $1.name }
}

/// fANOVA's main effects, with 0 for named parameters that hold one value only.
private func fanovaImportances(
  _ trials: [FrozenTrial], directions: [StudyDirection], options: ImportanceOptions
) throws -> [ParameterImportance] {
  var fanovaOptions = options.fanova
  fanovaOptions.pairs = false
  let target = try options.target ?? singleObjectiveTarget(directions)
  let table = try TrialTable(trials: trials, target: target, names: options.params)
  let single = table.parameters.filter { $0.distribution.isSingle }
  let analysed = table.parameters.filter { !$0.distribution.isSingle }
  guard table.rowCount >= 2, !analysed.isEmpty else {
    return table.parameters.map { ParameterImportance(name: $0.name, importance: 0, std: 0) }
  }
  let fanova = try FunctionalANOVA(table: table.restricted(to: analysed.map(\.name)), options: fanovaOptions, keepTrees: false)
  return zip(fanova.parameters, fanova.mainEffects).map { ParameterImportance(name: $0.name, importance: $1.fraction, std: $1.std) }
    + single.map { ParameterImportance(name: $0.name, importance: 0, std: 0) }
}

/// Every pair's interaction by fANOVA, strongest first: the share of the objective's variance
/// the pair explains together beyond both main effects (on the scale of unnormalized main
/// effects).
public func parameterInteractions(
  _ trials: [FrozenTrial], directions: [StudyDirection], params: [String]? = nil, target: AnalysisTarget? = nil,
  options: FanovaOptions = FanovaOptions()
) throws -> [PairEffect] {
  let target = try target ?? singleObjectiveTarget(directions)
  var options = options
  options.pairs = true
  let table = try TrialTable(trials: trials, target: target, names: params)
  let analysed = table.parameters.filter { !$0.distribution.isSingle }
  guard analysed.count >= 2, table.rowCount >= 2 else { return [] }
  return try FunctionalANOVA(table: table.restricted(to: analysed.map(\.name)), options: options, keepTrees: false).interactions
}

/// The objective of a single-objective study; an error naming the way out for a multi-objective one.
func singleObjectiveTarget(_ directions: [StudyDirection]) throws -> AnalysisTarget {
  guard directions.count == 1 else {
    throw AnalysisError(
      "the study has \(directions.count) objectives: fANOVA needs a target (an objective's index or a function of the trial)")
  }
  return try AnalysisTarget.objective(0, of: directions)
}
