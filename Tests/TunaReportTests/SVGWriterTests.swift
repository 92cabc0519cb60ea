import XCTest

@testable import TunaReport

/// The markup builder: escaping, numbers, the root element, ids.
final class SVGWriterTests: XCTestCase {
  func testEscapesTheFiveMarkupCharacters() {
    XCTAssertEqual(xmlEscaped("a < b && c > \"d\" 'e'"), "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &apos;e&apos;")
    XCTAssertEqual(xmlEscaped("plain name_1 µ β1 …"), "plain name_1 µ β1 …")
  }

  func testEscapesLineBreaksAndReplacesCharactersXMLForbids() {
    XCTAssertEqual(xmlEscaped("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d")
    XCTAssertEqual(xmlEscaped("x\u{0}y\u{1B}z\u{FFFE}"), "x\u{FFFD}y\u{FFFD}z\u{FFFD}")
    XCTAssertEqual(xmlEscaped("\u{FEFF}ok"), "\u{FEFF}ok", "other characters after an EF lead byte stay")
  }

  func testEscapedTextAndAttributesSurviveAParser() throws {
    var svg = SVGWriter(id: "t", title: "<Title> & \"quotes\" 'too'", width: 100, height: 50)
    svg.element("text", ["x": "1", "y": "2", "data-name": "a\"b'c<d>&e\nf"], text: "1 < 2 & 3 > 2")
    let parsed = try parseSVG(svg.finish())
    XCTAssertEqual(parsed.all("title")[0].text, "<Title> & \"quotes\" 'too'")
    XCTAssertEqual(parsed.all("text")[0].text, "1 < 2 & 3 > 2")
    XCTAssertEqual(parsed.all("text")[0].attributes["data-name"], "a\"b'c<d>&e\nf")
  }

  func testNumbersAreShortAndNeverNonFinite() {
    XCTAssertEqual(svgNumber(12), "12")
    XCTAssertEqual(svgNumber(12.345), "12.35")
    XCTAssertEqual(svgNumber(12.3), "12.3")
    XCTAssertEqual(svgNumber(0.005), "0.01")
    XCTAssertEqual(svgNumber(-0.004), "0", "never -0")
    XCTAssertEqual(svgNumber(-3.5), "-3.5")
    XCTAssertEqual(svgNumber(0.07), "0.07")
    XCTAssertEqual(svgNumber(1e-7), "0")
    XCTAssertEqual(svgNumber(.nan), "0")
    XCTAssertEqual(svgNumber(.infinity), "0")
    XCTAssertEqual(svgNumber(-.infinity), "0")
    XCTAssertEqual(svgNumber(1e300), "1000000000")
    XCTAssertEqual(svgNumber(0.123456, decimals: 3), "0.123")
    XCTAssertEqual(svgNumber(2.5, decimals: 0), "3")
  }

  func testRootIsLabelledScalableAndSelfContained() throws {
    var svg = SVGWriter(id: "hist-1", title: "History", width: 640, height: 400)
    svg.element("circle", ["cx": "1", "cy": "2", "r": "3"])
    let text = svg.finish()
    XCTAssertTrue(text.hasPrefix(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 400\" width=\"100%\" role=\"img\""))
    let parsed = try assertValidSVG(text, id: "hist-1")
    XCTAssertEqual(parsed.root.attributes["viewBox"], "0 0 640 400")
    XCTAssertEqual(parsed.all("title")[0].text, "History")
    XCTAssertEqual(parsed.count("circle"), 1)
  }

  func testIDsAreMadeValidXMLNames() {
    XCTAssertEqual(SVGWriter.sanitizedID("obj-0_history"), "obj-0_history")
    XCTAssertEqual(SVGWriter.sanitizedID("my plot#1"), "my_plot_1")
    XCTAssertEqual(SVGWriter.sanitizedID("0-history"), "p0-history")
    XCTAssertEqual(SVGWriter.sanitizedID(""), "p")
    let svg = SVGWriter(id: "a b", title: "t", width: 10, height: 10)
    XCTAssertEqual(svg.ref("clip"), "a_b-clip")
    XCTAssertEqual(svg.url("clip"), "url(#a_b-clip)")
  }

  func testOpenElementsCloseInOrder() throws {
    var svg = SVGWriter(id: "g", title: "t", width: 10, height: 10)
    svg.open("g", ["fill": "#000"])
    svg.open("g")
    svg.element("rect", ["width": "1", "height": "1"])
    svg.close()
    svg.open("g")
    let parsed = try parseSVG(svg.finish())
    XCTAssertEqual(parsed.count("g"), 3, "the element left open is closed by finish()")
    XCTAssertEqual(parsed.all("rect").last?.ancestors, ["svg", "g", "g"])
  }

  func testTooltipsAreTitleChildren() throws {
    var svg = SVGWriter(id: "t", title: "t", width: 10, height: 10)
    svg.dot(1, 2, r: "3", tooltip: "Trial 4: 0.5")
    let parsed = try parseSVG(svg.finish())
    XCTAssertEqual(parsed.all("title").last?.text, "Trial 4: 0.5")
    XCTAssertEqual(parsed.all("title").last?.ancestors.last, "circle")
  }

  func testPathBuilder() {
    var path = PathBuilder()
    path.move(1, 2.345)
    path.line(-3, 4)
    path.horizontal(5)
    path.vertical(-6.5)
    path.close()
    XCTAssertEqual(path.data, "M1 2.35L-3 4H5V-6.5Z")
    let commands = pathCommands(path.data)
    XCTAssertEqual(commands.map(\.command), ["M", "L", "H", "V", "Z"])
    XCTAssertEqual(commands[1].values, [-3, 4])
  }

  func testTextWidthEstimatesAndTruncation() {
    XCTAssertEqual(TextMetrics.width("", fontSize: 12), 0)
    XCTAssertLessThan(TextMetrics.width("iiii", fontSize: 12), TextMetrics.width("MMMM", fontSize: 12))
    XCTAssertEqual(TextMetrics.width("0", fontSize: 10), 5.6, accuracy: 1e-12)
    let long = "a_parameter_with_a_very_long_name"
    let cut = TextMetrics.truncated(long, toWidth: 60, fontSize: 11)
    XCTAssertTrue(cut.hasSuffix("…"))
    XCTAssertLessThanOrEqual(TextMetrics.width(cut, fontSize: 11), 60)
    XCTAssertEqual(TextMetrics.truncated("short", toWidth: 60, fontSize: 11), "short")
  }
}
