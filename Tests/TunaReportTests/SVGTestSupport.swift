import Foundation
import TunaSearch
import XCTest

#if canImport(FoundationXML)
  import FoundationXML
#endif

@testable import TunaReport

/// An SVG document parsed with `XMLParser`: its elements in document order.
struct ParsedSVG {
  struct Element {
    var name: String
    var attributes: [String: String]
    /// The element's own text (not its children's).
    var text: String
    /// The names of the enclosing elements, outermost first.
    var ancestors: [String]
  }

  var elements: [Element]

  var root: Element { elements[0] }

  func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

  func count(_ name: String) -> Int { elements.reduce(0) { $0 + ($1.name == name ? 1 : 0) } }

  /// The texts of the `<text>` elements.
  var texts: [String] { all("text").map(\.text) }
}

/// Collects elements as the parser reports them.
private final class Collector: NSObject, XMLParserDelegate {
  var elements: [ParsedSVG.Element] = []
  var stack: [Int] = []

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    elements.append(.init(name: elementName, attributes: attributes, text: "", ancestors: stack.map { elements[$0].name }))
    stack.append(elements.count - 1)
  }

  func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
    stack.removeLast()
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if let i = stack.last { elements[i].text += string }
  }
}

/// Parses `svg` as XML; throws with the parser's error when it is not well-formed.
func parseSVG(_ svg: String) throws -> ParsedSVG {
  let parser = XMLParser(data: Data(svg.utf8))
  let collector = Collector()
  parser.delegate = collector
  guard parser.parse(), !collector.elements.isEmpty else {
    throw NSError(
      domain: "SVG", code: 1, userInfo: [NSLocalizedDescriptionKey: "not well-formed: \(String(describing: parser.parserError))"])
  }
  return ParsedSVG(elements: collector.elements)
}

/// Checks what every plot's output must be and returns it parsed: well-formed XML; a root
/// `<svg>` without an id, with a viewBox, `width="100%"`, `role="img"` and `aria-labelledby`
/// naming its `<title>`; every id starting with `id-` and unique; no `nan` or `inf` anywhere; no script and
/// no reference outside the document; every coordinate a finite number.
@discardableResult
func assertValidSVG(_ svg: String, id: String, file: StaticString = #filePath, line: UInt = #line) throws -> ParsedSVG {
  let parsed: ParsedSVG
  do {
    parsed = try parseSVG(svg)
  } catch {
    XCTFail("\(error)\n\(svg.prefix(2000))", file: file, line: line)
    throw error
  }
  let root = parsed.root
  XCTAssertEqual(root.name, "svg", file: file, line: line)
  XCTAssertNil(root.attributes["id"], "the page may use the bare prefix", file: file, line: line)
  XCTAssertEqual(root.attributes["width"], "100%", file: file, line: line)
  XCTAssertEqual(root.attributes["role"], "img", file: file, line: line)
  XCTAssertEqual(root.attributes["aria-labelledby"], "\(id)-title", file: file, line: line)
  XCTAssertTrue(root.attributes["font-family"]?.hasSuffix("sans-serif") ?? false, file: file, line: line)
  let viewBox = (root.attributes["viewBox"] ?? "").split(separator: " ").compactMap { Double($0) }
  XCTAssertEqual(viewBox.count, 4, file: file, line: line)
  XCTAssertEqual(parsed.all("title").first?.attributes["id"], "\(id)-title", file: file, line: line)

  let lower = svg.lowercased()
  XCTAssertFalse(lower.contains("nan"), "nan in \(svg)", file: file, line: line)
  XCTAssertFalse(lower.contains("inf"), "inf in \(svg)", file: file, line: line)
  XCTAssertFalse(lower.contains("<script"), file: file, line: line)
  XCTAssertFalse(lower.contains("href"), file: file, line: line)
  XCTAssertEqual(lower.components(separatedBy: "http").count - 1, 1, "only the namespace is a URL", file: file, line: line)
  XCTAssertFalse(
    lower.replacingOccurrences(of: "url(#", with: "").contains("url("), "only local references", file: file, line: line)

  var ids = Set<String>()
  for element in parsed.elements {
    if let elementID = element.attributes["id"] {
      XCTAssertTrue(elementID.hasPrefix(id + "-"), "id \(elementID)", file: file, line: line)
      XCTAssertTrue(ids.insert(elementID).inserted, "duplicate id \(elementID)", file: file, line: line)
    }
    for key in ["x", "y", "cx", "cy", "r", "width", "height", "x1", "x2", "y1", "y2"] where element.name != "svg" {
      guard let value = element.attributes[key] else { continue }
      XCTAssertNotNil(Double(value).flatMap { $0.isFinite ? $0 : nil }, "\(element.name) \(key)=\(value)", file: file, line: line)
    }
    if let d = element.attributes["d"] {
      XCTAssertTrue(pathCommands(d).allSatisfy { $0.values.allSatisfy(\.isFinite) }, d, file: file, line: line)
    }
  }
  return parsed
}

