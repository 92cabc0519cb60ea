import TunaSearch
import XCTest

@testable import TunaReport

/// What every plot must do: valid self-contained SVG for typical, empty, one-trial and
/// non-finite input.
final class SVGPlotTests: XCTestCase {
  func testEveryPlotIsValidSelfContainedSVG() throws {
    for (name, id, svg) in samplePlots(40) {
      let parsed = try assertValidSVG(svg, id: id)
      XCTAssertGreaterThan(parsed.count("text"), 3, name)
      XCTAssertFalse(svg.contains(PlotChrome.emptyMessage), name)
      XCTAssertFalse(svg.contains("not shown"), "\(name): nothing was left out")
    }
  }

  func testEmptyInputGivesAValidPlotWithAMessage() throws {
    for (name, id, svg) in samplePlots(0) {
      let parsed = try assertValidSVG(svg, id: id)
      let message = parsed.texts.dropFirst().first ?? ""
      XCTAssertTrue(
        ["No complete trials yet", "No parameter importances to show", "No parameters to show", "No intermediate values reported",
         "No trials yet"].contains(message), "\(name): \(parsed.texts)")
      let text = try XCTUnwrap(parsed.all("text").dropFirst().first)
      XCTAssertEqual(text.attributes["text-anchor"], "middle", name)
      XCTAssertEqual(text.attributes["x"], "320", "\(name): centred")
    }
  }

  func testOneTrialDrawsIt() throws {
    for (name, id, svg) in samplePlots(1) {
      let parsed = try assertValidSVG(svg, id: id)
      XCTAssertFalse(svg.contains(PlotChrome.emptyMessage), name)
      let marks = parsed.count("circle") + parsed.count("rect") + parsed.count("path")
      XCTAssertGreaterThan(marks, 2, name)
    }
  }

  func testNonFiniteValuesAreSkippedAndCounted() throws {
    let notes: [String: String] = [
      "history": "10 trials with non-finite values not shown",
      "importance": "10 parameters with non-finite values not shown",
      "slice": "20 trials with non-finite values not shown",
      "parallel": "10 trials with non-finite values not shown",
      "intermediate": "10 non-finite values not shown",
      "pareto": "10 trials with non-finite values not shown",
      "pareto3": "10 trials with non-finite values not shown",
      "timeline": "10 trials with non-finite values not shown",
      "contour": "10 trials with non-finite values not shown",
    ]
    for (name, id, svg) in samplePlots(40, poison: true) {
      let parsed = try assertValidSVG(svg, id: id)
      if let note = notes[name] {
        XCTAssertEqual(parsed.texts.last, note, name)
      }
    }
  }

  func testTitlesAreEscaped() throws {
    let title = "loss < 0.5 & \"acc\" > 'x'"
    let svg = historyPlot(id: "e", title: title, points: Samples.history(5), direction: .minimize, yTitle: "a<b")
    let parsed = try assertValidSVG(svg, id: "e")
    XCTAssertEqual(parsed.all("title").first?.text, title)
    XCTAssertTrue(parsed.texts.contains(title))
    XCTAssertTrue(parsed.texts.contains("a<b"))
  }

  func testMarkupPerPointStaysSmall() throws {
    let svg = historyPlot(id: "big", title: "History", points: Samples.history(5000), direction: .minimize)
    let parsed = try assertValidSVG(svg, id: "big")
    XCTAssertEqual(parsed.count("circle"), 5000 + 1, "no cap on points (and the legend's dot)")
    XCTAssertEqual(parsed.all("title").filter { $0.ancestors.last == "circle" }.count, PlotChrome.tooltipLimit)
    let bare = parsed.all("circle").last!
    XCTAssertEqual(Set(bare.attributes.keys), ["cx", "cy", "r"])
    XCTAssertLessThan(svg.utf8.count, 5000 * 45 + PlotChrome.tooltipLimit * 60 + 20_000)
  }

  func testPlotsOnOnePageDoNotShareIDs() throws {
    let a = samplePlots(10).map(\.2)
    var ids = Set<String>()
    for svg in a {
      for element in try parseSVG(svg).elements {
        if let id = element.attributes["id"] { XCTAssertTrue(ids.insert(id).inserted, id) }
      }
    }
  }
}
