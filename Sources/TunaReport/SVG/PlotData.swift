import TunaSearch

// What the plots draw, in plain values: the report gathers them from a study and its analysis,
// each plot turns them into one SVG element.

/// How an axis maps values to positions.
enum AxisScale: Sendable, Equatable {
  case linear
  /// Base-10 logarithmic: positions are log10 of the values, ticks at powers of ten (and 2, 5
  /// between them when a range spans few decades).
  case log
  /// Named positions 0, 1, 2, … (a categorical parameter's choices, in order).
  case categorical([String])
}

/// An axis: its title (with the unit, when there is one) and scale. `range` fixes the extent
/// (a parameter's distribution bounds); nil takes it from the data. An `integer` axis (an integer
/// parameter's) has ticks on whole numbers only.
struct PlotAxis: Sendable, Equatable {
  var title: String
  var scale: AxisScale
  var range: ClosedRange<Double>?
  var integer = false

  /// How the axis's ticks are chosen.
  var tickStyle: TickStyle { integer ? .integer : .number }
}

/// One complete trial's value, for the optimization history.
struct HistoryPoint: Sendable {
  var number: Int
  var value: Double
}

/// One bar of the importance chart: a fraction, and its spread over trees (fANOVA) when known.
struct ImportanceBar: Sendable {
  var name: String
  var value: Double
  var std: Double?
}

/// One trial in a slice plot: the parameter's value (a categorical's choice index) and the
/// objective.
struct SlicePoint: Sendable {
  var x: Double
  var y: Double
  var number: Int
}

/// The model's marginal over a parameter, drawn under the trials: mean ± std at each x.
struct MarginalLine: Sendable {
  var xs: [Double]
  var mean: [Double]
  var std: [Double]
}

/// A pair marginal on a grid: `values[j * xs.count + i]` at (`xs[i]`, `ys[j]`).
struct ContourGrid: Sendable {
  var xs: [Double]
  var ys: [Double]
  var values: [Double]
}

/// One trial in the parallel-coordinates plot: its value on each parameter axis (nil where the
/// trial lacks the parameter) and its objective.
struct ParallelLine: Sendable {
  var values: [Double?]
  var objective: Double
  var number: Int
}

/// One trial's intermediate values (its learning curve), in step order.
struct LearningCurve: Sendable {
  var number: Int
  var points: [(step: Int, value: Double)]
  var state: TrialState
}

/// One complete trial of a multi-objective study.
struct ParetoPoint: Sendable {
  var number: Int
  var values: [Double]
  var onFront: Bool
}

/// One trial's run: seconds from the study's first start to its start and end (nil while
/// running), in the lane of the worker that ran it.
struct TimelineBar: Sendable {
  var number: Int
  var start: Double
  var end: Double?
  var state: TrialState
  var lane: Int
}
