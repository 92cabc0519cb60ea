/// Builds one standalone SVG document as text.
///
/// The document is self-contained: no scripts, no external references, no web fonts. Its root
/// scales to its container (`width="100%"` with a `viewBox`), is labelled by its `<title>` for
/// screen readers, and every id it defines is `<prefix>-<name>` (the root has none: the page
/// may use the bare prefix for the element around it), so several plots can share one page.
struct SVGWriter {
  /// The caller's prefix made a valid XML name; every id in the document starts with it.
  let id: String
  let width: Double
  let height: Double
  private let title: String
  private var body = ""
  private var openElements: [String] = []

  /// The system's sans-serif fonts, in order of preference.
  static let fontFamily = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"

  init(id: String, title: String, width: Double, height: Double) {
    self.id = SVGWriter.sanitizedID(id)
    self.title = title
    self.width = width
    self.height = height
    body.reserveCapacity(4096)
  }

  /// The document-wide id `<prefix>-<suffix>`.
  func ref(_ suffix: String) -> String { id + "-" + suffix }

  /// A reference to an element of this document, for `fill`, `clip-path` and the like.
  func url(_ suffix: String) -> String { "url(#" + ref(suffix) + ")" }

  /// An element with no content: `<name a="v"/>`.
  mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
    startTag(name, attributes)
    body += "/>"
  }

  /// An element holding escaped text: `<name a="v">text</name>`.
  mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text: String) {
    startTag(name, attributes)
    body += ">"
    body += xmlEscaped(text)
    body += "</" + name + ">"
  }

  /// A shape with a tooltip: `<name a="v"><title>tooltip</title></name>`.
  mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, tooltip: String) {
    startTag(name, attributes)
    body += "><title>" + xmlEscaped(tooltip) + "</title></" + name + ">"
  }

  /// Opens an element that later calls fill; `close()` ends it.
  mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
    startTag(name, attributes)
    body += ">"
    openElements.append(name)
  }

  /// Closes the innermost element `open` started.
  mutating func close() {
    guard let name = openElements.popLast() else {
      assertionFailure("close() without an open element")
      return
    }
    body += "</" + name + ">"
  }

  /// The finished document; elements left open are closed.
  func finish() -> String {
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\""
    out += " viewBox=\"0 0 " + svgNumber(width) + " " + svgNumber(height) + "\""
    out += " width=\"100%\" role=\"img\" aria-labelledby=\"" + ref("title") + "\""
    out += " font-family=\"" + xmlEscaped(SVGWriter.fontFamily) + "\" font-size=\"12\">"
    out += "<title id=\"" + ref("title") + "\">" + xmlEscaped(title) + "</title>"
    out += "<rect width=\"" + svgNumber(width) + "\" height=\"" + svgNumber(height) + "\" fill=\"#fff\"/>"
    out += body
    for name in openElements.reversed() { out += "</" + name + ">" }
    out += "</svg>"
    return out
  }

  private mutating func startTag(_ name: String, _ attributes: KeyValuePairs<String, String>) {
    body += "<" + name
    for (key, value) in attributes {
      body += " " + key + "=\""
      body += xmlEscaped(value)
      body += "\""
    }
  }

  /// `id` with every character outside `A-Z a-z 0-9 - _` replaced by `_`, starting with a letter
  /// or `_` (an XML name), never empty.
  static func sanitizedID(_ id: String) -> String {
    var out = String(String.UnicodeScalarView(id.unicodeScalars.map { scalar in
      switch scalar {
      case "a"..."z", "A"..."Z", "0"..."9", "-", "_": return scalar
      default: return "_"
      }
    }))
    if let first = out.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) {
      return out
    }
    out = "p" + out
    return out
  }
}

/// `text` safe inside XML content and attribute values: the five markup characters become
/// entities, tabs and line breaks character references, and characters XML 1.0 forbids
/// (other control characters, U+FFFE, U+FFFF) the replacement character.
func xmlEscaped(_ text: String) -> String {
  var clean = true
  for byte in text.utf8 {
    // `&`, `"`, `'`, `<`, `>`, control characters, and the lead byte of U+FFFE/U+FFFF.
    if byte < 0x20 || byte == 0x26 || byte == 0x22 || byte == 0x27 || byte == 0x3C || byte == 0x3E || byte == 0xEF {
      clean = false
      break
    }
  }
  if clean { return text }
  var out = ""
  out.reserveCapacity(text.utf8.count + 16)
  for scalar in text.unicodeScalars {
    switch scalar {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&apos;"
    case "\t": out += "&#9;"
    case "\n": out += "&#10;"
    case "\r": out += "&#13;"
    default:
      if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
        out.unicodeScalars.append("\u{FFFD}")
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out
}
