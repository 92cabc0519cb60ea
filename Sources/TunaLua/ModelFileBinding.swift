import LuaVM
import TunaTrain

/// Saving and loading the `tuna.ml` models through one switch over their kinds.
enum ModelPersistence {
  static func save(_ model: any Estimator, to path: String) throws {
    switch model {
    case let m as RandomForest: try m.save(to: path)
    case let m as DecisionTree: try m.save(to: path)
    case let m as LogisticRegression: try m.save(to: path)
    case let m as LinearRegression: try m.save(to: path)
    default: throw ScriptError("this model cannot be saved")
    }
  }

  /// The model at `path` and its kind (`random_forest`, …).
  static func load(_ path: String) throws -> (any Estimator, String) {
    switch try ModelFile.kind(at: path) {
    case "random_forest": return (try RandomForest.load(from: path), "random_forest")
    case "decision_tree": return (try DecisionTree.load(from: path), "decision_tree")
    case "logistic_regression": return (try LogisticRegression.load(from: path), "logistic_regression")
    case "linear_regression": return (try LinearRegression.load(from: path), "linear_regression")
    case "mlp": throw ScriptError("'\(path)' holds a neural network: load it with tuna.nn.load")
    case let kind: throw ScriptError("'\(path)' holds a model of an unknown kind '\(kind)'")
    }
  }
}

extension TunaEngine {
  /// The path argument at `index` (argument 2 of a method), checked against the sandbox's grants.
  func modelPath(_ l: Lua, at index: Int32 = 2, for function: String, writing: Bool) throws -> String {
    guard let path = l.toString(index), !path.isEmpty else { throw ArgumentError(index, "file path expected, got \(l.describe(index))") }
    guard state.isSandboxed else { return path }
    return writing ? try configuration.files.checkWrite(path, for: function) : try configuration.files.checkRead(path, for: function)
  }

  /// A probability matrix as an array of rows.
  func push(probabilities p: Matrix, on l: Lua) {
    l.newTable(arrayCount: Int32(p.rows))
    for i in 0..<p.rows {
      l.newTable(arrayCount: Int32(p.cols))
      for j in 0..<p.cols { l.push(Double(p[i, j])); l.rawSet(-2, index: j + 1) }
      l.rawSet(-2, index: i + 1)
    }
  }
}
