import TunaSearch
import XCTest

@testable import TunaReport

/// What each plot draws: checked on the parsed markup.
final class SVGPlotDetailTests: XCTestCase {
  // MARK: History

  func bestLineYs(_ parsed: ParsedSVG) throws -> [Double] {
    // The legend's swatch has the same stroke but no fill attribute.
    let path = try XCTUnwrap(
      parsed.all("path").first { $0.attributes["stroke"] == Palette.best && $0.attributes["fill"] == "none" })
    let commands = pathCommands(path.attributes["d"]!)
    XCTAssertTrue(commands.allSatisfy { ["M", "L"].contains($0.command) && $0.values.count == 2 })
    return commands.map { $0.values.last! }
  }

  func testBestSoFarFallsWhenMinimizing() throws {
    let points = Samples.history(80)
    let parsed = try assertValidSVG(historyPlot(id: "h", title: "H", points: points, direction: .minimize), id: "h")
    let ys = try bestLineYs(parsed)
    XCTAssertGreaterThan(ys.count, 3)
    for (a, b) in zip(ys, ys.dropFirst()) { XCTAssertLessThanOrEqual(a, b, "pixel y only grows as the best value falls") }
    let dots = parsed.all("circle").filter { $0.attributes["r"] == "3" }.map { Double($0.attributes["cy"]!)! }
    XCTAssertEqual(dots.count, 80)
    XCTAssertEqual(ys.last!, dots.max()!, accuracy: 0.011, "ends at the lowest value")
    XCTAssertEqual(ys.first!, dots.first!, accuracy: 0.011, "starts at the first trial")
  }

  func testBestSoFarRisesWhenMaximizing() throws {
    let points = Samples.history(80)
    let parsed = try assertValidSVG(historyPlot(id: "h", title: "H", points: points, direction: .maximize), id: "h")
    let ys = try bestLineYs(parsed)
    for (a, b) in zip(ys, ys.dropFirst()) { XCTAssertGreaterThanOrEqual(a, b) }
    let dots = parsed.all("circle").filter { $0.attributes["r"] == "3" }.map { Double($0.attributes["cy"]!)! }
    XCTAssertEqual(ys.last!, dots.min()!, accuracy: 0.011, "ends at the highest value")
  }

  func testHistorySortsByTrialNumberAndLabelsTheLegend() throws {
    let points = [HistoryPoint(number: 2, value: 1), HistoryPoint(number: 0, value: 3), HistoryPoint(number: 1, value: 2)]
    let parsed = try assertValidSVG(historyPlot(id: "h", title: "H", points: points, direction: .minimize), id: "h")
    let ys = try bestLineYs(parsed)
    for (a, b) in zip(ys, ys.dropFirst()) { XCTAssertLessThanOrEqual(a, b) }
    XCTAssertTrue(parsed.texts.contains("Objective value"))
    XCTAssertTrue(parsed.texts.contains("Best value"))
    XCTAssertTrue(parsed.texts.contains("Trial"))
  }

  func testHistoryTurnsLogarithmicPastThreeDecades() throws {
    let wide = (0..<30).map { HistoryPoint(number: $0, value: pow(10, -6 + Double($0) / 5)) }
    let log = try assertValidSVG(historyPlot(id: "h", title: "H", points: wide, direction: .minimize), id: "h")
    XCTAssertTrue(log.texts.contains("1e-5"), "\(log.texts)")
    XCTAssertTrue(log.texts.contains("0.001"))
    let narrow = (0..<30).map { HistoryPoint(number: $0, value: 1 + Double($0)) }
    let linear = try assertValidSVG(historyPlot(id: "h", title: "H", points: narrow, direction: .minimize), id: "h")
    XCTAssertTrue(linear.texts.contains("10"))
    XCTAssertTrue(linear.texts.contains("20"))
    XCTAssertFalse(linear.texts.contains("1e-5"))
  }

  // MARK: Importance

