import Foundation
import TunaSearch

/// The trials table: number, state, value(s), duration, parameters and a note (why a trial
/// failed, where it was pruned). A study with more trials than `maxTableRows` — or than
/// `maxTableCells` allow at its number of columns — lists its best and its most recent ones.
func trialsTable(_ study: StudySnapshot, space: [String: Distribution], options: ReportOptions) -> [String: Any] {
  let objectives = study.directions.count
  let names = space.keys.sorted(by: naturalOrder)
  var rows = study.trials
  var note = ""
  let columns = 4 + objectives + names.count
  let limit = min(options.maxTableRows, max(100, options.maxTableCells / columns))
  if rows.count > limit {
    let half = limit / 2
    let best = bestTrials(study.completeTrials, objective: 0, direction: study.directions[0], count: half)
    let recent = Set(rows.suffix(limit - best.count).map(\.number))
    rows = rows.filter { best.contains($0.number) || recent.contains($0.number) }
    note = "\(rows.count) of \(study.trials.count) trials: the \(best.count) best and the most recent ones. "
      + "tuna trials lists them all."
  }
  let bestNumber = study.directions.count == 1
    ? bestTrials(study.completeTrials, objective: 0, direction: study.directions[0], count: 1).first : nil
  let header = ["#", "state"] + (objectives == 1 ? ["value"] : (1...objectives).map { "objective \($0)" }) + ["duration"] + names
  let numeric = [true, false] + Array(repeating: true, count: objectives + 1) + names.map { name in
    if case .categorical = space[name]! { return false }
    return true
  }
  let body = rows.map { t -> [String: Any] in
    var cells = [String(t.number), t.state.rawValue]
    for k in 0..<objectives {
      cells.append(t.values.flatMap { $0.count == objectives ? formatNumber($0[k]) : nil } ?? "")
    }
    cells.append(t.duration.map(formatSeconds) ?? "")
    for name in names { cells.append(t.params[name].map(formatParam) ?? "") }
    return [
      "cells": zip(cells, numeric).map { ["text": $0, "num": $1] },
      "note": trialNote(t),
      "state": t.state.rawValue,
      "best": t.number == bestNumber,
    ]
  }
  return [
    "header": zip(header, numeric).map { ["text": $0, "num": $1] } + [["text": "note", "num": false]],
    "rows": body,
    "note": note,
    "hasNote": !note.isEmpty,
  ]
}

/// What the note column says of a trial: the first line of a failure's reason, a pruned
/// trial's last step.
func trialNote(_ t: FrozenTrial) -> String {
  switch t.state {
  case .fail:
    let line = (t.failReason ?? "").split(separator: "\n").first.map(String.init) ?? ""
    return line.count > 120 ? String(line.prefix(117)) + "…" : line
  case .pruned:
    return t.lastStep.map { "pruned at step \($0.step)" } ?? "pruned"
  default:
    return ""
  }
}
