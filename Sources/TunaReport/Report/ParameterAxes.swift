import TunaAnalysis
import TunaSearch

/// The axis a parameter is drawn on: logarithmic for log parameters, named slots for choices.
func parameterAxis(_ name: String, _ d: Distribution) -> PlotAxis {
  switch d {
  case .categorical(let choices):
    return PlotAxis(title: name, scale: .categorical(choices.map(formatParam)), range: nil)
  case .float(let low, let high, let log, _):
    return PlotAxis(title: name, scale: log ? .log : .linear, range: low...high)
  case .int(let low, let high, let log, _):
    return PlotAxis(title: name, scale: log ? .log : .linear, range: Double(low)...Double(high), integer: true)
  }
}

/// Where a value sits on its parameter's axis: the number itself, or the choice's index.
func axisCoordinate(_ value: ParamValue, _ d: Distribution) -> Double? {
  switch d {
  case .categorical(let choices): return choices.firstIndex { $0.matches(value) }.map(Double.init)
  default: return value.number
  }
}

/// An objective's axis title: "Objective value (minimize)".
func objectiveTitle(_ name: String, _ direction: StudyDirection) -> String { "\(name) (\(direction.rawValue))" }
