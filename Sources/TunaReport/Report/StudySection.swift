import Foundation
import TunaAnalysis
import TunaSearch

/// Everything the template shows of one study.
func studyContext(_ study: StudySnapshot, id: String, options: ReportOptions, now: Date) -> [String: Any] {
  let space = mergedSearchSpace(of: study.trials)
  let complete = study.completeTrials
  var context: [String: Any] = [
    "id": id,
    "name": study.name,
    "directions": study.directions.map(\.rawValue).joined(separator: ", "),
    "facts": summaryFacts(study, now: now),
  ]
  context.merge(bestContext(study, complete: complete)) { $1 }
  context["objectives"] = study.directions.indices.map { k in
    objectiveContext(study, ObjectiveAnalysis(study: study, objective: k, options: options), id: "\(id)-o\(k)", options: options)
  }

  // Parallel coordinates, coloured by the first objective, parameters in name order.
  let names = space.keys.sorted(by: naturalOrder)
  let best = bestTrials(complete, objective: 0, direction: study.directions[0], count: options.maxLines / 4)
  let lines = sample(complete, limit: options.maxLines, seed: options.seed, keep: { best.contains($0.number) })
  context["hasParallel"] = !names.isEmpty
  let parallel = Figures.parallel(
    id: "\(id)-parallel", title: "Each complete trial across its parameters, coloured by its objective", axes: names.map { parameterAxis($0, space[$0]!) },
    lines: lines.map { t in
      ParallelLine(
        values: names.map { name in t.params[name].flatMap { axisCoordinate($0, space[name]!) } }, objective: t.values![0],
        number: t.number)
    },
    objectiveTitle: study.directions.count == 1 ? "Objective" : "Objective 1",
    direction: study.directions[0])
  context["parallelSvg"] = parallel
  // Many parameters make a wide drawing: shown at its own width, scrolled sideways.
  context["parallelWidth"] = max(760, naturalWidth(parallel) ?? 0)

  // Learning curves: the best complete trials first, then a sample of the rest.
  let reporting = study.trials.filter { !$0.intermediateValues.isEmpty }
  context["hasIntermediate"] = !reporting.isEmpty
  if !reporting.isEmpty {
    let curves = sample(reporting, limit: options.maxLines, seed: options.seed, keep: { best.contains($0.number) })
    let pruned = reporting.filter { $0.state == .pruned }.count
    context["intermediateCaption"] =
      "\(reporting.count) trial\(reporting.count == 1 ? "" : "s") reported intermediate values"
      + (pruned > 0 ? "; \(pruned) were pruned (marked × at the step they stopped)." : ".")
      + (curves.count < reporting.count ? " \(curves.count) are drawn." : "")
    context["intermediateSvg"] = Figures.intermediate(
      id: "\(id)-intermediate", title: "Learning curves",
      curves: curves.map { t in
        LearningCurve(
          number: t.number, points: t.intermediateValues.keys.sorted().map { ($0, t.intermediateValues[$0]!) }, state: t.state)
      },
      yTitle: "Intermediate value")
  }

  // The Pareto front of a multi-objective study.
  context["hasPareto"] = study.directions.count > 1
  if study.directions.count > 1 {
    let front = Set(paretoFront(complete, directions: study.directions).map(\.number))
    let shown = sample(complete, limit: options.maxPoints, seed: options.seed, keep: { front.contains($0.number) })
    context["paretoCaption"] = "\(front.count) trial\(front.count == 1 ? " is" : "s are") on the Pareto front."
    context["paretoSvg"] = Figures.pareto(
      id: "\(id)-pareto", title: "Complete trials and the front",
      points: shown.map { ParetoPoint(number: $0.number, values: $0.values!, onFront: front.contains($0.number)) },
      objectiveNames: study.directions.indices.map { "Objective \($0 + 1)" }, directions: study.directions)
  }

  // The timeline, one lane per worker.
  let (bars, lanes) = timelineBars(study.trials, now: now)
  let shownBars = sample(bars, limit: options.maxPoints, seed: options.seed)
  context["hasTimeline"] = !bars.isEmpty
  context["timelineCaption"] =
    lanes > 1
    ? "Trials ran on up to \(lanes) workers at once (one row each, reconstructed from the trials' start and end times)."
    : "Trials ran one at a time."
  context["timelineSvg"] = Figures.timeline(id: "\(id)-timeline", title: "Trials by worker", bars: shownBars, lanes: lanes)
  context["table"] = trialsTable(study, space: space, options: options)
  return context
}

