import Foundation

/// One end of the pipes between a parent and a child process: lines of tab-separated fields
/// (tabs, newlines and backslashes inside a field escaped), written whole under a lock so that
/// several threads may send. Reading is for one thread.
public final class ControlChannel: @unchecked Sendable {
  private let input: Int32
  private let output: Int32
  private let lock = NSLock()
  private var buffer: [UInt8] = []

  /// A channel reading `input` and writing `output` (file descriptors it then owns).
  public init(input: Int32, output: Int32) {
    self.input = input
    self.output = output
  }

  deinit {
    close(input)
    close(output)
  }

  /// Sends one message. False when the other end is gone.
  @discardableResult
  public func send(_ fields: [String]) -> Bool {
    var line = Array(fields.map(Self.escape).joined(separator: "\t").utf8)
    line.append(UInt8(ascii: "\n"))
    lock.lock()
    defer { lock.unlock() }
    var sent = 0
    while sent < line.count {
      let n = line[sent...].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return false }
      sent += n
    }
    return true
  }

  /// The next message, or nil once the other end has closed.
  public func receive() -> [String]? {
    while true {
      if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[..<newline], as: UTF8.self)
        buffer.removeSubrange(...newline)
        return line.split(separator: "\t", omittingEmptySubsequences: false).map { Self.unescape(String($0)) }
      }
      var chunk = [UInt8](repeating: 0, count: 4096)
      let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return nil }
      buffer.append(contentsOf: chunk[..<n])
    }
  }

  static func escape(_ field: String) -> String {
    guard field.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\\" || $0 == "\r" }) else { return field }
    var out = ""
    for c in field {
      switch c {
      case "\\": out += "\\\\"
      case "\t": out += "\\t"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.append(c)
      }
    }
    return out
  }

  static func unescape(_ field: String) -> String {
    guard field.contains("\\") else { return field }
    var out = ""
    var escaped = false
    for c in field {
      if escaped {
        switch c {
        case "t": out += "\t"
        case "n": out += "\n"
        case "r": out += "\r"
        default: out.append(c)
        }
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else {
        out.append(c)
      }
    }
    return out
  }

  /// The channel a child process was started with (file descriptors 3, to read, and 4, to
  /// write), when its environment says it has one.
  public static func ofThisChild() -> ControlChannel? {
    guard IsolationEnvironment.ofThisProcess[IsolationEnvironment.role] != nil else { return nil }
    guard fcntl(3, F_GETFD) != -1, fcntl(4, F_GETFD) != -1 else { return nil }
    // Not inherited by the processes this one starts.
    _ = fcntl(3, F_SETFD, FD_CLOEXEC)
    _ = fcntl(4, F_SETFD, FD_CLOEXEC)
    return ControlChannel(input: 3, output: 4)
  }
}

/// The environment variables through which a supervising process tells its children their part.
public enum IsolationEnvironment {
  /// `lead` (the process running the script) or `worker` (a process running trials).
  public static let role = "TUNA_ISOLATE_ROLE"
  /// A worker's job: the optimize call it joins and the studies it joins (JSON).
  public static let job = "TUNA_ISOLATE_JOB"
  /// The SQLite URL that stands for "in memory" in every child: the children of one run share
  /// their in-memory studies through it.
  public static let memoryStorage = "TUNA_ISOLATE_MEMORY"
  /// The process id of the process that started this child, to tell whether it is still there.
  public static let parent = "TUNA_ISOLATE_PARENT"

  /// This process's part, as its environment gave it: read once, then removed from the
  /// environment, so the processes a script starts (`os.execute("tuna run …")`) are plain ones.
  public static let ofThisProcess: [String: String] = {
    var found: [String: String] = [:]
    for key in [role, job, memoryStorage, parent] {
      guard let value = getenv(key) else { continue }
      found[key] = String(cString: value)
      unsetenv(key)
    }
    return found
  }()
}