  func testImportanceBarsRankTopDownWithValuesAndWhiskers() throws {
    let bars = [
      ImportanceBar(name: "lr", value: 0.42, std: 0.05), ImportanceBar(name: "width", value: 0.08, std: 0.01),
      ImportanceBar(name: "batch", value: 0.5, std: 0.1),
    ]
    let parsed = try assertValidSVG(importancePlot(id: "i", title: "I", bars: bars, xTitle: "Fraction"), id: "i")
    // The bars take their fill from their group; every other rectangle has its own.
    let barRects = parsed.all("rect").filter { $0.attributes["fill"] == nil }
    XCTAssertEqual(barRects.count, 3)
    let ys = barRects.map { Double($0.attributes["y"]!)! }
    let widths = barRects.map { Double($0.attributes["width"]!)! }
    XCTAssertEqual(ys, ys.sorted(), "drawn top down")
    XCTAssertEqual(widths, widths.sorted(by: >), "most important on top")
    XCTAssertEqual(widths[1] / widths[0], 0.42 / 0.5, accuracy: 0.01)
    XCTAssertTrue(parsed.texts.contains("0.42"))
    XCTAssertTrue(parsed.texts.contains("0.5"))
    XCTAssertTrue(parsed.texts.contains("0.08"))
    let labels = parsed.texts
    XCTAssertLessThan(labels.firstIndex(of: "batch")!, labels.firstIndex(of: "lr")!)
    XCTAssertLessThan(labels.firstIndex(of: "lr")!, labels.firstIndex(of: "width")!)
    let whiskers = try XCTUnwrap(parsed.all("path").first { $0.attributes["stroke-width"] == "1.2" })
    XCTAssertEqual(pathCommands(whiskers.attributes["d"]!).filter { $0.command == "M" }.count, 9, "three strokes a bar")
    XCTAssertTrue(parsed.texts.contains("± std"))
  }

  func testImportanceWithOneAndFiftyParameters() throws {
    let single = [ImportanceBar(name: "x", value: 1, std: nil)]
    let one = try assertValidSVG(importancePlot(id: "i", title: "I", bars: single), id: "i")
    XCTAssertTrue(one.texts.contains("x"))
    XCTAssertTrue(one.texts.contains("1"))
    XCTAssertNil(one.all("path").first { $0.attributes["stroke-width"] == "1.2" }, "no whiskers without std")
    let fifty = try assertValidSVG(importancePlot(id: "i", title: "I", bars: Samples.importance(50)), id: "i")
    for name in Samples.names(50) { XCTAssertTrue(fifty.texts.contains(name), name) }
    let height = Double(fifty.root.attributes["viewBox"]!.split(separator: " ")[3])!
    XCTAssertGreaterThanOrEqual(height, 50 * 16)
    XCTAssertEqual(fifty.all("title").filter { $0.ancestors.last == "rect" }.count, 50)
  }

  /// Fractions of variance cannot pass 1: neither do their whiskers, nor the axis.
  func testFractionWhiskersStopAtOne() throws {
    let parsed = try assertValidSVG(
      importancePlot(id: "f", title: "F", bars: [ImportanceBar(name: "w", value: 0.99, std: 0.2), ImportanceBar(name: "d", value: 0.01, std: 0.003)]),
      id: "f")
    XCTAssertTrue(parsed.texts.contains("1"))
    XCTAssertFalse(parsed.texts.contains("1.2"), "the axis stops at 1")
    let raw = try assertValidSVG(importancePlot(id: "r", title: "R", bars: [ImportanceBar(name: "w", value: 1.5, std: 0.5)]), id: "r")
    XCTAssertTrue(raw.texts.contains("2"), "other figures may pass 1")
  }

  // MARK: Interaction matrix

  func cellTexts(_ parsed: ParsedSVG) -> [String] {
    parsed.all("text").filter { $0.ancestors.count >= 2 && $0.attributes["fill"] != nil && $0.attributes["dy"] == "0.35em" }
      .map(\.text).filter { Double($0) != nil || $0 == "<0.01" }
  }

  func testMatrixOfOneParameterIsItsMainEffect() throws {
    let parsed = try assertValidSVG(
      interactionMatrixPlot(id: "m", title: "M", names: ["lr"], main: [0.5], pairs: [[0]]), id: "m")
    let outlined = parsed.all("rect").filter { $0.attributes["stroke"] == "#222" && $0.ancestors.last == "svg" }
    XCTAssertEqual(outlined.count, 1)
    XCTAssertEqual(outlined[0].attributes["fill"], ColorMap.oranges.color(1).hex, "the largest main effect is the darkest")
    XCTAssertEqual(cellTexts(parsed), ["0.5"])
    XCTAssertTrue(parsed.texts.contains("lr"))
    XCTAssertTrue(parsed.texts.contains("Main effect"))
    XCTAssertFalse(parsed.texts.contains("Interaction of a pair"), "no pairs, no pair in the legend")
  }

