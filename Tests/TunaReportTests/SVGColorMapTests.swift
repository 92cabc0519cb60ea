import TunaSearch
import XCTest

@testable import TunaReport

/// Colour maps, the palette and the colour bar.
final class SVGColorMapTests: XCTestCase {
  func testViridisEndsAndStops() {
    XCTAssertEqual(ColorMap.viridis.color(0).hex, "#440154")
    XCTAssertEqual(ColorMap.viridis.color(1).hex, "#fde725")
    XCTAssertEqual(ColorMap.viridis.color(0.5).hex, "#21908c")
    XCTAssertEqual(ColorMap.viridis.color(-3).hex, "#440154", "clamped")
    XCTAssertEqual(ColorMap.viridis.color(.nan).hex, "#440154")
    XCTAssertEqual(ColorMap.viridis.reversed.color(0).hex, "#fde725")
  }

  func testViridisInterpolatesBetweenStops() {
    // Halfway between the first two stops, #440154 and #472d7b.
    let c = ColorMap.viridis.color(1.0 / 16)
    XCTAssertEqual(c.r * 255, (0x44 + 0x47) / 2.0, accuracy: 1e-9)
    XCTAssertEqual(c.g * 255, (0x01 + 0x2d) / 2.0, accuracy: 1e-9)
    XCTAssertEqual(c.b * 255, (0x54 + 0x7b) / 2.0, accuracy: 1e-9)
  }

  func testViridisGetsLighterThroughout() {
    let luminances = (0...64).map { ColorMap.viridis.color(Double($0) / 64).luminance }
    for (a, b) in zip(luminances, luminances.dropFirst()) { XCTAssertLessThan(a, b) }
    let oranges = (0...64).map { ColorMap.oranges.color(Double($0) / 64).luminance }
    for (a, b) in zip(oranges, oranges.dropFirst()) { XCTAssertGreaterThan(a, b) }
  }

  func testBinsRoundToFewLevels() {
    XCTAssertEqual(ColorMap.viridis.binned(0).0, 0)
    XCTAssertEqual(ColorMap.viridis.binned(1).0, 31)
    XCTAssertEqual(ColorMap.viridis.binned(0.5).0, 16)
    XCTAssertEqual(ColorMap.viridis.binned(1).1.hex, "#fde725")
  }

  func testTextOnFillsReads() {
    XCTAssertEqual(ColorMap.viridis.color(0).textColor, "#fff")
    XCTAssertEqual(ColorMap.viridis.color(1).textColor, "#222")
    XCTAssertEqual(RGB(hex: "#ffffff").luminance, 1, accuracy: 1e-12)
    XCTAssertEqual(RGB(hex: "000000").luminance, 0, accuracy: 1e-12)
  }

  func testStatesHaveDistinctColoursAndNames() {
    let colors = TrialState.allCases.map(Palette.state)
    XCTAssertEqual(Set(colors).count, TrialState.allCases.count)
    XCTAssertEqual(Palette.state(.complete), "#0072b2")
    XCTAssertEqual(Palette.stateName(.fail), "Failed")
    XCTAssertNotEqual(Palette.best, Palette.other)
  }

  func testColorBarDrawsAGradientWithTicksAndTitle() throws {
    let bar = ColorBar(map: .viridis, domain: ScaleDomain(kind: .linear, lower: 0, upper: 1), title: "Loss", betterAtTop: false)
    XCTAssertEqual(bar.color(0).hex, "#440154")
    XCTAssertEqual(bar.color(1).hex, "#fde725")
    var svg = SVGWriter(id: "cb", title: "t", width: 200, height: 300)
    bar.draw(into: &svg, x: 20, top: 20, bottom: 270, name: "bar")
    let parsed = try assertValidSVG(svg.finish(), id: "cb")
    let gradient = try XCTUnwrap(parsed.all("linearGradient").first)
    XCTAssertEqual(gradient.attributes["id"], "cb-bar")
    XCTAssertEqual(parsed.count("stop"), 9)
    XCTAssertEqual(parsed.all("stop").first?.attributes["stop-color"], "#440154")
    XCTAssertTrue(parsed.all("rect").contains { $0.attributes["fill"] == "url(#cb-bar)" })
    XCTAssertTrue(parsed.texts.contains("Loss"))
    XCTAssertTrue(parsed.texts.contains("better"))
    XCTAssertTrue(parsed.texts.contains("0.4"))
    XCTAssertGreaterThan(bar.reservedWidth(height: 250), 50)
  }

  func testLegendRowWidthGrowsWithItsEntries() throws {
    let one = [LegendItem("Trials", .dot("#000"))]
    let two = one + [LegendItem("Best value", .line("#f00"))]
    XCTAssertGreaterThan(Legend.width(two), Legend.width(one))
    var svg = SVGWriter(id: "lg", title: "t", width: 400, height: 100)
    let more = [
      LegendItem("× pruned", .cross("#0f0")), LegendItem("s", .star("#00f")), LegendItem("b", .band("#111")),
      LegendItem("w", .whisker("#222")), LegendItem("o", .outlinedBox("#333")), LegendItem("r", .box("#444", dashed: true)),
    ]
    Legend.draw(two + more, into: &svg, x: 10, y: 20)
    let parsed = try assertValidSVG(svg.finish(), id: "lg")
    XCTAssertEqual(parsed.texts, ["Trials", "Best value", "× pruned", "s", "b", "w", "o", "r"])
  }
}
