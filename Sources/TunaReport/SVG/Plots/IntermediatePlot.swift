import TunaSearch

/// Learning curves: each trial's intermediate values against their step as a thin line
/// coloured by the trial's state (complete blue, pruned orange with an × at its last reported
/// step, failed vermilion, running green), with a legend of the states shown. The y axis is
/// log10 when every value is positive and they span more than three decades. Non-finite values
/// are left out (the line joins their neighbours) and counted in a note.
func intermediatePlot(id: String, title: String, curves: [LearningCurve], yTitle: String = "Intermediate value") -> String {
  var omissions = Omissions(noun: "value")
  let prepared = curves.map { curve -> (curve: LearningCurve, points: [(step: Int, value: Double)]) in
    let finite = curve.points.filter { $0.value.isFinite }.sorted { $0.step < $1.step }
    omissions.nonFinite += curve.points.count - finite.count
    return (curve, finite)
  }.filter { !$0.points.isEmpty }
  guard !prepared.isEmpty else {
    return messagePlot(id: id, title: title, message: "No intermediate values reported", note: omissions.note)
  }

  let values = prepared.flatMap { $0.points.map(\.value) }
  let steps = prepared.flatMap { $0.points.map { Double($0.step) } }
  let order: [TrialState] = [.complete, .running, .waiting, .fail, .pruned]
  let present = order.filter { state in prepared.contains { $0.curve.state == state } }
  let legend = present.map { state in
    LegendItem(Palette.stateName(state), state == .pruned ? .cross(Palette.state(state)) : .line(Palette.state(state)))
  }
  var svg = SVGWriter(id: id, title: title, width: PlotChrome.width, height: PlotChrome.height)
  let top = svg.drawHeader(title: title, legend: legend.count > 1 || present == [.pruned] ? legend : [])
  let note = omissions.note
  let frame = CartesianFrame(
    width: svg.width, height: svg.height, top: top, right: 20, bottomReserve: note == nil ? 0 : PlotChrome.noteHeight,
    x: .fitting(.linear, values: steps, style: .integer), y: .fitting(automaticValueScale(values), values: values),
    xTitle: "Step", yTitle: yTitle)
  frame.drawAxes(into: &svg)
  svg.defineClip("clip", frame.area, margin: 5)
  svg.open("g", ["clip-path": svg.url("clip")])

  var drawn = 0
  for state in present {
    let color = Palette.state(state)
    var crosses = PathBuilder()
    var singles: [(Double, Double)] = []
    svg.open("g", ["stroke": color, "fill": "none", "stroke-width": "1.2", "stroke-opacity": "0.7", "stroke-linejoin": "round"])
    for item in prepared where item.curve.state == state {
      var path = PathBuilder()
      var last: (Double, Double)?
      for point in item.points {
        guard let x = frame.x.position(Double(point.step)), let y = frame.y.position(point.value) else { continue }
        if last == nil { path.move(x, y) } else { path.line(x, y) }
        last = (x, y)
      }
      guard let last else { continue }
      if item.points.count == 1 { singles.append(last) }
      if state == .pruned { crosses.cross(last.0, last.1, 3.5) }
      if item.points.count > 1 {
        if drawn < PlotChrome.tooltipLimit {
          svg.element("path", ["d": path.data], tooltip: "Trial \(item.curve.number) (\(Palette.stateName(state).lowercased()))")
        } else {
          svg.element("path", ["d": path.data])
        }
        drawn += 1
      }
    }
    svg.close()
    if !singles.isEmpty {
      svg.open("g", ["fill": color])
      for (x, y) in singles { svg.dot(x, y, r: "2.5") }
      svg.close()
    }
    if !crosses.isEmpty { svg.element("path", ["d": crosses.data, "stroke": color, "stroke-width": "1.8", "fill": "none"]) }
  }
  svg.close()
  svg.drawNote(note)
  return svg.finish()
}
