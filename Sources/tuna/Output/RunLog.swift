import ArgumentParser
import Foundation
import TunaLua
import TunaSearch

/// How much `tuna run` says on standard error.
enum LogLevel: String, ExpressibleByArgument, CaseIterable, Comparable {
  /// Only why the run failed.
  case error
  /// Also failed trials, and studies stopped after failures (`--quiet`).
  case warning
  /// Also one line per finished trial off a terminal, the progress line on one (the default).
  case info
  /// Also one line per finished trial on a terminal, and each trial's start (`-v`).
  case debug

  private var rank: Int { Self.allCases.firstIndex(of: self)! }
  static func < (a: LogLevel, b: LogLevel) -> Bool { a.rank < b.rank }
}

/// How `tuna run` writes its log lines.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
  /// Lines for people.
  case text
  /// One JSON object per event, for programs.
  case json
}

/// What `tuna run` says while scripts optimize, on standard error:
///
/// - on a terminal at `info`, the live progress line (trials done / total, pruned, best value,
///   trials per second, elapsed time, and — redrawn twice a second while a trial runs — the
///   running trial's time and its last reported value);
/// - off a terminal at `info` (and everywhere at `debug`), one line per finished trial: its
///   state, duration, values, parameters and the best so far, as Optuna logs them;
/// - at `warning` and above, one line per failed trial — a run of failures with the same message
///   shows its first line, then one line with the count when the run ends (a typo in the
///   objective fails every trial the same way) — and a study stopped after failing trials;
/// - in `json`, each of these as one JSON object per line, every trial included.
///
/// Events come from the engine's thread and its workers' (serialized by the engine); the ticker
/// that redraws the progress line runs on its own thread, so everything is under one lock.
final class RunLog: @unchecked Sendable {
  /// One `optimize` call being shown.
  private struct Run {
    let study: Study
    let total: Int?
    let show: Bool
    let start: ContinuousClock.Instant
    var done = 0
    var pruned = 0
    /// The best complete value of a single-objective study so far, and its trial.
    var best: (value: Double, number: Int)?
  }

  /// A trial whose objective is running.
  private struct Running {
    let study: Study
    let id: Int
    let number: Int
    let since: ContinuousClock.Instant
  }

  let level: LogLevel
  let format: LogFormat
  private let isTerminal: Bool
  private let lock = NSLock()
  private let clock = ContinuousClock()
  private var stack: [Run] = []
  private var running: [Int: Running] = [:]
  private var lineShown = false
  private var lastDraw = ContinuousClock.now
  /// The failures in a row with one message: the message, the first and last trial, how many.
  private var streak: (reason: String, first: Int, last: Int, count: Int)?
  private var ticking = false
  private let tick = NSCondition()

  /// Trials this run finished, and how many of them completed.
  private(set) var finishedTrials = 0
  private(set) var completedTrials = 0

  init(level: LogLevel, format: LogFormat, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
    self.level = level
    self.format = format
    self.isTerminal = isTerminal
    if isTerminal, format == .text, level >= .info { startTicker() }
  }

  /// Stops the ticker and ends the progress line.
  func close() {
    tick.lock()
    ticking = false
    tick.broadcast()
    tick.unlock()
    lock.lock()
    endLine()
    lock.unlock()
  }

  // MARK: Events

  func handle(_ event: TunaEngine.Event) {
    lock.lock()
    defer { lock.unlock() }
    switch event {
    case .optimizeStarted(let study, let total, let show):
      var run = Run(study: study, total: total, show: show && isTerminal && format == .text && level >= .info, start: clock.now)
      if study.directions.count == 1, let best = try? study.storage.bestTrial(studyID: study.record.id), let v = best.value {
        run.best = (v, best.number)
      }
      stack.append(run)
      json(.info, "optimize_started", study, [("n_trials", total.map(JSONValue.int) ?? .null)])
    case .trialStarted(let study, let id, let number):
      running[id] = Running(study: study, id: id, number: number, since: clock.now)
      if level >= .debug {
        json(.debug, "trial_started", study, [("number", .int(number))])
        text(.debug, "trial \(number) started")
      }
    case .trialFinished(let study, let trial):
      running[trial.id] = nil
      finished(study, trial)
    case .optimizeStopped(let study, let reason):
      endStreak()
      json(.warning, "optimize_stopped", study, [("reason", .string(reason))])
      text(.warning, "study \(study.name) stopped: \(reason)")
    case .optimizeFinished(let study):
      endStreak()
      // A trial that failed the call (catch = false) never reported finishing.
      running = running.filter { $0.value.study !== study }
      if let top = stack.popLast() {
        if top.show { draw(top) }
        json(.info, "optimize_finished", study, [("trials", .int(top.done)), ("pruned", .int(top.pruned))])
      }
      endLine()
    }
  }

