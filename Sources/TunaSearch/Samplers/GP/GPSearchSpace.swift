import Foundation

/// How the GP sampler sees a search space: one coordinate per parameter (in name order), each in
/// [0, 1] through the distribution's internal unit (log-space for log distributions), the
/// internal bounds widened by half a step for integers and stepped floats so every grid point
/// owns an equal share. Integer and stepped coordinates only take their grid points' values;
/// a categorical's coordinate is its choice's index mapped the same way, and the kernel compares
/// categoricals by equality (Hamming distance), not by position.
struct GPSearchSpace {
  enum Kind: Equatable {
    case continuous
    /// A grid of `count` points: integers and stepped floats.
    case discrete(count: Int)
    case categorical(count: Int)
  }

  struct Dimension {
    let name: String
    let distribution: Distribution
    let kind: Kind
    let low: Double
    let high: Double
  }

  let dimensions: [Dimension]

  /// The space of the non-single distributions in `space`, in name order.
  init(_ space: [String: Distribution]) {
    dimensions = space.filter { !$0.value.isSingle }.sorted { $0.key < $1.key }.map { name, distribution in
      let kind: Kind
      switch distribution {
      case .float(let low, let high, _, let step):
        kind = step.map { Self.grid(steps: ((high - low) / $0).rounded()) } ?? .continuous
      case .int(let low, let high, _, let step):
        // In Double: 0 ... Int.max with step 1 has Int.max + 1 points.
        kind = Self.grid(steps: (Double(high - low) / Double(step)).rounded(.down))
      case .categorical(let choices):
        kind = .categorical(count: choices.count)
      }
      let (low, high) = distribution.internalBounds
      return Dimension(name: name, distribution: distribution, kind: kind, low: low, high: high)
    }
  }

  /// A grid of `steps + 1` points, or a continuous coordinate when it is so fine (over 10^15
  /// points) that it is continuous in all but name: its count would not survive Int arithmetic.
  private static func grid(steps: Double) -> Kind {
    steps < 1e15 ? .discrete(count: Int(steps) + 1) : .continuous
  }

  var count: Int { dimensions.count }
  var categoricalMask: [Bool] { dimensions.map { if case .categorical = $0.kind { true } else { false } } }

  /// The coordinate of `value`, or nil when it is not of the distribution's kind.
  func normalize(_ value: ParamValue, _ d: Int) -> Double? {
    let dim = dimensions[d]
    guard let x = dim.distribution.toInternal(value) else { return nil }
    return min(max((x - dim.low) / (dim.high - dim.low), 0), 1)
  }

  /// The parameter value at coordinate `u`.
  func value(_ u: Double, _ d: Int) -> ParamValue {
    let dim = dimensions[d]
    return dim.distribution.fromInternal(dim.low + min(max(u, 0), 1) * (dim.high - dim.low))
  }

  /// `u` moved to the coordinate of its grid point (unchanged for continuous coordinates).
  func snap(_ u: Double, _ d: Int) -> Double {
    if dimensions[d].kind == .continuous { return min(max(u, 0), 1) }
    return normalize(value(u, d), d)!
  }

  /// The coordinate of grid point `k` of a discrete or categorical coordinate.
  func gridPoint(_ k: Int, _ d: Int) -> Double {
    let value: ParamValue
    switch dimensions[d].distribution {
    case .float(let low, let high, _, let step): value = .float(min(low + Double(k) * (step ?? 0), high))
    case .int(let low, _, _, let step): value = .int(low + k * step)
    case .categorical(let choices): value = choices[k]
    }
    return normalize(value, d)!
  }

  /// The grid index of coordinate `u` of a discrete or categorical coordinate.
  func gridIndex(_ u: Double, _ d: Int) -> Int {
    let v = value(u, d)
    switch dimensions[d].distribution {
    case .float(let low, _, _, let step): return Int(((v.number! - low) / (step ?? 1)).rounded())
    case .int(let low, _, _, let step):
      // The integer itself: near Int.max, a trip through Double rounds past the end.
      guard case .int(let i) = v else { return 0 }
      return (i - low) / step
    case .categorical(let choices): return choices.firstIndex { $0 == v } ?? 0
    }
  }
}
