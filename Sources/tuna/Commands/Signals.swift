import Foundation
import TunaLua

/// The write end of the pipe the signal handler wakes the watcher through (-1 when unset).
private nonisolated(unsafe) var signalPipe: Int32 = -1

/// Async-signal-safe: one byte naming the signal, written to the pipe.
private func onSignal(_ signal: Int32) {
  var byte = UInt8(truncatingIfNeeded: signal)
  _ = write(signalPipe, &byte, 1)
}

/// Turns SIGINT and SIGTERM into `Interruption.interrupt()`, whichever thread the kernel
/// delivers them to (BLAS and dispatch threads included): a handler writes a byte to a pipe, and
/// a watcher thread reads it (the self-pipe pattern). The first signal interrupts the run; a
/// second one ends the process at once with the default action.
final class SignalWatch: @unchecked Sendable {
  private let readEnd: Int32
  private let writeEnd: Int32
  private let lock = NSLock()
  private var received: [Int32] = []
  private var watcher: Thread?

  /// Whether the run was interrupted by SIGTERM (exit 143) rather than SIGINT (130).
  var terminated: Bool {
    lock.lock()
    defer { lock.unlock() }
    return received.first == SIGTERM
  }

  /// The first signal interrupts `interruption`; a second ends the process at once.
  convenience init(_ interruption: Interruption) {
    self.init { signal, count in
      if count == 1 {
        interruption.interrupt()
      } else {
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
      }
    }
  }

  /// Every signal goes to `handle`, with how many have come so far.
  init(handle: @escaping @Sendable (Int32, Int) -> Void) {
    var fds: [Int32] = [0, 0]
    pipe(&fds)
    // Close-on-exec: the children of an isolated run do not inherit it.
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    (readEnd, writeEnd) = (fds[0], fds[1])
    signalPipe = writeEnd
    let thread = Thread { [readEnd] in
      var byte: UInt8 = 0
      while read(readEnd, &byte, 1) == 1 {
        let number = Int32(byte)
        guard number != 0 else { return }  // stop()
        self.lock.lock()
        self.received.append(number)
        let count = self.received.count
        self.lock.unlock()
        handle(number, count)
      }
    }
    thread.start()
    watcher = thread
    for number in [SIGINT, SIGTERM] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = onSignal
      sigemptyset(&action.sa_mask)
      action.sa_flags = SA_RESTART
      sigaction(number, &action, nil)
    }
  }

  /// Restores the default actions and stops the watcher.
  func stop() {
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
    var zero: UInt8 = 0
    _ = write(writeEnd, &zero, 1)
  }
}

/// Bounds the closing of the script's Lua state: finalizers run then, with Lua's hooks off, so a
/// finalizer that never returns would keep the process alive. Past the delay the process says so
/// and ends (exit 1).
enum ClosingWatch {
  private static let lock = NSLock()
  private nonisolated(unsafe) static var generation = 0

  static func arm(seconds: Double) {
    lock.lock()
    generation += 1
    let mine = generation
    lock.unlock()
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
      lock.lock()
      let still = generation == mine
      lock.unlock()
      guard still else { return }
      FileHandle.standardError.write(Data("tuna: the script's finalizers (__gc) did not finish within \(Int(seconds)) s of its end\n".utf8))
      _exit(1)
    }
  }

  static func disarm() {
    lock.lock()
    generation += 1
    lock.unlock()
  }
}
