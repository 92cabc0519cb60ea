import Foundation
import CProcess

#if canImport(Glibc)
  import Glibc
#endif

/// A child process started with a control channel (its file descriptors 3 and 4) and, when
/// asked, its standard error captured: the last few kilobytes are kept, to say what a child that
/// died last wrote. Each child leads its own process group, so a terminal's Ctrl-C reaches the
/// parent only, which passes it on once.
public final class ChildProcess: @unchecked Sendable {
  public let pid: pid_t
  /// The parent's end of the control channel.
  public let channel: ControlChannel
  private let lock = NSLock()
  private var tail: [UInt8] = []
  private var stderrDone = true
  private let stderrClosed = NSCondition()
  private static let tailLimit = 4096

  /// How the child's standard streams are set up.
  public enum Stream: Sendable {
    /// The parent's own.
    case inherit
    /// /dev/null.
    case null
    /// A pipe the parent reads (standard error only), kept in `lastWords`.
    case captured
  }

  /// Starts `executable` with `arguments` (without argv[0]) and `environment` added to this
  /// process's.
  public init(
    executable: String, arguments: [String], environment: [String: String],
    stdin: Stream = .null, stdout: Stream = .inherit, stderr: Stream = .captured
  ) throws {
    // The parent's ends are close-on-exec and above the standard descriptors; the child's ends
    // become its 3 and 4.
    let (toChildRead, toChildWrite) = try Self.pipe()
    let (fromChildRead, fromChildWrite) = try Self.pipe()
    var errRead: Int32 = -1
    var errWrite: Int32 = -1
    if case .captured = stderr { (errRead, errWrite) = try Self.pipe() }
    defer {
      close(toChildRead)
      close(fromChildWrite)
      if errWrite >= 0 { close(errWrite) }
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChildRead, 3)
    posix_spawn_file_actions_adddup2(&actions, fromChildWrite, 4)
    for (stream, fd, mode) in [(stdin, Int32(0), O_RDONLY), (stdout, 1, O_WRONLY)] where Self.isNull(stream) {
      posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", mode, 0)
    }
    if case .null = stderr { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
    if errWrite >= 0 { posix_spawn_file_actions_adddup2(&actions, errWrite, 2) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // Its own process group; the default signal actions (the parent may ignore some).
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    env[IsolationEnvironment.parent] = String(getpid())
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var child: pid_t = 0
    let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
    guard status == 0 else {
      close(toChildWrite)
      close(fromChildRead)
      if errRead >= 0 { close(errRead) }
      throw IsolationError("cannot start \(executable): \(String(cString: strerror(status)))")
    }
    pid = child
    channel = ControlChannel(input: fromChildRead, output: toChildWrite)
    if errRead >= 0 {
      stderrDone = false
      let fd = errRead
      let thread = Thread { [self] in readStandardError(fd) }
      thread.start()
    }
  }

  private static func isNull(_ stream: Stream) -> Bool {
    if case .null = stream { return true }
    return false
  }

  /// A pipe whose two ends are close-on-exec from the start (a child another thread spawns
  /// meanwhile inherits neither) and numbered 10 or more.
  private static func pipe() throws -> (Int32, Int32) {
    var fds: [Int32] = [0, 0]
    guard tuna_pipe_cloexec(&fds) == 0 else { throw IsolationError("cannot make a pipe: \(String(cString: strerror(errno)))") }
    let read = fcntl(fds[0], F_DUPFD_CLOEXEC, 10)
    let write = fcntl(fds[1], F_DUPFD_CLOEXEC, 10)
    let failure = errno
    close(fds[0])
    close(fds[1])
    guard read >= 0, write >= 0 else {
      if read >= 0 { close(read) }
      if write >= 0 { close(write) }
      throw IsolationError("cannot make a pipe: \(String(cString: strerror(failure)))")
    }
    return (read, write)
  }

  private func readStandardError(_ fd: Int32) {
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { break }
      lock.lock()
      tail.append(contentsOf: chunk[..<n])
      if tail.count > 2 * Self.tailLimit { tail.removeFirst(tail.count - Self.tailLimit) }
      lock.unlock()
    }
    close(fd)
    stderrClosed.lock()
    stderrDone = true
    stderrClosed.broadcast()
    stderrClosed.unlock()
  }

  /// What the child last wrote to its standard error (its last lines, up to a few KB), once
  /// the pipe has closed or a moment has passed.
  public var lastWords: String {
    stderrClosed.lock()
    let deadline = Date().addingTimeInterval(1)
    while !stderrDone, stderrClosed.wait(until: deadline) {}
    stderrClosed.unlock()
    lock.lock()
    defer { lock.unlock() }
    let text = String(decoding: tail.suffix(Self.tailLimit), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(6)
    return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Sends `signal` to the child (nothing once it has been reaped).
  public func signal(_ signal: Int32) {
    lock.lock()
    defer { lock.unlock() }
    if exitStatus == nil { kill(pid, signal) }
  }

  private var exitStatus: Int32?

  /// Waits for the child to end and returns how.
  public func wait() -> ChildExit {
    // Waited for without reaping first, then reaped under the lock `signal` takes: a signal is
    // never sent to a process id the system may already have given to another process.
    var info = siginfo_t()
    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
    var status: Int32 = 0
    lock.lock()
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    exitStatus = status
    lock.unlock()
    return ChildExit(status: status)
  }
}

/// How a child process ended.
public struct ChildExit: Sendable, Equatable, CustomStringConvertible {
  /// The exit code, when it exited.
  public let code: Int32?
  /// The signal that ended it, when one did.
  public let signal: Int32?

  init(status: Int32) {
    // WIFEXITED / WTERMSIG by hand: the macros do not come through to Swift.
    let low = status & 0x7f
    if low == 0 {
      code = (status >> 8) & 0xff
      signal = nil
    } else {
      code = nil
      signal = low
    }
  }

  public init(code: Int32?, signal: Int32?) {
    self.code = code
    self.signal = signal
  }

  /// "killed by SIGSEGV (segmentation fault)", "exited with code 1".
  public var description: String {
    if let signal { return "killed by \(Self.name(of: signal))" }
    return "exited with code \(code ?? -1)"
  }

  /// A signal as `kill -l` and people name it: "SIGSEGV (segmentation fault)".
  public static func name(of signal: Int32) -> String {
    let names: [Int32: String] = [
      SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
      SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
      SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ",
    ]
    let name = names[signal] ?? "signal \(signal)"
    guard let text = strsignal(signal) else { return name }
    return "\(name) (\(String(cString: text).lowercased()))"
  }
}

/// A failure to supervise child processes (one could not start, say).
public struct IsolationError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
