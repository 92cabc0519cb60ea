import LuaVM
import TunaSearch
import TunaTrain

/// A kernel density estimate as a script holds it.
final class KDEBox {
  let model: KernelDensity
  init(_ model: KernelDensity) { self.model = model }
}

/// A fitted Gaussian process as a script holds it.
final class GPBox {
  let model: GaussianProcess
  init(_ model: GaussianProcess) { self.model = model }
}

extension TunaEngine {
  /// `tuna.gp`, `tuna.acquisition`, `tuna.qmc`, `tuna.stats`: the native pieces samplers are made
  /// of, for strategies written in Lua.
  func pushBuildingBlocks(into tuna: Int32, on lua: Lua) {
    let gp = OptionTable("x: number[][], y: number[], low?: number[], high?: number[], deterministic?: boolean, seed?: integer")
    lua.push(library: LuaLibrary("tuna.gp", "Gaussian processes, the model of the GP sampler.", functions: [
      .named(
        "fit", "options: \(gp.type)", returns: "tuna.GaussianProcess",
        "Fits a Gaussian process (Matérn 5/2, a lengthscale per dimension) to points x in [0, 1]^d, or in [low, high]."
      ) { [unowned self] l, name in
        let o = try Options(l, at: 1, gp)
        let x = try points(l, o, "x")
        let y: [Double] = try o.with("y") { _ in try numbers(l, o, "y") }
        let low: [Double]? = try o.with("low") { type in type == .nil ? nil : try numbers(l, o, "low") }
        let high: [Double]? = try o.with("high") { type in type == .nil ? nil : try numbers(l, o, "high") }
        // The kernel matrix, its factor and the fit's scratch.
        try self.reserve(MemoryBudget.size(x.count, x.count, 24), for: "tuna.gp.\(name)")
        do {
          let probe = self.state.limitProbe
          let model = try GaussianProcess.fit(
            x: x, y: y, lows: low, highs: high, deterministic: try o.bool("deterministic") ?? false,
            seed: try seedValue(o) ?? 0, shouldStop: { probe.passed })
          self.classes.gp.push(GPBox(model), on: l, charging: self.granted.take())
        } catch is CancellationError {
          try self.state.checkDeadline()  // the limit's own error, at the script's line
          throw ArgumentError(1, "the fit was stopped")
        } catch let e as InvalidArgument {
          throw self.argumentError(e, position: 1)
        }
        return 1
      },
    ]), recordingIn: api)
    lua.rawSet(tuna, "gp")

    let logEI = OptionTable("mean: number, variance: number, best: number, minimize?: boolean")
    lua.push(library: LuaLibrary("tuna.acquisition", "Acquisition functions for Bayesian optimization.", functions: [
      LuaBinding(
        "log_ei", "options: \(logEI.type)", returns: "number",
        "The log of the expected improvement over `best` of a normal prediction (minimizing unless minimize = false)."
      ) { l in
        let o = try Options(l, at: 1, logEI)
        guard let mean = try o.number("mean"), let variance = try o.number("variance"), let best = try o.number("best") else {
          throw ArgumentError(1, "'mean', 'variance' and 'best' are required numbers")
        }
        l.push(Acquisition.logEI(mean: mean, variance: variance, best: best, minimize: try o.bool("minimize") ?? true))
        return 1
      },
    ]), recordingIn: api)
    lua.rawSet(tuna, "acquisition")

    let sequences: [(String, QMC.Kind, String)] = [
      ("sobol", .sobol, "Points of a Sobol sequence in [0, 1)^dimensions, scrambled unless scramble = false."),
      ("halton", .halton, "Points of a Halton sequence in [0, 1)^dimensions, scrambled unless scramble = false."),
    ]
    let qmc = OptionTable("seed?: integer, scramble?: boolean, skip?: integer")
    lua.push(library: LuaLibrary("tuna.qmc", "Quasi-random sequences.", functions: sequences.map { name, kind, summary in
      LuaBinding(name, "dimensions: integer, count: integer, options?: \(qmc.type)", returns: "number[][]", summary) {
        [unowned self] l in
        guard let d = l.toInteger(1), l.type(at: 1) == .number, d >= 1 else {
          throw ArgumentError(1, "dimensions must be a positive integer, got \(l.describe(1))")
        }
        guard let n = l.toInteger(2), l.type(at: 2) == .number, n >= 0 else {
          throw ArgumentError(2, "count must be a non-negative integer, got \(l.describe(2))")
        }
        if kind == .sobol, d > QMC.maxSobolDimensions {
          throw ArgumentError(1, "at most \(QMC.maxSobolDimensions) dimensions, got \(d)")
        }
        let o = try Options(l, at: 3, qmc)
        let scramble = try o.bool("scramble") ?? true
        let seed: UInt64? = scramble ? (try seedValue(o) ?? 0) : nil
        let skip = try o.integer("skip") ?? 0
        if let problem = QMC.problem(kind, dimensions: d, count: n, skip: skip) { throw ArgumentError(3, problem) }
        // The points in Swift, then as Lua tables (a number slot each, a table per point), and
        // the sequence's state per dimension (a base, digit scrambles).
        try self.reserve(
          MemoryBudget.sum(MemoryBudget.size(n, d, 24), MemoryBudget.size(n, 64), MemoryBudget.size(d, 256)),
          for: "tuna.qmc.\(name)")
        let points = kind == .sobol
          ? QMC.sobol(dimensions: d, count: n, skip: skip, scrambleSeed: seed)
          : QMC.halton(dimensions: d, count: n, skip: skip, scrambleSeed: seed)
        pushPoints(points, on: l)
        return 1
      }
    }), recordingIn: api)
    lua.rawSet(tuna, "qmc")

    let kde = OptionTable(
      "x: number[][], low: number[], high: number[], weights?: number[], prior_weight?: number, consider_endpoints?: boolean")
    lua.push(library: LuaLibrary("tuna.stats", "Statistical models.", functions: [
      LuaBinding(
        "kde", "options: \(kde.type)", returns: "tuna.KernelDensity",
        "A kernel density estimate over points in a box, as TPE builds them (with a prior)."
      ) { [unowned self] l in
        let o = try Options(l, at: 1, kde)
        let x = try points(l, o, "x")
        let low: [Double] = try o.with("low") { _ in try numbers(l, o, "low") }
        let high: [Double] = try o.with("high") { _ in try numbers(l, o, "high") }
        let weights: [Double]? = try o.with("weights") { type in type == .nil ? nil : try numbers(l, o, "weights") }
        do {
          let model = try KernelDensity(
            observations: x, low: low, high: high, weights: weights, priorWeight: try o.number("prior_weight") ?? 1,
            considerEndpoints: try o.bool("consider_endpoints") ?? false)
          self.classes.kde.push(KDEBox(model), on: l)
        } catch let e as InvalidArgument {
          throw self.argumentError(e, position: 1)
        }
        return 1
      },
    ]), recordingIn: api)
    lua.rawSet(tuna, "stats")
  }
}

