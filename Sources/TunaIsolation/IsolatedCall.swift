import Foundation

/// One `study:optimize` call whose trials run in worker processes: which call of the script it
/// is, the studies the script had made by then, and the call's budget.
public struct IsolatedCallRequest: Codable, Sendable, Equatable {
  /// The script's optimize call, counting from 1 (a worker skips the calls before it).
  public var ordinal: Int
  /// The names of the studies the script's `create_study` calls made so far, in order (a
  /// worker's calls join them).
  public var studyNames: [String]
  public var nTrials: Int?
  /// Seconds for the whole call.
  public var timeout: Double?
  /// Worker processes running trials at once.
  public var workers: Int
  /// Failed trials in a row (across the workers) that stop the call.
  public var maxConsecutiveFailures: Int?
  /// Worker processes that die in a row before the call stops.
  public var maxCrashes: Int

  public init(
    ordinal: Int, studyNames: [String], nTrials: Int?, timeout: Double?, workers: Int,
    maxConsecutiveFailures: Int?, maxCrashes: Int = IsolatedCallRequest.defaultMaxCrashes
  ) {
    self.ordinal = ordinal
    self.studyNames = studyNames
    self.nTrials = nTrials
    self.timeout = timeout
    self.workers = workers
    self.maxConsecutiveFailures = maxConsecutiveFailures
    self.maxCrashes = maxCrashes
  }

  /// Three deaths in a row: one is bad luck (a trial's parameters that crash a library), three
  /// with nothing finishing between them is a worker that cannot run at all.
  public static let defaultMaxCrashes = 3

  /// The request as one line of JSON, and back.
  public var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }
  public init(json: String) throws { self = try JSONDecoder().decode(Self.self, from: Data(json.utf8)) }
}

/// What a supervising process tells the script's process of an isolated call's trials.
public enum IsolatedCallEvent: Sendable, Equatable {
  /// A worker started a trial.
  case started(study: String, trialID: Int, number: Int)
  /// A trial finished (read it from the study's storage): by its worker, or failed by the
  /// supervisor when its worker died.
  case finished(study: String, trialID: Int)
  /// A worker's call stopped early by itself (its sampler stopped, say).
  case stopped(study: String, reason: String)
}

/// How an isolated call ended.
public enum IsolatedCallOutcome: Sendable, Equatable {
  /// Its budget was spent, or a worker stopped it.
  case done
  /// The supervisor stopped it: failed trials or dead workers in a row.
  case stopped(reason: String)
  /// A trial failed in a call that does not catch errors; the message is the error's.
  case failed(message: String)
  /// Ctrl-C or SIGTERM.
  case interrupted
}

/// Runs optimize calls in worker processes for an engine: the supervisor itself (`Supervisor`),
/// or, in the script's process under `tuna run --isolate`, a link to the parent that supervises.
public protocol IsolationHost: Sendable {
  /// Runs `request`'s trials in worker processes, telling `events` (from any thread) as they
  /// start and finish, and returns when the call has ended and every worker has exited.
  func run(_ request: IsolatedCallRequest, events: @escaping @Sendable (IsolatedCallEvent) -> Void) throws -> IsolatedCallOutcome
  /// Ctrl-C for the running call's workers, from any thread (a host whose workers hear the
  /// terminal's signals from elsewhere does nothing).
  func interrupt(signal: Int32)
}

/// What a worker process is asked to do, passed in its environment.
public struct WorkerAssignment: Codable, Sendable, Equatable {
  public var ordinal: Int
  public var studyNames: [String]
  public init(ordinal: Int, studyNames: [String]) {
    self.ordinal = ordinal
    self.studyNames = studyNames
  }
  public var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }
  public init(json: String) throws { self = try JSONDecoder().decode(Self.self, from: Data(json.utf8)) }
}
