import Foundation
import TunaSearch

/// Complete trials with the given params, distributions and values, numbered in order.
func makeTrials(
  _ rows: [(params: [String: ParamValue], value: Double)], distributions: [String: Distribution]
) -> [FrozenTrial] {
  rows.enumerated().map { i, row in
    FrozenTrial(
      id: i, number: i, state: .complete, values: [row.value], params: row.params,
      distributions: distributions.filter { row.params[$0.key] != nil },
      datetimeStart: Date(timeIntervalSince1970: Double(i)),
      datetimeComplete: Date(timeIntervalSince1970: Double(i) + 0.5))
  }
}

/// `count` trials drawn uniformly from the box `[low, high]` of each named float parameter, with
/// the value `f` gives.
func uniformTrials(
  count: Int, names: [String], low: Double, high: Double, seed: UInt64, _ f: ([String: Double]) -> Double
) -> [FrozenTrial] {
  var rng = RandomSource(seed: seed)
  let d = try! Distribution.float(low, high)
  let rows = (0..<count).map { _ -> (params: [String: ParamValue], value: Double) in
    var x: [String: Double] = [:]
    for name in names { x[name] = rng.uniform(low, high) }
    return (x.mapValues(ParamValue.float), f(x))
  }
  return makeTrials(rows, distributions: Dictionary(uniqueKeysWithValues: names.map { ($0, d) }))
}

/// The Ishigami function (Ishigami & Homma 1990) with a = 7, b = 0.1.
func ishigami(_ x: [String: Double]) -> Double {
  let (x1, x2, x3) = (x["x1"]!, x["x2"]!, x["x3"]!)
  return sin(x1) + 7 * sin(x2) * sin(x2) + 0.1 * pow(x3, 4) * sin(x1)
}
