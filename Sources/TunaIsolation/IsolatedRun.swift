import Foundation

/// A whole script run with every trial in a worker process (`tuna run --isolate`): this process
/// runs no script code. It starts the script in a lead process, and when the script calls
/// `study:optimize`, runs the call's trials in worker processes (`Supervisor`), telling the lead
/// of each trial so that its log, progress line and summary read as without isolation.
/// In-memory studies live in a temporary SQLite file that every child names "in memory"; it is
/// removed when the run ends.
///
/// ```swift
/// let run = IsolatedRun(executable: "/usr/local/bin/tuna", arguments: ["run", "tune.lua"])
/// let status = try run.run()  // the lead's exit code
/// ```
public final class IsolatedRun: @unchecked Sendable {
  private let executable: String
  private let arguments: [String]
  private let lock = NSLock()
  private var lead: ChildProcess?
  private var supervisor: Supervisor?
  private var signals: [Int32] = []

  /// A run of `executable` with `arguments` (the lead's and each worker's: the same command).
  public init(executable: String, arguments: [String]) {
    self.executable = executable
    self.arguments = arguments
  }

  /// Passes a signal on: the first SIGINT or SIGTERM to the lead and the workers (their trials
  /// fail as interrupted, the script stops and says so); a second one kills them all at once.
  public func interrupt(signal: Int32) {
    let (lead, supervisor, count): (ChildProcess?, Supervisor?, Int) = lock.withLock {
      signals.append(signal)
      return (self.lead, self.supervisor, signals.count)
    }
    if count == 1 {
      lead?.signal(signal)
      supervisor?.interrupt(signal: signal)
    } else {
      lead?.signal(SIGKILL)
      supervisor?.interrupt(signal: SIGKILL)
    }
  }

  /// Runs the script and returns the lead's exit code (1, saying why on standard error, when the
  /// lead itself died).
  public func run() throws -> Int32 {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-isolate-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = Supervisor.ignoresBrokenPipes
    let memory = "sqlite:" + directory.appendingPathComponent("memory.db").path
    let environment = [IsolationEnvironment.memoryStorage: memory]
    let supervisor = Supervisor(
      launch: .init(executable: executable, arguments: arguments, environment: environment))
    var leadEnvironment = environment
    leadEnvironment[IsolationEnvironment.role] = "lead"
    // The lead reads the terminal only when it leads the terminal's group; a script's stdin
    // from a pipe or a file is passed on.
    let stdin: ChildProcess.Stream = isatty(0) == 1 ? .null : .inherit
    let lead = try ChildProcess(
      executable: executable, arguments: arguments, environment: leadEnvironment,
      stdin: stdin, stdout: .inherit, stderr: .inherit)
    let pending: [Int32] = lock.withLock {
      self.lead = lead
      self.supervisor = supervisor
      return signals
    }
    if let first = pending.first {
      // A signal that came before the children: they hear it now.
      lead.signal(first)
      supervisor.interrupt(signal: first)
    }
    serve(lead, supervisor)
    let exit = lead.wait()
    lock.withLock {
      self.lead = nil
      self.supervisor = nil
    }
    if let code = exit.code { return code }
    if let signal = exit.signal, signal == SIGINT || signal == SIGTERM { return 128 + signal }
    // A second signal killed it: the run ends as the first one asked.
    if let first = lock.withLock({ signals.first }), exit.signal == SIGKILL { return 128 + first }
    FileHandle.standardError.write(Data("tuna: the script's process was \(exit)\n".utf8))
    return 1
  }

  /// Answers the lead's requests until it closes its channel: each `optimize` runs its call in
  /// workers, its events streamed back, then its outcome.
  private func serve(_ lead: ChildProcess, _ supervisor: Supervisor) {
    let channel = lead.channel
    while let message = channel.receive() {
      guard message.first == "optimize", message.count == 2, let request = try? IsolatedCallRequest(json: message[1]) else {
        channel.send(["outcome", "failed", "the supervisor did not understand the request \(message.first ?? "")"])
        continue
      }
      let outcome: IsolatedCallOutcome
      do {
        outcome = try supervisor.run(request) { event in
          // The lead is gone: nobody is left to run the call for.
          if !channel.send(LeadLink.encode(event)) { supervisor.interrupt(signal: SIGTERM) }
        }
      } catch {
        outcome = .failed(message: "\(error)")
      }
      channel.send(LeadLink.encode(outcome))
    }
  }
}

/// The host of an engine running under `IsolatedRun`: it asks the supervising parent, over the
/// control channel, to run each isolated optimize call, and hears back its events and outcome.
public final class LeadLink: IsolationHost, @unchecked Sendable {
  private let channel: ControlChannel
  private let lock = NSLock()

  public init(channel: ControlChannel) { self.channel = channel }

  /// The supervising parent passes signals on to the workers itself.
  public func interrupt(signal: Int32) {}

  public func run(_ request: IsolatedCallRequest, events: @escaping @Sendable (IsolatedCallEvent) -> Void) throws -> IsolatedCallOutcome {
    lock.lock()
    defer { lock.unlock() }
    guard channel.send(["optimize", request.json]) else { throw IsolationError("the supervising process is gone") }
    while let message = channel.receive() {
      if let event = Self.event(message) {
        events(event)
      } else if let outcome = Self.outcome(message) {
        return outcome
      }
    }
    throw IsolationError("the supervising process is gone")
  }

  static func encode(_ event: IsolatedCallEvent) -> [String] {
    switch event {
    case .started(let study, let id, let number): ["started", study, String(id), String(number)]
    case .finished(let study, let id): ["finished", study, String(id)]
    case .stopped(let study, let reason): ["stopped", study, reason]
    }
  }

  static func event(_ message: [String]) -> IsolatedCallEvent? {
    switch (message.first, message.count) {
    case ("started", 4):
      guard let id = Int(message[2]), let number = Int(message[3]) else { return nil }
      return .started(study: message[1], trialID: id, number: number)
    case ("finished", 3):
      guard let id = Int(message[2]) else { return nil }
      return .finished(study: message[1], trialID: id)
    case ("stopped", 3): return .stopped(study: message[1], reason: message[2])
    default: return nil
    }
  }

  static func encode(_ outcome: IsolatedCallOutcome) -> [String] {
    switch outcome {
    case .done: ["outcome", "done"]
    case .stopped(let reason): ["outcome", "stopped", reason]
    case .failed(let message): ["outcome", "failed", message]
    case .interrupted: ["outcome", "interrupted"]
    }
  }

  static func outcome(_ message: [String]) -> IsolatedCallOutcome? {
    guard message.first == "outcome", message.count >= 2 else { return nil }
    switch message[1] {
    case "done": return .done
    case "stopped": return .stopped(reason: message.count > 2 ? message[2] : "")
    case "failed": return .failed(message: message.count > 2 ? message[2] : "")
    case "interrupted": return .interrupted
    default: return nil
    }
  }
}
