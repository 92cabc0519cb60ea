import Foundation

/// The file a fitted model is saved in: one self-describing file, versioned.
///
/// ```
/// bytes 0–7    "TUNAMODL"
/// bytes 8–11   the format version, a little-endian UInt32 (1)
/// bytes 12–15  the header's length H, a little-endian UInt32
/// 16 …         the header: H bytes of UTF-8 JSON
///                {"version": 1, "kind": "mlp", "meta": {…}, "arrays": [{"name": "parameters", "type": "f32", "count": 1234}]}
/// then         each array in the header's order, little-endian, starting on a multiple of 8 bytes
///              ("f32": Float, "f64": Double, "i32": Int32)
/// ```
///
/// `kind` says which model the file holds (`mlp`, `decision_tree`, `random_forest`,
/// `linear_regression`, `logistic_regression`) and `meta` its settings and shapes; the numbers
/// the model learned are the arrays, bit for bit, so a loaded model predicts exactly as the
/// saved one did. A reader refuses a newer format version, a file of another kind, and a file
/// that is not a model.
public enum ModelFile {
  public static let version = 1
  static let magic = Array("TUNAMODL".utf8)

  /// One array of numbers in a model file.
  enum Numbers: Equatable {
    case f32([Float])
    case f64([Double])
    case i32([Int32])

    var type: String {
      switch self {
      case .f32: "f32"
      case .f64: "f64"
      case .i32: "i32"
      }
    }

    var count: Int {
      switch self {
      case .f32(let v): v.count
      case .f64(let v): v.count
      case .i32(let v): v.count
      }
    }
  }

  struct ArrayEntry: Codable {
    var name: String
    var type: String
    var count: Int
  }

  struct Header<Meta: Codable>: Codable {
    var version: Int
    var kind: String
    var meta: Meta
    var arrays: [ArrayEntry]
  }

  /// What every header has, read before the kind's own metadata.
  struct Probe: Codable {
    var version: Int
    var kind: String
  }

  /// Writes a model file atomically.
  static func write<Meta: Codable>(kind: String, meta: Meta, arrays: [(String, Numbers)], to path: String) throws {
    let header = Header(version: version, kind: kind, meta: meta, arrays: arrays.map { ArrayEntry(name: $0.0, type: $0.1.type, count: $0.1.count) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try encoder.encode(header)
    var bytes = magic
    append(UInt32(version), to: &bytes)
    append(UInt32(json.count), to: &bytes)
    bytes += json
    for (_, numbers) in arrays {
      while bytes.count % 8 != 0 { bytes.append(0) }
      switch numbers {
      case .f32(let v): for x in v { append(x.bitPattern, to: &bytes) }
      case .f64(let v): for x in v { append(x.bitPattern, to: &bytes) }
      case .i32(let v): for x in v { append(UInt32(bitPattern: x), to: &bytes) }
      }
    }
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw TrainError("cannot write the model to '\(path)': \(error.localizedDescription)")
    }
  }

  /// A model file's contents, checked to be of `kind`.
  struct Contents {
    let header: Data
    let arrays: [String: Numbers]
    let path: String

    func meta<Meta: Codable>(_ type: Meta.Type) throws -> Meta {
      do {
        return try JSONDecoder().decode(Header<Meta>.self, from: header).meta
      } catch {
        throw TrainError("'\(path)' is not a readable model file: its header does not fit (\(error))")
      }
    }

    func f32(_ name: String, count: Int? = nil) throws -> [Float] {
      guard case .f32(let v)? = arrays[name], count.map({ $0 == v.count }) ?? true else { throw missing(name) }
      return v
    }

    func f64(_ name: String, count: Int? = nil) throws -> [Double] {
      guard case .f64(let v)? = arrays[name], count.map({ $0 == v.count }) ?? true else { throw missing(name) }
      return v
    }

    func i32(_ name: String, count: Int? = nil) throws -> [Int32] {
      guard case .i32(let v)? = arrays[name], count.map({ $0 == v.count }) ?? true else { throw missing(name) }
      return v
    }

    private func missing(_ name: String) -> TrainError {
      TrainError("'\(path)' is not a readable model file: its array '\(name)' is missing or of the wrong size")
    }
  }

  /// The kind of model the file at `path` holds.
  public static func kind(at path: String) throws -> String {
    let (probe, _, _) = try open(path)
    return probe.kind
  }

  /// Reads the file at `path`, which must hold a model of `kind`.
  static func read(_ path: String, kind: String) throws -> Contents {
    let (probe, header, arrays) = try open(path)
    guard probe.kind == kind else {
      throw TrainError("'\(path)' holds a \(probe.kind.replacingOccurrences(of: "_", with: " ")), not a \(kind.replacingOccurrences(of: "_", with: " "))")
    }
    return Contents(header: header, arrays: arrays, path: path)
  }

  private static func open(_ path: String) throws -> (Probe, Data, [String: Numbers]) {
    // The file, then its arrays: a few times its size, against the caller's memory limit.
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    try MemoryBudget.reserveCurrent(MemoryBudget.size(size, 3), for: "reading \(path)")
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TrainError("cannot read the model file '\(path)': no such file, or not readable")
    }
    let bytes = [UInt8](data)
    func bad(_ why: String) -> TrainError { TrainError("'\(path)' is not a Tuna model file: \(why)") }
    guard bytes.count >= 16, Array(bytes[0..<8]) == magic else { throw bad("it does not start with TUNAMODL") }
    let fileVersion = Int(read32(bytes, 8))
    guard fileVersion <= version else {
      throw TrainError("'\(path)' was written by a newer Tuna (model format \(fileVersion)); this build reads up to \(version)")
    }
    let length = Int(read32(bytes, 12))
    guard 16 + length <= bytes.count else { throw bad("its header is cut short") }
    let header = Data(bytes[16..<(16 + length)])
    let probe: Probe
    let entries: [ArrayEntry]
    do {
      probe = try JSONDecoder().decode(Probe.self, from: header)
      entries = try JSONDecoder().decode(Header<Ignored>.self, from: header).arrays
    } catch {
      throw bad("its header is not the JSON a model file has")
    }
    var offset = 16 + length
    var arrays: [String: Numbers] = [:]
    for entry in entries {
      while offset % 8 != 0 { offset += 1 }
      let size = entry.type == "f64" ? 8 : 4
      // Counted in what is left of the file, so that no count (however large) overflows.
      guard entry.count >= 0, offset <= bytes.count, entry.count <= (bytes.count - offset) / size else {
        throw bad("array '\(entry.name)' is cut short")
      }
      switch entry.type {
      case "f32": arrays[entry.name] = .f32((0..<entry.count).map { Float(bitPattern: read32(bytes, offset + 4 * $0)) })
      case "f64": arrays[entry.name] = .f64((0..<entry.count).map { Double(bitPattern: read64(bytes, offset + 8 * $0)) })
      case "i32": arrays[entry.name] = .i32((0..<entry.count).map { Int32(bitPattern: read32(bytes, offset + 4 * $0)) })
      default: throw bad("array '\(entry.name)' has an unknown type '\(entry.type)'")
      }
      offset += entry.count * size
    }
    return (probe, header, arrays)
  }

  /// Metadata skipped when only the arrays' list is wanted.
  private struct Ignored: Codable {
    init(from decoder: Decoder) throws {}
    func encode(to encoder: Encoder) throws {}
  }

  private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
  }

  private static func read32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
  }

  private static func read64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
    (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
  }
}