/// The summary's facts: trials by state, time spent, trials per minute.
func summaryFacts(_ study: StudySnapshot, now: Date) -> [[String: String]] {
  var counts: [TrialState: Int] = [:]
  for t in study.trials { counts[t.state, default: 0] += 1 }
  var facts: [[String: String]] = [
    ["label": "Direction" + (study.directions.count > 1 ? "s" : ""), "value": study.directions.map(\.rawValue).joined(separator: ", ")],
    ["label": "Trials", "value": String(study.trials.count)],
  ]
  let states = [TrialState.complete, .pruned, .fail, .running, .waiting].compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }
  if !states.isEmpty { facts.append(["label": "By state", "value": states.joined(separator: ", ")]) }
  let starts = study.trials.compactMap(\.datetimeStart)
  let ends = study.trials.compactMap(\.datetimeComplete)
  if let first = starts.min() {
    let last = max(ends.max() ?? first, first)
    facts.append(["label": "Started", "value": formatDate(first)])
    facts.append(["label": "Last finished", "value": formatDate(last)])
    let span = last.timeIntervalSince(first)
    facts.append(["label": "Wall time", "value": formatSeconds(span)])
    let busy = study.trials.compactMap(\.duration).reduce(0, +)
    facts.append(["label": "Time in trials", "value": formatSeconds(busy)])
    if span >= 1 { facts.append(["label": "Trials per minute", "value": formatNumber((Double(ends.count) / span * 60 * 10).rounded() / 10)]) }
  }
  if !study.userAttrs.isEmpty {
    for key in study.userAttrs.keys.sorted(by: naturalOrder) {
      facts.append(["label": key, "value": study.userAttrs[key]!.description])
    }
  }
  return facts
}

/// The best trial (single objective) or the Pareto front (several).
func bestContext(_ study: StudySnapshot, complete: [FrozenTrial]) -> [String: Any] {
  if study.directions.count == 1 {
    let direction = study.directions[0]
    guard let best = complete.min(by: { direction.isBetter($0.values![0], than: $1.values![0]) }) else { return ["hasBest": false] }
    return [
      "hasBest": true,
      "bestTitle": "Best trial: number \(best.number)",
      "bestValue": formatNumber(best.values![0]),
      "bestParams": best.params.keys.sorted(by: naturalOrder).map { ["name": $0, "value": formatParam(best.params[$0]!)] },
    ]
  }
  let front = paretoFront(complete, directions: study.directions)
  guard !front.isEmpty else { return ["hasBest": false] }
  let names = Set(front.flatMap(\.params.keys)).sorted(by: naturalOrder)
  return [
    "hasFront": true,
    "frontHeader": ["trial"] + study.directions.indices.map { "objective \($0 + 1)" } + names,
    "frontRows": front.prefix(50).map { t -> [String: Any] in
      ["cells": [String(t.number)] + t.values!.map(formatNumber) + names.map { t.params[$0].map(formatParam) ?? "–" }]
    },
    "frontNote": front.count > 50 ? "The first 50 of \(front.count) trials on the front." : "",
  ]
}

/// Each trial's bar on the timeline, with lanes reconstructed from overlaps: a trial takes the
/// first lane free when it starts (workers run one trial at a time).
func timelineBars(_ trials: [FrozenTrial], now: Date) -> ([TimelineBar], Int) {
  let timed = trials.filter { $0.datetimeStart != nil }.sorted { ($0.datetimeStart!, $0.number) < ($1.datetimeStart!, $1.number) }
  guard let origin = timed.first?.datetimeStart else { return ([], 0) }
  var laneEnds: [Double] = []
  var bars: [TimelineBar] = []
  for t in timed {
    let start = t.datetimeStart!.timeIntervalSince(origin)
    // Only a running trial has no end yet; a finished one without an end time is drawn as an
    // instant.
    let end = t.datetimeComplete.map { max($0.timeIntervalSince(origin), start) } ?? (t.state == .running ? nil : start)
    let busyUntil = end ?? max(now.timeIntervalSince(origin), start)
    let lane = laneEnds.firstIndex { $0 <= start + 1e-6 } ?? laneEnds.count
    if lane == laneEnds.count { laneEnds.append(busyUntil) } else { laneEnds[lane] = busyUntil }
    bars.append(TimelineBar(number: t.number, start: start, end: end, state: t.state, lane: lane))
  }
  return (bars, laneEnds.count)
}

/// The width an SVG's view box asks for, in pixels.
func naturalWidth(_ svg: String) -> Int? {
  guard let start = svg.range(of: "viewBox=\"") else { return nil }
  let numbers = svg[start.upperBound...].prefix { $0 != "\"" }.split(separator: " ").compactMap { Double($0) }
  return numbers.count == 4 ? Int(numbers[2].rounded(.up)) : nil
}
