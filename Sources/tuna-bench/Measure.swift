import Foundation

/// One measured duration, taken two ways: the CPU time of the calling thread, which the tables
/// report (on a shared machine other processes' load mostly stays out of it), and wall time.
struct Timing: Codable {
  var cpuSeconds: Double
  var wallSeconds: Double

  static let unmeasured = Timing(cpuSeconds: .infinity, wallSeconds: .infinity)

  /// The smaller of each clock's readings.
  func best(_ other: Timing) -> Timing {
    Timing(cpuSeconds: min(cpuSeconds, other.cpuSeconds), wallSeconds: min(wallSeconds, other.wallSeconds))
  }
}

private func clockSeconds(_ clock: clockid_t) -> Double {
  var ts = timespec()
  clock_gettime(clock, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Times `body` once.
func measure(_ body: () throws -> Void) rethrows -> Timing {
  let cpu = clockSeconds(CLOCK_THREAD_CPUTIME_ID)
  let wall = clockSeconds(CLOCK_MONOTONIC)
  try body()
  return Timing(
    cpuSeconds: clockSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu,
    wallSeconds: clockSeconds(CLOCK_MONOTONIC) - wall)
}

/// Runs each variant once per repetition, interleaved (A B C, A B C, …) so that a noisy spell
/// hits all of them alike, and keeps the best time of each. A variant does its own setup and
/// returns the time of the part that counts.
func bestTimes(repetitions: Int, _ variants: [() throws -> Timing]) throws -> [Timing] {
  var best = Array(repeating: Timing.unmeasured, count: variants.count)
  for _ in 0..<max(1, repetitions) {
    for (i, variant) in variants.enumerated() { best[i] = best[i].best(try variant()) }
  }
  return best
}

/// The process's memory as the kernel counts it.
enum ProcessMemory {
  /// The most resident memory the process has had (getrusage ru_maxrss), in bytes. Linux keeps
  /// it across exec, so a spawned child starts with its parent's RSS at the time of the spawn.
  static var maxResident: Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
  }

  /// The most resident memory this program image has had (VmHWM in /proc/self/status; reset
  /// by exec), in bytes; 0 where it cannot be read.
  static var peakResident: Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
  }

  /// The resident memory now (/proc/self/statm), in bytes; 0 where it cannot be read.
  static var resident: Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }
}

/// A failed check inside a benchmark (a wrong result means the timing measured something else).
struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// The median (the mean of the middle two for an even count); NaN for no values.
func median(_ values: [Double]) -> Double {
  guard !values.isEmpty else { return .nan }
  let s = values.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
