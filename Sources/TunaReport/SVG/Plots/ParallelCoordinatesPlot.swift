import TunaSearch

/// Trials across all parameters: one vertical axis for the objective (first, titled
/// `objectiveTitle`) and one per parameter, each with its own scale (log, categorical or linear,
/// from `axes`), and one line per trial through its values, coloured by objective in viridis with
/// the better end dark, the best trials drawn last. A trial without a parameter (a nil value)
/// breaks its line there. The drawing widens past 640 pixels to keep axes 56 pixels apart.
/// Trials whose objective the axis cannot place are left out and counted in a note.
func parallelCoordinatesPlot(
  id: String, title: String, axes: [PlotAxis], lines: [ParallelLine], objectiveTitle: String, direction: StudyDirection
) -> String {
  var omissions = Omissions()
  let finite = lines.filter { $0.objective.isFinite }
  omissions.nonFinite = lines.count - finite.count
  let objectiveKind = automaticValueScale(finite.map(\.objective))
  let objectiveDomain = ScaleDomain.fitting(objectiveKind, values: finite.map(\.objective), padding: 0.02)
  let shown = finite.filter { objectiveDomain.transform($0.objective) != nil }
  omissions.nonPositive = finite.count - shown.count
  guard !shown.isEmpty else { return messagePlot(id: id, title: title, note: omissions.note) }

  let names = [objectiveTitle] + axes.map(\.title)
  let count = names.count
  let minSpacing = 56.0
  let (left, right) = (52.0, 80.0)
  let width = max(PlotChrome.width, left + right + Double(count - 1) * minSpacing)
  let spacing = count > 1 ? (width - left - right) / Double(count - 1) : 0
  let nameSize = 11.0
  let widestName = TextMetrics.maxWidth(names, fontSize: nameSize)
  let rotateNames = count > 1 && widestName > spacing - 8
  let nameTexts = names.map { TextMetrics.truncated($0, toWidth: rotateNames ? 130 : max(spacing - 8, 120), fontSize: nameSize) }
  let nameExtent = rotateNames ? TextMetrics.maxWidth(nameTexts, fontSize: nameSize) * 0.5 + nameSize : nameSize
  let note = omissions.note
  let height = PlotChrome.height + (rotateNames ? 40 : 0)
  var svg = SVGWriter(id: id, title: title, width: width, height: height)
  let top = svg.drawHeader(title: title) + nameExtent + 12
  let bottom = 30 + (note == nil ? 0 : PlotChrome.noteHeight)
  let area = Rect(x: left, y: top, width: width - left - right, height: height - top - bottom)

  var scales = [Scale(objectiveDomain, from: area.maxY, to: area.y)]
  for (k, axis) in axes.enumerated() {
    let values = shown.compactMap { k < $0.values.count ? $0.values[k] : nil }
    scales.append(Scale(.fitting(axis.scale, range: axis.range, values: values, padding: 0.02, style: axis.tickStyle), from: area.maxY, to: area.y))
  }
  let xs = (0..<count).map { left + Double($0) * spacing }
  let map = direction == .minimize ? ColorMap.viridisOnWhite : ColorMap.viridisOnWhite.reversed

  // The lines, worst first so the best paint on top; one stroke group per colour level.
  let bins = 32
  let levels = shown.map { line -> (level: Int, color: String) in
    let (bin, color) = map.binned(objectiveDomain.fraction(line.objective) ?? 0, bins: bins)
    let goodness = direction == .minimize ? bins - 1 - bin : bin
    return (goodness, color.hex)
  }
  let opacity = shown.count > 200 ? "0.45" : shown.count > 30 ? "0.65" : "0.85"
  svg.open("g", ["fill": "none", "stroke-width": "1.2", "stroke-opacity": opacity, "stroke-linejoin": "round"])
  svg.drawGrouped(levels, attribute: "stroke") { svg, i in
    let line = shown[i]
    var path = PathBuilder()
    var drawing = false
    for a in 0..<count {
      let value = a == 0 ? line.objective : (a - 1 < line.values.count ? line.values[a - 1] : nil)
      guard let value, let y = scales[a].position(value) else {
        drawing = false
        continue
      }
      if drawing { path.line(xs[a], y) } else { path.move(xs[a], y) }
      drawing = true
      if count == 1 { path.horizontal(xs[a] + 0.01) }
    }
    let tooltip = i < PlotChrome.tooltipLimit ? "Trial \(line.number): \(NumberLabel.compact(line.objective, digits: 6))" : nil
    if let tooltip {
      svg.element("path", ["d": path.data], tooltip: tooltip)
    } else {
      svg.element("path", ["d": path.data])
    }
  }
  svg.close()

  // The objective axis doubles as the colour bar.
  svg.open("defs")
  svg.open("linearGradient", ["id": svg.ref("objective"), "x1": "0", "y1": "1", "x2": "0", "y2": "0"])
  for k in 0..<9 {
    // The scale maps its domain linearly onto the axis: a fraction of the domain is the same
    // fraction of the height.
    let t = Double(k) / 8
    svg.element("stop", ["offset": svgNumber(t, decimals: 3), "stop-color": map.color(t).hex])
  }
  svg.close()
  svg.close()
  svg.element("rect", [
    "x": svgNumber(xs[0] - 3), "y": svgNumber(area.y), "width": "6", "height": svgNumber(area.height),
    "fill": svg.url("objective"),
  ])
  let betterY = direction == .minimize ? area.maxY - 4 : area.y + 8
  svg.element("text", [
    "x": svgNumber(xs[0] - 8), "y": svgNumber(betterY), "text-anchor": "end", "font-size": "10", "font-style": "italic",
    "fill": Palette.note,
  ], text: "better")

  // Axis lines, ticks and names.
  var axisPath = PathBuilder()
  for x in xs {
    axisPath.move(x, area.y)
    axisPath.vertical(area.maxY)
  }
  svg.element("path", ["d": axisPath.data, "stroke": "#555", "stroke-width": "1"])
  for (a, scale) in scales.enumerated() {
    let labels = AxisLabels.layout(scale, side: .left, maxExtent: max(40, spacing - 12))
    var ticks = PathBuilder()
    svg.open("g", [
      "font-size": svgNumber(min(labels.fontSize, 10)), "fill": Palette.text, "stroke": "#fff", "stroke-width": "3",
      "stroke-linejoin": "round", "paint-order": "stroke",
    ])
    for (tick, text) in zip(labels.ticks, labels.texts) {
      guard let text, let y = scale.position(tick.value), y >= area.y - 0.5, y <= area.maxY + 0.5 else { continue }
      ticks.move(xs[a], y)
      ticks.horizontal(xs[a] + 4)
      svg.element("text", ["x": svgNumber(xs[a] + 6), "y": svgNumber(y), "dy": "0.35em"], text: text)
    }
    svg.close()
    if !ticks.isEmpty { svg.element("path", ["d": ticks.data, "stroke": "#555"]) }
  }
  svg.open("g", ["font-size": svgNumber(nameSize), "fill": Palette.title, "text-anchor": rotateNames ? "start" : "middle"])
  let nameY = area.y - 10
  for (a, text) in nameTexts.enumerated() {
    if rotateNames {
      svg.element("text", [
        "x": svgNumber(xs[a]), "y": svgNumber(nameY),
        "transform": "rotate(-30 " + svgNumber(xs[a]) + " " + svgNumber(nameY) + ")",
      ], text: text)
    } else {
      svg.element("text", ["x": svgNumber(xs[a]), "y": svgNumber(nameY)], text: text)
    }
  }
  svg.close()
  svg.drawNote(note)
  return svg.finish()
}
