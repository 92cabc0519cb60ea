import Foundation
import TunaSearch

/// The forest's prediction averaged over every parameter but one, at points across that
/// parameter's range: what a slice plot draws under the trials.
public struct Marginal: Sendable {
  public let parameter: AnalysisParameter
  /// The points, in the distribution's internal unit (log space for log parameters, the
  /// choice's index for categoricals), increasing.
  public let positions: [Double]
  /// The points as the parameter's values.
  public let values: [ParamValue]
  /// The mean over the trees of each tree's marginal, in the target's units.
  public let mean: [Double]
  /// Its standard deviation over the trees.
  public let std: [Double]
}

/// The forest's prediction averaged over every parameter but two, on a grid: what a contour plot
/// of an interacting pair draws.
public struct PairMarginal: Sendable {
  public let first: AnalysisParameter
  public let second: AnalysisParameter
  /// Grid positions along each parameter, in internal units (as ``Marginal/positions``).
  public let firstPositions: [Double]
  public let secondPositions: [Double]
  /// The mean over the trees, row-major: `mean[j * firstPositions.count + i]` is at
  /// (`firstPositions[i]`, `secondPositions[j]`), in the target's units.
  public let mean: [Double]
}

extension FunctionalANOVA {
  /// The marginal of the parameter named `name` at up to `points` points (every choice of a
  /// categorical, every value of a small integer range).
  public func marginal(_ name: String, points: Int = 100) throws -> Marginal {
    guard let p = parameters.firstIndex(where: { $0.name == name }) else {
      throw AnalysisError("parameter '\(name)' was not analysed (analysed: \(parameters.map(\.name).joined(separator: ", ")))")
    }
    let parameter = parameters[p]
    let positions = gridPositions(parameter, points: points)
    var sum = [Double](repeating: 0, count: positions.count)
    var sumSquares = sum
    for tree in trees {
      for (k, x) in positions.enumerated() {
        let v = tree.main[p][tree.cell(p, at: forestPosition(p, x), categorical: parameter.isCategorical)] * targetScale + targetMean
        sum[k] += v
        sumSquares[k] += v * v
      }
    }
    let n = Double(trees.count)
    let mean = sum.map { $0 / n }
    let std = zip(sumSquares, mean).map { max(0, $0 / n - $1 * $1).squareRoot() }
    return Marginal(
      parameter: parameter, positions: positions, values: positions.map(parameter.distribution.fromInternal),
      mean: mean, std: std)
  }

  /// Where internal value `x` of parameter `p` sits in the forest's columns (a choice's index
  /// stays as it is).
  private func forestPosition(_ p: Int, _ x: Double) -> Double {
    parameters[p].isCategorical ? x : encoding.forestValue(p, x)
  }

  /// The joint marginal of two parameters on a grid of up to `points` × `points`.
  public func pairMarginal(_ a: String, _ b: String, points: Int = 50) throws -> PairMarginal {
    guard let i = parameters.firstIndex(where: { $0.name == a }), let j = parameters.firstIndex(where: { $0.name == b }), i != j else {
      throw AnalysisError("a pair marginal needs two different analysed parameters, got '\(a)' and '\(b)'")
    }
    let pi = parameters[i], pj = parameters[j]
    let xs = gridPositions(pi, points: points), ys = gridPositions(pj, points: points)
    var sum = [Double](repeating: 0, count: xs.count * ys.count)
    for tree in trees {
      let grid = tree.pairMarginal(i, j)
      let nj = tree.cells[j].count
      let cellsX = xs.map { tree.cell(i, at: forestPosition(i, $0), categorical: pi.isCategorical) }
      let cellsY = ys.map { tree.cell(j, at: forestPosition(j, $0), categorical: pj.isCategorical) }
      for (r, cy) in cellsY.enumerated() {
        for (c, cx) in cellsX.enumerated() { sum[r * xs.count + c] += grid[cx * nj + cy] }
      }
    }
    let n = Double(trees.count)
    return PairMarginal(
      first: pi, second: pj, firstPositions: xs, secondPositions: ys,
      mean: sum.map { $0 / n * targetScale + targetMean })
  }
}

/// Points across a parameter's range in internal units: each choice of a categorical; each value
/// of an integer or stepped range of at most `points` values; else `points` evenly spaced.
func gridPositions(_ parameter: AnalysisParameter, points: Int) -> [Double] {
  let points = max(points, 2)
  switch parameter.distribution {
  case .categorical(let choices):
    return choices.indices.map(Double.init)
  case .int(let low, let high, let log, let step):
    // The span in Double: an integer range may cover all of Int.
    let steps = ((Double(high) - Double(low)) / Double(step)).rounded(.down)
    if steps < Double(points) {
      return (0...Int(steps)).map { k in
        let v = Double(low) + Double(k * step)
        return log ? Foundation.log(v) : v
      }
    }
  case .float(let low, let high, _, let step?):
    let steps = ((high - low) / step).rounded()
    if steps < Double(points) { return (0...Int(steps)).map { low + Double($0) * step } }
  case .float:
    break
  }
  let (low, high) = parameter.distribution.isSingle ? (0.0, 0.0) : rangeOfValues(parameter.distribution)
  return (0..<points).map { low + (high - low) * Double($0) / Double(points - 1) }
}

/// The internal-unit range the parameter's values span (not widened by half a step).
func rangeOfValues(_ d: Distribution) -> (Double, Double) {
  switch d {
  case .float(let low, let high, let log, _): return log ? (Foundation.log(low), Foundation.log(high)) : (low, high)
  case .int(let low, let high, let log, _):
    return log ? (Foundation.log(Double(low)), Foundation.log(Double(high))) : (Double(low), Double(high))
  case .categorical(let c): return (0, Double(c.count - 1))
  }
}
