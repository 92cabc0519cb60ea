/// `value` for an SVG attribute: at most `decimals` decimals (2 by default: a hundredth of a
/// pixel), no trailing zeros, no exponent, never `-0`, and never `nan` or `inf` (non-finite
/// values become 0; magnitudes are capped at 10⁹, far outside any drawing).
func svgNumber(_ value: Double, decimals: Int = 2) -> String {
  guard value.isFinite else { return "0" }
  let decimals = min(max(decimals, 0), 6)
  var divisor: UInt64 = 1
  for _ in 0..<decimals { divisor *= 10 }
  let clamped = min(max(value, -1e9), 1e9)
  let scaled = (clamped * Double(divisor)).rounded()
  if scaled == 0 { return "0" }
  let magnitude = UInt64(abs(scaled))
  var out = scaled < 0 ? "-" : ""
  out += String(magnitude / divisor)
  var fraction = magnitude % divisor
  if fraction != 0 {
    var width = decimals
    while fraction % 10 == 0 {
      fraction /= 10
      width -= 1
    }
    let digits = String(fraction)
    out += "."
    out += String(repeating: "0", count: width - digits.count)
    out += digits
  }
  return out
}

/// Builds a path's `d` attribute from absolute commands, coordinates as ``svgNumber(_:decimals:)``.
struct PathBuilder {
  private(set) var data = ""

  var isEmpty: Bool { data.isEmpty }

  mutating func move(_ x: Double, _ y: Double) {
    data += "M" + svgNumber(x) + " " + svgNumber(y)
  }

  mutating func line(_ x: Double, _ y: Double) {
    data += "L" + svgNumber(x) + " " + svgNumber(y)
  }

  mutating func horizontal(_ x: Double) { data += "H" + svgNumber(x) }

  mutating func vertical(_ y: Double) { data += "V" + svgNumber(y) }

  mutating func close() { data += "Z" }

  /// Adds an × of half-size `r` centred on (`x`, `y`).
  mutating func cross(_ x: Double, _ y: Double, _ r: Double) {
    move(x - r, y - r)
    line(x + r, y + r)
    move(x - r, y + r)
    line(x + r, y - r)
  }

  /// Appends `other`'s commands.
  mutating func append(_ other: PathBuilder) { data += other.data }
}
