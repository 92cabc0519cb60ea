import Foundation

/// Which edge of the plot area an axis runs along.
enum AxisSide: Sendable {
  case bottom, left
}

/// How an axis's tick labels sit, measured once so that the layout's margins and the drawing
/// agree: which ticks carry a label, the (possibly truncated) texts, their size and rotation.
struct AxisLabels: Sendable {
  var side: AxisSide
  /// Every tick (each gets a grid line).
  var ticks: [Tick]
  /// The label of each tick; nil where a crowded categorical axis labels only every k-th slot.
  var texts: [String?]
  var fontSize: Double
  /// 0, -45 or -90 degrees.
  var rotation: Double
  /// How far the labels reach from the axis line, in pixels (not counting the tick marks).
  var extent: Double

  /// Chooses and lays out the ticks of `scale` along `side`: as many as fit without overlap,
  /// categorical labels shrunk, rotated, thinned out and truncated as the slots demand, no label
  /// reaching further than `maxExtent` from the axis.
  static func layout(_ scale: Scale, side: AxisSide, maxExtent: Double) -> AxisLabels {
    if scale.domain.isCategorical { return categoricalLayout(scale, side: side, maxExtent: maxExtent) }
    let fontSize = 11.0
    switch side {
    case .left:
      let ticks = atLeastTwoTicks(scale, from: max(2, Int(scale.length / 38)))
      let texts = ticks.map { TextMetrics.truncated($0.label, toWidth: maxExtent, fontSize: fontSize) }
      return AxisLabels(
        side: side, ticks: ticks, texts: texts, fontSize: fontSize, rotation: 0,
        extent: TextMetrics.maxWidth(texts, fontSize: fontSize))
    case .bottom:
      var count = max(2, Int(scale.length / 55))
      var ticks = scale.ticks(maxCount: count)
      while count > 2 {
        let widths = ticks.reduce(0) { $0 + TextMetrics.width($1.label, fontSize: fontSize) + 10 }
        if widths <= scale.length * 0.9 { break }
        count -= 1
        ticks = scale.ticks(maxCount: count)
      }
      if ticks.count < 2 { ticks = atLeastTwoTicks(scale, from: count) }
      return AxisLabels(side: side, ticks: ticks, texts: ticks.map(\.label), fontSize: fontSize, rotation: 0, extent: fontSize)
    }
  }

  /// The ticks for at most `count`, or for the smallest larger count that gives two: with 1,
  /// 2 and 5 steps a short axis can otherwise end up with a single tick.
  private static func atLeastTwoTicks(_ scale: Scale, from count: Int) -> [Tick] {
    var count = count
    var ticks = scale.ticks(maxCount: count)
    while ticks.count < 2 && count < 20 {
      count += 1
      ticks = scale.ticks(maxCount: count)
    }
    return ticks
  }

  private static func categoricalLayout(_ scale: Scale, side: AxisSide, maxExtent: Double) -> AxisLabels {
    let ticks = scale.ticks(maxCount: .max)
    let slot = max(scale.unitLength, 0.5)
    switch side {
    case .left:
      let fontSize = clamped(slot / 1.25, 7...11)
      let every = max(1, Int(ceil(fontSize * 1.15 / slot)))
      let texts: [String?] = ticks.enumerated().map { i, tick in
        i % every == 0 ? TextMetrics.truncated(tick.label, toWidth: maxExtent, fontSize: fontSize) : nil
      }
      return AxisLabels(
        side: side, ticks: ticks, texts: texts, fontSize: fontSize, rotation: 0,
        extent: TextMetrics.maxWidth(texts.compactMap { $0 }, fontSize: fontSize))
    case .bottom:
      let widest = TextMetrics.maxWidth(ticks.map(\.label), fontSize: 11)
      if widest + 6 <= slot {
        return AxisLabels(side: side, ticks: ticks, texts: ticks.map(\.label), fontSize: 11, rotation: 0, extent: 11)
      }
      let fontSize = clamped(slot / 1.2, 7...11)
      let rotation = slot >= fontSize * 1.5 ? -45.0 : -90.0
      let every = rotation == -45 ? 1 : max(1, Int(ceil(fontSize * 1.15 / slot)))
      let slant = rotation == -45 ? 0.7071 : 1
      let room = max(fontSize * 3, (maxExtent - fontSize * 0.7) / slant)
      let texts: [String?] = ticks.enumerated().map { i, tick in
        i % every == 0 ? TextMetrics.truncated(tick.label, toWidth: room, fontSize: fontSize) : nil
      }
      let longest = TextMetrics.maxWidth(texts.compactMap { $0 }, fontSize: fontSize)
      return AxisLabels(
        side: side, ticks: ticks, texts: texts, fontSize: fontSize, rotation: rotation,
        extent: longest * slant + fontSize * 0.7)
    }
  }
}

