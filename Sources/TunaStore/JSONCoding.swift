import TunaSearch

/// The JSON text the SQLite storage keeps attributes, params, distributions and objective values
/// in. It is Python's JSON dialect, so that `json.loads` reads every column:
///
/// - integers are written without a fraction or exponent, doubles always with one (`1.0`,
///   `1e+20`, `-0.0`), so the two read back as the kinds they were written as;
/// - doubles are written in the shortest form that reads back to the same bits;
/// - the non-finite doubles are the bare words `NaN`, `Infinity` and `-Infinity`;
/// - object keys are sorted, so equal values give equal text.
enum JSON {
  static func encode(_ value: AttrValue) -> String {
    var w = JSONWriter()
    w.write(value)
    return w.text
  }

  static func decode(_ text: UnsafeBufferPointer<UInt8>) throws(TunaStoreError) -> AttrValue {
    var r = JSONReader(bytes: text)
    r.skipSpace()
    let value = try r.value(depth: 0)
    r.skipSpace()
    guard r.atEnd else { throw r.error("trailing characters") }
    return value
  }

  static func decode(_ text: String) throws(TunaStoreError) -> AttrValue {
    var text = text
    let result: Result<AttrValue, TunaStoreError> = text.withUTF8 { bytes in
      do throws(TunaStoreError) { return .success(try decode(bytes)) } catch { return .failure(error) }
    }
    return try result.get()
  }

  // MARK: Params, distributions, values, directions

  static func attr(_ p: ParamValue) -> AttrValue {
    switch p {
    case .float(let v): .double(v)
    case .int(let v): .int(v)
    case .string(let v): .string(v)
    case .bool(let v): .bool(v)
    }
  }

  static func param(_ a: AttrValue) throws(TunaStoreError) -> ParamValue {
    switch a {
    case .double(let v): .float(v)
    case .int(let v): .int(v)
    case .string(let v): .string(v)
    case .bool(let v): .bool(v)
    default: throw .corrupt("a parameter value must be a number, a string or a boolean, found \(a)")
    }
  }

  static func encode(_ p: ParamValue) -> String { encode(attr(p)) }

  /// Optuna's form: `{"name": "FloatDistribution", "attributes": {"low": 0.0, …}}`.
  static func encode(_ d: Distribution) -> String {
    let (name, attributes): (String, [String: AttrValue])
    switch d {
    case .float(let low, let high, let log, let step):
      (name, attributes) = ("FloatDistribution", ["low": .double(low), "high": .double(high), "log": .bool(log), "step": step.map(AttrValue.double) ?? .null])
    case .int(let low, let high, let log, let step):
      (name, attributes) = ("IntDistribution", ["low": .int(low), "high": .int(high), "log": .bool(log), "step": .int(step)])
    case .categorical(let choices):
      (name, attributes) = ("CategoricalDistribution", ["choices": .array(choices.map(attr))])
    }
    return encode(.object(["name": .string(name), "attributes": .object(attributes)]))
  }

  static func distribution(_ a: AttrValue) throws(TunaStoreError) -> Distribution {
    guard case .object(let o) = a, case .string(let name)? = o["name"], case .object(let at)? = o["attributes"] else {
      throw .corrupt("not a distribution: \(a)")
    }
    func double(_ key: String) throws(TunaStoreError) -> Double {
      switch at[key] {
      case .double(let v)?: return v
      case .int(let v)?: return Double(v)
      default: throw .corrupt("\(name) needs a number '\(key)': \(a)")
      }
    }
    func int(_ key: String) throws(TunaStoreError) -> Int {
      guard case .int(let v)? = at[key] else { throw .corrupt("\(name) needs an integer '\(key)': \(a)") }
      return v
    }
    func bool(_ key: String) throws(TunaStoreError) -> Bool {
      guard case .bool(let v)? = at[key] else { throw .corrupt("\(name) needs a boolean '\(key)': \(a)") }
      return v
    }
    switch name {
    case "FloatDistribution":
      let step: Double? = at["step"] == nil || at["step"] == .null ? nil : try double("step")
      return .float(low: try double("low"), high: try double("high"), log: try bool("log"), step: step)
    case "IntDistribution":
      return .int(low: try int("low"), high: try int("high"), log: try bool("log"), step: try int("step"))
    case "CategoricalDistribution":
      guard case .array(let choices)? = at["choices"] else { throw .corrupt("CategoricalDistribution needs 'choices': \(a)") }
      var params: [ParamValue] = []
      params.reserveCapacity(choices.count)
      for c in choices { params.append(try param(c)) }
      return .categorical(params)
    default:
      throw .corrupt("unknown distribution '\(name)'")
    }
  }

