import TunaSearch

/// A pair of parameters against the objective: the model's prediction on `grid` as filled
/// cells (viridis, the better end dark: low values when minimizing, high when maximizing, marked
/// "better" on the colour bar titled `valueTitle`), the trials `points` on top as small
/// white-edged dots and the best trial `best` as a star. `grid`'s positions and the points are
/// in the parameters' values (choice indices for categoricals); the axes follow `xAxis` and
/// `yAxis` (log, categorical or linear). Cells with a non-finite value are grey.
func contourPlot(
  id: String, title: String, xAxis: PlotAxis, yAxis: PlotAxis, grid: ContourGrid, points: [(Double, Double)],
  best: (Double, Double)?, valueTitle: String, direction: StudyDirection
) -> String {
  let xProbe = ScaleDomain(kind: xAxis.scale, lower: 0, upper: 1)
  let yProbe = ScaleDomain(kind: yAxis.scale, lower: 0, upper: 1)
  var omissions = Omissions()
  let shown = points.filter { xProbe.transform($0.0) != nil && yProbe.transform($0.1) != nil }
  omissions.nonFinite = points.filter { !$0.0.isFinite || !$0.1.isFinite }.count
  omissions.nonPositive = points.count - shown.count - omissions.nonFinite
  let hasGrid = !grid.xs.isEmpty && !grid.ys.isEmpty && grid.values.count == grid.xs.count * grid.ys.count
    && grid.values.contains(where: \.isFinite)
  guard hasGrid || !shown.isEmpty else { return messagePlot(id: id, title: title, note: omissions.note) }

  let finiteValues = hasGrid ? grid.values.filter(\.isFinite) : []
  let colors = ColorBar(
    map: direction == .minimize ? .viridis : ColorMap.viridis.reversed,
    domain: .fitting(.linear, values: finiteValues, padding: 0), title: valueTitle, betterAtTop: direction == .maximize)
  var legend = [LegendItem("Trials", .dot("#333"))]
  let bestPoint = best.flatMap { b in xProbe.transform(b.0) != nil && yProbe.transform(b.1) != nil ? b : nil }
  if bestPoint != nil { legend.append(LegendItem("Best trial", .star(Palette.best))) }

  var svg = SVGWriter(id: id, title: title, width: PlotChrome.width, height: PlotChrome.height)
  let top = svg.drawHeader(title: title, legend: legend.count > 1 ? legend : [])
  let note = omissions.note
  let xValues = (hasGrid ? grid.xs : []) + shown.map(\.0) + (bestPoint.map { [$0.0] } ?? [])
  let yValues = (hasGrid ? grid.ys : []) + shown.map(\.1) + (bestPoint.map { [$0.1] } ?? [])
  let frame = CartesianFrame(
    width: svg.width, height: svg.height, top: top, right: hasGrid ? colors.reservedWidth(height: 280) : 20,
    bottomReserve: note == nil ? 0 : PlotChrome.noteHeight,
    x: .fitting(xAxis.scale, range: xAxis.range, values: xValues, padding: hasGrid ? 0 : 0.04, style: xAxis.tickStyle),
    y: .fitting(yAxis.scale, range: yAxis.range, values: yValues, padding: hasGrid ? 0 : 0.04, style: yAxis.tickStyle),
    xTitle: xAxis.title, yTitle: yAxis.title)
  svg.defineClip("clip", frame.area)
  if hasGrid { drawCells(grid, colors: colors, frame: frame, into: &svg) }
  frame.drawAxes(into: &svg, grid: !hasGrid)

  svg.defineClip("marks", frame.area, margin: 5)
  svg.open("g", ["clip-path": svg.url("marks")])
  svg.open("g", ["fill": "#333", "stroke": "#fff", "stroke-width": "1"])
  for (k, point) in shown.enumerated() {
    guard let x = frame.x.position(point.0), let y = frame.y.position(point.1) else { continue }
    svg.dot(x, y, r: "3", tooltip: k < PlotChrome.tooltipLimit ? contourTooltip(point, xAxis, yAxis) : nil)
  }
  svg.close()
  if let bestPoint, let x = frame.x.position(bestPoint.0), let y = frame.y.position(bestPoint.1) {
    svg.element("path", ["d": starPath(x, y, 8), "fill": Palette.best, "stroke": "#fff", "stroke-width": "1.2"],
      tooltip: "Best trial: " + contourTooltip(bestPoint, xAxis, yAxis))
  }
  svg.close()
  if hasGrid { colors.draw(into: &svg, x: frame.area.maxX + 16, top: frame.area.y, bottom: frame.area.maxY, name: "values") }
  svg.drawNote(note)
  return svg.finish()
}