  func testMatrixIsSymmetricWithValuesInCells() throws {
    let (names, main, pairs) = Samples.interactions(12)
    let parsed = try assertValidSVG(interactionMatrixPlot(id: "m", title: "M", names: names, main: main, pairs: pairs), id: "m")
    XCTAssertEqual(cellTexts(parsed).count, 144)
    // Each cell's fill by its tooltip (a title follows its rectangle).
    var fills: [String: String] = [:]
    for (element, next) in zip(parsed.elements, parsed.elements.dropFirst()) where element.name == "rect" {
      if next.name == "title" { fills[next.text] = element.attributes["fill"] }
    }
    XCTAssertEqual(fills.count, 144)
    XCTAssertNotNil(fills["param_00 × param_01: 0.05"])
    XCTAssertEqual(fills["param_00 × param_01: 0.05"], fills["param_01 × param_00: 0.05"])
    // One scale for pairs and main effects, 0 to the largest main effect (0.5): the strongest
    // pair (0.05) is a tenth of the way.
    XCTAssertEqual(fills["param_00 × param_01: 0.05"], ColorMap.oranges.color(0.1).hex, "the strongest pair")
    XCTAssertEqual(fills["param_03 main effect: 0.125"], ColorMap.oranges.color(0.25).hex)
    XCTAssertEqual(fills["param_00 main effect: 0.5"], ColorMap.oranges.color(1).hex)
    let offDiagonal = parsed.all("rect").filter {
      $0.attributes["stroke"] == nil && $0.attributes["width"] == $0.attributes["height"]
    }
    XCTAssertEqual(offDiagonal.count, 132)
    XCTAssertTrue(parsed.texts.contains("Share of variance"), "one colour bar")
    XCTAssertTrue(parsed.texts.contains("Interaction of a pair"))
    XCTAssertTrue(parsed.texts.contains("Main effect (diagonal)"))
  }

  func testMatrixOfFiftyParametersDropsCellTextAndTurnsLabels() throws {
    let (names, main, pairs) = Samples.interactions(50)
    let parsed = try assertValidSVG(interactionMatrixPlot(id: "m", title: "M", names: names, main: main, pairs: pairs), id: "m")
    XCTAssertEqual(cellTexts(parsed), [], "no text in cells")
    let outlined = parsed.all("rect").filter { $0.attributes["stroke"] == "#222" && $0.ancestors.last == "svg" }
    XCTAssertEqual(outlined.count, 50)
    let cells = parsed.all("path").filter { $0.attributes["fill"]?.hasPrefix("#") ?? false }
      .reduce(0) { $0 + pathCommands($1.attributes["d"]!).filter { $0.command == "M" }.count }
    XCTAssertEqual(cells, 50 * 49)
    let turned = parsed.all("text").filter { $0.attributes["transform"]?.hasPrefix("rotate(-90") ?? false }
    XCTAssertGreaterThan(turned.count, 10)
    let viewBox = parsed.root.attributes["viewBox"]!.split(separator: " ").map { Double($0)! }
    XCTAssertLessThan(viewBox[2], 1000)
    XCTAssertLessThan(viewBox[3], 800)
  }

  // MARK: Slice

  func testCategoricalSliceJittersWithinSlots() throws {
    let points = (0..<30).map { SlicePoint(x: Double($0 % 3), y: Double($0), number: $0) }
    let axis = PlotAxis(title: "act", scale: .categorical(["relu", "tanh", "gelu"]), range: nil)
    let parsed = try assertValidSVG(
      slicePlot(id: "s", title: "act", axis: axis, points: points, marginal: nil, yTitle: "Loss", direction: .minimize), id: "s")
    let xs = parsed.all("circle").filter { $0.attributes["r"] == "3.5" }.map { Double($0.attributes["cx"]!)! }
    XCTAssertEqual(xs.count, 30)
    XCTAssertTrue(parsed.texts.contains("relu"))
    XCTAssertTrue(parsed.texts.contains("Trial"), "colour bar title")
    // Three clusters, each narrower than half a slot, spread out.
    let sorted = xs.sorted()
    let slot = (sorted.last! - sorted.first!) / 2
    for cluster in [sorted.prefix(10), sorted.dropFirst(10).prefix(10), sorted.suffix(10)] {
      XCTAssertLessThan(cluster.max()! - cluster.min()!, slot / 2 + 1)
      XCTAssertGreaterThan(cluster.max()! - cluster.min()!, 5)
    }
  }

