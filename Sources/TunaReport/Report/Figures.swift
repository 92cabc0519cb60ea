import TunaSearch

/// The report's figures: each call draws one plot as an SVG element.
enum Figures {
  static func placeholder(_ id: String, _ title: String) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" viewBox=\"0 0 640 80\" role=\"img\"><title>\(title)</title></svg>"
  }

  static func history(id: String, title: String, points: [HistoryPoint], direction: StudyDirection, yTitle: String) -> String {
    placeholder(id, title)
  }

  static func importance(id: String, title: String, bars: [ImportanceBar], xTitle: String) -> String { placeholder(id, title) }

  static func interactionMatrix(id: String, title: String, names: [String], main: [Double], pairs: [[Double]]) -> String {
    placeholder(id, title)
  }

  static func slice(
    id: String, title: String, axis: PlotAxis, points: [SlicePoint], marginal: MarginalLine?, yTitle: String, direction: StudyDirection
  ) -> String { placeholder(id, title) }

  static func contour(
    id: String, title: String, xAxis: PlotAxis, yAxis: PlotAxis, grid: ContourGrid, points: [(Double, Double)],
    best: (Double, Double)?, valueTitle: String, direction: StudyDirection
  ) -> String { placeholder(id, title) }

  static func parallel(
    id: String, title: String, axes: [PlotAxis], lines: [ParallelLine], objectiveTitle: String, direction: StudyDirection
  ) -> String { placeholder(id, title) }

  static func intermediate(id: String, title: String, curves: [LearningCurve], yTitle: String) -> String { placeholder(id, title) }

  static func pareto(
    id: String, title: String, points: [ParetoPoint], objectiveNames: [String], directions: [StudyDirection]
  ) -> String { placeholder(id, title) }

  static func timeline(id: String, title: String, bars: [TimelineBar], lanes: Int) -> String { placeholder(id, title) }
}
