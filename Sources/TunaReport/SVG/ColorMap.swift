import Foundation
import TunaSearch

/// A colour with channels from 0 to 1.
struct RGB: Sendable, Equatable {
  var r: Double
  var g: Double
  var b: Double

  /// The colour of a `#rrggbb` literal.
  init(hex: String) {
    let digits = hex.hasPrefix("#") ? hex.dropFirst() : Substring(hex)
    let v = UInt32(digits, radix: 16) ?? 0
    r = Double((v >> 16) & 0xFF) / 255
    g = Double((v >> 8) & 0xFF) / 255
    b = Double(v & 0xFF) / 255
  }

  init(r: Double, g: Double, b: Double) {
    (self.r, self.g, self.b) = (r, g, b)
  }

  /// `#rrggbb`, lower case.
  var hex: String {
    let digits = Array("0123456789abcdef")
    var out = "#"
    for channel in [r, g, b] {
      let v = Int((clamped(channel, 0...1) * 255).rounded())
      out.append(digits[v >> 4])
      out.append(digits[v & 15])
    }
    return out
  }

  /// Relative luminance (WCAG): which text colour reads on this fill.
  var luminance: Double {
    func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
  }

  /// The text colour that reads best on this fill: near-black or white.
  var textColor: String { luminance > 0.25 ? "#222" : "#fff" }

  /// The colour `t` of the way from `self` to `other`.
  func mixed(with other: RGB, _ t: Double) -> RGB {
    RGB(r: r + (other.r - r) * t, g: g + (other.g - g) * t, b: b + (other.b - b) * t)
  }
}

/// A sequential colour map: colours interpolated between evenly spaced stops.
struct ColorMap: Sendable {
  let stops: [RGB]

  init(hex: [String]) { stops = hex.map(RGB.init(hex:)) }

  private init(stops: [RGB]) { self.stops = stops }

  /// Viridis (van der Walt & Smith, matplotlib): perceptually uniform, readable in grey and by
  /// the colour-blind, from dark purple to yellow. Its nine evenly spaced published values.
  static let viridis = ColorMap(hex: [
    "#440154", "#472d7b", "#3b528b", "#2c728e", "#21908c", "#27ad81", "#5dc863", "#aadc32", "#fde725",
  ])

  /// Viridis without its lightest tenth, for thin lines and small dots on white, where the
  /// palest yellow would fade.
  static let viridisOnWhite = ColorMap(stops: (0...8).map { viridis.color(Double($0) / 8 * 0.9) })

  /// A light-to-dark orange, for values that must not be confused with a viridis map beside
  /// them (the interaction matrix's main effects).
  static let oranges = ColorMap(hex: ["#fff3e4", "#fdd3a6", "#f9a25e", "#e86f24", "#b94a0b", "#7d2f04"])

  /// The colour at `t` from 0 (first stop) to 1 (last); outside values are clamped, NaN is 0.
  func color(_ t: Double) -> RGB {
    let t = t.isNaN ? 0 : clamped(t, 0...1)
    let position = t * Double(stops.count - 1)
    let i = min(Int(position), stops.count - 2)
    return stops[i].mixed(with: stops[i + 1], position - Double(i))
  }

  /// The same map run backwards.
  var reversed: ColorMap { ColorMap(stops: stops.reversed()) }

  /// The colour of `t` rounded to one of `bins` levels, so that many marks can share a few
  /// fill groups: `(bin, colour)`.
  func binned(_ t: Double, bins: Int = 32) -> (Int, RGB) {
    let t = t.isNaN ? 0 : clamped(t, 0...1)
    let bin = Int((t * Double(bins - 1)).rounded())
    return (bin, color(Double(bin) / Double(bins - 1)))
  }
}

/// The fixed colours of the plots: Okabe & Ito's colour-blind-safe set for categories, greys for
/// the frame.
enum Palette {
  /// A trial state's colour: complete blue, pruned orange, failed vermilion, running green,
  /// waiting grey.
  static func state(_ state: TrialState) -> String {
    switch state {
    case .complete: return "#0072b2"
    case .pruned: return "#e69f00"
    case .fail: return "#d55e00"
    case .running: return "#009e73"
    case .waiting: return "#999999"
    }
  }

  /// A state's name in legends.
  static func stateName(_ state: TrialState) -> String {
    switch state {
    case .complete: return "Complete"
    case .pruned: return "Pruned"
    case .fail: return "Failed"
    case .running: return "Running"
    case .waiting: return "Waiting"
    }
  }

  /// Ordinary marks (trial values).
  static let other = "#0072b2"
  /// Ordinary marks when the best ones are highlighted beside them.
  static let muted = "#8fb3d1"
  /// The best value, best trial and Pareto front.
  static let best = "#d55e00"
  static let title = "#222"
  static let text = "#444"
  static let note = "#767676"
  static let axis = "#999"
  static let grid = "#e9e9e9"
  /// Cells with no value.
  static let missing = "#f0f0f0"
}