  func testSliceColoursTrialsByNumberAndStarsTheBest() throws {
    let points = [SlicePoint(x: 1e-4, y: 3, number: 0), SlicePoint(x: 1e-2, y: 1, number: 9)]
    let axis = PlotAxis(title: "lr", scale: .log, range: 1e-5...1e-1)
    let parsed = try assertValidSVG(
      slicePlot(
        id: "s", title: "lr", axis: axis, points: points, marginal: Samples.marginal(), yTitle: "Loss", direction: .minimize),
      id: "s")
    let groups = parsed.all("g").compactMap(\.attributes["fill"])
    XCTAssertTrue(groups.contains("#440154"), "the first trial is dark")
    XCTAssertTrue(groups.contains(ColorMap.viridisOnWhite.color(1).hex), "the last is the light end")
    XCTAssertEqual(ColorMap.viridisOnWhite.color(1).hex, ColorMap.viridis.color(0.9).hex)
    let star = try XCTUnwrap(parsed.all("title").first { $0.text == "Best: trial 9" })
    XCTAssertEqual(star.ancestors.last, "path")
    XCTAssertEqual(parsed.all("circle").filter { $0.attributes["r"] == "3.5" }.count, 2)
    XCTAssertTrue(parsed.texts.contains("Marginal mean ± std"))
  }

  // MARK: Contour

  func testContourMarksTheBetterEndAndTheBest() throws {
    let grid = Samples.contourGrid(20)
    let minimum = grid.values.min()!
    let axes = (PlotAxis(title: "x", scale: .linear, range: -10...10), PlotAxis(title: "lr", scale: .log, range: 1e-5...1e-1))
    for direction in [StudyDirection.minimize, .maximize] {
      let svg = contourPlot(
        id: "c", title: "C", xAxis: axes.0, yAxis: axes.1, grid: grid, points: Samples.contourPoints(10), best: (2, 1e-3),
        valueTitle: "Loss", direction: direction)
      let parsed = try assertValidSVG(svg, id: "c")
      let fills = parsed.all("path").compactMap(\.attributes["fill"])
      XCTAssertTrue(fills.contains("#440154") && fills.contains("#fde725"))
      XCTAssertEqual(ColorBar(
        map: direction == .minimize ? .viridis : ColorMap.viridis.reversed,
        domain: .fitting(.linear, values: grid.values, padding: 0), title: "", betterAtTop: nil).color(minimum).hex,
        direction == .minimize ? "#440154" : "#fde725")
      XCTAssertTrue(parsed.texts.contains("better"))
      XCTAssertTrue(parsed.texts.contains("Loss"))
      XCTAssertTrue(parsed.texts.contains("1e-4"), "log y axis")
      XCTAssertNotNil(parsed.all("title").first { $0.text.hasPrefix("Best trial: x = 2, lr = 0.001") })
      XCTAssertEqual(parsed.all("circle").filter { $0.ancestors == ["svg", "g", "g"] }.count, 10)
    }
  }

  func testContourOverCategories() throws {
    let grid = ContourGrid(xs: [0, 1, 2], ys: [1, 2], values: [1, 2, 3, 4, 5, 6])
    let svg = contourPlot(
      id: "c", title: "C", xAxis: PlotAxis(title: "act", scale: .categorical(["relu", "tanh", "gelu"]), range: nil),
      yAxis: PlotAxis(title: "layers", scale: .linear, range: 1...2), grid: grid, points: [(0, 1), (2, 2)], best: nil,
      valueTitle: "Loss", direction: .minimize)
    let parsed = try assertValidSVG(svg, id: "c")
    let cells = parsed.all("path").filter { $0.attributes["fill"]?.hasPrefix("#") ?? false }
      .reduce(0) { $0 + pathCommands($1.attributes["d"]!).filter { $0.command == "M" }.count }
    XCTAssertEqual(cells, 6)
    XCTAssertTrue(parsed.texts.contains("gelu"))
  }

  // MARK: Parallel coordinates

  func axisCount(_ parsed: ParsedSVG) throws -> Int {
    let axes = try XCTUnwrap(
      parsed.all("path").first { $0.attributes["stroke"] == "#555" && $0.attributes["stroke-width"] == "1" })
    return pathCommands(axes.attributes["d"]!).filter { $0.command == "M" }.count
  }

