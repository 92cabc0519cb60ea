import Foundation
import TunaTrain

/// The functional ANOVA of one regression tree (Hutter, Hoos & Leyton-Brown, "An Efficient
/// Approach for Assessing Hyperparameter Importance", ICML 2014, §3–4), computed exactly from
/// the tree's partition.
///
/// A tree is constant on each leaf, and each leaf is a box: along every parameter it covers a set
/// of *cells*, the pieces the tree's own thresholds cut that parameter's range into (a
/// categorical parameter's cells are its choices). Under the product of the parameters' uniform
/// measures, a leaf's mass is the product of the masses of its cells along each parameter, and
/// the marginal of the tree over a set of parameters — the prediction averaged over all the
/// others — is constant on each combination of their cells. The marginal over one parameter at
/// cell `c` is the sum over the leaves covering `c` of value × mass ÷ (the leaf's mass along that
/// parameter); over a pair, the same with both parameters' masses divided out. Each leaf adds a
/// constant to a block of cells, so difference arrays give every marginal in time linear in the
/// leaves plus the cells.
///
/// The variance of a marginal is the variance it explains (V_i for one parameter); a pair's pure
/// interaction is the variance of its joint marginal minus both main effects (V_ij = V_{i,j} −
/// V_i − V_j); fractions are these over the tree's total variance.
struct TreeDecomposition: Sendable {
  /// One parameter's cells in this tree: the thresholds splitting it (numbers only, increasing;
  /// cell `c` is `(thresholds[c-1], thresholds[c]]`) and each cell's mass.
  struct Cells: Sendable {
    var thresholds: [Double]
    var masses: [Double]
    var count: Int { masses.count }
  }

  let cells: [Cells]
  /// Per recorded leaf (those of positive mass): its value and its mass.
  let values: [Double]
  let weights: [Double]
  /// The runs of cells leaf `l` covers along parameter `p` are
  /// `runs[runStart[l * P + p] ..< runStart[l * P + p + 1]]`, each a half-open range of cells.
  let runStart: [Int32]
  let runs: [CellRun]
  /// The mass of leaf `l`'s cells along parameter `p`, at `l * P + p`.
  let extentMass: [Double]
  let mean: Double
  let variance: Double
  /// Each parameter's marginal, one value per cell.
  let main: [[Double]]
  /// Each parameter's main-effect variance V_i.
  let mainVariance: [Double]

  struct CellRun: Sendable {
    var start: Int32
    var end: Int32
  }

  var parameterCount: Int { cells.count }

  init(tree: TreeStructure, encoding: ForestEncoding, parameters: [AnalysisParameter]) {
    let P = parameters.count
    // The thresholds each number parameter is split at.
    var thresholds = [[Double]](repeating: [], count: P)
    for node in 0..<tree.nodeCount where tree.feature[node] >= 0 {
      let (p, choice) = encoding.owner[Int(tree.feature[node])]
      if choice < 0 { thresholds[p].append(Double(tree.threshold[node])) }
    }
    var cells: [Cells] = []
    for (p, parameter) in parameters.enumerated() {
      let inactive = parameter.inactiveShare
      if parameter.isCategorical {
        let k = parameter.choiceCount
        var masses = [Double](repeating: (1 - inactive) / Double(k), count: k)
        if inactive > 0 { masses.append(inactive) }
        cells.append(Cells(thresholds: [], masses: masses))
      } else {
        // In the column's unit the range is 0…1 and inactive rows sit at -1.
        let t = Array(Set(thresholds[p])).sorted()
        let sentinel = ForestEncoding.inactiveValue
        var masses = [Double](repeating: 0, count: t.count + 1)
        for c in 0...t.count {
          let a = c == 0 ? -Double.infinity : t[c - 1]
          let b = c == t.count ? Double.infinity : t[c]
          masses[c] = (1 - inactive) * max(0, min(b, 1) - max(a, 0))
          if inactive > 0, a < sentinel, sentinel <= b { masses[c] += inactive }
        }
        cells.append(Cells(thresholds: t, masses: masses))
      }
    }
    self.cells = cells

    // Walk the tree keeping each parameter's extent: a cell range for numbers, a set of allowed
    // cells for categoricals.
    var lo = [Int32](repeating: 0, count: P)
    var hi = cells.map { Int32($0.count) }
    var allowed = cells.enumerated().map { p, c in parameters[p].isCategorical ? [Bool](repeating: true, count: c.count) : [] }
    var values: [Double] = []
    var weights: [Double] = []
    var runStart: [Int32] = [0]
    var runs: [CellRun] = []
    var extentMass: [Double] = []

    func visit(_ node: Int) {
      let f = Int(tree.feature[node])
      if f < 0 {
        var weight = 1.0
        let mark = runs.count
        let markStart = runStart.count
        let markMass = extentMass.count
        for p in 0..<P {
          var mass = 0.0
          if parameters[p].isCategorical {
            var c = 0
            let cellCount = allowed[p].count
            while c < cellCount {
              if allowed[p][c] {
                let start = c
                while c < cellCount && allowed[p][c] { mass += cells[p].masses[c]; c += 1 }
                runs.append(CellRun(start: Int32(start), end: Int32(c)))
              } else {
                c += 1
              }
            }
          } else if lo[p] < hi[p] {
            for c in Int(lo[p])..<Int(hi[p]) { mass += cells[p].masses[c] }
            runs.append(CellRun(start: lo[p], end: hi[p]))
          }
          runStart.append(Int32(runs.count))
          extentMass.append(mass)
          weight *= mass
        }
        if weight > 0 {
          values.append(Double(tree.value(node)))
          weights.append(weight)
        } else {
          runs.removeSubrange(mark...)
          runStart.removeSubrange(markStart...)
          extentMass.removeSubrange(markMass...)
        }
        return
      }
      let (p, choice) = encoding.owner[f]
      let t = Double(tree.threshold[node])
      let left = Int(tree.left[node])
      if choice < 0 {
        // Cell c ends at thresholds[c]; the split's threshold is thresholds[j].
        let j = Int32(lowerBound(cells[p].thresholds, t))
        let (oldLo, oldHi) = (lo[p], hi[p])
        hi[p] = min(oldHi, j + 1)
        visit(left)
        hi[p] = oldHi
        lo[p] = max(oldLo, j + 1)
        visit(left + 1)
        lo[p] = oldLo
      } else {
        // One-hot column of `choice`: that choice's rows hold 1, every other cell's rows 0.
        let saved = allowed[p]
        for c in 0..<saved.count { allowed[p][c] = saved[c] && (c == choice ? 1 <= t : 0 <= t) }
        visit(left)
        for c in 0..<saved.count { allowed[p][c] = saved[c] && (c == choice ? 1 > t : 0 > t) }
        visit(left + 1)
        allowed[p] = saved
      }
    }
    if tree.nodeCount > 0 { visit(0) }

    self.values = values
    self.weights = weights
    self.runStart = runStart
    self.runs = runs
    self.extentMass = extentMass
    let totalWeight = weights.reduce(0, +)
    var mean = 0.0
    for l in values.indices { mean += weights[l] * values[l] }
    mean /= max(totalWeight, .leastNonzeroMagnitude)
    var variance = 0.0
    for l in values.indices { variance += weights[l] * (values[l] - mean) * (values[l] - mean) }
    variance /= max(totalWeight, .leastNonzeroMagnitude)
    self.mean = mean
    self.variance = variance

    var main: [[Double]] = []
    var mainVariance: [Double] = []
    for p in 0..<P {
      let count = cells[p].count
      var diff = [Double](repeating: 0, count: count + 1)
      for l in values.indices {
        let u = values[l] * weights[l] / extentMass[l * P + p]
        for r in Int(runStart[l * P + p])..<Int(runStart[l * P + p + 1]) {
          diff[Int(runs[r].start)] += u
          diff[Int(runs[r].end)] -= u
        }
      }
      var marginal = [Double](repeating: 0, count: count)
      var running = 0.0
      var v = 0.0
      for c in 0..<count {
        running += diff[c]
        marginal[c] = running
        v += cells[p].masses[c] * (running - mean) * (running - mean)
      }
      main.append(marginal)
      mainVariance.append(v)
    }
    self.main = main
    self.mainVariance = mainVariance
  }

