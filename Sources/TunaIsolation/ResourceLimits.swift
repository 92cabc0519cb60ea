import CProcess
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The limits the operating system enforces on a worker process, beside the script's own:
/// they hold where no in-process check reaches (a native call that never returns to Lua, memory
/// a library allocates outside any budget).
public enum ResourceLimits {
  /// Caps the process's CPU time for its next trial: what it has used so far, plus the trial's
  /// time limit and its grace on every core (SIGXCPU past it). Nil lifts the cap.
  public static func limitCPU(forTrialOf limit: Double?) {
    var current = rlimit()
    guard getrlimit(resource(RLIMIT_CPU), &current) == 0 else { return }
    if let limit {
      var usage = rusage()
      getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
      let used = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
      let allowance = (limit + Supervisor.grace(limit)) * Double(max(1, ProcessInfo.processInfo.activeProcessorCount))
      let seconds = rlim_t(min((used + allowance).rounded(.up) + 1, 1e12))
      current.rlim_cur = current.rlim_max == rlim_t.max ? seconds : min(seconds, current.rlim_max)
    } else {
      current.rlim_cur = current.rlim_max
    }
    setrlimit(resource(RLIMIT_CPU), &current)
  }

  /// Caps the process's address space at what it has mapped now plus `bytes` (the script's
  /// memory limit) and a margin for thread stacks and allocator arenas: an allocation past it
  /// fails, and native code that does not expect that ends the process, not the machine.
  public static func limitAddressSpace(adding bytes: Int) {
    guard let mapped = mappedBytes() else { return }
    let margin = 1 << 30
    var cap = rlimit()
    getrlimit(resource(RLIMIT_AS), &cap)
    let wanted = rlim_t(mapped) + rlim_t(bytes) * 2 + rlim_t(margin)
    cap.rlim_cur = cap.rlim_max == rlim_t.max ? wanted : min(wanted, cap.rlim_max)
    setrlimit(resource(RLIMIT_AS), &cap)
  }

  /// The process's mapped bytes (VmSize), from /proc.
  static func mappedBytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmSize:") {
      let kb = line.dropFirst("VmSize:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first
      return kb.flatMap { Int($0) }.map { $0 * 1024 }
    }
    return nil
  }

  /// Ends this process when its parent dies (a supervisor killed with SIGKILL leaves no
  /// worker behind): with `signal`, or at once if the process that started it is already gone
  /// (its id, from the environment, is no longer the parent's; a supervisor that is itself
  /// process 1, as in a container, is no reason to die).
  public static func dieWithParent(signal: Int32) {
    _ = tuna_set_parent_death_signal(signal)
    let expected = IsolationEnvironment.ofThisProcess[IsolationEnvironment.parent].flatMap { pid_t($0) }
    if let expected, getppid() != expected { raise(signal) }
  }

  private static func resource(_ r: __rlimit_resource) -> __rlimit_resource_t { __rlimit_resource_t(r.rawValue) }
}
