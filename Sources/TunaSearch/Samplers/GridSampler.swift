/// Tries every combination of the given values once (scikit-learn's GridSearchCV, Optuna's
/// GridSampler), in an order shuffled by the seed, then stops the study.
///
/// Each trial claims the first grid point no earlier trial holds; the point is kept in the
/// trial's system attributes (`grid_id`), so a resumed study continues where it stopped. A
/// parameter the grid does not name is an error.
public final class GridSampler: Sampler {
  public let seed: UInt64
  /// Parameter names, sorted, and each one's values.
  public let names: [String]
  public let values: [[ParamValue]]
  /// The visiting order: a seeded permutation of grid indices.
  private let order: [Int]

  public init(searchSpace: [String: [ParamValue]], seed: UInt64? = nil) throws {
    self.seed = seed ?? randomSeed()
    names = searchSpace.keys.sorted()
    values = names.map { searchSpace[$0]! }
    if let empty = names.first(where: { searchSpace[$0]!.isEmpty }) {
      throw InvalidArgument("searchSpace", "searchSpace['\(empty)'] must list at least one value")
    }
    var order = Array(0..<values.reduce(1) { $0 * $1.count })
    var rng = RandomSource(seed: self.seed)
    order.shuffle(using: &rng)
    self.order = order
  }

  /// The number of grid points.
  public var size: Int { order.count }

  /// The parameter values at a grid index.
  public func point(_ index: Int) -> [String: ParamValue] {
    var rest = index
    var result: [String: ParamValue] = [:]
    for (name, choices) in zip(names, values).reversed() {
      result[name] = choices[rest % choices.count]
      rest /= choices.count
    }
    return result
  }

  public func beforeTrial(_ context: SamplingContext) throws {
    let taken = Set(try context.history.unpartitioned.trials().compactMap(Self.gridID))
    // The first free point in the seeded order; when every point is taken (parallel workers
    // racing for the last ones), revisit one at random as Optuna does.
    let id = order.first { !taken.contains($0) } ?? order[context.rng.integer(0, order.count - 1)]
    try context.setSystemAttr("grid_id", .int(id))
  }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    guard let column = names.firstIndex(of: name), let id = Self.gridID(try context.trial()) else {
      throw StudyError("parameter '\(name)' is not in the grid's search space (it has: \(names.joined(separator: ", ")))")
    }
    let value = point(id)[names[column]]!
    // Integers written as 3.0 in a script still suggest as integers.
    if case .int = distribution, let v = value.number, v == v.rounded() { return .int(Int(v)) }
    if case .float = distribution, let v = value.number { return .float(v) }
    return value
  }

  public func afterTrial(_ context: SamplingContext, state: TrialState, values: [Double]?) throws {
    let trials = try context.history.unpartitioned.trials()
    let done = Set(trials.filter { $0.state != .waiting }.compactMap(Self.gridID))
    if done.count >= size { context.stopStudy() }
  }

  static func gridID(_ trial: FrozenTrial) -> Int? {
    if case .int(let id)? = trial.systemAttrs["grid_id"] { return id }
    return nil
  }
}
