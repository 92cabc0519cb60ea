import TunaSearch

/// One parameter against the objective: each trial a dot (x = the parameter's value, a
/// categorical's choice index jittered within its slot; y = the objective) coloured by trial
/// number in viridis with a "Trial" colour bar, the best trial starred, and the model's marginal
/// (`marginal`, in the parameter's values like the points) as a line over its ± std band.
/// `axis` gives the x scale (log for log parameters) and extent. Trials the axes cannot place
/// are left out and counted in a note; with no trial left, the plot shows a message instead.
func slicePlot(
  id: String, title: String, axis: PlotAxis, points: [SlicePoint], marginal: MarginalLine?, yTitle: String,
  direction: StudyDirection
) -> String {
  var omissions = Omissions()
  let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
  omissions.nonFinite = points.count - finite.count
  let xProbe = ScaleDomain(kind: axis.scale, lower: 0, upper: 1)
  let shown = finite.filter { xProbe.transform($0.x) != nil }
  omissions.nonPositive = finite.count - shown.count
  let curve = marginal.map(marginalSamples) ?? []
  guard !shown.isEmpty else { return messagePlot(id: id, title: title, note: omissions.note) }

  let yKind = automaticValueScale(shown.map(\.y) + curve.map(\.mean))
  let yProbe = ScaleDomain(kind: yKind, lower: 0, upper: 1)
  let categorical = xProbe.isCategorical
  let best = shown.min { a, b in direction.isBetter(a.y, than: b.y) || (a.y == b.y && a.number < b.number) }
  let colors = ColorBar(
    map: .viridisOnWhite, domain: .fitting(.linear, values: shown.map { Double($0.number) }, padding: 0, style: .integer),
    title: "Trial", betterAtTop: nil)
  var legend: [LegendItem] = []
  legend.append(LegendItem("Trials", .dot(ColorMap.viridisOnWhite.color(0.5).hex)))
  if !curve.isEmpty { legend.append(LegendItem("Marginal mean ± std", .band(Palette.title))) }
  if best != nil { legend.append(LegendItem("Best trial", .star(Palette.best))) }

  var svg = SVGWriter(id: id, title: title, width: PlotChrome.width, height: PlotChrome.height)
  let top = svg.drawHeader(title: title, legend: legend.count > 1 ? legend : [])
  let note = omissions.note
  let band = curve.flatMap { [$0.mean, $0.mean - $0.std, $0.mean + $0.std] }.filter { yProbe.transform($0) != nil }
  let yValues = shown.map(\.y) + band
  let frame = CartesianFrame(
    width: svg.width, height: svg.height, top: top, right: colors.reservedWidth(height: 280),
    bottomReserve: note == nil ? 0 : PlotChrome.noteHeight,
    x: .fitting(axis.scale, range: axis.range, values: shown.map(\.x) + curve.map(\.x), style: axis.tickStyle), y: .fitting(yKind, values: yValues),
    xTitle: axis.title, yTitle: yTitle)
  frame.drawAxes(into: &svg)
  svg.defineClip("clip", frame.area, margin: 4)
  svg.open("g", ["clip-path": svg.url("clip")])

  if !curve.isEmpty { drawMarginal(curve, categorical: categorical, frame: frame, into: &svg) }

  let levels = shown.map { point -> (level: Int, color: String) in
    let (level, color) = colors.binned(Double(point.number))
    return (level, color.hex)
  }
  svg.open("g", ["stroke": "#fff", "stroke-width": "0.6"])
  svg.drawGrouped(levels, attribute: "fill") { svg, i in
    let point = shown[i]
    let tx = categorical ? point.x + jitter(point.number) * 0.5 : point.x
    guard let x = categorical ? frame.x.pixel(transformed: tx) : frame.x.position(tx), let y = frame.y.position(point.y) else {
      return
    }
    svg.dot(x, y, r: "3.5", tooltip: i < PlotChrome.tooltipLimit ? "Trial \(point.number): \(sliceTooltip(point, axis))" : nil)
  }
  svg.close()
  if let best {
    let tx = categorical ? best.x + jitter(best.number) * 0.5 : best.x
    if let x = categorical ? frame.x.pixel(transformed: tx) : frame.x.position(tx), let y = frame.y.position(best.y) {
      svg.element("path", ["d": starPath(x, y, 7), "fill": Palette.best, "stroke": "#fff", "stroke-width": "1"],
        tooltip: "Best: trial \(best.number)")
    }
  }
  svg.close()
  colors.draw(into: &svg, x: frame.area.maxX + 16, top: frame.area.y, bottom: frame.area.maxY, name: "trials")
  svg.drawNote(note)
  return svg.finish()
}

