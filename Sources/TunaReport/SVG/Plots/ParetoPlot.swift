import TunaSearch

/// The trade-off between objectives. With two objectives, a scatter of the complete trials with
/// the Pareto front (`onFront`) highlighted and joined in order of the first objective; with
/// more, a scatter-plot matrix of the first four objectives (each pair once above and once below
/// the diagonal, which names the objectives) with the front highlighted. Axis titles read
/// "name (minimize)". Trials with a non-finite value among the objectives drawn are left out and
/// counted in a note.
func paretoPlot(
  id: String, title: String, points: [ParetoPoint], objectiveNames: [String], directions: [StudyDirection]
) -> String {
  let count = directions.count
  guard count >= 2 else {
    return messagePlot(id: id, title: title, message: "A Pareto front needs two or more objectives")
  }
  let drawn = min(count, 4)
  var omissions = Omissions()
  let shown = points.filter { $0.values.count >= drawn && $0.values.prefix(drawn).allSatisfy(\.isFinite) }
  omissions.nonFinite = points.count - shown.count
  var note = omissions.note
  if count > drawn {
    note = ["Showing the first \(drawn) of \(count) objectives", note].compactMap { $0 }.joined(separator: "; ")
  }
  guard !shown.isEmpty else { return messagePlot(id: id, title: title, note: note) }

  let titles = (0..<drawn).map { i in
    "\(i < objectiveNames.count ? objectiveNames[i] : "Objective \(i + 1)") (\(directions[i].rawValue))"
  }
  let domains = (0..<drawn).map { i -> ScaleDomain in
    let values = shown.map { $0.values[i] }
    return .fitting(automaticValueScale(values), values: values)
  }
  let legend = [LegendItem("Trials", .dot(Palette.muted)), LegendItem("Pareto front", .dot(Palette.best))]
  if drawn == 2 {
    return paretoScatter(id: id, title: title, points: shown, titles: titles, domains: domains, legend: legend, note: note)
  }
  return paretoMatrix(id: id, title: title, points: shown, titles: titles, domains: domains, legend: legend, note: note)
}

/// Two objectives: one scatter, the front joined by a line.
private func paretoScatter(
  id: String, title: String, points: [ParetoPoint], titles: [String], domains: [ScaleDomain], legend: [LegendItem],
  note: String?
) -> String {
  var svg = SVGWriter(id: id, title: title, width: PlotChrome.width, height: PlotChrome.height)
  let top = svg.drawHeader(title: title, legend: legend)
  let frame = CartesianFrame(
    width: svg.width, height: svg.height, top: top, right: 20, bottomReserve: note == nil ? 0 : PlotChrome.noteHeight,
    x: domains[0], y: domains[1], xTitle: titles[0], yTitle: titles[1])
  frame.drawAxes(into: &svg)
  svg.open("g", ["fill": Palette.muted])
  for (k, point) in points.enumerated() where !point.onFront {
    guard let x = frame.x.position(point.values[0]), let y = frame.y.position(point.values[1]) else { continue }
    svg.dot(x, y, r: "3", tooltip: k < PlotChrome.tooltipLimit ? paretoTooltip(point, count: 2) : nil)
  }
  svg.close()
  let front = points.filter(\.onFront).sorted { ($0.values[0], $0.values[1]) < ($1.values[0], $1.values[1]) }
  var line = PathBuilder()
  for point in front {
    guard let x = frame.x.position(point.values[0]), let y = frame.y.position(point.values[1]) else { continue }
    if line.isEmpty { line.move(x, y) } else { line.line(x, y) }
  }
  if front.count > 1 {
    svg.element("path", ["d": line.data, "fill": "none", "stroke": Palette.best, "stroke-width": "1.5", "stroke-opacity": "0.7"])
  }
  svg.open("g", ["fill": Palette.best, "stroke": "#fff", "stroke-width": "0.8"])
  for (k, point) in front.enumerated() {
    guard let x = frame.x.position(point.values[0]), let y = frame.y.position(point.values[1]) else { continue }
    svg.dot(x, y, r: "4", tooltip: k < PlotChrome.tooltipLimit ? paretoTooltip(point, count: 2) : nil)
  }
  svg.close()
  svg.drawNote(note)
  return svg.finish()
}

