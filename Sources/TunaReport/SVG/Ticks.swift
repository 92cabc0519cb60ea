import Foundation

/// "Nice" tick positions: round numbers a reader can interpolate between.
enum Ticks {
  /// The ticks of the smallest step of the form 1, 2 or 5 × 10ᵏ (at least 1 when `integer`)
  /// that puts at most `maxCount` ticks in `lower…upper`, and that step.
  static func linear(_ lower: Double, _ upper: Double, maxCount: Int, integer: Bool = false) -> (values: [Double], step: Double) {
    guard lower.isFinite, upper.isFinite else { return ([], 1) }
    guard upper > lower else { return ([lower], 1) }
    let maxCount = max(maxCount, 1)
    // A span that underflows (5e-324 apart) or overflows (±1e308) has no nice step.
    let span = (upper - lower) / Double(maxCount)
    guard span > 0, span.isFinite else { return ([lower, upper], upper - lower) }
    var exponent = max(Int(floor(log10(span))) - 1, -330)
    while exponent < 330 {
      for mantissa in [1.0, 2.0, 5.0] {
        let step = scaled(mantissa, exponent)
        if integer && step < 1 { continue }
        let first = ceil(lower / step - 1e-9)
        let last = floor(upper / step + 1e-9)
        guard last - first + 1 <= Double(maxCount) else { continue }
        var values: [Double] = []
        var k = first
        while k <= last {
          values.append(k == 0 ? 0 : scaled(k * mantissa, exponent))
          k += 1
        }
        return (values, step)
      }
      exponent += 1
    }
    return ([lower, upper], upper - lower)
  }

  /// Ticks for a log scale over `lower…upper` (log10 units), as values: powers of ten (every
  /// second, third, … one when there are more than `maxCount` decades); with the 2 and 5 between
  /// them when the range spans fewer than three decades; and, within less than a decade, when
  /// that gives fewer than three ticks, the linear ticks of the range with their step.
  static func log(_ lower: Double, _ upper: Double, maxCount: Int) -> (values: [Double], linearStep: Double?) {
    guard lower.isFinite, upper.isFinite, upper > lower else { return ([], nil) }
    let maxCount = max(maxCount, 1)
    let eps = 1e-9
    if upper - lower >= 3 {
      let first = Int(ceil(lower - eps))
      let last = Int(floor(upper + eps))
      let every = max(1, Int(ceil(Double(last - first + 1) / Double(maxCount))))
      let start = Int((Double(first) / Double(every)).rounded(.up)) * every
      return (Swift.stride(from: start, through: last, by: every).map { scaled(1, $0) }, nil)
    }
    var candidates: [(value: Double, mantissa: Double)] = []
    for exponent in Int(floor(lower))...Int(ceil(upper)) {
      for mantissa in [1.0, 2.0, 5.0] {
        let value = scaled(mantissa, exponent)
        let t = log10(value)
        if t >= lower - eps && t <= upper + eps { candidates.append((value, mantissa)) }
      }
    }
    if candidates.count > maxCount { candidates.removeAll { $0.mantissa != 1 } }
    if candidates.count >= 3 || upper - lower >= 1 { return (candidates.map(\.value), nil) }
    let (values, step) = linear(pow(10, lower), pow(10, upper), maxCount: maxCount)
    let positive = values.filter { $0 > 0 }
    if positive.count > candidates.count { return (positive, step) }
    return (candidates.map(\.value), nil)
  }

  /// Ticks for seconds over `lower…upper`, in one unit for the whole axis: milliseconds below
  /// two seconds, seconds up to three minutes, minutes up to three hours, hours beyond.
  static func duration(_ lower: Double, _ upper: Double, maxCount: Int) -> [Tick] {
    let span = max(abs(upper), abs(lower), upper - lower)
    let (unit, name): (Double, String) =
      span < 2 ? (0.001, "ms") : span <= 180 ? (1, "s") : span <= 10_800 ? (60, "min") : (3600, "h")
    let (values, step) = linear(lower / unit, upper / unit, maxCount: maxCount)
    let labels = NumberLabel.linear(values, step: step)
    return zip(values, labels).map { v, label in Tick(value: v * unit, label: v == 0 ? "0" : label + " " + name) }
  }