  func testParallelCoordinatesWithOneAndFiftyParameters() throws {
    let one = Samples.parallel(20, params: 1)
    let small = try assertValidSVG(
      parallelCoordinatesPlot(
        id: "p", title: "P", axes: one.axes, lines: one.lines, objectiveTitle: "Loss", direction: .minimize), id: "p")
    XCTAssertEqual(try axisCount(small), 2)
    XCTAssertTrue(small.texts.contains("Loss"))
    XCTAssertTrue(small.texts.contains("param_00"))
    let many = Samples.parallel(30, params: 50)
    let large = try assertValidSVG(
      parallelCoordinatesPlot(
        id: "p", title: "P", axes: many.axes, lines: many.lines, objectiveTitle: "Loss", direction: .minimize), id: "p")
    XCTAssertEqual(try axisCount(large), 51)
    let width = Double(large.root.attributes["viewBox"]!.split(separator: " ")[2])!
    XCTAssertGreaterThanOrEqual(width, 50 * 56)
    XCTAssertTrue(large.texts.contains("param_49"))
    XCTAssertGreaterThan(large.all("text").filter { $0.attributes["transform"]?.hasPrefix("rotate(-30") ?? false }.count, 0,
      "names turn when crowded")
  }

  func testParallelLinesBreakAtMissingValuesAndTheBestPaintLast() throws {
    let axes = [PlotAxis(title: "a", scale: .linear, range: 0...1), PlotAxis(title: "b", scale: .linear, range: 0...1),
                PlotAxis(title: "c", scale: .log, range: 1...100)]
    let lines = [
      ParallelLine(values: [0.1, nil, 10], objective: 1, number: 0),
      ParallelLine(values: [0.2, 0.3, 20], objective: 0.1, number: 1),
      ParallelLine(values: [0.9, 0.5, 50], objective: 5, number: 2),
    ]
    for direction in [StudyDirection.minimize, .maximize] {
      let parsed = try assertValidSVG(
        parallelCoordinatesPlot(
          id: "p", title: "P", axes: axes, lines: lines, objectiveTitle: "Loss", direction: direction), id: "p")
      let paths = parsed.all("path").filter { $0.ancestors == ["svg", "g", "g"] }
      XCTAssertEqual(paths.count, 3)
      let tooltips = parsed.all("title").filter { $0.ancestors.last == "path" }.map(\.text)
      XCTAssertEqual(tooltips.last, direction == .minimize ? "Trial 1: 0.1" : "Trial 2: 5", "the best is drawn last")
      let broken = try XCTUnwrap(zip(paths, tooltips).first { $0.1 == "Trial 0: 1" }?.0)
      XCTAssertEqual(pathCommands(broken.attributes["d"]!).map(\.command), ["M", "L", "M"], "a gap where b is missing")
      XCTAssertTrue(parsed.texts.contains("better"))
    }
  }

  // MARK: Intermediate values

  func testLearningCurvesByStateWithCrossesForPruned() throws {
    let curves = Samples.curves(21)
    let parsed = try assertValidSVG(intermediatePlot(id: "iv", title: "I", curves: curves, yTitle: "Loss"), id: "iv")
    let pruned = curves.filter { $0.state == .pruned }.count
    let crosses = try XCTUnwrap(parsed.all("path").first { $0.attributes["stroke-width"] == "1.8" })
    XCTAssertEqual(crosses.attributes["stroke"], Palette.state(.pruned))
    XCTAssertEqual(pathCommands(crosses.attributes["d"]!).filter { $0.command == "M" }.count, 2 * pruned)
    XCTAssertTrue(parsed.texts.contains("Complete"))
    XCTAssertTrue(parsed.texts.contains("Pruned"))
    XCTAssertTrue(parsed.texts.contains("Failed"))
    XCTAssertTrue(parsed.texts.contains("Step"))
    XCTAssertEqual(parsed.all("title").filter { $0.ancestors.last == "path" }.count, 21)
  }

  // MARK: Pareto