/// Three or more objectives: a matrix of pairwise scatters, objective names on the diagonal.
private func paretoMatrix(
  id: String, title: String, points: [ParetoPoint], titles: [String], domains: [ScaleDomain], legend: [LegendItem],
  note: String?
) -> String {
  let n = domains.count
  var svg = SVGWriter(id: id, title: title, width: PlotChrome.width, height: 600)
  let top = svg.drawHeader(title: title, legend: legend) + 4
  let (left, right, bottom) = (58.0, 16.0, 34.0 + (note == nil ? 0 : PlotChrome.noteHeight))
  let gap = 10.0
  let size = min(svg.width - left - right, svg.height - top - bottom)
  let cell = (size - gap * Double(n - 1)) / Double(n)
  let x0 = left + (svg.width - left - right - size) / 2
  func rect(_ row: Int, _ column: Int) -> Rect {
    Rect(x: x0 + Double(column) * (cell + gap), y: top + Double(row) * (cell + gap), width: cell, height: cell)
  }
  let xScales = (0..<n).map { c in Scale(domains[c], from: rect(0, c).x, to: rect(0, c).maxX) }
  let yScales = (0..<n).map { r in Scale(domains[r], from: rect(r, 0).maxY, to: rect(r, 0).y) }
  let xTicks = xScales.map { $0.ticks(maxCount: 3) }
  let yTicks = yScales.map { $0.ticks(maxCount: 4) }
  let front = points.filter(\.onFront)
  let others = points.filter { !$0.onFront }

  for r in 0..<n {
    for c in 0..<n {
      let area = rect(r, c)
      if r == c {
        svg.element("rect", [
          "x": svgNumber(area.x), "y": svgNumber(area.y), "width": svgNumber(area.width), "height": svgNumber(area.height),
          "fill": "#f6f6f6",
        ])
        let parts = titles[r].split(separator: " (", maxSplits: 1).map(String.init)
        svg.element("text", [
          "x": svgNumber(area.midX), "y": svgNumber(area.midY - 4), "text-anchor": "middle", "font-size": "13",
          "font-weight": "600", "fill": Palette.title,
        ], text: TextMetrics.truncated(parts[0], toWidth: cell - 8, fontSize: 13))
        if parts.count > 1 {
          svg.element("text", [
            "x": svgNumber(area.midX), "y": svgNumber(area.midY + 14), "text-anchor": "middle", "font-size": "11",
            "fill": Palette.note,
          ], text: "(" + parts[1])
        }
        continue
      }
      var grid = PathBuilder()
      for tick in xTicks[c] {
        guard let x = xScales[c].position(tick.value) else { continue }
        grid.move(x, area.y)
        grid.vertical(area.maxY)
      }
      for tick in yTicks[r] {
        guard let y = yScales[r].position(tick.value) else { continue }
        grid.move(area.x, y)
        grid.horizontal(area.maxX)
      }
      if !grid.isEmpty { svg.element("path", ["d": grid.data, "stroke": Palette.grid, "fill": "none"]) }
      svg.element("rect", [
        "x": svgNumber(area.x), "y": svgNumber(area.y), "width": svgNumber(area.width), "height": svgNumber(area.height),
        "fill": "none", "stroke": "#ccc",
      ])
      svg.open("g", ["fill": Palette.muted])
      for point in others {
        guard let x = xScales[c].position(point.values[c]), let y = yScales[r].position(point.values[r]) else { continue }
        svg.dot(x, y, r: "2")
      }
      svg.close()
      svg.open("g", ["fill": Palette.best])
      for point in front {
        guard let x = xScales[c].position(point.values[c]), let y = yScales[r].position(point.values[r]) else { continue }
        svg.dot(x, y, r: "2.8")
      }
      svg.close()
    }
  }

  // Tick labels along the bottom row and the left column, titles under and beside them.
  svg.open("g", ["font-size": "10", "fill": Palette.text, "text-anchor": "middle"])
  let labelY = rect(n - 1, 0).maxY + 13
  for c in 0..<n {
    let area = rect(n - 1, c)
    for tick in xTicks[c] {
      // A label reaching into the gap between cells would run into its neighbour's.
      let half = TextMetrics.width(tick.label, fontSize: 10) / 2
      guard let x = xScales[c].position(tick.value), x - half >= area.x - gap / 2 + 1, x + half <= area.maxX + gap / 2 - 1 else {
        continue
      }
      svg.element("text", ["x": svgNumber(x), "y": svgNumber(labelY)], text: tick.label)
    }
  }
  svg.close()
  svg.open("g", ["font-size": "10", "fill": Palette.text, "text-anchor": "end"])
  for r in 0..<n {
    for tick in yTicks[r] {
      guard let y = yScales[r].position(tick.value) else { continue }
      svg.element("text", ["x": svgNumber(x0 - 5), "y": svgNumber(y), "dy": "0.35em"], text: tick.label)
    }
  }
  svg.close()
  svg.open("g", ["font-size": "11", "fill": Palette.title, "text-anchor": "middle"])
  for c in 0..<n {
    let area = rect(n - 1, c)
    svg.element(
      "text", ["x": svgNumber(area.midX), "y": svgNumber(labelY + 15)],
      text: TextMetrics.truncated(titles[c], toWidth: cell, fontSize: 11))
  }
  for r in 0..<n {
    let area = rect(r, 0)
    let x = x0 - 46
    svg.element("text", [
      "x": svgNumber(x), "y": svgNumber(area.midY), "transform": "rotate(-90 " + svgNumber(x) + " " + svgNumber(area.midY) + ")",
    ], text: TextMetrics.truncated(titles[r], toWidth: cell, fontSize: 11))
  }
  svg.close()
  svg.drawNote(note)
  return svg.finish()
}

/// "Trial 12: 0.5, 3.2".
private func paretoTooltip(_ point: ParetoPoint, count: Int) -> String {
  "Trial \(point.number): " + point.values.prefix(count).map { NumberLabel.compact($0, digits: 5) }.joined(separator: ", ")
}
