/// A heat map of the shares of variance: each pair's interaction `pairs[i][j]` (symmetric; its
/// diagonal is ignored) off the diagonal and each parameter's main effect `main[i]` on it, in
/// outlined cells. Both are fractions of the same variance, so they share one colour scale from
/// 0 to the largest of them: a weak interaction looks weak beside a strong main effect rather
/// than borrowing the full range of a scale of its own. Cells carry their value as text up to 12
/// parameters and a tooltip up to 20; the drawing is square-ish and grows with the parameter
/// count (cells from 64 down to 9 pixels), labels shrinking and turning as they must. Missing or
/// non-finite values are grey cells.
func interactionMatrixPlot(id: String, title: String, names: [String], main: [Double], pairs: [[Double]]) -> String {
  let n = names.count
  guard n > 0 else { return messagePlot(id: id, title: title, message: "No parameters to show") }
  func pair(_ i: Int, _ j: Int) -> Double {
    i < pairs.count && j < pairs[i].count ? pairs[i][j] : .nan
  }
  func mainEffect(_ i: Int) -> Double { i < main.count ? main[i] : .nan }

  let cell = clamped((440 / Double(n)).rounded(.down), 9...64)
  let side = cell * Double(n)
  let offDiagonal = (0..<n).flatMap { i in (0..<n).filter { $0 != i }.map { pair(i, $0) } }.filter(\.isFinite)
  let mains = (0..<n).map(mainEffect).filter(\.isFinite)
  let bar = ColorBar(
    map: .oranges, domain: ScaleDomain(kind: .linear, lower: 0, upper: max((offDiagonal + mains).max() ?? 0, 1e-9)),
    title: "Share of variance", betterAtTop: nil)
  let barHeight = max(side, 120)
  let right = bar.reservedWidth(height: barHeight) + 8

  // The labels: a categorical scale over the cells on each side.
  let domain = ScaleDomain.fitting(.categorical(names), values: [])
  let rowLabels = AxisLabels.layout(Scale(domain, from: 0, to: side), side: .left, maxExtent: 160)
  let columnLabels = AxisLabels.layout(Scale(domain, from: 0, to: side), side: .bottom, maxExtent: 140)
  let legend = n > 1
    ? [LegendItem("Interaction of a pair", .box(ColorMap.oranges.color(0.4).hex)),
       LegendItem("Main effect (diagonal)", .outlinedBox(ColorMap.oranges.color(0.4).hex))]
    : [LegendItem("Main effect", .outlinedBox(ColorMap.oranges.color(0.4).hex))]
  let left = rowLabels.extent + 20
  let width = max(400, left + side + right + 12)
  let headerHeight = PlotChrome.headerHeight(title: title, legend: legend, width: width)
  let height = headerHeight + max(side, barHeight) + 14 + columnLabels.extent + 20
  var svg = SVGWriter(id: id, title: title, width: width, height: height)
  let top = svg.drawHeader(title: title, legend: legend) + 6
  let area = Rect(x: left, y: top, width: side, height: side)
  svg.drawAxis(Scale(domain, from: area.y, to: area.maxY), rowLabels, area: area, title: "", grid: false)
  svg.drawAxis(Scale(domain, from: area.x, to: area.maxX), columnLabels, area: area, title: "", grid: false)

  let gap = cell >= 16 ? 1.0 : 0
  let showText = n <= 12
  let withTooltips = n <= 20
  let textSize = clamped(cell * 0.28, 8...12)
  var texts: [(x: Double, y: Double, text: String, color: String)] = []
  var byColor: [String: PathBuilder] = [:]
  var colorOrder: [String] = []
  for i in 0..<n {
    for j in 0..<n {
      let diagonal = i == j
      let value = diagonal ? mainEffect(i) : pair(i, j)
      let fill = value.isFinite ? bar.color(value) : nil
      let x = area.x + Double(j) * cell + gap / 2
      let y = area.y + Double(i) * cell + gap / 2
      let size = cell - gap
      let hex = fill?.hex ?? Palette.missing
      if diagonal {
        svg.element("rect", [
          "x": svgNumber(x + 0.75), "y": svgNumber(y + 0.75), "width": svgNumber(size - 1.5), "height": svgNumber(size - 1.5),
          "fill": hex, "stroke": "#222", "stroke-width": "1.5",
        ], tooltip: "\(names[i]) main effect: \(value.isFinite ? NumberLabel.compact(value, digits: 3) : "none")")
      } else if withTooltips {
        svg.element("rect", [
          "x": svgNumber(x), "y": svgNumber(y), "width": svgNumber(size), "height": svgNumber(size), "fill": hex,
        ], tooltip: "\(names[i]) × \(names[j]): \(value.isFinite ? NumberLabel.compact(value, digits: 3) : "none")")
      } else {
        if byColor[hex] == nil { colorOrder.append(hex) }
        // Without gaps, a quarter pixel of overlap hides the seams between neighbouring cells.
        let overlap = gap == 0 ? 0.25 : 0
        var path = byColor[hex] ?? PathBuilder()
        path.move(x - overlap, y - overlap)
        path.horizontal(x + size + overlap)
        path.vertical(y + size + overlap)
        path.horizontal(x - overlap)
        path.close()
        byColor[hex] = path
      }
      if showText && value.isFinite {
        texts.append((x + size / 2, y + size / 2, cellText(value), fill?.textColor ?? Palette.title))
      }
    }
  }
  for hex in colorOrder { svg.element("path", ["d": byColor[hex]!.data, "fill": hex]) }
  if !texts.isEmpty {
    svg.open("g", ["font-size": svgNumber(textSize), "text-anchor": "middle"])
    for t in texts {
      svg.element("text", ["x": svgNumber(t.x), "y": svgNumber(t.y), "dy": "0.35em", "fill": t.color], text: t.text)
    }
    svg.close()
  }

  bar.draw(into: &svg, x: area.maxX + 20, top: area.y + 8, bottom: area.y + barHeight - 8, name: "share")
  return svg.finish()
}

/// A cell's value in at most four characters: `0.42`, `<0.01`.
private func cellText(_ value: Double) -> String {
  if value > 0 && value < 0.005 { return "<0.01" }
  if abs(value) >= 10 { return NumberLabel.compact(value, digits: 2) }
  return NumberLabel.fixed(value, decimals: 2)
}
