/// Small helpers for the marks plots draw many of: dots, and groups sharing one colour.
extension SVGWriter {
  /// A dot of radius `r` at (`x`, `y`); its fill comes from the enclosing group. `tooltip`
  /// becomes its `<title>`.
  mutating func dot(_ x: Double, _ y: Double, r: String, tooltip: String? = nil) {
    let attributes: KeyValuePairs<String, String> = ["cx": svgNumber(x), "cy": svgNumber(y), "r": r]
    if let tooltip {
      element("circle", attributes, tooltip: tooltip)
    } else {
      element("circle", attributes)
    }
  }

  /// Draws marks grouped by colour level: one `<g attribute="colour">` per level, levels in
  /// increasing order (so higher levels paint on top), marks within a level in their order.
  /// `levels[i]` is mark i's level and colour; `draw` draws mark i inside its group.
  mutating func drawGrouped(
    _ levels: [(level: Int, color: String)], attribute: String, draw: (inout SVGWriter, Int) -> Void
  ) {
    let order = levels.indices.sorted { levels[$0].level != levels[$1].level ? levels[$0].level < levels[$1].level : $0 < $1 }
    var current: Int?
    for i in order {
      if levels[i].level != current {
        if current != nil { close() }
        current = levels[i].level
        switch attribute {
        case "stroke": open("g", ["stroke": levels[i].color])
        default: open("g", ["fill": levels[i].color])
        }
      }
      draw(&self, i)
    }
    if current != nil { close() }
  }
}

/// A fixed offset in -0.5…0.5 for trial `number`, to spread dots within a categorical slot the
/// same way on every run (the golden ratio's fractional parts are evenly spread).
func jitter(_ number: Int) -> Double {
  let x = Double(number.magnitude % 1_000_003) * 0.618_033_988_749_894_9
  return x - x.rounded(.down) - 0.5
}
