import Foundation
import Synchronization
import TunaSearch

/// What a deterministic study costs in throughput: workers in threads, each with its own study
/// object and sampler on one in-memory storage (as `--workers` and separate processes run), an
/// objective that sleeps a random 2–18 ms (idle time, so the two cores are not the limit), the
/// same study with and without `deterministicLag`.
enum ParallelBench: Measurement {
  struct Row: Codable {
    var sampler: String
    var workers: Int
    /// nil: a free-running study.
    var lag: Int?
    var trials: Int
    var trialsPerSecond: Double
    /// Against the free-running study with the same sampler and workers.
    var ratio: Double
  }

  static func run(_ settings: BenchSettings) throws -> [Row] {
    let (quick, repetitions) = (settings.quick, settings.quick ? 1 : 3)
    let trials = quick ? 60 : 240
    let samplers: [(String, @Sendable () throws -> any Sampler)] = [
      ("random", { RandomSampler(seed: 3) }),
      ("tpe", { try TPESampler(seed: 3, multivariate: true, constantLiar: true) }),
      ("auto", { try AutoSampler(seed: 3) }),
    ]
    var rows: [Row] = []
    for (name, make) in samplers {
      for workers in [2, 4] {
        var free = 0.0
        for lag in [nil, 4, 8] as [Int?] {
          var rates: [Double] = []
          for r in 0..<repetitions {
            rates.append(try throughput(trials: trials, workers: workers, lag: lag, seed: UInt64(r), make))
          }
          let rate = rates.sorted()[rates.count / 2]
          if lag == nil { free = rate }
          rows.append(Row(sampler: name, workers: workers, lag: lag, trials: trials, trialsPerSecond: rate, ratio: rate / free))
        }
      }
    }
    return rows
  }

  /// Trials per second of one study run by `workers` threads.
  static func throughput(
    trials: Int, workers: Int, lag: Int?, seed: UInt64, _ make: @escaping @Sendable () throws -> any Sampler
  ) throws -> Double {
    let storage = InMemoryStorage()
    _ = try Study.create(name: "p", direction: .minimize, sampler: RandomSampler(seed: 0), storage: storage)
    let claimed = Mutex(0)
    let failure = Mutex<String?>(nil)
    let group = DispatchGroup()
    let start = DispatchTime.now()
    for w in 0..<workers {
      group.enter()
      let thread = Thread {
        defer { group.leave() }
        do {
          let study = try Study.create(
            name: "p", direction: .minimize, sampler: try make(), storage: storage, loadIfExists: true, deterministicLag: lag)
          var sleep = RandomSource(seed: seed, stream: w)
          var options = OptimizeOptions()
          options.claimTrial = { claimed.withLock { n in n += 1; return n <= trials } }
          try study.optimize(options) { t in
            let x = try t.suggestFloat("x", -5, 5)
            let y = try t.suggestFloat("y", -5, 5)
            let n = try t.suggestInt("n", 1, 8)
            Thread.sleep(forTimeInterval: 0.002 + 0.016 * sleep.unit())
            return [x * x + y * y + Double(n)]
          }
        } catch {
          failure.withLock { $0 = String(describing: error) }
        }
      }
      thread.start()
    }
    group.wait()
    if let message = failure.withLock({ $0 }) { throw BenchError(message) }
    return Double(trials) / (Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
  }

  static func tables(_ rows: [Row], _ settings: BenchSettings) -> [Table] {
    var table = Table(
      "Deterministic studies: throughput against the same study running free (\(rows.first?.trials ?? 0) trials, objective sleeps 2-18 ms)",
      headers: ["sampler", "workers", "lag", "trials/s", "vs free"])
    for row in rows {
      table.add(
        row.sampler, "\(row.workers)", row.lag.map { "\($0)" } ?? "free", String(format: "%.1f", row.trialsPerSecond),
        String(format: "%.2f", row.ratio))
    }
    table.notes = [
      "Trial n waits until trials 0…n−lag have finished; with up to `lag` workers that wait is short.",
    ]
    return [table]
  }
}
