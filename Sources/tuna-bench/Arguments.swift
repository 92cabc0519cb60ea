import Foundation

/// What the command line asked for.
struct Arguments {
  enum Command: String {
    case bridge, overhead, train, forest, samplers, regret, parallel, prune, storage, analysis, all
    /// Internal: one memory probe in a fresh process (`_memory engine|core`), JSON on stdout.
    case memoryProbe = "_memory"
  }

  var command: Command = .all
  var jsonPath: String?
  var quick = false
  /// storage: a PostgreSQL database to measure too (else TUNA_BENCH_POSTGRES_URL, else none).
  var postgres: String? = ProcessInfo.processInfo.environment["TUNA_BENCH_POSTGRES_URL"]
  /// storage: also measure processes on several hosts (network namespaces; needs root).
  var hosts = false
  var repetitions: Int?
  var probeMode: String?
  var seeds: Int?
  var samplerNames: [String]?
  var problemNames: [String]?

  static let usage = """
    usage: tuna-bench [bridge | overhead | train | forest | samplers | regret | parallel | prune | storage | analysis | all] [--json PATH] [--quick] [--repetitions N] [--seeds N]

      bridge      Lua→Swift and Swift→Lua call costs
      overhead    per-trial cost of a study run through the Lua engine, and its memory
      train       training throughput of the neural-network core (digits MLP, wide MLP)
      forest      the seed's random-forest GridSearchCV (27 configs x 5 folds), wall time
      samplers    cost per trial of each sampler at 100, 300 and 1,000 trials, two spaces
      regret      simple regret of each sampler on 15 problems (smooth, separable, ill-conditioned,
                  multimodal, noisy, integer, mixed, conditional, 20-d and 30-d, and two real tasks
                  looked up in tables: the digits MLP, a forest on breast_cancer) at 50 and 200 trials
      parallel    a deterministic study's throughput against the same study running free, 2 and 4
                  worker threads, lag 4 and 8 (random, TPE with a constant liar, auto)
      prune       TPE tuning the digits MLP (40 trials x <= 20 epochs) without a pruner and with the
                  median pruner, ASHA and Hyperband: epochs trained, wall time, best accuracy
      storage     SQLite (and PostgreSQL, with --postgres) against memory per trial; tuna run processes
                  sharing one study: throughput of 1, 2, 4, 8 (one SQLite file, a PostgreSQL database
                  on loopback, and with --hosts across network-namespace hosts), and the speedup of 2
                  workers on the digits MLP
                  (needs the tuna executable next to tuna-bench)
      analysis    PED-ANOVA and fANOVA (main effects, all pairs) on 1,000 and 10,000 trials of 8
                  parameters beside the forest fit; tuna report on a 10,000-trial SQLite study
      all         bridge and overhead (the default; train is separate: it takes a while)

      --json PATH       also write the results as JSON to PATH
      --postgres URL    storage: a PostgreSQL database to measure beside memory and SQLite (also from
                        TUNA_BENCH_POSTGRES_URL); its studies are left in place
      --hosts           storage: throughput of processes on 3 hosts (network namespaces, scripts/tests/multihost.py; root)
      --quick           a smaller, faster run (for tests); figures are rougher
      --repetitions N   best of N runs of each measurement (default 5, 3 with --quick; storage: the
                        median of N)
      --seeds N         regret: seeds per sampler and function (default 10, 3 with --quick);
                        prune: sampler seeds 0..N-1 (default 3, 1 with --quick)
      --samplers LIST   samplers, regret: only these (comma-separated names, e.g. tpe,cmaes)
      --problems LIST   regret: only these problems (comma-separated names, e.g. Branin,Levy-20D)

    Figures are ratios against baselines measured in the same run; times are the calling
    thread's CPU time, best of N (train, forest, samplers, regret, prune, storage, analysis: wall time). Build and
    run in release mode.
    """

  struct UsageError: Error, CustomStringConvertible {
    let description: String
  }

  /// The settings printed with the results and used for every measurement.
  var settings: BenchSettings { BenchSettings(quick: quick, repetitions: repetitions ?? (quick ? 3 : 5)) }

  init(_ argv: [String]) throws {
    var rest = argv[...]
    var sawCommand = false
    while let word = rest.popFirst() {
      switch word {
      case "--json":
        guard let path = rest.popFirst() else { throw UsageError(description: "--json needs a path") }
        jsonPath = path
      case "--quick":
        quick = true
      case "--repetitions":
        guard let text = rest.popFirst(), let n = Int(text), n > 0 else {
          throw UsageError(description: "--repetitions needs a positive integer")
        }
        repetitions = n
      case "--seeds":
        guard let text = rest.popFirst(), let n = Int(text), n > 0 else {
          throw UsageError(description: "--seeds needs a positive integer")
        }
        seeds = n
      case "--samplers":
        guard let text = rest.popFirst(), !text.isEmpty else { throw UsageError(description: "--samplers needs a list of names") }
        samplerNames = text.split(separator: ",").map(String.init)
      case "--postgres":
        guard let url = rest.popFirst(), !url.isEmpty else { throw UsageError(description: "--postgres needs a URL") }
        postgres = url
      case "--hosts":
        hosts = true
      case "--problems":
        guard let text = rest.popFirst(), !text.isEmpty else { throw UsageError(description: "--problems needs a list of names") }
        problemNames = text.split(separator: ",").map(String.init)
      case "-h", "--help", "help":
        throw UsageError(description: "")
      default:
        if !sawCommand, let command = Command(rawValue: word) {
          self.command = command
          sawCommand = true
          if command == .memoryProbe { probeMode = rest.popFirst() }
        } else {
          throw UsageError(description: "unknown argument '\(word)'")
        }
      }
    }
  }
}

/// The sizes of one run.
struct BenchSettings: Codable {
  var quick: Bool
  var repetitions: Int

  /// Lua→Swift calls per loop.
  var luaToSwiftCalls: Int { quick ? 1_000_000 : 10_000_000 }
  /// Swift→Lua calls per loop.
  var swiftToLuaCalls: Int { quick ? 100_000 : 1_000_000 }
  /// The study sizes for the per-trial overhead.
  var trialCounts: [Int] { quick ? [100, 1_000] : [1_000, 10_000] }
  /// The study size for the space A and B comparisons with Optuna.
  var spaceTrials: Int { quick ? 200 : 1_000 }
  /// The memory probe's steps: a warm-up, then more trials to reach the larger size, then the
  /// same again, so that growth is measured over `memorySteps[1] + memorySteps[2]` trials.
  var memorySteps: [Int] { quick ? [100, 900, 100] : [1_000, 9_000, 1_000] }
}
