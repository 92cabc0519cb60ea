/// What trial `number` of a deterministic study may see: the same trials, in the same states,
/// whichever worker or process runs it and however the trials before it were scheduled.
///
/// Trial n sees trials 0…n−lag as they finished (it waits until they have); trials
/// n−lag+1…n−⌈lag/2⌉ as *stand-ins*: running trials holding only the values their sampler
/// chose jointly when they started (the relative sample, drawn eagerly in a deterministic study
/// and recorded with the attributes set by then), which it waits for too; and nothing of the
/// trials after those. Stand-ins depend only on what those trials saw in turn, so a constant
/// liar (TPE's) lies about the same points in every run. The newest ⌈lag/2⌉ − 1 trials stay
/// unseen so that as many trials can pick their values at the same time: were trial n to wait
/// for trial n−1's start, every sampler's work would run one trial at a time (a GP's fit
/// would cap 4 workers at 0.4 of their throughput). Each trial's random stream already depends
/// only on the seed and its number (`SamplingContext.rng`), so a sampler that is a function of
/// what it sees — every built-in one is, in this mode — suggests the same values for trial n in
/// every run.
public struct DeterministicHorizon: Sendable, Hashable {
  /// The trial being sampled.
  public let number: Int
  /// How far behind the trials it waits for are: trial n waits for trial n − lag.
  public let lag: Int

  public init(number: Int, lag: Int) {
    self.number = number
    self.lag = max(1, lag)
  }

  /// The system attribute a trial of a deterministic study gets once its start is settled:
  /// `{ "params": { name: value }, "attrs": [ key, … ] }` — its relative sample and the system
  /// attributes it held at that moment.
  public static let readyKey = "deterministic:ready"

  /// The last trial seen as it finished.
  var settledThrough: Int { number - lag }
  /// The last trial seen at all (as a stand-in when after `settledThrough`).
  var seenThrough: Int { max(number - (lag + 1) / 2, settledThrough) }

  /// Whether every trial this one depends on is where it must be: those up to n − lag finished,
  /// the stand-ins after them started and settled (or finished). `trials` are the study's, by
  /// number. Returns the first trial still holding it up.
  func blocker(in trials: [FrozenTrial]) -> FrozenTrial? {
    for t in trials where t.number <= seenThrough {
      if t.number <= settledThrough {
        if !t.state.isFinished { return t }
      } else if !t.state.isFinished, t.systemAttrs[Self.readyKey] == nil {
        return t
      }
    }
    return nil
  }

  /// The study as trial `number` sees it (`trials` in number order, all of them).
  func view(_ trials: [FrozenTrial]) -> [FrozenTrial] {
    var seen: [FrozenTrial] = []
    seen.reserveCapacity(min(trials.count, number))
    for t in trials {
      guard t.number <= seenThrough else { break }
      seen.append(t.number <= settledThrough ? t : standIn(for: t, settled: seen))
    }
    return seen
  }

  /// Trial `t` as a running trial with its settled start only. Its parameters take the
  /// distributions the complete trials before it used (its relative sample was drawn over the
  /// space they share).
  private func standIn(for t: FrozenTrial, settled: [FrozenTrial]) -> FrozenTrial {
    var params: [String: ParamValue] = [:]
    var distributions: [String: Distribution] = [:]
    var attrs: [String: AttrValue] = [:]
    if case .object(let ready)? = t.systemAttrs[Self.readyKey] {
      if case .object(let values)? = ready["params"] {
        for (name, attr) in values {
          guard let value = ParamValue(attr: attr),
            let distribution = settled.first(where: { $0.state == .complete && $0.distributions[name] != nil })?
              .distributions[name]
          else { continue }
          params[name] = value
          distributions[name] = distribution
        }
      }
      if case .array(let keys)? = ready["attrs"] {
        for case .string(let key) in keys { attrs[key] = t.systemAttrs[key] }
      }
    }
    return FrozenTrial(
      id: t.id, number: t.number, state: .running, params: params, distributions: distributions, systemAttrs: attrs)
  }
}
