import LuaVM
import TunaSearch

extension TunaEngine {
  /// Constructors of the quasi-random, model-based and evolutionary samplers.
  var modelSamplerBindings: [LuaBinding] {
    [
      sampler(
        "qmc", OptionTable("seed?: integer, type?: \(literalUnion(QMC.Kind.self)), scramble?: boolean"),
        "Quasi-random points (Sobol or Halton), scrambled by the seed."
      ) { [unowned self] _, o in
        let kind = try o.string("type").map { name -> QMC.Kind in
          guard let k = QMC.Kind(rawValue: name) else {
            throw ArgumentError(1, "'type' must be \"sobol\" or \"halton\", got \"\(name)\"")
          }
          return k
        } ?? .sobol
        return QMCSampler(kind: kind, scramble: try o.bool("scramble") ?? true, seed: self.seed(try seedValue(o)))
      },
      sampler(
        "tpe",
        OptionTable(
          "seed?: integer, n_startup_trials?: integer, n_ei_candidates?: integer, multivariate?: boolean, group?: boolean, constant_liar?: boolean, prior_weight?: number, consider_endpoints?: boolean"
        ),
        "Tree-structured Parzen Estimator."
      ) { [unowned self] _, o in
        try self.validated(o) {
          try TPESampler(
            seed: self.seed(try seedValue(o)), nStartupTrials: try o.integer("n_startup_trials") ?? 10,
            nEICandidates: try o.integer("n_ei_candidates") ?? 24, multivariate: try o.bool("multivariate") ?? true,
            group: try o.bool("group") ?? false, constantLiar: try o.bool("constant_liar") ?? false,
            priorWeight: try o.number("prior_weight") ?? 1, considerEndpoints: try o.bool("consider_endpoints") ?? false)
        }
      },
      sampler(
        "auto", OptionTable("seed?: integer, model_trials?: integer"),
        "The default: per study and phase, the built-in sampler that wins there (GP, TPE, CMA-ES, NSGA-II)."
      ) { [unowned self] _, o in
        try self.validated(o) {
          try AutoSampler(seed: self.seed(try seedValue(o)), modelTrials: try o.integer("model_trials") ?? 250)
        }
      },
      sampler(
        "gp",
        OptionTable("seed?: integer, n_startup_trials?: integer, deterministic_objective?: boolean, output_warping?: boolean"),
        "Gaussian-process Bayesian optimization with log expected improvement."
      ) { [unowned self] _, o in
        GPSampler(
          seed: self.seed(try seedValue(o)), nStartupTrials: try o.integer("n_startup_trials") ?? 10,
          deterministicObjective: try o.bool("deterministic_objective") ?? false,
          outputWarping: try o.bool("output_warping"))
      },
      sampler(
        "cmaes",
        OptionTable(
          "seed?: integer, sigma0?: number, popsize?: integer, restart?: \(literalUnion(CMAESSampler.Restart.self)), inc_popsize?: integer, separable?: boolean, with_margin?: boolean, n_startup_trials?: integer"
        ),
        "CMA-ES, with optional IPOP restarts, a separable variant and the margin correction for integers."
      ) { [unowned self] _, o in
        let restart = try o.string("restart").map { name -> CMAESSampler.Restart in
          guard let r = CMAESSampler.Restart(rawValue: name) else {
            throw ArgumentError(1, "'restart' must be \"ipop\" or nil, got \"\(name)\"")
          }
          return r
        }
        return try self.validated(o) {
          try CMAESSampler(
            seed: self.seed(try seedValue(o)), sigma0: try o.number("sigma0"), popsize: try o.integer("popsize"),
            restart: restart, incPopsize: try o.integer("inc_popsize") ?? 2, separable: try o.bool("separable") ?? false,
            withMargin: try o.bool("with_margin") ?? true, nStartupTrials: try o.integer("n_startup_trials") ?? 0)
        }
      },
      sampler(
        "ga", OptionTable(Self.geneticOptions + ", elitism?: integer"), "A genetic algorithm for one objective."
      ) { [unowned self] _, o in
        let g = try self.genetic(o)
        return try self.validated(o) {
          try GASampler(
            seed: g.seed, populationSize: g.population, operators: g.operators, elitism: try o.integer("elitism"))
        }
      },
      sampler("nsga2", OptionTable(Self.geneticOptions), "NSGA-II, for several objectives.") { [unowned self] _, o in
        let g = try self.genetic(o)
        return try self.validated(o) {
          try NSGA2Sampler(seed: g.seed, populationSize: g.population, operators: g.operators)
        }
      },
    ]
  }

  static let geneticOptions = """
    seed?: integer, population_size?: integer, mutation_prob?: number, crossover?: \(literalUnion(Crossover.self)), \
    crossover_prob?: number, swapping_prob?: number, eta_crossover?: number, eta_mutation?: number
    """

  /// The options GA and NSGA-II share, the operators checked.
  private func genetic(_ o: Options) throws -> (seed: UInt64, population: Int, operators: GeneticOperators) {
    let crossover = try o.string("crossover").map { name -> Crossover in
      guard let c = Crossover(rawValue: name) else {
        throw ArgumentError(1, "'crossover' must be one of \(Crossover.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(name)\"")
      }
      return c
    } ?? .sbx
    let (mutation, crossoverProb, swapping) = (try o.number("mutation_prob"), try o.number("crossover_prob"), try o.number("swapping_prob"))
    let (etaC, etaM) = (try o.number("eta_crossover"), try o.number("eta_mutation"))
    let standard = GeneticOperators.standard
    let operators = try validated(o) {
      try GeneticOperators(
        crossover: crossover, crossoverProb: crossoverProb ?? standard.crossoverProb, swappingProb: swapping ?? standard.swappingProb,
        etaCrossover: etaC ?? standard.etaCrossover, etaMutation: etaM ?? standard.etaMutation, mutationProb: mutation)
    }
    return (seed(try seedValue(o)), try o.integer("population_size") ?? 50, operators)
  }

  /// Makes a sampler (or its parts), turning the core's refusal into a bad-argument error.
  private func validated<S>(_ o: Options, _ make: () throws -> S) throws -> S {
    do { return try make() } catch let e as InvalidArgument { throw argumentError(e, position: o.position) }
  }
}
