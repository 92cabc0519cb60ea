import Foundation
import TunaTrain
import XCTest

/// Small datasets and helpers for the tree and forest tests.
enum TreeFixtures {
  /// A classification dataset from rows and labels.
  static func classification(_ rows: [[Float]], _ labels: [Int], nClasses: Int? = nil) -> Dataset {
    Dataset(x: Matrix(rows), y: labels.map(Float.init), task: .classification, nClasses: nClasses)
  }

  static func regression(_ rows: [[Float]], _ targets: [Float]) -> Dataset {
    Dataset(x: Matrix(rows), y: targets, task: .regression)
  }

  /// `n` rows of `informative` features that decide the class (the sign of their sum, two
  /// classes) plus `noise` pure-noise features after them; `flip` of the labels are replaced by
  /// a random class.
  static func noisy(n: Int, informative: Int = 2, noise: Int = 8, flip: Double = 0.1, seed: UInt64) -> Dataset {
    var rng = TreeTestRandom(seed: seed)
    let cols = informative + noise
    var x = [Float](repeating: 0, count: n * cols)
    var y = [Float](repeating: 0, count: n)
    for i in 0..<n {
      var s = 0.0
      for j in 0..<cols {
        let v = rng.normal()
        x[i * cols + j] = Float(v)
        if j < informative { s += v }
      }
      y[i] = s > 0 ? 1 : 0
      if rng.unit() < flip { y[i] = Float(rng.next() & 1) }
    }
    return Dataset(x: Matrix(rows: n, cols: cols, data: x), y: y, task: .classification, nClasses: 2)
  }

  /// Mean accuracy (or R²) over `k` folds of a seeded shuffle of the rows.
  static func crossValidate(
    _ data: Dataset, k: Int = 5, seed: UInt64 = 0, _ make: () throws -> any Estimator
  ) throws -> Double {
    var rng = TreeTestRandom(seed: seed)
    var order = Array(0..<data.nSamples)
    order.shuffle(using: &rng)
    var total = 0.0
    for fold in 0..<k {
      let valid = order.indices.filter { $0 % k == fold }.map { order[$0] }
      let train = order.indices.filter { $0 % k != fold }.map { order[$0] }
      let model = try make()
      try model.fit(data.subset(train))
      total += try model.score(data.subset(valid))
    }
    return total / Double(k)
  }

  /// Runs `body` and returns the `TrainError`'s message it throws (fails when it throws none).
  static func errorMessage(
    _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line
  ) -> String {
    do {
      try body()
      XCTFail("expected a TrainError", file: file, line: line)
      return ""
    } catch let error as TrainError {
      return error.message
    } catch {
      XCTFail("expected a TrainError, got \(error)", file: file, line: line)
      return ""
    }
  }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small seeded generator for test data.
struct TreeTestRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// Standard normal (Box–Muller).
  mutating func normal() -> Double {
    let u = 1 - unit()
    return (-2 * log(u)).squareRoot() * cos(2 * .pi * unit())
  }
}