/// A path's `d` split into commands and their numbers.
func pathCommands(_ d: String) -> [(command: Character, values: [Double])] {
  var out: [(command: Character, values: [Double])] = []
  var number = ""
  func flush() {
    if !number.isEmpty, !out.isEmpty { out[out.count - 1].values.append(Double(number) ?? .nan) }
    number = ""
  }
  for c in d {
    if c.isLetter && c != "e" {
      flush()
      out.append((c, []))
    } else if c == " " || c == "," {
      flush()
    } else if c == "-" && !number.isEmpty && !number.hasSuffix("e") {
      flush()
      number = "-"
    } else {
      number.append(c)
    }
  }
  flush()
  return out
}

/// Writes `svg` to `<dir>/<name>.svg` when the environment variable TUNA_SVG_SAMPLES names a
/// directory (relative to the working directory, or absolute).
func writeSample(_ name: String, _ svg: String) throws {
  guard let directory = ProcessInfo.processInfo.environment["TUNA_SVG_SAMPLES"], !directory.isEmpty else { return }
  let url = URL(fileURLWithPath: directory, isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  try svg.write(to: url.appendingPathComponent(name + ".svg"), atomically: true, encoding: .utf8)
}

// MARK: - Sample data

/// Every plot drawn from `n` trials (or parameters) of sample data, with some non-finite
/// values mixed in when `poison` is set: (name, id, svg).
func samplePlots(_ n: Int, poison: Bool = false) -> [(String, String, String)] {
  func bad(_ k: Int) -> Bool { poison && k % 4 == 1 }
  let history = Samples.history(n).enumerated().map { k, p in
    HistoryPoint(number: p.number, value: bad(k) ? [.nan, .infinity, -.infinity][k % 3] : p.value)
  }
  let bars = Samples.importance(n).enumerated().map { k, b in
    ImportanceBar(name: b.name, value: bad(k) ? .nan : b.value, std: bad(k) ? .infinity : b.std)
  }
  var matrix = Samples.interactions(n)
  if poison && n > 1 {
    matrix.main[0] = .nan
    matrix.pairs[0][1] = .infinity
    matrix.pairs[1][0] = .nan
  }
  let slice = Samples.slice(n).enumerated().map { k, p in
    SlicePoint(x: bad(k) ? .nan : p.x, y: k % 4 == 3 && poison ? .infinity : p.y, number: p.number)
  }
  var marginal = Samples.marginal()
  if poison { marginal.mean[3] = .nan; marginal.std[5] = .infinity }
  var grid = Samples.contourGrid(n)
  if poison && n > 0 { grid.values[0] = .nan }
  let contourPoints = Samples.contourPoints(n).enumerated().map { k, p in (bad(k) ? .infinity : p.0, p.1) }
  let parallel = Samples.parallel(n, params: 4)
  let lines = parallel.lines.enumerated().map { k, l in
    ParallelLine(
      values: l.values.map { v in bad(k) ? .nan : v }, objective: k % 4 == 3 && poison ? -.infinity : l.objective,
      number: l.number)
  }
  let curves = Samples.curves(n).enumerated().map { k, c -> LearningCurve in
    let points = c.points.map { (step: $0.step, value: bad(k) && $0.step == 1 ? .nan : $0.value) }
    return LearningCurve(number: c.number, points: points, state: c.state)
  }
  let pareto = Samples.pareto(n, objectives: 2).enumerated().map { k, p in
    ParetoPoint(number: p.number, values: bad(k) ? [.nan, 1] : p.values, onFront: p.onFront)
  }
  let pareto3 = Samples.pareto(n, objectives: 3).enumerated().map { k, p in
    ParetoPoint(number: p.number, values: bad(k) ? [1, .infinity, 1] : p.values, onFront: p.onFront)
  }
  let timeline = Samples.timeline(n, lanes: 3).enumerated().map { k, b in
    TimelineBar(number: b.number, start: bad(k) ? .nan : b.start, end: b.end, state: b.state, lane: b.lane)
  }
  let logAxis = PlotAxis(title: "lr", scale: .log, range: 1e-5...1e-1)
  let xAxis = PlotAxis(title: "x", scale: .linear, range: -10...10)
  return [
    ("history", "h", historyPlot(id: "h", title: "History", points: history, direction: .minimize, yTitle: "Loss (minimize)")),
    ("importance", "i", importancePlot(id: "i", title: "Importance", bars: bars, xTitle: "Fraction of variance")),
    ("matrix", "m", interactionMatrixPlot(
      id: "m", title: "Interactions", names: matrix.names, main: matrix.main, pairs: matrix.pairs)),
    ("slice", "s", slicePlot(
      id: "s", title: "lr", axis: logAxis, points: slice, marginal: marginal, yTitle: "Loss", direction: .minimize)),
    ("contour", "c", contourPlot(
      id: "c", title: "x × lr", xAxis: xAxis, yAxis: logAxis, grid: grid, points: contourPoints, best: contourPoints.first,
      valueTitle: "Loss", direction: .minimize)),
    ("parallel", "p", parallelCoordinatesPlot(
      id: "p", title: "Parallel", axes: parallel.axes, lines: lines, objectiveTitle: "Loss", direction: .minimize)),
    ("intermediate", "iv", intermediatePlot(id: "iv", title: "Curves", curves: curves, yTitle: "Validation loss")),
    ("pareto", "pf", paretoPlot(
      id: "pf", title: "Front", points: pareto, objectiveNames: ["error", "size"], directions: [.minimize, .minimize])),
    ("pareto3", "pf3", paretoPlot(
      id: "pf3", title: "Front", points: pareto3, objectiveNames: ["error", "size", "time"],
      directions: [.minimize, .maximize, .minimize])),
    ("timeline", "t", timelinePlot(id: "t", title: "Timeline", bars: timeline, lanes: 3)),
  ]
}


/// Small deterministic pseudo-random numbers for sample data.
struct SampleRandom {
  var state: UInt64

  mutating func next() -> Double {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Double(state >> 11) / Double(1 << 53)
  }
}

enum Samples {
  /// Parameter names `param_00`, `param_01`, ….
  static func names(_ count: Int) -> [String] { (0..<count).map { String(format: "param_%02d", $0) } }

  static func history(_ count: Int, seed: UInt64 = 1) -> [HistoryPoint] {
    var random = SampleRandom(state: seed)
    return (0..<count).map { i in
      let spread: Double = 3 / Double(1 + i / 10)
      return HistoryPoint(number: i, value: 0.2 + spread * random.next())
    }
  }

  static func importance(_ count: Int) -> [ImportanceBar] {
    let raw = (0..<count).map { 1 / Double($0 + 1) }
    let total = raw.reduce(0, +)
    return names(count).enumerated().map { i, name in
      ImportanceBar(name: name, value: raw[i] / total, std: raw[i] / total * 0.2)
    }
  }

  /// A symmetric matrix of pair interactions and main effects for `count` parameters.
  static func interactions(_ count: Int) -> (names: [String], main: [Double], pairs: [[Double]]) {
    let main = (0..<count).map { 0.5 / Double($0 + 1) }
    let pairs = (0..<count).map { i -> [Double] in
      (0..<count).map { j -> Double in i == j ? 0 : 0.1 / Double(i + j + 1) }
    }
    return (names(count), main, pairs)
  }

  static func slice(_ count: Int, seed: UInt64 = 2) -> [SlicePoint] {
    var random = SampleRandom(state: seed)
    return (0..<count).map { i in
      let x = pow(10, -5 + 4 * random.next())
      return SlicePoint(x: x, y: pow(log10(x) + 3, 2) + random.next(), number: i)
    }
  }

  static func marginal() -> MarginalLine {
    let xs = (0...40).map { pow(10, -5 + 4 * Double($0) / 40) }
    return MarginalLine(xs: xs, mean: xs.map { pow(log10($0) + 3, 2) + 0.5 }, std: xs.map { _ in 0.4 })
  }

  /// An `n` × `n` grid over x in -10…10 and y in 1e-5…1e-1 (log), its minimum at (2, 1e-3).
  static func contourGrid(_ n: Int) -> ContourGrid {
    let steps = (0..<n).map { n == 1 ? 0.5 : Double($0) / Double(n - 1) }
    let xs = steps.map { -10 + 20 * $0 }
    let ys = steps.map { pow(10, -5 + 4 * $0) }
    var values: [Double] = []
    for y in ys { for x in xs { values.append(pow(x - 2, 2) / 10 + pow(log10(y) + 3, 2)) } }
    return ContourGrid(xs: xs, ys: ys, values: values)
  }

  /// Trials scattered over the contour grid's box.
  static func contourPoints(_ count: Int, seed: UInt64 = 5) -> [(Double, Double)] {
    var random = SampleRandom(state: seed)
    return (0..<count).map { _ in (-10 + 20 * random.next(), pow(10, -5 + 4 * random.next())) }
  }

  static func parallel(_ count: Int, params: Int, seed: UInt64 = 3) -> (axes: [PlotAxis], lines: [ParallelLine]) {
    var random = SampleRandom(state: seed)
    let axes = (0..<params).map { k -> PlotAxis in
      switch k % 3 {
      case 0: return PlotAxis(title: names(params)[k], scale: .linear, range: -10...10)
      case 1: return PlotAxis(title: names(params)[k], scale: .log, range: 1e-5...1e-1)
      default: return PlotAxis(title: names(params)[k], scale: .categorical(["relu", "tanh", "gelu"]), range: nil)
      }
    }
    let lines = (0..<count).map { i -> ParallelLine in
      let values = (0..<params).map { k -> Double? in
        if k == 3 && i % 4 == 0 { return nil }
        switch k % 3 {
        case 0: return -10 + 20 * random.next()
        case 1: return pow(10, -5 + 4 * random.next())
        default: return Double(Int(random.next() * 3))
        }
      }
      return ParallelLine(values: values, objective: random.next() * 10, number: i)
    }
    return (axes, lines)
  }

  /// Learning curves: every third pruned after 5 to 8 steps, every seventh other one failed,
  /// the rest complete after 20 steps.
  static func curves(_ count: Int, seed: UInt64 = 6) -> [LearningCurve] {
    var random = SampleRandom(state: seed)
    return (0..<count).map { i in
      let state: TrialState = i % 3 == 0 ? .pruned : (i % 7 == 0 ? .fail : .complete)
      let length = state == .pruned ? 5 + i % 4 : 20
      let (scale, floor, rate) = (0.5 + random.next(), 0.05 + 0.3 * random.next(), 0.5 + random.next())
      let points = (0..<length).map { step -> (step: Int, value: Double) in
        (step, floor + scale / pow(Double(step + 1), rate) + 0.01 * random.next())
      }
      return LearningCurve(number: i, points: points, state: state)
    }
  }

  static func pareto(_ count: Int, objectives: Int, seed: UInt64 = 4) -> [ParetoPoint] {
    var random = SampleRandom(state: seed)
    let raw = (0..<count).map { _ in (0..<objectives).map { _ in random.next() } }
    return raw.enumerated().map { i, values in
      let dominated = raw.contains { other in
        zip(other, values).allSatisfy { $0 <= $1 } && zip(other, values).contains { $0 < $1 }
      }
      return ParetoPoint(number: i, values: values, onFront: !dominated)
    }
  }

  static func timeline(_ count: Int, lanes: Int) -> [TimelineBar] {
    var clock = [Double](repeating: 0, count: lanes)
    return (0..<count).map { i in
      let lane = i % lanes
      let start = clock[lane]
      let duration = 20 + Double((i * 37) % 90)
      clock[lane] += duration + 1
      let state: TrialState = i % 5 == 0 ? .pruned : (i % 11 == 0 ? .fail : .complete)
      let last = i >= count - lanes
      return TimelineBar(number: i, start: start, end: last ? nil : start + duration, state: last ? .running : state, lane: lane)
    }
  }
}