  static func encode(_ values: [Double]) -> String { encode(.array(values.map(AttrValue.double))) }

  static func doubles(_ a: AttrValue) throws(TunaStoreError) -> [Double] {
    guard case .array(let items) = a else { throw .corrupt("objective values must be a list, found \(a)") }
    var values: [Double] = []
    values.reserveCapacity(items.count)
    for item in items {
      switch item {
      case .double(let v): values.append(v)
      case .int(let v): values.append(Double(v))
      default: throw .corrupt("an objective value must be a number, found \(item)")
      }
    }
    return values
  }

  static func encode(_ directions: [StudyDirection]) -> String { encode(.array(directions.map { .string($0.rawValue) })) }

  static func directions(_ text: String) throws(TunaStoreError) -> [StudyDirection] {
    guard case .array(let items) = try decode(text) else { throw .corrupt("study directions must be a list: \(text)") }
    var directions: [StudyDirection] = []
    for item in items {
      guard case .string(let s) = item, let d = StudyDirection(rawValue: s) else {
        throw .corrupt("unknown study direction \(item) in \(text)")
      }
      directions.append(d)
    }
    return directions
  }
}

/// `s` as a JSON string, quoted and escaped as the storages write strings (UTF-8 as it is;
/// quotes, backslashes and control characters escaped): the one escaper for every JSON Tuna
/// writes, the CLI's listings and logs included.
public func jsonQuoted(_ s: String) -> String {
  var w = JSONWriter()
  w.write(string: s)
  return w.text
}

// MARK: - Writer

struct JSONWriter {
  private(set) var bytes: [UInt8] = []

  var text: String { String(decoding: bytes, as: UTF8.self) }

  private mutating func append(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  private mutating func append(_ s: String) {
    var s = s
    s.withUTF8 { bytes.append(contentsOf: $0) }
  }

  mutating func write(_ value: AttrValue) {
    switch value {
    case .null: append("null")
    case .bool(let b): append(b ? "true" : "false")
    case .int(let i): append(String(i))
    case .double(let d): write(d)
    case .string(let s): write(string: s)
    case .array(let items):
      bytes.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { append(", ") }
        write(item)
      }
      bytes.append(UInt8(ascii: "]"))
    case .object(let members):
      bytes.append(UInt8(ascii: "{"))
      for (i, key) in members.keys.sorted().enumerated() {
        if i > 0 { append(", ") }
        write(string: key)
        append(": ")
        write(members[key]!)
      }
      bytes.append(UInt8(ascii: "}"))
    }
  }

