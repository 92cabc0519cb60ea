import Foundation
import TunaSearch

/// A study kept as a test fixture: trials and the importances Optuna 5.0.0 computed on them
/// (`Fixtures/README.md` says how they were made).
struct Fixture {
  let name: String
  let directions: [StudyDirection]
  let trials: [FrozenTrial]
  /// Result name → parameter → figure (`params=p,q/ped_anova_raw` for a run on some parameters).
  let results: [String: [String: Double]]
  /// Result name → the exception Optuna raised instead.
  let errors: [String: String]

  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  init(_ name: String) throws {
    let url = Self.directory.appendingPathComponent(name + ".json")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    self.name = name
    directions = (json["directions"] as! [String]).map { StudyDirection(rawValue: $0)! }
    var distributions: [String: Distribution] = [:]
    for (param, spec) in json["distributions"] as! [String: [String: Any]] {
      distributions[param] = try Self.distribution(spec)
    }
    func trial(_ i: Int, _ row: [String: Any]) -> FrozenTrial {
      let raw = row["params"] as! [String: Any]
      var params: [String: ParamValue] = [:]
      for (param, value) in raw {
        switch distributions[param]! {
        case .float: params[param] = .float((value as! NSNumber).doubleValue)
        case .int: params[param] = .int((value as! NSNumber).intValue)
        case .categorical:
          if let s = value as? String { params[param] = .string(s) } else { params[param] = .float((value as! NSNumber).doubleValue) }
        }
      }
      let state = (row["state"] as? String).flatMap(TrialState.init(rawValue:)) ?? .complete
      return FrozenTrial(
        id: i, number: i, state: state, values: row["value"].map { [Self.number($0)] }, params: params,
        distributions: distributions.filter { params[$0.key] != nil },
        datetimeStart: Date(timeIntervalSince1970: Double(i)), datetimeComplete: Date(timeIntervalSince1970: Double(i) + 1))
    }
    let rows = (json["trials"] as! [[String: Any]]) + (json["extra_trials"] as? [[String: Any]] ?? [])
    trials = rows.enumerated().map { trial($0, $1) }
    var results: [String: [String: Double]] = [:]
    var errors: [String: String] = [:]
    for (key, entry) in json["results"] as! [String: [String: Any]] {
      if let error = entry["error"] as? String { errors[key] = error } else { results[key] = entry.mapValues(Self.number) }
    }
    self.results = results
    self.errors = errors
  }

  /// A JSON number, or the strings "nan", "inf" and "-inf" JSON cannot hold.
  static func number(_ value: Any) -> Double {
    if let n = value as? NSNumber { return n.doubleValue }
    switch value as? String {
    case "inf", "Infinity": return .infinity
    case "-inf", "-Infinity": return -.infinity
    default: return .nan
    }
  }

  static func distribution(_ spec: [String: Any]) throws -> Distribution {
    switch spec["type"] as! String {
    case "float":
      return try .float(
        (spec["low"] as! NSNumber).doubleValue, (spec["high"] as! NSNumber).doubleValue, log: spec["log"] as? Bool ?? false,
        step: (spec["step"] as? NSNumber)?.doubleValue)
    case "int":
      return try .int(
        (spec["low"] as! NSNumber).intValue, (spec["high"] as! NSNumber).intValue, log: spec["log"] as? Bool ?? false,
        step: (spec["step"] as? NSNumber)?.intValue ?? 1)
    default:
      let choices = (spec["choices"] as! [Any]).map { c -> ParamValue in
        if let s = c as? String { return .string(s) }
        return .float((c as! NSNumber).doubleValue)
      }
      return try .categorical(choices: choices)
    }
  }
}