/// The marginal's finite samples in increasing x.
private func marginalSamples(_ line: MarginalLine) -> [(x: Double, mean: Double, std: Double)] {
  let count = min(line.xs.count, line.mean.count)
  return (0..<count).compactMap { i -> (x: Double, mean: Double, std: Double)? in
    let std = i < line.std.count && line.std[i].isFinite ? max(0, line.std[i]) : 0
    guard line.xs[i].isFinite, line.mean[i].isFinite else { return nil }
    return (line.xs[i], line.mean[i], std)
  }.sorted { $0.x < $1.x }
}

/// Draws the marginal: a line through the means over a band from mean - std to mean + std; on a
/// categorical axis a short level and band per choice.
private func drawMarginal(
  _ curve: [(x: Double, mean: Double, std: Double)], categorical: Bool, frame: CartesianFrame, into svg: inout SVGWriter
) {
  func y(_ v: Double, fallback: Double) -> Double { frame.y.position(v) ?? fallback }
  var band = PathBuilder()
  var line = PathBuilder()
  if categorical {
    let half = frame.x.unitLength * 0.4
    for point in curve {
      let cx = frame.x.pixel(transformed: point.x)
      let upper = y(point.mean + point.std, fallback: frame.area.y)
      let lower = y(point.mean - point.std, fallback: frame.area.maxY)
      band.move(cx - half, upper)
      band.horizontal(cx + half)
      band.vertical(lower)
      band.horizontal(cx - half)
      band.close()
      line.move(cx - half, y(point.mean, fallback: frame.area.maxY))
      line.horizontal(cx + half)
    }
  } else {
    let placed = curve.compactMap { p in frame.x.position(p.x).map { (x: $0, p: p) } }
    for (k, item) in placed.enumerated() {
      let py = y(item.p.mean + item.p.std, fallback: frame.area.y)
      if k == 0 { band.move(item.x, py) } else { band.line(item.x, py) }
    }
    for item in placed.reversed() { band.line(item.x, y(item.p.mean - item.p.std, fallback: frame.area.maxY)) }
    if !placed.isEmpty { band.close() }
    for (k, item) in placed.enumerated() {
      let py = y(item.p.mean, fallback: frame.area.maxY)
      if k == 0 { line.move(item.x, py) } else { line.line(item.x, py) }
    }
  }
  if !band.isEmpty { svg.element("path", ["d": band.data, "fill": Palette.title, "fill-opacity": "0.12"]) }
  if !line.isEmpty {
    svg.element("path", ["d": line.data, "fill": "none", "stroke": Palette.title, "stroke-width": "1.5", "stroke-opacity": "0.8"])
  }
}

/// A slice point's tooltip: the parameter's value (its choice's name) and the objective.
private func sliceTooltip(_ point: SlicePoint, _ axis: PlotAxis) -> String {
  let x: String
  if case .categorical(let names) = axis.scale, let i = Int(exactly: point.x.rounded()), names.indices.contains(i) {
    x = names[i]
  } else {
    x = NumberLabel.compact(point.x, digits: 4)
  }
  return "\(axis.title) = \(x), \(NumberLabel.compact(point.y, digits: 6))"
}