/// `kde:log_pdf(x)` and `kde:sample(rng, n)` (rng from a sampler's `ctx.rng`).
enum KDEMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<KDEBox> {
    LuaClass(
      engine.state.lua, name: "tuna.KernelDensity", summary: "A kernel density estimate (`tuna.stats.kde`).",
      methods: methods(engine), recordingIn: engine.api)
  }

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    [
      LuaBinding("log_pdf", "x: number[]", returns: "number", "The log of the density at a point.") { [unowned engine] l in
        let m = try engine.classes.kde.check(1, on: l).model
        guard l.type(at: 2) == .table else { throw ArgumentError(2, "an array of numbers expected, got \(l.typeName(2))") }
        let x = try l.readArray(2, argument: 2) { _ -> Double in
          guard l.type(at: -1) == .number, let v = l.toNumber(-1) else { throw ArgumentError(2, "an array of numbers expected") }
          return v
        }
        guard x.count == m.dimensions.count else {
          throw ArgumentError(2, "a point of \(m.dimensions.count) numbers expected, got \(x.count)")
        }
        l.push(m.logPDF(x))
        return 1
      },
      LuaBinding("sample", "rng: tuna.Rng, count?: integer", returns: "number[][]", "Points drawn from the density (one by default).") {
        [unowned engine] l in
        let m = try engine.classes.kde.check(1, on: l).model
        let ctx = try engine.classes.rng.check(2, on: l)
        let n = l.isNoneOrNil(3) ? 1 : (l.toInteger(3) ?? -1)
        guard n >= 0 else { throw ArgumentError(3, "count must be a non-negative integer, got \(l.describe(3))") }
        let points = m.sample(count: n, rng: &ctx.rng)
        pushPoints(points, on: l)
        return 1
      },
    ]
  }
}

