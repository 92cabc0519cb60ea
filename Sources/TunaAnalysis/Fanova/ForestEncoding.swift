import TunaTrain

/// How trials become the rows a random forest learns from: a number parameter is one column, its
/// internal value rescaled to 0…1 over the parameter's range (in Double, before the forest's
/// Float: a range far from zero keeps its resolution); a categorical one is a column per choice
/// (one-hot, so a split can single out any choice). A trial without a conditional parameter
/// holds -1 in a number column and zeros in every choice column, so trees can tell *inactive*
/// apart.
struct ForestEncoding {
  /// The value inactive rows hold in a number parameter's column: below the range's 0…1.
  static let inactiveValue = -1.0

  /// The forest columns of each parameter.
  let columns: [Range<Int>]
  /// Which parameter, and which choice (-1 for a number), each forest column encodes.
  let owner: [(parameter: Int, choice: Int)]
  /// Each number parameter's internal range, which its column maps onto 0…1.
  private let low: [Double]
  private let width: [Double]

  init(_ parameters: [AnalysisParameter]) {
    var columns: [Range<Int>] = []
    var owner: [(Int, Int)] = []
    var low: [Double] = []
    var width: [Double] = []
    for (p, parameter) in parameters.enumerated() {
      let start = owner.count
      let bounds = parameter.internalBounds
      low.append(bounds.low)
      width.append(bounds.high - bounds.low)
      if parameter.isCategorical {
        for k in 0..<parameter.choiceCount { owner.append((p, k)) }
      } else {
        owner.append((p, -1))
      }
      columns.append(start..<owner.count)
    }
    self.columns = columns
    self.owner = owner
    self.low = low
    self.width = width
  }

  /// Parameter `p`'s internal value `x` in its forest column's unit (0…1 over its range).
  func forestValue(_ p: Int, _ x: Double) -> Double {
    width[p] > 0 && width[p].isFinite ? (x - low[p]) / width[p] : 0
  }

  var columnCount: Int { owner.count }

  /// The forest's training set: the table's rows and targets (standardized by the caller).
  func dataset(_ table: TrialTable, targets: [Double]) -> Dataset {
    let n = table.rowCount
    let cols = columnCount
    var x = [Float](repeating: 0, count: n * cols)
    for (p, range) in columns.enumerated() {
      let column = table.columns[p]
      let categorical = table.parameters[p].isCategorical
      for row in 0..<n {
        let v = column[row]
        if categorical {
          if !v.isNaN { x[row * cols + range.lowerBound + Int(v)] = 1 }
        } else {
          x[row * cols + range.lowerBound] = Float(v.isNaN ? Self.inactiveValue : forestValue(p, v))
        }
      }
    }
    return Dataset(x: Matrix(rows: n, cols: cols, data: x), y: targets.map(Float.init), task: .regression)
  }
}
