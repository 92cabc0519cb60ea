import Foundation
import TunaSearch

/// The regret benchmark's two real tuning tasks, as tables: every point of a grid was trained
/// once with Tuna's training core (1,215 and 1,920 points) (`scripts/bench/tabular/make_tables.lua`), and a trial looks
/// up the grid point nearest the values it suggested (nearest in log scale for log
/// parameters). Tuna's and Optuna's samplers are so scored on the very same numbers, and a run
/// costs no training. The tasks' optima are the tables' smallest losses.
enum TabularTasks {
  /// One axis of a grid: the trial's parameter and the grid's values on it.
  struct Axis {
    let name: String
    let values: [Double]
    let log: Bool

    /// The index of the grid value nearest `x`.
    func nearest(_ x: Double) -> Int {
      let scale: (Double) -> Double = log ? { Foundation.log($0) } : { $0 }
      let target = scale(x)
      var best = 0
      for i in values.indices where abs(scale(values[i]) - target) < abs(scale(values[best]) - target) { best = i }
      return best
    }
  }

  /// The position of a grid point in a table (the nested-loop order of `make_tables.lua`).
  static func index(_ indices: [Int], sizes: [Int]) -> Int {
    zip(indices, sizes).reduce(0) { $0 * $1.1 + $1.0 }
  }

  static let lr = Axis(name: "lr", values: [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2], log: true)
  static let width = Axis(name: "width", values: [16, 32, 64, 128, 256], log: true)
  static let weightDecay = Axis(name: "weight_decay", values: [1e-6, 1e-4, 1e-2], log: true)
  static let activations = ["relu", "tanh", "gelu"]
  static let batchSizes = [32, 64, 128]

  /// An MLP on the digits: learning rate, width, weight decay (log floats and a log int), the
  /// activation and the batch size (categoricals); the validation cross-entropy after 10 epochs.
  @Sendable static func digitsMLP(_ t: Trial) throws -> Double {
    let i = lr.nearest(try t.suggestFloat("lr", 1e-4, 5e-2, log: true))
    let w = width.nearest(Double(try t.suggestInt("width", 16, 256, log: true)))
    let d = weightDecay.nearest(try t.suggestFloat("weight_decay", 1e-6, 1e-2, log: true))
    let a = try t.suggestCategorical("activation", activations.map { .string($0) })
    let b = try t.suggestCategorical("batch_size", batchSizes.map { .int($0) })
    let ai = activations.firstIndex { ParamValue.string($0) == a } ?? 0
    let bi = batchSizes.firstIndex { ParamValue.int($0) == b } ?? 0
    return digitsLosses[index([i, w, d, ai, bi], sizes: [9, 5, 3, 3, 3])]
  }

  static let trees = Axis(name: "n_estimators", values: [8, 16, 32, 64, 128], log: true)
  static let depth = Axis(name: "max_depth", values: [2, 3, 4, 5, 6, 8, 10, 14], log: true)
  static let leaf = Axis(name: "min_samples_leaf", values: [1, 2, 3, 5, 8, 12], log: true)
  static let features = Axis(name: "max_features", values: [0.05, 0.1, 0.2, 0.3, 0.45, 0.65, 0.8, 1.0], log: true)

  /// A random forest on breast_cancer: trees, depth and leaf size (log ints) and the fraction of
  /// features per split (a log float); the 5-fold cross-validated log loss.
  @Sendable static func forest(_ t: Trial) throws -> Double {
    let n = trees.nearest(Double(try t.suggestInt("n_estimators", 8, 128, log: true)))
    let d = depth.nearest(Double(try t.suggestInt("max_depth", 2, 14, log: true)))
    let l = leaf.nearest(Double(try t.suggestInt("min_samples_leaf", 1, 12, log: true)))
    let f = features.nearest(try t.suggestFloat("max_features", 0.05, 1.0, log: true))
    return forestLosses[index([n, d, l, f], sizes: [5, 8, 6, 8])]
  }

  static var digitsOptimum: Double { digitsLosses.min()! }
  static var forestOptimum: Double { forestLosses.min()! }
}
