import Foundation

/// How an axis's ticks are chosen and labelled.
enum TickStyle: Sendable, Equatable {
  case number
  /// Whole numbers only: trial numbers, steps.
  case integer
  /// Seconds, labelled in s, min or h.
  case duration
}

/// A scale's extent in its own units: values for a linear scale, log10 of values for a log
/// scale, slot indices (from -0.5 to count - 0.5) for a categorical one. `upper > lower` always.
struct ScaleDomain: Sendable, Equatable {
  var kind: AxisScale
  var lower: Double
  var upper: Double
  var style: TickStyle

  /// A domain from `lower` to `upper` in the scale's units; an empty or non-finite extent
  /// becomes a unit one.
  init(kind: AxisScale, lower: Double, upper: Double, style: TickStyle = .number) {
    self.kind = kind
    self.style = style
    if lower.isFinite, upper.isFinite, upper > lower {
      (self.lower, self.upper) = (lower, upper)
    } else if lower.isFinite {
      (self.lower, self.upper) = (lower - 0.5, lower + 0.5)
    } else {
      (self.lower, self.upper) = (0, 1)
    }
  }

  /// `value` in the scale's units: its log10 on a log scale (nil unless positive), nil when not
  /// finite.
  func transform(_ value: Double) -> Double? {
    guard value.isFinite else { return nil }
    if case .log = kind { return value > 0 ? log10(value) : nil }
    return value
  }

  /// Where `value` lies from `lower` (0) to `upper` (1), unclamped; nil where `transform` is.
  func fraction(_ value: Double) -> Double? {
    transform(value).map { ($0 - lower) / (upper - lower) }
  }

  var isCategorical: Bool {
    if case .categorical = kind { return true }
    return false
  }

  /// A domain covering `values` (and `range`, when given), padded by `padding` of its span on
  /// each side so markers at the ends stay inside. A categorical domain has one slot per choice
  /// (and per index `values` holds beyond them). With no usable value the domain is 0…1 (1…10
  /// on a log scale); a single value gets a span around it.
  static func fitting(
    _ kind: AxisScale, range: ClosedRange<Double>? = nil, values: some Sequence<Double>, padding: Double = 0.04,
    style: TickStyle = .number
  ) -> ScaleDomain {
    let probe = ScaleDomain(kind: kind, lower: 0, upper: 1, style: style)
    if case .categorical(let names) = kind {
      var count = names.count
      for v in values where v.isFinite && v >= 0 && v < 1e6 { count = max(count, Int(v.rounded()) + 1) }
      return ScaleDomain(kind: kind, lower: -0.5, upper: Double(max(count, 1)) - 0.5, style: style)
    }
    var lo = Double.infinity
    var hi = -Double.infinity
    for v in values {
      guard let t = probe.transform(v) else { continue }
      lo = min(lo, t)
      hi = max(hi, t)
    }
    if let range {
      if let t = probe.transform(range.lowerBound) { lo = min(lo, t) }
      if let t = probe.transform(range.upperBound) { hi = max(hi, t) }
    }
    lo = max(lo, -1e300)
    hi = min(hi, 1e300)
    guard lo <= hi else { return ScaleDomain(kind: kind, lower: 0, upper: 1, style: style) }
    if hi - lo <= max(abs(lo), abs(hi)) * 1e-12 {
      let c = (lo + hi) / 2
      let half: Double
      switch (kind, style) {
      case (.log, _): half = 0.5
      case (_, .integer), (_, .duration): half = 0.5
      default: half = c == 0 ? 1 : abs(c) * 0.1
      }
      return ScaleDomain(kind: kind, lower: c - half, upper: c + half, style: style)
    }
    let pad = (hi - lo) * padding
    return ScaleDomain(kind: kind, lower: lo - pad, upper: hi + pad, style: style)
  }

  /// This domain with its upper end moved out to the next tick (for bar lengths measured from 0).
  func extendedToTick(maxCount: Int) -> ScaleDomain {
    guard case .linear = kind else { return self }
    let (values, step) = Ticks.linear(lower, upper, maxCount: maxCount, integer: style == .integer)
    guard let last = values.last, last < upper else { return self }
    return ScaleDomain(kind: kind, lower: lower, upper: last + step, style: style)
  }

  /// At most `maxCount` ticks inside the domain (every slot of a categorical scale), labelled.
  func ticks(maxCount: Int) -> [Tick] {
    switch kind {
    case .categorical(let names):
      let count = Int((upper + 0.5).rounded())
      return (0..<max(count, 0)).map { Tick(value: Double($0), label: $0 < names.count ? names[$0] : String($0)) }
    case .log:
      let (values, linearStep) = Ticks.log(lower, upper, maxCount: maxCount)
      let labels = linearStep.map { NumberLabel.linear(values, step: $0) } ?? values.map { NumberLabel.compact($0) }
      return zip(values, labels).map { Tick(value: $0, label: $1) }
    case .linear:
      if style == .duration { return Ticks.duration(lower, upper, maxCount: maxCount) }
      let (values, step) = Ticks.linear(lower, upper, maxCount: maxCount, integer: style == .integer)
      return zip(values, NumberLabel.linear(values, step: step)).map { Tick(value: $0, label: $1) }
    }
  }
}

/// A labelled position on an axis, in data units (a categorical scale's slot index).
struct Tick: Sendable, Equatable {
  var value: Double
  var label: String
}

/// A domain mapped onto pixels: `start` is where `domain.lower` lands, `end` where
/// `domain.upper` does (`end < start` for a y axis growing upwards).
struct Scale: Sendable {
  var domain: ScaleDomain
  var start: Double
  var end: Double

  init(_ domain: ScaleDomain, from start: Double, to end: Double) {
    self.domain = domain
    self.start = start
    self.end = end
  }

  /// The pixel of a position in the scale's units.
  func pixel(transformed t: Double) -> Double {
    start + (t - domain.lower) / (domain.upper - domain.lower) * (end - start)
  }

  /// The pixel of `value`; nil when the scale cannot place it (not finite, or not positive on a
  /// log scale).
  func position(_ value: Double) -> Double? {
    domain.transform(value).map(pixel(transformed:))
  }

  /// Pixels per unit of the domain: a categorical scale's slot width.
  var unitLength: Double { abs(end - start) / (domain.upper - domain.lower) }

  /// The axis length in pixels.
  var length: Double { abs(end - start) }

  func ticks(maxCount: Int) -> [Tick] { domain.ticks(maxCount: maxCount) }
}

/// The scale an objective's values read best on: log10 when every value is positive and they
/// span more than three decades, linear otherwise.
func automaticValueScale(_ values: some Sequence<Double>) -> AxisScale {
  var lo = Double.infinity
  var hi = 0.0
  for v in values where v.isFinite {
    if v <= 0 { return .linear }
    lo = min(lo, v)
    hi = max(hi, v)
  }
  guard lo.isFinite, hi > 0 else { return .linear }
  return log10(hi) - log10(lo) > 3 ? .log : .linear
}
