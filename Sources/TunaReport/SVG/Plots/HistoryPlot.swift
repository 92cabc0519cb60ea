import TunaSearch

/// The optimization history: each complete trial's objective value against its number, and the
/// best value so far as a step line (lowest so far when minimizing, highest when maximizing).
/// The y axis is log10 when every value is positive and they span more than three decades.
/// Non-finite values are left out and counted in a note.
func historyPlot(
  id: String, title: String, points: [HistoryPoint], direction: StudyDirection, yTitle: String = "Objective value"
) -> String {
  var omissions = Omissions()
  let finite = points.filter { $0.value.isFinite }.sorted { $0.number < $1.number }
  omissions.nonFinite = points.count - finite.count
  guard !finite.isEmpty else { return messagePlot(id: id, title: title, note: omissions.note) }

  let yKind = automaticValueScale(finite.map(\.value))
  var svg = SVGWriter(id: id, title: title, width: PlotChrome.width, height: PlotChrome.height)
  let top = svg.drawHeader(title: title, legend: [
    LegendItem("Objective value", .dot(Palette.other)), LegendItem("Best value", .line(Palette.best)),
  ])
  let frame = CartesianFrame(
    width: svg.width, height: svg.height, top: top, right: 20, bottomReserve: omissions.note == nil ? 0 : PlotChrome.noteHeight,
    x: .fitting(.linear, values: finite.map { Double($0.number) }, style: .integer),
    y: .fitting(yKind, values: finite.map(\.value)), xTitle: "Trial", yTitle: yTitle)
  frame.drawAxes(into: &svg)
  svg.defineClip("clip", frame.area, margin: 4)

  svg.open("g", ["clip-path": svg.url("clip")])
  svg.open("g", ["fill": Palette.other, "fill-opacity": "0.7"])
  for (k, point) in finite.enumerated() {
    guard let x = frame.x.position(Double(point.number)), let y = frame.y.position(point.value) else { continue }
    svg.dot(
      x, y, r: "3",
      tooltip: k < PlotChrome.tooltipLimit ? "Trial \(point.number): \(NumberLabel.compact(point.value, digits: 6))" : nil)
  }
  svg.close()
  svg.element("path", [
    "d": bestSoFarPath(finite, direction: direction, frame: frame), "fill": "none", "stroke": Palette.best,
    "stroke-width": "2", "stroke-linejoin": "round",
  ])
  svg.close()
  svg.drawNote(omissions.note)
  return svg.finish()
}

/// The best-so-far step line through `points` (finite, in trial order): flat until a trial
/// improves on the best, then straight down (or up) to it, and flat to the last trial.
private func bestSoFarPath(_ points: [HistoryPoint], direction: StudyDirection, frame: CartesianFrame) -> String {
  var path = PathBuilder()
  var best = points[0].value
  path.move(frame.x.position(Double(points[0].number)) ?? frame.area.x, frame.y.position(best) ?? frame.area.maxY)
  for point in points.dropFirst() where direction.isBetter(point.value, than: best) {
    let x = frame.x.position(Double(point.number)) ?? frame.area.x
    path.line(x, frame.y.position(best) ?? frame.area.maxY)
    best = point.value
    path.line(x, frame.y.position(best) ?? frame.area.maxY)
  }
  let lastX = frame.x.position(Double(points[points.count - 1].number)) ?? frame.area.maxX
  path.line(lastX, frame.y.position(best) ?? frame.area.maxY)
  return path.data
}