  private func finished(_ study: Study, _ trial: FrozenTrial) {
    finishedTrials += 1
    if trial.state == .complete { completedTrials += 1 }
    let index = stack.lastIndex { $0.study === study }
    if let index {
      stack[index].done += 1
      if trial.state == .pruned { stack[index].pruned += 1 }
      if trial.state == .complete, study.directions.count == 1, let v = trial.value, !v.isNaN {
        if stack[index].best.map({ study.directions[0].isBetter(v, than: $0.value) || (v == $0.value && trial.number < $0.number) }) ?? true {
          stack[index].best = (v, trial.number)
        }
      }
    }
    let best = index.flatMap { stack[$0].best }
    json(trial.state == .fail ? .warning : .info, "trial_finished", study, trialFields(trial, best: best))
    if trial.state == .fail {
      failed(trial)
    } else {
      endStreak()
      if !isTerminal || level >= .debug { text(.info, trialLine(trial, best: best)) }
    }
    if let index, stack[index].show, index == stack.count - 1,
      clock.now - lastDraw > .milliseconds(100) || stack[index].done == stack[index].total
    {
      draw(stack[index])
    }
  }

  /// The warning of a failed trial, or its place in a run of the same failure.
  private func failed(_ trial: FrozenTrial) {
    guard format == .text, level >= .warning else { return }
    let reason = (trial.failReason ?? "unknown reason").split(separator: "\n").first.map(String.init) ?? ""
    if var s = streak, s.reason == reason {
      // Workers finish out of order: the run spans its lowest to its highest number.
      (s.first, s.last, s.count) = (min(s.first, trial.number), max(s.last, trial.number), s.count + 1)
      streak = s
    } else {
      endStreak()
      write("trial \(trial.number) failed: \(reason)")
      streak = (reason, trial.number, trial.number, 1)
    }
  }

  /// Prints the count of a run of same-message failures, when there was more than one.
  private func endStreak() {
    if let s = streak, s.count > 1 {
      write("trials \(s.first)-\(s.last) failed: \(s.reason) (repeated \(s.count) times)")
    }
    streak = nil
  }

  // MARK: Lines

  private func trialLine(_ t: FrozenTrial, best: (value: Double, number: Int)?) -> String {
    var line = "trial \(t.number) \(t.state.rawValue)"
    if t.state == .pruned, let last = t.lastStep { line += " at step \(last.step)" }
    if let d = t.duration { line += " in " + formatDuration(d) }
    if let values = t.values {
      line += values.count == 1 ? ": value \(formatValue(values[0]))" : ": values [\(values.map(formatValue).joined(separator: ", "))]"
    }
    if !t.params.isEmpty { line += "; " + formatParams(t.params) }
    if let best { line += "; best \(formatValue(best.value)) (trial \(best.number))" }
    return line
  }

  private func trialFields(_ t: FrozenTrial, best: (value: Double, number: Int)?) -> [(String, JSONValue)] {
    var fields: [(String, JSONValue)] = [
      ("number", .int(t.number)), ("state", .string(t.state.rawValue)), ("values", JSONValue(t.values)),
      ("params", .object(t.params.keys.sorted().map { ($0, JSONValue(t.params[$0]!)) })),
      ("duration_seconds", t.duration.map(JSONValue.double) ?? .null),
    ]
    if let reason = t.failReason { fields.append(("fail_reason", .string(reason))) }
    if let best { fields += [("best_value", .double(best.value)), ("best_trial", .int(best.number))] }
    return fields
  }

  /// A text line at `level`, when the log shows it.
  private func text(_ at: LogLevel, _ line: String) {
    guard format == .text, level >= at else { return }
    write(line)
  }

  /// A JSON event at `level`, when the log is JSON and shows it.
  private func json(_ at: LogLevel, _ event: String, _ study: Study, _ fields: [(String, JSONValue)]) {
    guard format == .json, level >= at else { return }
    let object = JSONValue.object(
      [("time", .string(Date().isoTimestamp)), ("level", .string(at.rawValue)), ("event", .string(event)), ("study", .string(study.name))]
        + fields)
    write(object.text)
  }

  private func write(_ line: String) {
    endLine()
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  // MARK: The progress line

  private func draw(_ run: Run) {
    lastDraw = clock.now
    let elapsed = seconds(clock.now - run.start)
    var line = run.total.map { "\(run.done)/\($0) trials" } ?? "\(run.done) trials"
    if run.pruned > 0 { line += " (\(run.pruned) pruned)" }
    if let best = run.best { line += "  best \(formatValue(best.value))" }
    if elapsed > 0 { line += "  " + String(format: "%.1f", Double(run.done) / elapsed) + " trials/s" }
    line += "  " + String(format: "%.1f", elapsed) + " s"
    // The longest-running trial, once it has run a while: its time and last reported value.
    if let oldest = running.values.filter({ $0.study === run.study }).min(by: { $0.since < $1.since }),
      clock.now - oldest.since >= .seconds(1)
    {
      line += "  trial \(oldest.number) running \(String(format: "%.1f", seconds(clock.now - oldest.since))) s"
      if let last = (try? oldest.study.storage.trial(id: oldest.id))?.lastStep {
        line += " (step \(last.step): \(formatValue(last.value)))"
      }
    }
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

  /// Redraws the progress line twice a second while a trial runs, so that it never stands still.
  private func startTicker() {
    ticking = true
    let thread = Thread { [self] in
      tick.lock()
      while ticking {
        _ = tick.wait(until: Date().addingTimeInterval(0.5))
        guard ticking else { break }
        tick.unlock()
        lock.lock()
        if let top = stack.last, top.show, !running.isEmpty, clock.now - lastDraw >= .milliseconds(400) { draw(top) }
        lock.unlock()
        tick.lock()
      }
      tick.unlock()
    }
    thread.stackSize = 256 << 10
    thread.start()
  }
}
