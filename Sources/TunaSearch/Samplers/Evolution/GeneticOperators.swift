import Foundation

/// How two parents' numeric genes are combined.
public enum Crossover: String, Sendable, CaseIterable {
  /// Simulated binary crossover with bounds (Deb & Agrawal, "Simulated Binary Crossover for
  /// Continuous Search Space", Complex Systems 9, 1995; the bounded form of Deb's NSGA-II code).
  case sbx
  /// Each gene from either parent.
  case uniform
  /// BLX-α with α = 0.5: uniform over the parents' interval widened by α times its length on
  /// each side (Eshelman & Schaffer, "Real-Coded Genetic Algorithms and Interval-Schemata",
  /// FOGA 1993).
  case blxAlpha = "blx_alpha"
}

/// The variation operators the GA and NSGA-II share, one value for both. Numeric genes live in
/// the unit interval (the internal form scaled by the internal bounds, as CMA-ES uses), so the
/// operators respect the bounds and log scales; categorical genes are crossed uniformly and
/// mutated by a random reset. Defaults as Optuna's.
public struct GeneticOperators: Sendable, Equatable {
  public let crossover: Crossover
  /// The chance that a child is crossed over rather than copied from one parent.
  public let crossoverProb: Double
  /// Uniform crossover's chance of taking each gene from the second parent.
  public let swappingProb: Double
  /// SBX's distribution index: larger keeps children nearer their parents.
  public let etaCrossover: Double
  /// Polynomial mutation's distribution index.
  public let etaMutation: Double
  /// Each gene's chance of mutation; nil for 1 / (number of genes).
  public let mutationProb: Double?

  static let blxAlpha = 0.5

  /// Checks the arguments: probabilities in [0, 1], distribution indices finite and >= 0.
  public init(
    crossover: Crossover = .sbx, crossoverProb: Double = 0.9, swappingProb: Double = 0.5, etaCrossover: Double = 15,
    etaMutation: Double = 20, mutationProb: Double? = nil
  ) throws {
    func probability(_ name: String, _ p: Double) throws {
      guard p >= 0, p <= 1 else { throw InvalidArgument(name, "\(name) must be in [0, 1], got \(p)") }
    }
    if let mutationProb { try probability("mutationProb", mutationProb) }
    try probability("crossoverProb", crossoverProb)
    try probability("swappingProb", swappingProb)
    for (name, eta) in [("etaCrossover", etaCrossover), ("etaMutation", etaMutation)] {
      guard eta >= 0, eta.isFinite else { throw InvalidArgument(name, "\(name) must be a number >= 0, got \(eta)") }
    }
    self.crossover = crossover
    self.crossoverProb = crossoverProb
    self.swappingProb = swappingProb
    self.etaCrossover = etaCrossover
    self.etaMutation = etaMutation
    self.mutationProb = mutationProb
  }

  /// Optuna's defaults: SBX with probability 0.9, η = 15 and 20, mutation 1 / genes.
  public static let standard = try! GeneticOperators()

  /// A child of parents `a` and `b` over the parameters `names` of `space`: crossed over with
  /// probability `crossoverProb`, then each gene mutated with the mutation probability.
  func child(
    _ a: [String: ParamValue], _ b: [String: ParamValue], names: [String], space: [String: Distribution],
    using rng: inout RandomSource
  ) -> [String: ParamValue] {
    let crossing = rng.unit() < crossoverProb
    let pm = mutationProb ?? 1 / Double(max(1, names.count))
    var child: [String: ParamValue] = [:]
    for name in names {
      guard let d = space[name], let va = a[name], let vb = b[name] else { continue }
      switch d {
      case .categorical(let choices):
        var v = crossing && rng.unit() < swappingProb ? vb : va
        if rng.unit() < pm { v = choices[rng.integer(0, choices.count - 1)] }
        child[name] = v
      case .float, .int:
        guard let ua = Evolution.unit(va, in: d), let ub = Evolution.unit(vb, in: d) else { continue }
        var u = crossing ? cross(ua, ub, using: &rng) : ua
        if rng.unit() < pm { u = Self.polynomialMutation(u, eta: etaMutation, using: &rng) }
        child[name] = Evolution.value(atUnit: u, in: d)
      }
    }
    return child
  }

  /// One gene of a child of genes `a` and `b` in [0, 1].
  func cross(_ a: Double, _ b: Double, using rng: inout RandomSource) -> Double {
    switch crossover {
    case .uniform:
      return rng.unit() < swappingProb ? b : a
    case .blxAlpha:
      let lo = min(a, b)
      let hi = max(a, b)
      let d = hi - lo
      return min(max(rng.uniform(lo - Self.blxAlpha * d, hi + Self.blxAlpha * d), 0), 1)
    case .sbx:
      let (c1, c2) = Self.sbx(a, b, eta: etaCrossover, using: &rng)
      return rng.unit() < swappingProb ? c2 : c1
    }
  }

  /// Bounded SBX on [0, 1]: two children spread around the parents with the polynomial
  /// probability of distribution index `eta`, the spread shrunk near each bound so that the
  /// children stay inside. The first child lies on the lower parent's side.
  static func sbx(_ a: Double, _ b: Double, eta: Double, using rng: inout RandomSource) -> (Double, Double) {
    let y1 = min(a, b)
    let y2 = max(a, b)
    let d = y2 - y1
    guard d > 1e-14 else { return (a, b) }
    let r = rng.unit()
    func spread(_ beta: Double) -> Double {
      let alpha = 2 - pow(beta, -(eta + 1))
      return r <= 1 / alpha ? pow(r * alpha, 1 / (eta + 1)) : pow(1 / (2 - r * alpha), 1 / (eta + 1))
    }
    let c1 = 0.5 * ((y1 + y2) - spread(1 + 2 * y1 / d) * d)
    let c2 = 0.5 * ((y1 + y2) + spread(1 + 2 * (1 - y2) / d) * d)
    return (min(max(c1, 0), 1), min(max(c2, 0), 1))
  }

  /// Bounded polynomial mutation on [0, 1] (Deb & Goyal, "A Combined Genetic Adaptive Search
  /// (GeneAS) for Engineering Design", 1996; the bounded form of Deb's NSGA-II code): a move
  /// whose size follows a polynomial distribution of index `eta`, shrunk near the bounds.
  static func polynomialMutation(_ u: Double, eta: Double, using rng: inout RandomSource) -> Double {
    let r = rng.unit()
    let power = 1 / (eta + 1)
    let delta: Double
    if r < 0.5 {
      let v = 2 * r + (1 - 2 * r) * pow(1 - u, eta + 1)
      delta = pow(v, power) - 1
    } else {
      let v = 2 * (1 - r) + 2 * (r - 0.5) * pow(u, eta + 1)
      delta = 1 - pow(v, power)
    }
    return min(max(u + delta, 0), 1)
  }
}
