/// A plot area with an x axis below and a y axis on the left, its margins sized to the axes'
/// labels.
struct CartesianFrame {
  let area: Rect
  let x: Scale
  let y: Scale
  let xLabels: AxisLabels
  let yLabels: AxisLabels
  let xTitle: String
  let yTitle: String

  /// Lays out a `width` × `height` drawing whose plot area starts `top` pixels down and leaves
  /// `right` pixels on the right and `bottomReserve` under the x axis title (for a note).
  /// `yDownward` puts the y domain's lower end at the top (a ranking, rows of a timeline).
  init(
    width: Double, height: Double, top: Double, right: Double, bottomReserve: Double = 0,
    x xDomain: ScaleDomain, y yDomain: ScaleDomain, xTitle: String, yTitle: String, yDownward: Bool = false
  ) {
    var left = 64.0
    var bottom = 44.0
    var area = Rect(x: 0, y: 0, width: 0, height: 0)
    var x = Scale(xDomain, from: 0, to: 1)
    var y = x
    var xLabels = AxisLabels.layout(x, side: .bottom, maxExtent: 1)
    var yLabels = xLabels
    for _ in 0..<2 {
      area = Rect(
        x: left, y: top, width: max(40, width - left - right), height: max(40, height - top - bottom - bottomReserve))
      y = yDownward ? Scale(yDomain, from: area.y, to: area.maxY) : Scale(yDomain, from: area.maxY, to: area.y)
      yLabels = AxisLabels.layout(y, side: .left, maxExtent: width * 0.3)
      x = Scale(xDomain, from: area.x, to: area.maxX)
      xLabels = AxisLabels.layout(x, side: .bottom, maxExtent: height * 0.3)
      left = yLabels.extent + 32
      bottom = xLabels.extent + 32
    }
    self.area = area
    self.x = x
    self.y = y
    self.xLabels = xLabels
    self.yLabels = yLabels
    self.xTitle = xTitle
    self.yTitle = yTitle
  }

  /// Draws both axes, with grid lines across the area unless `grid` is false.
  func drawAxes(into svg: inout SVGWriter, grid: Bool = true) {
    svg.drawAxis(y, yLabels, area: area, title: yTitle, grid: grid)
    svg.drawAxis(x, xLabels, area: area, title: xTitle, grid: grid)
  }
}
