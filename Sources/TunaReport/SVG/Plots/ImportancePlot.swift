/// Parameter importances as horizontal bars, the most important on top, each labelled with its
/// value at its end and given a ± std whisker when the spread is known. The x axis runs from 0
/// to past the longest bar; the drawing grows taller with the number of parameters (16 pixels a
/// row from 20 on). When every value is a fraction (in 0…1) no whisker reaches past 1. Bars with
/// a non-finite value are left out and counted in a note.
func importancePlot(id: String, title: String, bars: [ImportanceBar], xTitle: String = "Importance") -> String {
  var omissions = Omissions(noun: "parameter")
  let shown = bars.filter { $0.value.isFinite }
    .sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }
  omissions.nonFinite = bars.count - shown.count
  guard !shown.isEmpty else {
    return messagePlot(id: id, title: title, message: "No parameter importances to show", note: omissions.note)
  }

  let hasWhiskers = shown.contains { ($0.std ?? 0) > 0 && $0.std!.isFinite }
  let legend = hasWhiskers
    ? [LegendItem(xTitle.count > 40 ? "Importance" : xTitle, .box(Palette.other)), LegendItem("± std", .whisker(Palette.title))]
    : []
  let row = shown.count >= 20 ? 16.0 : clamped(300 / Double(shown.count), 22...40)
  let note = omissions.note
  let header = PlotChrome.headerHeight(title: title, legend: legend, width: PlotChrome.width)
  let height = max(180, header + Double(shown.count) * row + 52 + (note == nil ? 0 : PlotChrome.noteHeight))
  var svg = SVGWriter(id: id, title: title, width: PlotChrome.width, height: height)
  let top = svg.drawHeader(title: title, legend: legend)

  let fractions = shown.allSatisfy { $0.value >= 0 && $0.value <= 1 }
  /// Where a bar's whisker ends.
  func whiskerEnd(_ bar: ImportanceBar) -> Double {
    let end = max(0, bar.value) + ((bar.std.map { $0.isFinite && $0 > 0 ? $0 : 0 }) ?? 0)
    return fractions ? min(end, 1) : end
  }
  let reach = shown.map(whiskerEnd)
  let xDomain = ScaleDomain(kind: .linear, lower: 0, upper: max(reach.max() ?? 0, 1e-12)).extendedToTick(maxCount: 6)
  let frame = CartesianFrame(
    width: svg.width, height: svg.height, top: top, right: 44, bottomReserve: note == nil ? 0 : PlotChrome.noteHeight,
    x: xDomain, y: ScaleDomain.fitting(.categorical(shown.map(\.name)), values: []), xTitle: xTitle, yTitle: "",
    yDownward: true)
  frame.drawAxes(into: &svg)

  let barHeight = frame.y.unitLength * 0.7
  var whiskers = PathBuilder()
  svg.open("g", ["fill": Palette.other])
  for (i, bar) in shown.enumerated() {
    let y = frame.y.pixel(transformed: Double(i))
    let x1 = frame.x.position(max(0, bar.value)) ?? frame.area.x
    let attributes: KeyValuePairs<String, String> = [
      "x": svgNumber(frame.area.x), "y": svgNumber(y - barHeight / 2), "width": svgNumber(max(0, x1 - frame.area.x)),
      "height": svgNumber(barHeight),
    ]
    svg.element("rect", attributes, tooltip: "\(bar.name): \(NumberLabel.compact(bar.value, digits: 4))")
    if let std = bar.std, std.isFinite, std > 0 {
      let lo = frame.x.position(max(0, bar.value - std)) ?? frame.area.x
      let hi = frame.x.position(whiskerEnd(bar)) ?? x1
      let cap = min(4, barHeight * 0.3)
      whiskers.move(lo, y)
      whiskers.horizontal(hi)
      whiskers.move(lo, y - cap)
      whiskers.vertical(y + cap)
      whiskers.move(hi, y - cap)
      whiskers.vertical(y + cap)
    }
  }
  svg.close()
  if !whiskers.isEmpty {
    svg.element("path", ["d": whiskers.data, "stroke": Palette.title, "stroke-width": "1.2", "fill": "none"])
  }

  let fontSize = min(11, max(8, barHeight * 0.9))
  svg.open("g", ["font-size": svgNumber(fontSize), "fill": Palette.title])
  for (i, bar) in shown.enumerated() {
    let y = frame.y.pixel(transformed: Double(i))
    let end = whiskerEnd(bar)
    let x = (frame.x.position(end) ?? frame.area.x) + 4
    svg.element("text", ["x": svgNumber(x), "y": svgNumber(y), "dy": "0.35em"], text: NumberLabel.compact(bar.value, digits: 2))
  }
  svg.close()
  svg.drawNote(note)
  return svg.finish()
}
