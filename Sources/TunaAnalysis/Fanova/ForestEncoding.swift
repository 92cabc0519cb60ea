import TunaTrain

/// How trials become the rows a random forest learns from: a number parameter is one column
/// (its internal value), a categorical one a column per choice (one-hot, so a split can single
/// out any choice). A trial without a conditional parameter gets a value below the range in a
/// number column and zeros in every choice column, so trees can tell *inactive* apart.
struct ForestEncoding {
  /// The forest columns of each parameter.
  let columns: [Range<Int>]
  /// Which parameter, and which choice (-1 for a number), each forest column encodes.
  let owner: [(parameter: Int, choice: Int)]
  /// The value inactive rows hold in each number parameter's column.
  let inactiveValue: [Double]

  init(_ parameters: [AnalysisParameter]) {
    var columns: [Range<Int>] = []
    var owner: [(Int, Int)] = []
    var inactive: [Double] = []
    for (p, parameter) in parameters.enumerated() {
      let start = owner.count
      if parameter.isCategorical {
        for k in 0..<parameter.choiceCount { owner.append((p, k)) }
        inactive.append(-1)
      } else {
        owner.append((p, -1))
        let (low, high) = parameter.internalBounds
        inactive.append(low - max(1, high - low))
      }
      columns.append(start..<owner.count)
    }
    self.columns = columns
    self.owner = owner
    inactiveValue = inactive
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
          x[row * cols + range.lowerBound] = Float(v.isNaN ? inactiveValue[p] : v)
        }
      }
    }
    return Dataset(x: Matrix(rows: n, cols: cols, data: x), y: targets.map(Float.init), task: .regression)
  }
}