  func testTwoObjectivesJoinTheFrontInOrder() throws {
    let points = Samples.pareto(50, objectives: 2)
    let parsed = try assertValidSVG(
      paretoPlot(
        id: "pf", title: "P", points: points, objectiveNames: ["error", "size"], directions: [.minimize, .maximize]), id: "pf")
    let front = points.filter(\.onFront).count
    XCTAssertGreaterThan(front, 1)
    let line = try XCTUnwrap(parsed.all("path").first { $0.attributes["stroke"] == Palette.best })
    let xs = pathCommands(line.attributes["d"]!).map { $0.values[0] }
    XCTAssertEqual(xs.count, front)
    XCTAssertEqual(xs, xs.sorted())
    XCTAssertTrue(parsed.texts.contains("error (minimize)"))
    XCTAssertTrue(parsed.texts.contains("size (maximize)"))
    XCTAssertTrue(parsed.texts.contains("Pareto front"))
    XCTAssertEqual(parsed.count("circle"), 50 + 1 + 1, "every trial and the two legend dots")
  }

  func testManyObjectivesDrawAMatrixOfTheFirstFour() throws {
    let points = Samples.pareto(40, objectives: 5)
    let svg = paretoPlot(
      id: "pf", title: "P", points: points, objectiveNames: ["a", "b", "c", "d", "e"],
      directions: [.minimize, .minimize, .maximize, .minimize, .minimize])
    let parsed = try assertValidSVG(svg, id: "pf")
    XCTAssertEqual(parsed.count("circle"), 40 * 12 + 2, "twelve scatters and the legend")
    XCTAssertTrue(parsed.texts.contains("c (maximize)"))
    XCTAssertTrue(parsed.texts.contains("(maximize)"))
    XCTAssertFalse(parsed.texts.contains("e (minimize)"))
    XCTAssertEqual(parsed.texts.last, "Showing the first 4 of 5 objectives")
    let one = try assertValidSVG(
      paretoPlot(id: "pf", title: "P", points: [], objectiveNames: ["a"], directions: [.minimize]), id: "pf")
    XCTAssertTrue(one.texts.contains("A Pareto front needs two or more objectives"))
  }

  // MARK: Timeline

  func testTimelineBarsSpanTheirTrialsAndRunningOnesReachTheEdge() throws {
    let bars = [
      TimelineBar(number: 0, start: 0, end: 60, state: .complete, lane: 0),
      TimelineBar(number: 1, start: 0, end: 30, state: .pruned, lane: 1),
      TimelineBar(number: 2, start: 30, end: 90, state: .fail, lane: 1),
      TimelineBar(number: 3, start: 60, end: nil, state: .running, lane: 0),
    ]
    let parsed = try assertValidSVG(timelinePlot(id: "t", title: "T", bars: bars, lanes: 2, now: 120), id: "t")
    func rect(_ number: Int) throws -> ParsedSVG.Element {
      let title = try XCTUnwrap(parsed.all("title").first { $0.text.hasPrefix("Trial \(number):") })
      let index = parsed.elements.firstIndex { $0.name == "title" && $0.text == title.text }!
      return parsed.elements[index - 1]
    }
    let first = try rect(0)
    let second = try rect(1)
    XCTAssertEqual(Double(first.attributes["width"]!)!, 2 * Double(second.attributes["width"]!)!, accuracy: 0.02)
    XCTAssertEqual(first.attributes["x"], second.attributes["x"])
    let running = try rect(3)
    XCTAssertEqual(
      Double(running.attributes["width"]!)!, Double(first.attributes["width"]!)!, accuracy: 0.02, "60 s to now = 120 s")
    let dashed = try XCTUnwrap(parsed.all("g").first { $0.attributes["stroke-dasharray"] != nil })
    XCTAssertEqual(dashed.attributes["fill"], Palette.state(.running))
    XCTAssertTrue(parsed.texts.contains("60 s"))
    XCTAssertTrue(parsed.texts.contains("Running"))
    XCTAssertTrue(parsed.texts.contains("Pruned"))
    XCTAssertTrue(parsed.all("title").contains { $0.text == "Trial 3: running for 60 s" })
  }

  func testTimelineGrowsWithLanes() throws {
    let parsed = try assertValidSVG(timelinePlot(id: "t", title: "T", bars: Samples.timeline(200, lanes: 40), lanes: 40), id: "t")
    let height = Double(parsed.root.attributes["viewBox"]!.split(separator: " ")[3])!
    XCTAssertGreaterThan(height, 400)
    XCTAssertTrue(parsed.texts.contains("Worker"))
  }
}
