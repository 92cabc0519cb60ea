import Foundation

/// NSGA-II for multi-objective studies (Deb, Pratap, Agarwal & Meyarivan, "A Fast and Elitist
/// Multiobjective Genetic Algorithm: NSGA-II", IEEE TEC 6(2), 2002), after Optuna's
/// `NSGAIISampler`.
///
/// Generational like `GASampler` (generations recorded as `nsga2:generation`), with the same
/// variation operators (SBX, uniform or BLX-α crossover; polynomial mutation; uniform crossover and
/// random reset for categoricals). Parents are picked by binary tournament on (non-domination rank,
/// crowding distance); the next population is the elitist (μ + λ) selection of the paper: parents
/// and offspring together are sorted into non-dominated fronts, whole fronts are kept while they
/// fit, and the last one is cut by crowding distance. With one objective it is a GA with (μ + λ)
/// survival.
public final class NSGA2Sampler: Sampler {
  public let seed: UInt64
  public let populationSize: Int
  /// Crossover and mutation.
  public let operators: GeneticOperators
  private let engine: PopulationEngine

  static let prefix = "nsga2"
  /// The system attribute holding a trial's generation.
  static let generationKey = prefix + ":generation"

  public init(
    seed: UInt64? = nil, populationSize: Int = 50, operators: GeneticOperators = .standard
  ) throws {
    try InvalidArgument.require("populationSize", populationSize, atLeast: 2)
    self.seed = seed ?? randomSeed()
    self.populationSize = populationSize
    self.operators = operators
    engine = PopulationEngine(prefix: Self.prefix, populationSize: populationSize, operators: operators, survive: Self.survivors)
  }

  public func beforeTrial(_ context: SamplingContext) throws { try engine.beforeTrial(context) }

  public func inferRelativeSearchSpace(_ context: SamplingContext) throws -> [String: Distribution] {
    try engine.inferRelativeSearchSpace(context)
  }

  public func sampleRelative(_ context: SamplingContext, space: [String: Distribution]) throws -> [String: ParamValue] {
    try engine.sampleRelative(context, space: space)
  }

  public func sampleIndependent(_ context: SamplingContext, name: String, distribution: Distribution) throws -> ParamValue {
    RandomSampler.sample(distribution, using: &context.rng)
  }

  // MARK: Selection

  /// The (μ + λ) survivors: fronts of parents and offspring together, the last one cut by
  /// crowding distance, each member marked with its rank and distance.
  static func survivors(
    parents: [PopulationEngine.Individual], offspring: [PopulationEngine.Individual], size: Int
  ) -> [PopulationEngine.Individual] {
    let pool = parents + offspring
    var next: [PopulationEngine.Individual] = []
    for (rank, front) in nonDominatedSort(pool.map(\.objectives)).enumerated() {
      let distances = crowdingDistance(front.map { pool[$0].objectives })
      var members = front.indices.map { k in
        var m = pool[front[k]]
        m.rank = rank
        m.crowding = distances[k]
        return m
      }
      if next.count + members.count > size {
        members.sort { $0.crowding != $1.crowding ? $0.crowding > $1.crowding : $0.number < $1.number }
        next += members.prefix(size - next.count)
        break
      }
      next += members
      if next.count == size { break }
    }
    return next
  }

  /// Whether `a` dominates `b` (every objective at least as small, one smaller).
  static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
    var better = false
    for (x, y) in zip(a, b) {
      if x > y { return false }
      if x < y { better = true }
    }
    return better
  }

  /// Deb et al.'s fast non-dominated sort of points to minimize: the fronts, best first, each
  /// the indices of its points in increasing order. Front 0 is the points no other dominates;
  /// front k + 1 those dominated only by points of fronts up to k.
  public static func nonDominatedSort(_ points: [[Double]]) -> [[Int]] {
    let n = points.count
    var dominated = [[Int]](repeating: [], count: n)  // the points each one dominates
    var dominators = [Int](repeating: 0, count: n)
    for i in 0..<n {
      for j in (i + 1)..<n {
        if dominates(points[i], points[j]) {
          dominated[i].append(j)
          dominators[j] += 1
        } else if dominates(points[j], points[i]) {
          dominated[j].append(i)
          dominators[i] += 1
        }
      }
    }
    var fronts: [[Int]] = []
    var current = (0..<n).filter { dominators[$0] == 0 }
    while !current.isEmpty {
      fronts.append(current)
      var next: [Int] = []
      for i in current {
        for j in dominated[i] {
          dominators[j] -= 1
          if dominators[j] == 0 { next.append(j) }
        }
      }
      current = next.sorted()
    }
    return fronts
  }

  /// The crowding distance of each point of one front (Deb et al. 2002, §III-B): per objective,
  /// the gap between its two neighbours divided by the objective's range, summed; the extreme
  /// points of any objective get infinity. Ties keep index order.
  public static func crowdingDistance(_ front: [[Double]]) -> [Double] {
    let n = front.count
    guard n > 2 else { return Array(repeating: .infinity, count: n) }
    var distance = [Double](repeating: 0, count: n)
    for m in 0..<(front.first?.count ?? 0) {
      let order = (0..<n).sorted { front[$0][m] != front[$1][m] ? front[$0][m] < front[$1][m] : $0 < $1 }
      distance[order[0]] = .infinity
      distance[order[n - 1]] = .infinity
      let range = front[order[n - 1]][m] - front[order[0]][m]
      guard range > 0, range.isFinite else { continue }
      for k in 1..<(n - 1) {
        let gap = (front[order[k + 1]][m] - front[order[k - 1]][m]) / range
        if gap.isFinite { distance[order[k]] += gap }
      }
    }
    return distance
  }
}
