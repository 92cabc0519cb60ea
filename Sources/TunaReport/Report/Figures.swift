import TunaSearch

/// The report's figures: each call draws one plot as an SVG element (`SVG/Plots/`).
enum Figures {
  static func history(id: String, title: String, points: [HistoryPoint], direction: StudyDirection, yTitle: String) -> String {
    historyPlot(id: id, title: title, points: points, direction: direction, yTitle: yTitle)
  }

  static func importance(id: String, title: String, bars: [ImportanceBar], xTitle: String) -> String {
    importancePlot(id: id, title: title, bars: bars, xTitle: xTitle)
  }

  static func interactionMatrix(id: String, title: String, names: [String], main: [Double], pairs: [[Double]]) -> String {
    interactionMatrixPlot(id: id, title: title, names: names, main: main, pairs: pairs)
  }

  static func slice(
    id: String, title: String, axis: PlotAxis, points: [SlicePoint], marginal: MarginalLine?, yTitle: String, direction: StudyDirection
  ) -> String {
    slicePlot(id: id, title: title, axis: axis, points: points, marginal: marginal, yTitle: yTitle, direction: direction)
  }

  static func contour(
    id: String, title: String, xAxis: PlotAxis, yAxis: PlotAxis, grid: ContourGrid, points: [(Double, Double)],
    best: (Double, Double)?, valueTitle: String, direction: StudyDirection
  ) -> String {
    contourPlot(
      id: id, title: title, xAxis: xAxis, yAxis: yAxis, grid: grid, points: points, best: best, valueTitle: valueTitle,
      direction: direction)
  }

  static func parallel(
    id: String, title: String, axes: [PlotAxis], lines: [ParallelLine], objectiveTitle: String, direction: StudyDirection
  ) -> String {
    parallelCoordinatesPlot(id: id, title: title, axes: axes, lines: lines, objectiveTitle: objectiveTitle, direction: direction)
  }

  static func intermediate(id: String, title: String, curves: [LearningCurve], yTitle: String) -> String {
    intermediatePlot(id: id, title: title, curves: curves, yTitle: yTitle)
  }

  static func pareto(id: String, title: String, points: [ParetoPoint], objectiveNames: [String], directions: [StudyDirection]) -> String {
    paretoPlot(id: id, title: title, points: points, objectiveNames: objectiveNames, directions: directions)
  }

  static func timeline(id: String, title: String, bars: [TimelineBar], lanes: Int) -> String {
    timelinePlot(id: id, title: title, bars: bars, lanes: lanes)
  }
}
