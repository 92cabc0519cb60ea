import LuaVM
import TunaSearch

extension TunaEngine {
  /// Constructors of the model-based and evolutionary samplers, by their Lua names.
  func modelSamplerConstructors() -> [String: HostFunction] {
    [
      "tpe": { [unowned self] l in
        let o = try Options(l, at: 1, function: "tpe", allowed: [
          "seed", "n_startup_trials", "n_ei_candidates", "multivariate", "group", "constant_liar",
          "prior_weight", "consider_endpoints",
        ])
        let s = try self.sampler("tpe", o) {
          try TPESampler(
            seed: self.seed(try seedValue(o)), nStartupTrials: try o.integer("n_startup_trials") ?? 10,
            nEICandidates: try o.integer("n_ei_candidates") ?? 24, multivariate: try o.bool("multivariate") ?? true,
            group: try o.bool("group") ?? false, constantLiar: try o.bool("constant_liar") ?? false,
            priorWeight: try o.number("prior_weight") ?? 1, considerEndpoints: try o.bool("consider_endpoints") ?? false)
        }
        self.classes.sampler.push(SamplerBox(s, name: "tpe"), on: l)
        return 1
      },
      "gp": { [unowned self] l in
        let o = try Options(l, at: 1, function: "gp", allowed: ["seed", "n_startup_trials", "deterministic_objective"])
        let s = GPSampler(
          seed: self.seed(try seedValue(o)), nStartupTrials: try o.integer("n_startup_trials") ?? 10,
          deterministicObjective: try o.bool("deterministic_objective") ?? false)
        self.classes.sampler.push(SamplerBox(s, name: "gp"), on: l)
        return 1
      },
      "qmc": { [unowned self] l in
        let o = try Options(l, at: 1, function: "qmc", allowed: ["seed", "type", "scramble"])
        let kind = try o.string("type").map { name -> QMC.Kind in
          guard let k = QMC.Kind(rawValue: name) else {
            throw ArgumentError(1, "qmc", "'type' must be \"sobol\" or \"halton\", got \"\(name)\"")
          }
          return k
        } ?? .sobol
        let s = QMCSampler(kind: kind, scramble: try o.bool("scramble") ?? true, seed: self.seed(try seedValue(o)))
        self.classes.sampler.push(SamplerBox(s, name: "qmc"), on: l)
        return 1
      },
      "cmaes": { [unowned self] l in
        let o = try Options(l, at: 1, function: "cmaes", allowed: [
          "seed", "sigma0", "popsize", "restart", "inc_popsize", "separable", "with_margin", "n_startup_trials",
        ])
        let restart = try o.string("restart").map { name -> CMAESSampler.Restart in
          guard let r = CMAESSampler.Restart(rawValue: name) else {
            throw ArgumentError(1, "cmaes", "'restart' must be \"ipop\" or nil, got \"\(name)\"")
          }
          return r
        }
        let s = try self.sampler("cmaes", o) {
          try CMAESSampler(
            seed: self.seed(try seedValue(o)), sigma0: try o.number("sigma0"), popsize: try o.integer("popsize"),
            restart: restart, incPopsize: try o.integer("inc_popsize") ?? 2, separable: try o.bool("separable") ?? false,
            withMargin: try o.bool("with_margin") ?? true, nStartupTrials: try o.integer("n_startup_trials") ?? 0)
        }
        self.classes.sampler.push(SamplerBox(s, name: "cmaes"), on: l)
        return 1
      },
      "ga": { [unowned self] l in
        let o = try Options(l, at: 1, function: "ga", allowed: Self.geneticOptions + ["elitism"])
        let g = try self.genetic(o, "ga")
        let s = try self.sampler("ga", o) {
          try GASampler(
            seed: g.seed, populationSize: g.population, mutationProb: g.mutation, crossover: g.crossover,
            crossoverProb: g.crossoverProb, swappingProb: g.swapping, etaCrossover: g.etaC, etaMutation: g.etaM,
            elitism: try o.integer("elitism"))
        }
        self.classes.sampler.push(SamplerBox(s, name: "ga"), on: l)
        return 1
      },
      "nsga2": { [unowned self] l in
        let o = try Options(l, at: 1, function: "nsga2", allowed: Self.geneticOptions)
        let g = try self.genetic(o, "nsga2")
        let s = try self.sampler("nsga2", o) {
          try NSGA2Sampler(
            seed: g.seed, populationSize: g.population, mutationProb: g.mutation, crossover: g.crossover,
            crossoverProb: g.crossoverProb, swappingProb: g.swapping, etaCrossover: g.etaC, etaMutation: g.etaM)
        }
        self.classes.sampler.push(SamplerBox(s, name: "nsga2"), on: l)
        return 1
      },
    ]
  }

  static let geneticOptions = [
    "seed", "population_size", "mutation_prob", "crossover", "crossover_prob", "swapping_prob", "eta_crossover",
    "eta_mutation",
  ]

  private func genetic(_ o: Options, _ f: String) throws -> (
    seed: UInt64, population: Int, mutation: Double?, crossover: Crossover, crossoverProb: Double, swapping: Double,
    etaC: Double, etaM: Double
  ) {
    let crossover = try o.string("crossover").map { name -> Crossover in
      guard let c = Crossover(rawValue: name) else {
        throw ArgumentError(1, f, "'crossover' must be one of \(Crossover.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(name)\"")
      }
      return c
    } ?? .sbx
    return (
      seed(try seedValue(o)), try o.integer("population_size") ?? 50, try o.number("mutation_prob"), crossover,
      try o.number("crossover_prob") ?? 0.9, try o.number("swapping_prob") ?? 0.5, try o.number("eta_crossover") ?? 15,
      try o.number("eta_mutation") ?? 20
    )
  }

  /// Makes a sampler, turning its validation error into a bad-argument error.
  private func sampler<S>(_ f: String, _ o: Options, _ make: () throws -> S) throws -> S {
    do { return try make() } catch let e as ArgumentError { throw e } catch {
      throw ArgumentError(o.position, f, String(describing: error))
    }
  }
}
