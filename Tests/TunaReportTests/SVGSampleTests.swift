import Foundation
import TunaSearch
import XCTest

@testable import TunaReport

/// Writes a sample of every plot, to look at, when TUNA_SVG_SAMPLES is set (see
/// `writeSample`); otherwise only checks that each sample is valid.
final class SVGSampleTests: XCTestCase {
  func write(_ name: String, _ svg: String, id: String) throws {
    try assertValidSVG(svg, id: id)
    try writeSample(name, svg)
  }

  func testWriteSamples() throws {
    let lr = PlotAxis(title: "lr", scale: .log, range: 1e-5...1e-1)
    let x = PlotAxis(title: "x", scale: .linear, range: -10...10)
    let activation = PlotAxis(title: "activation", scale: .categorical(["relu", "tanh", "gelu"]), range: nil)

    try write("history", historyPlot(
      id: "h", title: "Optimization history", points: Samples.history(80), direction: .minimize,
      yTitle: "Validation loss (minimize)"), id: "h")
    let decades = (0..<60).map { HistoryPoint(number: $0, value: pow(10, 4 * sin(Double($0) / 7)) * 1e-2) }
    try write("history-log", historyPlot(
      id: "hl", title: "Optimization history (log axis)", points: decades, direction: .maximize,
      yTitle: "Score (maximize)"), id: "hl")

    try write("importance", importancePlot(
      id: "i", title: "Share of the variance each parameter explains alone", bars: Samples.importance(8),
      xTitle: "Fraction of variance (fANOVA main effect)"), id: "i")
    try write(
      "importance-50", importancePlot(id: "i50", title: "Importance, 50 parameters", bars: Samples.importance(50)), id: "i50")

    for n in [1, 8, 50] {
      let m = Samples.interactions(n)
      try write("matrix-\(n)", interactionMatrixPlot(
        id: "m\(n)", title: "Pairwise interactions", names: m.names, main: m.main, pairs: m.pairs), id: "m\(n)")
    }

    try write("slice", slicePlot(
      id: "s", title: "lr", axis: lr, points: Samples.slice(80), marginal: Samples.marginal(), yTitle: "Loss (minimize)",
      direction: .minimize), id: "s")
    var random = SampleRandom(state: 9)
    let categorical = (0..<60).map { i -> SlicePoint in
      let choice = Double(i % 3)
      return SlicePoint(x: choice, y: [0.3, 0.8, 0.5][i % 3] + 0.3 * random.next(), number: i)
    }
    let marginal = MarginalLine(xs: [0, 1, 2], mean: [0.45, 0.95, 0.65], std: [0.05, 0.1, 0.08])
    try write("slice-categorical", slicePlot(
      id: "sc", title: "activation", axis: activation, points: categorical, marginal: marginal, yTitle: "Loss (minimize)",
      direction: .minimize), id: "sc")

    let grid = Samples.contourGrid(40)
    try write("contour", contourPlot(
      id: "c", title: "x × lr", xAxis: x, yAxis: lr, grid: grid, points: Samples.contourPoints(60), best: (2.3, 1.2e-3),
      valueTitle: "Loss (minimize)", direction: .minimize), id: "c")
    var values: [Double] = []
    for j in 0..<20 {
      for level in [0.2, 0.6, 0.4] { values.append(level + Double(j) * 0.02) }
    }
    let categoricalGrid = ContourGrid(xs: [0, 1, 2], ys: (0..<20).map { -10 + Double($0) }, values: values)
    let categoricalPoints = (0..<30).map { k -> (Double, Double) in (Double(k % 3), Double(k) / 30 * 19 - 10) }
    try write("contour-categorical", contourPlot(
      id: "cc", title: "activation × x", xAxis: activation, yAxis: x, grid: categoricalGrid, points: categoricalPoints,
      best: (0, -9), valueTitle: "Accuracy (maximize)", direction: .maximize), id: "cc")

    let parallel = Samples.parallel(150, params: 6)
    try write("parallel", parallelCoordinatesPlot(
      id: "p", title: "Parallel coordinates", axes: parallel.axes, lines: parallel.lines, objectiveTitle: "Loss (minimize)",
      direction: .minimize), id: "p")
    let wide = Samples.parallel(60, params: 50)
    try write("parallel-50", parallelCoordinatesPlot(
      id: "p50", title: "Parallel coordinates, 50 parameters", axes: wide.axes, lines: wide.lines, objectiveTitle: "Loss",
      direction: .maximize), id: "p50")

    try write("intermediate", intermediatePlot(
      id: "iv", title: "Intermediate values", curves: Samples.curves(30), yTitle: "Validation loss"), id: "iv")

    try write("pareto", paretoPlot(
      id: "pf", title: "Pareto front", points: Samples.pareto(120, objectives: 2), objectiveNames: ["error", "latency"],
      directions: [.minimize, .minimize]), id: "pf")
    try write("pareto-3", paretoPlot(
      id: "pf3", title: "Pareto front", points: Samples.pareto(120, objectives: 3), objectiveNames: ["error", "latency", "size"],
      directions: [.minimize, .minimize, .minimize]), id: "pf3")

    try write("timeline", timelinePlot(id: "t", title: "Timeline", bars: Samples.timeline(60, lanes: 4), lanes: 4), id: "t")

    for (name, id, svg) in samplePlots(6, poison: true) { try write("\(name)-nonfinite", svg, id: id) }
    for (name, id, svg) in samplePlots(0) { try write("\(name)-empty", svg, id: id) }
    for (name, id, svg) in samplePlots(1) { try write("\(name)-one", svg, id: id) }
  }
}
