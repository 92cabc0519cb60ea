import Foundation
import TunaAnalysis
import TunaSearch

/// One objective's part of the report: importance, interactions, history, slices and contour.
func objectiveContext(
  _ study: StudySnapshot, _ analysis: ObjectiveAnalysis, id: String, options: ReportOptions
) -> [String: Any] {
  let k = analysis.index
  let direction = analysis.direction
  let yTitle = objectiveTitle(analysis.title, direction)
  let complete = study.completeTrials
  var context: [String: Any] = ["title": analysis.title, "direction": direction.rawValue, "multi": study.directions.count > 1]

  // History: every record-breaking trial, then a sample of the rest.
  var best: Double?
  var records = Set<Int>()
  for t in complete {
    let v = t.values![k]
    if best.map({ direction.isBetter(v, than: $0) }) ?? true {
      best = v
      records.insert(t.number)
    }
  }
  let history = sample(complete, limit: options.maxPoints, seed: options.seed, keep: { records.contains($0.number) })
  context["historySvg"] = Figures.history(
    id: "\(id)-history", title: "Optimization history", points: history.map { HistoryPoint(number: $0.number, value: $0.values![k]) },
    direction: direction, yTitle: yTitle)

  // Importance and interactions.
  context["hasNote"] = analysis.note != nil
  context["note"] = analysis.note ?? ""
  let ranked = analysis.rankedParameters
  context["hasAnalysis"] = analysis.fanova != nil
  if let fanova = analysis.fanova {
    context["analysedTrials"] = fanova.trialCount < complete.count
      ? "fANOVA learned from a random sample of \(fanova.trialCount) of the \(complete.count) complete trials."
      : "fANOVA learned from all \(complete.count) complete trials."
    context["importanceSvg"] = Figures.importance(
      id: "\(id)-importance", title: "Share of the variance each parameter explains alone",
      bars: ranked.map { ImportanceBar(name: $0.parameter.name, value: $0.effect.fraction, std: $0.effect.std) },
      xTitle: "Fraction of the objective's variance (fANOVA main effect)")
    let names = ranked.map(\.parameter.name)
    var matrix = [[Double]](repeating: [Double](repeating: 0, count: names.count), count: names.count)
    for pair in fanova.interactions {
      guard let i = names.firstIndex(of: pair.first), let j = names.firstIndex(of: pair.second) else { continue }
      matrix[i][j] = pair.effect.fraction
      matrix[j][i] = pair.effect.fraction
    }
    let matrixSvg = Figures.interactionMatrix(
      id: "\(id)-interactions", title: "Pairwise interactions", names: names, main: ranked.map(\.effect.fraction), pairs: matrix)
    context["matrixSvg"] = matrixSvg
    // A small matrix stays at its own size instead of being blown up to the column's width.
    context["matrixWidth"] = min(760, naturalWidth(matrixSvg) ?? 640)
    context["importanceRows"] = ranked.map { item -> [String: Any] in
      [
        "name": item.parameter.name,
        "fanova": formatFraction(item.effect.fraction),
        "std": formatFraction(item.effect.std),
        "ped": analysis.pedAnova[item.parameter.name].map(formatFraction) ?? "–",
        "distribution": describeDistribution(item.parameter.distribution),
        "conditional": item.parameter.inactiveShare > 0
          ? "in \(Int(((1 - item.parameter.inactiveShare) * 100).rounded()))% of trials" : "",
      ]
    }
    let interactionTotal = fanova.interactions.reduce(0) { $0 + $1.effect.fraction }
    let mainTotal = fanova.mainEffects.reduce(0) { $0 + $1.fraction }
    context["decomposition"] =
      "Main effects explain \(percent(mainTotal)) of the variance, pairwise interactions \(percent(interactionTotal)), "
      + "and the rest (\(percent(max(0, fanova.remainder ?? 0)))) is left to higher-order interactions and the model's noise."
    context["topPairs"] = fanova.interactions.prefix(5).filter { $0.effect.fraction > 0 }.map { pair -> [String: Any] in
      ["a": pair.first, "b": pair.second, "fraction": formatFraction(pair.effect.fraction), "std": formatFraction(pair.effect.std)]
    }
    context["hasPairs"] = fanova.interactions.contains { $0.effect.fraction > 0 }

    // Slices of the most important parameters, with fANOVA's marginal under the trials.
    let best = bestTrials(complete, objective: k, direction: direction, count: options.maxPoints / 10)
    let sliceTrials = sample(complete, limit: options.maxPoints, seed: options.seed, keep: { best.contains($0.number) })
    context["slices"] = ranked.prefix(options.maxSlices).enumerated().map { n, item -> [String: Any] in
      let p = item.parameter
      let points = sliceTrials.compactMap { t -> SlicePoint? in
        guard let v = t.params[p.name], let x = axisCoordinate(v, p.distribution) else { return nil }
        return SlicePoint(x: x, y: t.values![k], number: t.number)
      }
      let marginal = try? fanova.marginal(p.name, points: 80)
      let line = marginal.map { m in
        MarginalLine(xs: m.positions.map(p.plotCoordinate), mean: m.mean, std: m.std)
      }
      return [
        "svg": Figures.slice(
          id: "\(id)-slice\(n)", title: p.name, axis: parameterAxis(p.name, p.distribution), points: points, marginal: line,
          yTitle: yTitle, direction: direction)
      ]
    }

    // The contour of the strongest pair when it interacts; else of the two most important
    // parameters, said plainly.
    let strongest = fanova.interactions.first
    let interacting = strongest.map { $0.effect.fraction >= notableInteraction } ?? false
    let pair: (String, String)? =
      interacting ? strongest.map { ($0.first, $0.second) } : ranked.count >= 2 ? (ranked[0].parameter.name, ranked[1].parameter.name) : nil
    if let pair, let grid = try? fanova.pairMarginal(pair.0, pair.1, points: 40) {
      let (a, b) = (grid.first, grid.second)
      func point(_ t: FrozenTrial) -> (Double, Double)? {
        guard let va = t.params[a.name], let vb = t.params[b.name], let x = axisCoordinate(va, a.distribution),
          let y = axisCoordinate(vb, b.distribution)
        else { return nil }
        return (x, y)
      }
      let bestTrial = complete.min { direction.isBetter($0.values![k], than: $1.values![k]) }
      context["hasContour"] = true
      if interacting, let strongest {
        context["contourHeading"] = "The strongest interaction"
        context["contourCaption"] =
          "\(a.name) × \(b.name) interact the most: together they explain \(formatFraction(strongest.effect.fraction)) of the "
          + "variance beyond their main effects. The colours are fANOVA's prediction averaged over the other parameters; "
          + "the dots are trials."
      } else {
        context["contourHeading"] = "The two most important parameters together"
        context["contourCaption"] =
          "No pair interacts much"
          + (strongest.map { " (the strongest, \($0.first) × \($0.second), explains \(formatFraction($0.effect.fraction)) of the variance)" } ?? "")
          + ", so the effects add up. The colours are fANOVA's prediction averaged over the other parameters; the dots are trials."
      }
      context["contourSvg"] = Figures.contour(
        id: "\(id)-contour", title: "\(a.name) × \(b.name)", xAxis: parameterAxis(a.name, a.distribution),
        yAxis: parameterAxis(b.name, b.distribution),
        grid: ContourGrid(
          xs: grid.firstPositions.map(a.plotCoordinate), ys: grid.secondPositions.map(b.plotCoordinate), values: grid.mean),
        points: sliceTrials.compactMap(point), best: bestTrial.flatMap(point), valueTitle: yTitle, direction: direction)
    } else {
      context["hasContour"] = false
    }
  } else {
    context["hasContour"] = false
    context["hasPairs"] = false
    // No model to rank or average with: the trials alone, parameters in name order.
    let space = mergedSearchSpace(of: complete)
    context["slices"] = space.keys.sorted(by: naturalOrder).prefix(options.maxSlices).enumerated().map { n, name -> [String: Any] in
      let d = space[name]!
      let points = complete.compactMap { t -> SlicePoint? in
        guard let v = t.params[name], let x = axisCoordinate(v, d) else { return nil }
        return SlicePoint(x: x, y: t.values![k], number: t.number)
      }
      return [
        "svg": Figures.slice(
          id: "\(id)-slice\(n)", title: name, axis: parameterAxis(name, d), points: points, marginal: nil, yTitle: yTitle,
          direction: direction)
      ]
    }
  }
  context["hasSlicesNote"] = complete.isEmpty
  context["slicesNote"] = "No trial has completed yet."
  return context
}

/// The share of variance from which a pair's interaction counts as notable in the report's words.
let notableInteraction = 0.02

func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