  /// The joint marginal of parameters `i` and `j` on their cells, row-major (`cells[i].count`
  /// rows of `cells[j].count`).
  func pairMarginal(_ i: Int, _ j: Int) -> [Double] {
    let P = parameterCount
    let ni = cells[i].count, nj = cells[j].count
    let stride = nj + 1
    var diff = [Double](repeating: 0, count: (ni + 1) * stride)
    diff.withUnsafeMutableBufferPointer { d in
      for l in values.indices {
        let u = values[l] * weights[l] / (extentMass[l * P + i] * extentMass[l * P + j])
        for ri in Int(runStart[l * P + i])..<Int(runStart[l * P + i + 1]) {
          let a0 = Int(runs[ri].start), a1 = Int(runs[ri].end)
          for rj in Int(runStart[l * P + j])..<Int(runStart[l * P + j + 1]) {
            let b0 = Int(runs[rj].start), b1 = Int(runs[rj].end)
            d[a0 * stride + b0] += u
            d[a0 * stride + b1] -= u
            d[a1 * stride + b0] -= u
            d[a1 * stride + b1] += u
          }
        }
      }
    }
    // Two-dimensional prefix sums turn the corner marks into the marginal.
    var out = [Double](repeating: 0, count: ni * nj)
    var above = [Double](repeating: 0, count: nj)
    for a in 0..<ni {
      var running = 0.0
      for b in 0..<nj {
        running += diff[a * stride + b]
        above[b] += running
        out[a * nj + b] = above[b]
      }
    }
    return out
  }

  /// The variance of the joint marginal of `i` and `j` (V_{i,j}, main effects included).
  func pairVariance(_ i: Int, _ j: Int) -> Double {
    let grid = pairMarginal(i, j)
    let mi = cells[i].masses, mj = cells[j].masses
    let nj = mj.count
    var v = 0.0
    for a in 0..<mi.count where mi[a] > 0 {
      var row = 0.0
      for b in 0..<nj {
        let d = grid[a * nj + b] - mean
        row += mj[b] * d * d
      }
      v += mi[a] * row
    }
    return v
  }

  /// The cell of parameter `p` holding `x`: a value in the forest column's unit for numbers
  /// (`ForestEncoding.forestValue`), a choice's index for categoricals.
  func cell(_ p: Int, at x: Double, categorical: Bool) -> Int {
    if categorical { return min(max(Int(x), 0), cells[p].count - 1) }
    return lowerBound(cells[p].thresholds, x)
  }
}

/// The index of the first element of the increasing array `a` that is >= `x` (a.count if none).
func lowerBound(_ a: [Double], _ x: Double) -> Int {
  var low = 0, high = a.count
  while low < high {
    let mid = (low + high) / 2
    if a[mid] < x { low = mid + 1 } else { high = mid }
  }
  return low
}