/// The array of points (arrays of numbers) in option `key`.
private func points(_ l: Lua, _ o: Options, _ key: String) throws -> [[Double]] {
  try o.with(key) { type in
    guard type == .table else { throw o.bad(key, "an array of points (arrays of numbers)") }
    return try l.readArray(-1, argument: o.position) { _ in try numbers(l, o, key) }
  }
}

/// Pushes points as an array of arrays.
private func pushPoints(_ points: [[Double]], on l: Lua) {
  l.newTable(arrayCount: Int32(points.count))
  for (i, p) in points.enumerated() {
    l.newTable(arrayCount: Int32(p.count))
    for (j, v) in p.enumerated() { l.push(v); l.rawSet(-2, index: j + 1) }
    l.rawSet(-2, index: i + 1)
  }
}

/// The array of numbers on top of the stack.
private func numbers(_ l: Lua, _ o: Options, _ key: String) throws -> [Double] {
  guard l.type(at: -1) == .table else { throw o.bad(key, "an array of numbers") }
  return try l.readArray(-1, argument: o.position) { _ in
    guard l.type(at: -1) == .number, let v = l.toNumber(-1) else { throw o.bad(key, "an array of numbers") }
    return v
  }
}

/// `model:predict(x)` → mean, variance; `model.dimensions`, `model.lengthscales`.
enum GPMethods {
  static func makeClass(_ engine: TunaEngine) -> LuaClass<GPBox> {
    LuaClass(
      engine.state.lua, name: "tuna.GaussianProcess", summary: "A fitted Gaussian process (`tuna.gp.fit`).",
      methods: methods(engine),
      fields: [
        LuaFieldDoc("dimensions", "integer"),
        LuaFieldDoc("lengthscales", "number[]", "One per dimension, as fitted."),
        LuaFieldDoc("signal_variance", "number"),
        LuaFieldDoc("noise_variance", "number"),
      ],
      getter: getter(engine), recordingIn: engine.api)
  }

  static func getter(_ engine: TunaEngine) -> HostFunction {
    { [unowned engine] l in
      let m = try engine.classes.gp.check(1, on: l).model
      switch l.toString(2) {
      case "dimensions": l.push(m.dimensions)
      case "lengthscales":
        l.newTable(arrayCount: Int32(m.lengthscales.count))
        for (i, v) in m.lengthscales.enumerated() { l.push(v); l.rawSet(-2, index: i + 1) }
      case "signal_variance": l.push(m.signalVariance)
      case "noise_variance": l.push(m.noiseVariance)
      default: l.pushNil()
      }
      return 1
    }
  }

  static func methods(_ engine: TunaEngine) -> [LuaBinding] {
    [
      LuaBinding("predict", "x: number[]", returns: "number mean, number variance", "The predicted mean and variance at a point.") { [unowned engine] l in
        let m = try engine.classes.gp.check(1, on: l).model
        guard l.type(at: 2) == .table, l.rawLength(2) == m.dimensions else {
          throw ArgumentError(2, "an array of \(m.dimensions) numbers expected, got \(l.typeName(2))")
        }
        let x = try (0..<m.dimensions).map { i -> Double in
          l.rawGet(2, index: i + 1)
          defer { l.pop() }
          guard l.type(at: -1) == .number, let v = l.toNumber(-1) else {
            throw ArgumentError(2, "an array of numbers expected")
          }
          return v
        }
        let p = m.predict(x)
        l.push(p.mean)
        l.push(p.variance)
        return 2
      },
    ]
  }
}