  /// `mantissa` × 10^`exponent`, divided rather than multiplied for negative exponents so that
  /// 0.2 and 1e-5 come out as the literals would.
  static func scaled(_ mantissa: Double, _ exponent: Int) -> Double {
    exponent >= 0 ? mantissa * pow(10, Double(exponent)) : mantissa / pow(10, Double(-exponent))
  }
}

/// Short, readable labels for numbers: `0.001`, `1e-5`, `12k`, `1.5M`.
enum NumberLabel {
  /// Labels for ticks `step` apart, formatted alike: fixed decimals enough for the step; SI
  /// suffixes (k, M, G, T) from 10⁴; exponents for tiny or huge values.
  static func linear(_ values: [Double], step: Double) -> [String] {
    let maxAbs = values.reduce(0) { max($0, abs($1)) }
    let stepExponent = Int(floor(log10(abs(step)) + 1e-9))
    let zero = abs(step) * 1e-6
    if maxAbs >= 1e15 || (maxAbs < 1e-2 && stepExponent < -3) {
      return values.map { abs($0) <= zero ? "0" : exponential($0, decimals: max(0, min(3, exponentOf($0) - stepExponent))) }
    }
    if maxAbs >= 1e4 {
      let (unit, suffix) = siUnit(maxAbs)
      let decimals = max(0, min(3, -Int(floor(log10(abs(step) / unit) + 1e-9))))
      return values.map { abs($0) <= zero ? "0" : fixed($0 / unit, decimals: decimals) + suffix }
    }
    let decimals = max(0, min(8, -stepExponent))
    return values.map { abs($0) <= zero ? "0" : fixed($0, decimals: decimals) }
  }

  /// `value` to about `digits` significant digits, as short as it reads: `0.42`, `0.001`,
  /// `1.23e-4`, `12.3k`, `1234`.
  static func compact(_ value: Double, digits: Int = 3) -> String {
    guard value.isFinite else { return "–" }
    if value == 0 { return "0" }
    let digits = max(1, digits)
    let a = abs(value)
    if a >= 1e15 || a < 1e-3 { return exponential(value, decimals: digits - 1) }
    if a >= 1e4 {
      var (unit, suffix) = siUnit(a)
      var decimals = max(0, digits - 1 - Int(floor(log10(a / unit))))
      if (a / unit * pow(10, Double(decimals))).rounded() >= 1000 * pow(10, Double(decimals)) && unit < 1e12 {
        (unit, suffix) = siUnit(a * 1000)
        decimals = digits - 1
      }
      return fixed(value / unit, decimals: decimals) + suffix
    }
    return fixed(value, decimals: max(0, digits - 1 - Int(floor(log10(a)))))
  }

  /// `value` as `m e k` with `decimals` decimals in the mantissa, trailing zeros dropped: `1e-5`,
  /// `2.5e-7`, `1.2e18`.
  static func exponential(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "–" }
    if value == 0 { return "0" }
    var exponent = exponentOf(value)
    var mantissa = value / Ticks.scaled(1, exponent)
    let factor = pow(10, Double(decimals))
    mantissa = (mantissa * factor).rounded() / factor
    if abs(mantissa) >= 10 {
      mantissa /= 10
      exponent += 1
    }
    return fixed(mantissa, decimals: decimals) + "e" + String(exponent)
  }

  /// `value` with `decimals` decimals, trailing zeros (and a trailing point) dropped, never `-0`.
  static func fixed(_ value: Double, decimals: Int) -> String {
    var text = String(format: "%.\(max(0, min(decimals, 12)))f", value)
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    if text == "-0" { return "0" }
    return text
  }

  /// The decimal exponent of `value`'s leading digit.
  private static func exponentOf(_ value: Double) -> Int {
    Int(floor(log10(abs(value)) + 1e-12))
  }

  private static func siUnit(_ magnitude: Double) -> (Double, String) {
    magnitude < 1e6 ? (1e3, "k") : magnitude < 1e9 ? (1e6, "M") : magnitude < 1e12 ? (1e9, "G") : (1e12, "T")
  }
}
