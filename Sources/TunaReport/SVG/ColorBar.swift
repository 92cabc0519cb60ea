/// A vertical colour bar: the colour map as a gradient beside the plot, with ticks and a title.
struct ColorBar {
  /// The colours from the domain's lower end (0, at the bottom) to its upper end (1).
  var map: ColorMap
  var domain: ScaleDomain
  var title: String
  /// Which end holds the better values, marked "better"; nil marks none.
  var betterAtTop: Bool?

  static let barWidth = 12.0
  static let fontSize = 10.0

  /// The colour of `value` (the colour of the lower end for values the domain cannot place).
  func color(_ value: Double) -> RGB { map.color(domain.fraction(value) ?? 0) }

  /// The colour of `value` rounded to one of a few levels, with the level's index, so that marks
  /// can share fill groups.
  func binned(_ value: Double) -> (Int, RGB) { map.binned(domain.fraction(value) ?? 0) }

  /// The width the bar, its labels and its title need right of the plot area.
  func reservedWidth(height: Double) -> Double {
    let labels = Scale(domain, from: height, to: 0).ticks(maxCount: max(2, Int(height / 32))).map(\.label)
    return 16 + ColorBar.barWidth + 5 + TextMetrics.maxWidth(labels, fontSize: ColorBar.fontSize) + 8 + 16
  }

  /// Draws the bar from `top` to `bottom` with its left edge at `x`; `name` makes the gradient's
  /// id unique in the document.
  func draw(into svg: inout SVGWriter, x: Double, top: Double, bottom: Double, name: String) {
    // The "better" mark takes the room at its end of the span.
    var (top, bottom) = (top, bottom)
    if let betterAtTop {
      if betterAtTop { top += 14 } else { bottom -= 14 }
    }
    svg.open("defs")
    svg.open("linearGradient", ["id": svg.ref(name), "x1": "0", "y1": "1", "x2": "0", "y2": "0"])
    let samples = 9
    for k in 0..<samples {
      let t = Double(k) / Double(samples - 1)
      svg.element("stop", ["offset": svgNumber(t, decimals: 3), "stop-color": map.color(t).hex])
    }
    svg.close()
    svg.close()
    svg.element("rect", [
      "x": svgNumber(x), "y": svgNumber(top), "width": svgNumber(ColorBar.barWidth), "height": svgNumber(bottom - top),
      "fill": svg.url(name), "stroke": "#ccc",
    ])
    let scale = Scale(domain, from: bottom, to: top)
    let ticks = scale.ticks(maxCount: max(2, Int((bottom - top) / 32)))
    var tickPath = PathBuilder()
    let right = x + ColorBar.barWidth
    svg.open("g", ["font-size": svgNumber(ColorBar.fontSize), "fill": Palette.text])
    var widest = 0.0
    for tick in ticks {
      guard let p = scale.position(tick.value), p >= top - 0.5, p <= bottom + 0.5 else { continue }
      tickPath.move(right, p)
      tickPath.horizontal(right + 3)
      svg.element("text", ["x": svgNumber(right + 5), "y": svgNumber(p), "dy": "0.35em"], text: tick.label)
      widest = max(widest, TextMetrics.width(tick.label, fontSize: ColorBar.fontSize))
    }
    svg.close()
    if !tickPath.isEmpty { svg.element("path", ["d": tickPath.data, "stroke": Palette.axis]) }
    if let betterAtTop {
      let y = betterAtTop ? top - 5 : bottom + 12
      svg.element("text", [
        "x": svgNumber(x + ColorBar.barWidth / 2), "y": svgNumber(y), "text-anchor": "middle",
        "font-size": svgNumber(ColorBar.fontSize), "font-style": "italic", "fill": Palette.note,
      ], text: "better")
    }
    let titleX = right + 5 + widest + 14
    let midY = (top + bottom) / 2
    svg.element("text", [
      "x": svgNumber(titleX), "y": svgNumber(midY), "text-anchor": "middle", "font-size": "11", "fill": Palette.title,
      "transform": "rotate(-90 " + svgNumber(titleX) + " " + svgNumber(midY) + ")",
    ], text: TextMetrics.truncated(title, toWidth: bottom - top + 20, fontSize: 11))
  }
}
