/// A rectangle in the drawing's pixels, y pointing down.
struct Rect: Sendable, Equatable {
  var x: Double
  var y: Double
  var width: Double
  var height: Double

  var maxX: Double { x + width }
  var maxY: Double { y + height }
  var midX: Double { x + width / 2 }
  var midY: Double { y + height / 2 }
}

extension SVGWriter {
  /// Defines `<prefix>-<name>` as a clip path to `rect`, widened by `margin` so markers on the
  /// edge stay whole.
  mutating func defineClip(_ name: String, _ rect: Rect, margin: Double = 0) {
    open("clipPath", ["id": ref(name)])
    element("rect", [
      "x": svgNumber(rect.x - margin), "y": svgNumber(rect.y - margin),
      "width": svgNumber(rect.width + 2 * margin), "height": svgNumber(rect.height + 2 * margin),
    ])
    close()
  }
}

/// Clamps `value` to `range`.
func clamped(_ value: Double, _ range: ClosedRange<Double>) -> Double {
  min(max(value, range.lowerBound), range.upperBound)
}
