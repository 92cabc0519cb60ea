import TunaSearch

/// When each trial ran: one horizontal bar per trial from its start to its end (seconds since
/// the study started, labelled in s, min or h), one row per worker lane (at least `lanes`
/// rows), coloured by state with a legend of the states shown. A trial with no end yet runs to
/// the right edge (`now`, or the latest time in `bars`) with a dashed outline. The drawing grows
/// taller past ten lanes. Bars with a non-finite time are left out and counted in a note.
func timelinePlot(id: String, title: String, bars: [TimelineBar], lanes: Int, now: Double? = nil) -> String {
  var omissions = Omissions()
  let shown = bars.filter { $0.start.isFinite && ($0.end?.isFinite ?? true) }
  omissions.nonFinite = bars.count - shown.count
  let note = omissions.note
  guard !shown.isEmpty else { return messagePlot(id: id, title: title, message: "No trials yet", note: note) }

  let laneCount = max(lanes, (shown.map(\.lane).max() ?? 0) + 1, 1)
  let latest = shown.reduce(0) { max($0, $1.end ?? $1.start, $1.start) }
  let edge = max(latest, now.flatMap { $0.isFinite ? $0 : nil } ?? latest)
  let earliest = min(0, shown.map(\.start).min() ?? 0)
  let span = max(edge - earliest, 1e-3)
  let xDomain = ScaleDomain(kind: .linear, lower: earliest, upper: earliest + span * 1.02, style: .duration)
  let yDomain = ScaleDomain.fitting(.categorical((0..<laneCount).map(String.init)), values: [])

  let order: [TrialState] = [.complete, .pruned, .fail, .running, .waiting]
  // Bars with an end in their state's colour; those still open dashed, as running.
  let present = order.filter { state in shown.contains { $0.state == state && $0.end != nil } }
  var legend = present.map { LegendItem(Palette.stateName($0), .box(Palette.state($0))) }
  if shown.contains(where: { $0.end == nil }) {
    let label = present.contains(.running) ? "Running (no end yet)" : "Running"
    legend.append(LegendItem(label, .box(Palette.state(.running), dashed: true)))
  }
  let header = PlotChrome.headerHeight(title: title, legend: legend, width: PlotChrome.width)
  let row = laneCount <= 10 ? 28.0 : clamped(300 / Double(laneCount), 8...28)
  let height = max(200, header + Double(laneCount) * row + 62 + (note == nil ? 0 : PlotChrome.noteHeight))
  var svg = SVGWriter(id: id, title: title, width: PlotChrome.width, height: height)
  let top = svg.drawHeader(title: title, legend: legend)
  let frame = CartesianFrame(
    width: svg.width, height: svg.height, top: top, right: 20, bottomReserve: note == nil ? 0 : PlotChrome.noteHeight,
    x: xDomain, y: yDomain, xTitle: "Time since the study started", yTitle: "Worker", yDownward: true)
  frame.drawAxes(into: &svg)

  let barHeight = max(2, frame.y.unitLength * 0.7)
  let rightEdge = frame.x.position(edge) ?? frame.area.maxX
  var drawn = 0
  for state in order {
    for running in [false, true] {
      let group = shown.filter { $0.state == state && ($0.end == nil) == running }
      guard !group.isEmpty else { continue }
      let color = Palette.state(state)
      if running {
        svg.open("g", ["fill": color, "fill-opacity": "0.35", "stroke": color, "stroke-dasharray": "4 2"])
      } else {
        svg.open("g", ["fill": color])
      }
      for bar in group {
        let x0 = frame.x.position(bar.start) ?? frame.area.x
        let x1 = bar.end.flatMap(frame.x.position) ?? rightEdge
        let y = frame.y.pixel(transformed: Double(max(bar.lane, 0))) - barHeight / 2
        let attributes: KeyValuePairs<String, String> = [
          "x": svgNumber(x0), "y": svgNumber(y), "width": svgNumber(max(1.5, x1 - x0)), "height": svgNumber(barHeight),
        ]
        if drawn < PlotChrome.tooltipLimit {
          svg.element("rect", attributes, tooltip: timelineTooltip(bar, edge: edge))
        } else {
          svg.element("rect", attributes)
        }
        drawn += 1
      }
      svg.close()
    }
  }
  svg.drawNote(note)
  return svg.finish()
}

/// "Trial 3: complete, 12.5 s" or "Trial 7: running for 2.1 min".
private func timelineTooltip(_ bar: TimelineBar, edge: Double) -> String {
  guard let end = bar.end else { return "Trial \(bar.number): running for \(formatDuration(edge - bar.start))" }
  return "Trial \(bar.number): \(Palette.stateName(bar.state).lowercased()), \(formatDuration(end - bar.start))"
}

/// A duration in the largest unit that keeps it at least 1: "850 ms", "12.5 s", "4.2 min", "1.5 h".
func formatDuration(_ seconds: Double) -> String {
  let s = max(0, seconds)
  if s < 1 { return NumberLabel.fixed(s * 1000, decimals: 0) + " ms" }
  if s < 120 { return NumberLabel.compact(s, digits: 3) + " s" }
  if s < 7200 { return NumberLabel.compact(s / 60, digits: 3) + " min" }
  return NumberLabel.compact(s / 3600, digits: 3) + " h"
}