/// Fills the grid's cells, each reaching halfway to its neighbours (a whole slot on a
/// categorical axis), with one path per colour level.
private func drawCells(_ grid: ContourGrid, colors: ColorBar, frame: CartesianFrame, into svg: inout SVGWriter) {
  let xEdges = cellEdges(grid.xs, frame.x)
  let yEdges = cellEdges(grid.ys, frame.y)
  var paths: [Int: (color: String, path: PathBuilder)] = [:]
  for j in grid.ys.indices {
    guard let (y0, y1) = yEdges[j] else { continue }
    for i in grid.xs.indices {
      guard let (x0, x1) = xEdges[i] else { continue }
      let value = grid.values[j * grid.xs.count + i]
      let (level, color) = value.isFinite ? colors.binned(value) : (-1, RGB(hex: Palette.missing))
      var entry = paths[level] ?? (color.hex, PathBuilder())
      // Half a pixel of overlap hides the seams between neighbouring cells.
      entry.path.move(min(x0, x1) - 0.25, min(y0, y1) - 0.25)
      entry.path.horizontal(max(x0, x1) + 0.25)
      entry.path.vertical(max(y0, y1) + 0.25)
      entry.path.horizontal(min(x0, x1) - 0.25)
      entry.path.close()
      paths[level] = entry
    }
  }
  svg.open("g", ["clip-path": svg.url("clip")])
  for level in paths.keys.sorted() { svg.element("path", ["d": paths[level]!.path.data, "fill": paths[level]!.color]) }
  svg.close()
}

/// Each grid position's cell as pixel edges along `scale`: halfway to the neighbouring
/// positions (in the scale's units), or the whole slot on a categorical scale; nil where the
/// scale cannot place the position.
private func cellEdges(_ positions: [Double], _ scale: Scale) -> [(Double, Double)?] {
  let t = positions.map { scale.domain.transform($0) }
  if scale.domain.isCategorical {
    return t.map { $0.map { (scale.pixel(transformed: $0 - 0.5), scale.pixel(transformed: $0 + 0.5)) } }
  }
  return t.indices.map { k -> (Double, Double)? in
    guard let center = t[k] else { return nil }
    let previous = (k > 0 ? t[k - 1] : nil).map { (center + $0) / 2 }
    let next = (k + 1 < t.count ? t[k + 1] : nil).map { (center + $0) / 2 }
    let half = previous.map { center - $0 } ?? next.map { $0 - center } ?? (scale.domain.upper - scale.domain.lower) / 2
    return (scale.pixel(transformed: previous ?? center - half), scale.pixel(transformed: next ?? center + half))
  }
}

/// A point's tooltip: both parameters' values (choice names for categoricals).
private func contourTooltip(_ point: (Double, Double), _ xAxis: PlotAxis, _ yAxis: PlotAxis) -> String {
  func describe(_ v: Double, _ axis: PlotAxis) -> String {
    if case .categorical(let names) = axis.scale, let i = Int(exactly: v.rounded()), names.indices.contains(i) { return names[i] }
    return NumberLabel.compact(v, digits: 4)
  }
  return "\(xAxis.title) = \(describe(point.0, xAxis)), \(yAxis.title) = \(describe(point.1, yAxis))"
}
