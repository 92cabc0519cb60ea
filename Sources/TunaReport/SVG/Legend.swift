import Foundation

/// How a legend entry shows its series.
enum LegendSwatch: Sendable {
  case dot(String)
  case line(String)
  case box(String, dashed: Bool = false)
  case cross(String)
  case star(String)
  /// A mean line over its ± std band.
  case band(String)
  /// An error bar.
  case whisker(String)
  /// A cell outlined as the interaction matrix's diagonal.
  case outlinedBox(String)
}

/// One legend entry.
struct LegendItem: Sendable {
  var label: String
  var swatch: LegendSwatch

  init(_ label: String, _ swatch: LegendSwatch) {
    self.label = label
    self.swatch = swatch
  }
}

/// A row of legend entries: a swatch and its label each.
enum Legend {
  static let fontSize = 11.0
  static let swatchWidth = 16.0

  /// The row's width in pixels.
  static func width(_ items: [LegendItem]) -> Double {
    guard !items.isEmpty else { return 0 }
    let entries = items.reduce(0) { $0 + swatchWidth + 5 + TextMetrics.width($1.label, fontSize: fontSize) }
    return entries + Double(items.count - 1) * 14
  }

  /// Draws `items` in a row starting at `x`, centred on the line `y`.
  static func draw(_ items: [LegendItem], into svg: inout SVGWriter, x: Double, y: Double) {
    guard !items.isEmpty else { return }
    svg.open("g", ["font-size": svgNumber(fontSize), "fill": Palette.text])
    var x = x
    for item in items {
      drawSwatch(item.swatch, into: &svg, x: x, y: y)
      x += swatchWidth + 5
      svg.element("text", ["x": svgNumber(x), "y": svgNumber(y), "dy": "0.35em"], text: item.label)
      x += TextMetrics.width(item.label, fontSize: fontSize) + 14
    }
    svg.close()
  }

  private static func drawSwatch(_ swatch: LegendSwatch, into svg: inout SVGWriter, x: Double, y: Double) {
    let cx = x + swatchWidth / 2
    switch swatch {
    case .dot(let color):
      svg.element("circle", ["cx": svgNumber(cx), "cy": svgNumber(y), "r": "4", "fill": color])
    case .line(let color):
      var path = PathBuilder()
      path.move(x, y)
      path.horizontal(x + swatchWidth)
      svg.element("path", ["d": path.data, "stroke": color, "stroke-width": "2"])
    case .box(let color, let dashed):
      let (left, top, width) = (svgNumber(x + 1), svgNumber(y - 5), svgNumber(swatchWidth - 2))
      if dashed {
        svg.element("rect", [
          "x": left, "y": top, "width": width, "height": "10", "fill": color, "fill-opacity": "0.35", "stroke": color,
          "stroke-dasharray": "3 2",
        ])
      } else {
        svg.element("rect", ["x": left, "y": top, "width": width, "height": "10", "fill": color])
      }
    case .cross(let color):
      svg.element("path", ["d": crossPath(cx, y, 4), "stroke": color, "stroke-width": "2"])
    case .star(let color):
      svg.element("path", ["d": starPath(cx, y, 6), "fill": color, "stroke": "#fff", "stroke-width": "1"])
    case .band(let color):
      svg.element("rect", [
        "x": svgNumber(x), "y": svgNumber(y - 5), "width": svgNumber(swatchWidth), "height": "10", "fill": color,
        "fill-opacity": "0.2",
      ])
      var path = PathBuilder()
      path.move(x, y)
      path.horizontal(x + swatchWidth)
      svg.element("path", ["d": path.data, "stroke": color, "stroke-width": "2"])
    case .whisker(let color):
      var path = PathBuilder()
      path.move(x + 2, y)
      path.horizontal(x + swatchWidth - 2)
      path.move(x + 2, y - 4)
      path.vertical(y + 4)
      path.move(x + swatchWidth - 2, y - 4)
      path.vertical(y + 4)
      svg.element("path", ["d": path.data, "stroke": color, "stroke-width": "1.5"])
    case .outlinedBox(let color):
      svg.element("rect", [
        "x": svgNumber(x + 1), "y": svgNumber(y - 5), "width": svgNumber(swatchWidth - 2), "height": "10", "fill": color,
        "stroke": "#222", "stroke-width": "1.5",
      ])
    }
  }
}

/// The `d` of an × of half-size `r` centred on (`x`, `y`).
func crossPath(_ x: Double, _ y: Double, _ r: Double) -> String {
  var path = PathBuilder()
  path.cross(x, y, r)
  return path.data
}

/// The `d` of a five-pointed star of outer radius `r` centred on (`x`, `y`), a point up.
func starPath(_ x: Double, _ y: Double, _ r: Double) -> String {
  var path = PathBuilder()
  for k in 0..<10 {
    let radius = k % 2 == 0 ? r : r * 0.45
    let angle = Double.pi / 5 * Double(k) - Double.pi / 2
    let (px, py) = (x + radius * cos(angle), y + radius * sin(angle))
    if k == 0 { path.move(px, py) } else { path.line(px, py) }
  }
  path.close()
  return path.data
}
