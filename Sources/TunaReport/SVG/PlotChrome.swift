/// What every plot has around its data: the title, the legend, a note on what was left out,
/// and the message an empty plot shows.
enum PlotChrome {
  static let width = 640.0
  static let height = 400.0
  /// Pixels a note needs under the x axis title.
  static let noteHeight = 14.0
  /// Marks beyond this count get no tooltip, to keep the markup small.
  static let tooltipLimit = 2000
  static let emptyMessage = "No complete trials yet"

  /// Where the plot area may start under a header with `title` and `legend` in a drawing
  /// `width` wide (what ``SVGWriter/drawHeader(title:legend:)`` returns).
  static func headerHeight(title: String, legend: [LegendItem], width: Double) -> Double {
    guard !legend.isEmpty else { return 40 }
    let text = TextMetrics.truncated(title, toWidth: width - 24, fontSize: 15)
    return 12 + TextMetrics.width(text, fontSize: 15) + 28 + Legend.width(legend) <= width - 12 ? 40 : 62
  }
}

extension SVGWriter {
  /// Draws the title at the top left and `legend` on the same row at the right when both fit,
  /// on the row below otherwise; returns the y where the plot area may start.
  mutating func drawHeader(title: String, legend: [LegendItem] = []) -> Double {
    let text = TextMetrics.truncated(title, toWidth: width - 24, fontSize: 15)
    element("text", ["x": "12", "y": "24", "font-size": "15", "font-weight": "600", "fill": Palette.title], text: text)
    let top = PlotChrome.headerHeight(title: title, legend: legend, width: width)
    if top == 40 {
      Legend.draw(legend, into: &self, x: width - 12 - Legend.width(legend), y: 19)
    } else {
      Legend.draw(legend, into: &self, x: 12, y: 44)
    }
    return top
  }

  /// Draws `note` small and grey at the bottom left.
  mutating func drawNote(_ note: String?) {
    guard let note else { return }
    element("text", [
      "x": "12", "y": svgNumber(height - 6), "font-size": "10", "fill": Palette.note,
    ], text: TextMetrics.truncated(note, toWidth: width - 24, fontSize: 10))
  }

  /// Draws `message` centred in `rect`, in grey.
  mutating func drawMessage(_ message: String, in rect: Rect) {
    element("text", [
      "x": svgNumber(rect.midX), "y": svgNumber(rect.midY), "text-anchor": "middle", "dy": "0.35em",
      "font-size": "14", "fill": Palette.note,
    ], text: message)
  }
}

/// A plot with nothing to draw: its title, `message` centred, and `note` when given.
func messagePlot(
  id: String, title: String, message: String = PlotChrome.emptyMessage, note: String? = nil,
  width: Double = PlotChrome.width, height: Double = PlotChrome.height
) -> String {
  var svg = SVGWriter(id: id, title: title, width: width, height: height)
  let top = svg.drawHeader(title: title)
  svg.drawMessage(message, in: Rect(x: 0, y: top, width: width, height: height - top - 20))
  svg.drawNote(note)
  return svg.finish()
}

/// What a plot left out, worded for its note.
struct Omissions {
  /// What one item is: "trial", "value".
  var noun = "trial"
  /// Items with a NaN or infinite value.
  var nonFinite = 0
  /// Items with a value a log axis cannot place (zero or negative).
  var nonPositive = 0

  /// "3 trials with non-finite values not shown" ("3 non-finite values not shown" when the
  /// items are values), or nil when nothing was left out.
  var note: String? {
    var parts: [String] = []
    if nonFinite > 0 && noun == "value" {
      parts.append(nonFinite == 1 ? "1 non-finite value" : "\(nonFinite) non-finite values")
    } else if nonFinite > 0 {
      parts.append(nonFinite == 1 ? "1 \(noun) with a non-finite value" : "\(nonFinite) \(noun)s with non-finite values")
    }
    if nonPositive > 0 {
      parts.append(
        nonPositive == 1
          ? "1 \(noun) with a value ≤ 0 on a log axis" : "\(nonPositive) \(noun)s with values ≤ 0 on a log axis")
    }
    return parts.isEmpty ? nil : parts.joined(separator: " and ") + " not shown"
  }
}
