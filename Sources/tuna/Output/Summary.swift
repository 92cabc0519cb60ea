import Foundation
import TunaSearch

// What `tuna run` prints of studies: the end-of-run summary, and values as people read them.

func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// A value for people: up to 6 significant digits.
func formatValue(_ v: Double) -> String {
  if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
  return String(format: "%.6g", v)
}

/// The end-of-run summary: for each study, counts by state and the best trial.
func printSummary(_ studies: [Study]) {
  for study in studies {
    guard let trials = try? study.trials(), !trials.isEmpty else { continue }
    var counts: [TrialState: Int] = [:]
    for t in trials { counts[t.state, default: 0] += 1 }
    let parts = [TrialState.complete, .pruned, .fail, .running, .waiting].compactMap { s in
      counts[s].map { "\($0) \(s.rawValue)" }
    }
    let directions = study.directions.map(\.rawValue).joined(separator: ", ")
    print("Study \(study.name) (\(directions)): \(trials.count) trials: \(parts.joined(separator: ", "))")
    if study.directions.count > 1 {
      if let front = try? study.bestTrials, !front.isEmpty {
        print("Pareto front: \(front.count) trials")
        for t in front.prefix(10) {
          let values = (t.values ?? []).map(formatValue).joined(separator: ", ")
          print("  trial \(t.number): [\(values)]" + (t.params.isEmpty ? "" : " " + formatParams(t.params)))
        }
      }
      continue
    }
    guard let best = try? study.bestTrial else {
      print("No complete trial.")
      continue
    }
    print("Best value: \(formatValue(best.value ?? .nan)) (trial \(best.number))")
    if !best.params.isEmpty {
      print("Best params:")
      for name in best.params.keys.sorted() { print("  \(name) = \(formatParam(best.params[name]!))") }
    }
  }
}

func formatParam(_ p: ParamValue) -> String {
  if case .float(let v) = p { return formatValue(v) }
  return p.description
}

func formatParams(_ params: [String: ParamValue]) -> String {
  params.keys.sorted().map { "\($0) = \(formatParam(params[$0]!))" }.joined(separator: ", ")
}