  mutating func write(_ d: Double) {
    if d.isNaN {
      append("NaN")
    } else if d.isInfinite {
      append(d < 0 ? "-Infinity" : "Infinity")
    } else {
      // Swift's description is the shortest text that reads back to the same bits, and always
      // has a fraction or an exponent ("1.0", "1e+20"); the check only guards that promise.
      let text = d.description
      append(text)
      if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
        append(".0")
      }
    }
  }

  private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

  mutating func write(string: String) {
    bytes.append(UInt8(ascii: "\""))
    for b in string.utf8 {
      switch b {
      case UInt8(ascii: "\""): append("\\\"")
      case UInt8(ascii: "\\"): append("\\\\")
      case UInt8(ascii: "\n"): append("\\n")
      case UInt8(ascii: "\r"): append("\\r")
      case UInt8(ascii: "\t"): append("\\t")
      case 0..<0x20:
        append("\\u00")
        bytes.append(Self.hex[Int(b >> 4)])
        bytes.append(Self.hex[Int(b & 0xF)])
      default: bytes.append(b)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }
}

// MARK: - Reader

struct JSONReader {
  let bytes: UnsafeBufferPointer<UInt8>
  var i = 0

  init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  var atEnd: Bool { i >= bytes.count }

  func error(_ what: String) -> TunaStoreError {
    .corrupt("bad JSON at byte \(i) (\(what)): \(String(decoding: bytes, as: UTF8.self))")
  }

  mutating func skipSpace() {
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
  }

  private mutating func expect(_ word: StaticString) throws(TunaStoreError) {
    let n = word.utf8CodeUnitCount
    guard i + n <= bytes.count else { throw error("expected \(word)") }
    for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw error("expected \(word)") }
    i += n
  }

  mutating func value(depth: Int) throws(TunaStoreError) -> AttrValue {
    guard depth < 512 else { throw error("nested too deeply") }
    guard i < bytes.count else { throw error("unexpected end") }
    switch bytes[i] {
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "N"):
      try expect("NaN")
      return .double(.nan)
    case UInt8(ascii: "I"):
      try expect("Infinity")
      return .double(.infinity)
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "["):
      i += 1
      var items: [AttrValue] = []
      skipSpace()
      if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
        i += 1
        return .array(items)
      }
      while true {
        skipSpace()
        items.append(try value(depth: depth + 1))
        skipSpace()
        guard i < bytes.count else { throw error("unterminated list") }
        if bytes[i] == UInt8(ascii: "]") {
          i += 1
          return .array(items)
        }
        guard bytes[i] == UInt8(ascii: ",") else { throw error("expected , or ]") }
        i += 1
      }
    case UInt8(ascii: "{"):
      i += 1
      var members: [String: AttrValue] = [:]
      skipSpace()
      if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
        i += 1
        return .object(members)
      }
      while true {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a key") }
        let key = try string()
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected :") }
        i += 1
        skipSpace()
        members[key] = try value(depth: depth + 1)
        skipSpace()
        guard i < bytes.count else { throw error("unterminated object") }
        if bytes[i] == UInt8(ascii: "}") {
          i += 1
          return .object(members)
        }
        guard bytes[i] == UInt8(ascii: ",") else { throw error("expected , or }") }
        i += 1
      }
    default:
      return try number()
    }
  }

  private mutating func number() throws(TunaStoreError) -> AttrValue {
    let start = i
    if bytes[i] == UInt8(ascii: "-"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "I") {
      i += 1
      try expect("Infinity")
      return .double(-.infinity)
    }
    var isDouble = false
    while i < bytes.count {
      let b = bytes[i]
      if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
        i += 1
      } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
        isDouble = true
        i += 1
      } else {
        break
      }
    }
    guard i > start else { throw error("unexpected character") }
    let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    if !isDouble, let v = Int(token) { return .int(v) }
    guard let v = Double(token) else { throw error("bad number \(token)") }
    return .double(v)
  }

  private mutating func string() throws(TunaStoreError) -> String {
    i += 1  // the opening quote
    let start = i
    while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
    guard i < bytes.count else { throw error("unterminated string") }
    if bytes[i] == UInt8(ascii: "\"") {
      defer { i += 1 }
      return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }
    var out = Array(bytes[start..<i])
    while i < bytes.count {
      let b = bytes[i]
      if b == UInt8(ascii: "\"") {
        i += 1
        return String(decoding: out, as: UTF8.self)
      }
      guard b == UInt8(ascii: "\\") else {
        out.append(b)
        i += 1
        continue
      }
      i += 1
      guard i < bytes.count else { throw error("unterminated escape") }
      let e = bytes[i]
      i += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
          i += 2
          let low = try hex4()
          guard (0xDC00..<0xE000).contains(low) else { throw error("bad surrogate pair") }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let u = Unicode.Scalar(scalar) else { throw error("bad \\u escape") }
        out.append(contentsOf: String(Character(u)).utf8)
      default: throw error("bad escape")
      }
    }
    throw error("unterminated string")
  }

  private mutating func hex4() throws(TunaStoreError) -> UInt32 {
    guard i + 4 <= bytes.count else { throw error("short \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let b = bytes[i]
      let d: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
      default: throw error("bad \\u escape")
      }
      v = v << 4 | UInt32(d)
      i += 1
    }
    return v
  }
}
