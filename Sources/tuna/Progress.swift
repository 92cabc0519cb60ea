import Foundation
import TunaLua
import TunaSearch

/// The live progress line on a terminal (trials done / total, how many were pruned, best value,
/// trials per second, elapsed time) and one warning line per failed trial — a run of failures
/// with the same message shows its first line, then one line with the count when the run ends
/// (a typo in the objective fails every trial the same way). Off the terminal: no control
/// characters, only the warnings.
final class Progress {
  /// One `optimize` call being shown.
  private struct Run {
    let study: Study
    let total: Int?
    let show: Bool
    let start: ContinuousClock.Instant
    var done = 0
    var pruned = 0
  }

  private let quiet: Bool
  private let isTerminal = isatty(STDERR_FILENO) == 1
  private var lineShown = false
  private var stack: [Run] = []
  private var lastDraw = ContinuousClock.now
  /// The failures in a row with one message: the message, the first and last trial, how many.
  private var streak: (reason: String, first: Int, last: Int, count: Int)?
  private let clock = ContinuousClock()

  init(quiet: Bool) { self.quiet = quiet }

  func handle(_ event: TunaEngine.Event) {
    guard !quiet else { return }
    switch event {
    case .optimizeStarted(let study, let total, let show):
      stack.append(Run(study: study, total: total, show: show && isTerminal, start: clock.now))
    case .trialFinished(let study, let trial):
      if trial.state == .fail {
        let reason = (trial.failReason ?? "unknown reason").split(separator: "\n").first.map(String.init) ?? ""
        if var s = streak, s.reason == reason {
          (s.last, s.count) = (trial.number, s.count + 1)
          streak = s
        } else {
          endStreak()
          endLine()
          printError("trial \(trial.number) failed: \(reason)")
          streak = (reason, trial.number, trial.number, 1)
        }
      } else {
        endStreak()
      }
      guard var top = stack.last, top.study === study else { return }
      top.done += 1
      if trial.state == .pruned { top.pruned += 1 }
      stack[stack.count - 1] = top
      if top.show, clock.now - lastDraw > .milliseconds(100) || top.done == top.total {
        draw(top)
      }
    case .optimizeFinished:
      endStreak()
      if let top = stack.popLast(), top.show { draw(top) }
      endLine()
    }
  }

  /// Prints the count of a run of same-message failures, when there was more than one.
  private func endStreak() {
    if let s = streak, s.count > 1 {
      endLine()
      printError("trials \(s.first)-\(s.last) failed: \(s.reason) (repeated \(s.count) times)")
    }
    streak = nil
  }

  private func draw(_ run: Run) {
    lastDraw = clock.now
    let elapsed = seconds(clock.now - run.start)
    var line = run.total.map { "\(run.done)/\($0) trials" } ?? "\(run.done) trials"
    if run.pruned > 0 { line += " (\(run.pruned) pruned)" }
    if run.study.directions.count == 1, let best = try? run.study.storage.bestTrial(studyID: run.study.record.id), let v = best.value {
      line += "  best \(formatValue(v))"
    }
    if elapsed > 0 { line += "  " + String(format: "%.1f", Double(run.done) / elapsed) + " trials/s" }
    line += "  " + String(format: "%.1f", elapsed) + " s"
    FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    lineShown = true
  }

  /// Ends the progress line so other output starts on a fresh one.
  func endLine() {
    if lineShown {
      FileHandle.standardError.write(Data("\n".utf8))
      lineShown = false
    }
  }
}

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