extension SVGWriter {
  /// Draws an axis along `side` of `area`: light grid lines across the area (not for
  /// categorical scales), the axis line, tick marks, the labels `labels` laid out, and `title`.
  mutating func drawAxis(_ scale: Scale, _ labels: AxisLabels, area: Rect, title: String, grid: Bool = true) {
    let categorical = scale.domain.isCategorical
    var gridPath = PathBuilder()
    var tickPath = PathBuilder()
    var positions: [Double?] = []
    for tick in labels.ticks {
      let inside = min(scale.start, scale.end) - 0.5...max(scale.start, scale.end) + 0.5
      guard let p = scale.position(tick.value), inside.contains(p) else {
        positions.append(nil)
        continue
      }
      positions.append(p)
      switch labels.side {
      case .bottom:
        gridPath.move(p, area.y)
        gridPath.vertical(area.maxY)
        tickPath.move(p, area.maxY)
        tickPath.vertical(area.maxY + 4)
      case .left:
        gridPath.move(area.x, p)
        gridPath.horizontal(area.maxX)
        tickPath.move(area.x - 4, p)
        tickPath.horizontal(area.x)
      }
    }
    if grid && !categorical && !gridPath.isEmpty {
      element("path", ["d": gridPath.data, "stroke": Palette.grid, "fill": "none"])
    }
    var axisPath = PathBuilder()
    switch labels.side {
    case .bottom:
      axisPath.move(area.x, area.maxY)
      axisPath.horizontal(area.maxX)
    case .left:
      axisPath.move(area.x, area.y)
      axisPath.vertical(area.maxY)
    }
    axisPath.append(tickPath)
    element("path", ["d": axisPath.data, "stroke": Palette.axis, "fill": "none"])

    let size = svgNumber(labels.fontSize)
    switch (labels.side, labels.rotation) {
    case (.bottom, 0):
      open("g", ["font-size": size, "fill": Palette.text, "text-anchor": "middle"])
      let y = svgNumber(area.maxY + 6 + labels.fontSize * 0.8)
      for (p, text) in zip(positions, labels.texts) {
        guard let p, let text else { continue }
        element("text", ["x": svgNumber(p), "y": y], text: text)
      }
    case (.bottom, _):
      open("g", ["font-size": size, "fill": Palette.text, "text-anchor": "end"])
      let y = area.maxY + 8
      for (p, text) in zip(positions, labels.texts) {
        guard let p, let text else { continue }
        let x = labels.rotation == -90 ? p : p + labels.fontSize * 0.3
        element("text", [
          "x": svgNumber(x), "y": svgNumber(y), "dy": "0.35em",
          "transform": "rotate(" + svgNumber(labels.rotation) + " " + svgNumber(x) + " " + svgNumber(y) + ")",
        ], text: text)
      }
    case (.left, _):
      open("g", ["font-size": size, "fill": Palette.text, "text-anchor": "end"])
      let x = svgNumber(area.x - 6)
      for (p, text) in zip(positions, labels.texts) {
        guard let p, let text else { continue }
        element("text", ["x": x, "y": svgNumber(p), "dy": "0.35em"], text: text)
      }
    }
    close()

    guard !title.isEmpty else { return }
    switch labels.side {
    case .bottom:
      let text = TextMetrics.truncated(title, toWidth: area.width, fontSize: 12)
      element("text", [
        "x": svgNumber(area.midX), "y": svgNumber(area.maxY + 8 + labels.extent + 16), "text-anchor": "middle",
        "fill": Palette.title,
      ], text: text)
    case .left:
      let x = area.x - 8 - labels.extent - 10
      let text = TextMetrics.truncated(title, toWidth: area.height, fontSize: 12)
      element("text", [
        "x": svgNumber(x), "y": svgNumber(area.midY), "text-anchor": "middle", "fill": Palette.title,
        "transform": "rotate(-90 " + svgNumber(x) + " " + svgNumber(area.midY) + ")",
      ], text: text)
    }
  }
}
