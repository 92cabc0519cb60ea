/// Estimates of how wide text renders in the system's sans-serif fonts, for layout: SVG has no
/// text measurement without a script, so margins and truncation work from average advances.
enum TextMetrics {
  /// The estimated width of `text` at `fontSize` pixels.
  static func width(_ text: String, fontSize: Double) -> Double {
    var ems = 0.0
    for scalar in text.unicodeScalars { ems += advance(scalar) }
    return ems * fontSize
  }

  /// The widest of `texts` at `fontSize`; 0 when there are none.
  static func maxWidth(_ texts: [String], fontSize: Double) -> Double {
    texts.reduce(0) { max($0, width($1, fontSize: fontSize)) }
  }

  /// `text` cut at the end, with an ellipsis, to fit `maxWidth` at `fontSize` (at least one
  /// character and the ellipsis).
  static func truncated(_ text: String, toWidth maxWidth: Double, fontSize: Double) -> String {
    if width(text, fontSize: fontSize) <= maxWidth { return text }
    let ellipsis = advance("…") * fontSize
    var used = 0.0
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      let w = advance(scalar) * fontSize
      if used + w + ellipsis > maxWidth && !out.isEmpty { break }
      out.append(scalar)
      used += w
    }
    return String(out) + "…"
  }

  /// A character's advance in ems: narrow, wide, capitals, digits and everything else.
  private static func advance(_ scalar: Unicode.Scalar) -> Double {
    switch scalar {
    case "i", "l", "j", "I", "!", "|", ".", ",", ":", ";", "'", "`": return 0.28
    case "f", "t", "r", " ", "(", ")", "[", "]", "-", "/": return 0.36
    case "m", "w", "M", "W", "@", "%": return 0.86
    case "A"..."Z": return 0.66
    case "0"..."9": return 0.56
    default: return scalar.value > 0x2E7F ? 1.0 : 0.53
    }
  }
}
