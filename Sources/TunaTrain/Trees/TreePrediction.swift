import Foundation

/// What a fitted tree model knows about its training set, and the prediction code that trees
/// and forests share.
struct TreeModelShape: Sendable {
  var task: LearningTask
  var nFeatures: Int
  /// The number of classes (0 for regression).
  var nClasses: Int

  /// Values per leaf: the number of classes, or 1.
  var width: Int { task == .classification ? max(nClasses, 1) : 1 }

  init(task: LearningTask, nFeatures: Int, nClasses: Int) {
    self.task = task
    self.nFeatures = nFeatures
    self.nClasses = nClasses
  }

  init(_ data: TreeData) {
    task = data.task
    nFeatures = data.nFeatures
    nClasses = data.nClasses
  }

  func check(_ x: Matrix, model: String) throws {
    guard x.cols == nFeatures else {
      throw TrainError("x has \(x.cols) features, but the \(model) was fitted on \(nFeatures)")
    }
  }

  /// The mean over `trees` of each row's leaf values: `width` numbers per row.
  ///
  /// Rows are split into blocks across `threads` threads; each row's sum runs over the trees in
  /// order, so the result does not depend on the number of threads.
  func averageLeafValues(_ trees: [FittedTree], _ x: Matrix, threads: Int) -> [Double] {
    let width = self.width
    let rows = x.rows
    var sums = [Double](repeating: 0, count: rows * width)
    guard rows > 0, !trees.isEmpty else { return sums }
    let blockRows = 256
    let blocks = (rows + blockRows - 1) / blockRows
    let workers = trees.count * rows >= 20_000 ? min(threads, blocks) : 1
    x.data.withUnsafeBufferPointer { data in
      sums.withUnsafeMutableBufferPointer { sums in
        let input = SendablePointer(data.baseAddress!)
        let output = SendablePointer(sums.baseAddress!)
        let cols = x.cols
        let work: @Sendable (Int) -> Void = { worker in
          var block = worker
          while block < blocks {
            let range = (block * blockRows)..<min(rows, (block + 1) * blockRows)
            let out = output.pointer + range.lowerBound * width
            for tree in trees { tree.accumulate(input.pointer, cols: cols, rows: range, into: out) }
            block += workers
          }
        }
        if workers <= 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
      }
    }
    let scale = 1 / Double(trees.count)
    for i in sums.indices { sums[i] *= scale }
    return sums
  }

  /// Predictions from averaged leaf values: the class with the largest mean probability (the
  /// lowest index among ties) or the mean value.
  func predictions(from averages: [Double], rows: Int) -> [Float] {
    let width = self.width
    guard task == .classification else { return averages.map { Float($0) } }
    var out = [Float](repeating: 0, count: rows)
    for i in 0..<rows {
      var best = 0
      for k in 1..<max(width, 1) where averages[i * width + k] > averages[i * width + best] { best = k }
      out[i] = Float(best)
    }
    return out
  }

  /// Averaged leaf values as a probability matrix (classification).
  func probabilities(from averages: [Double], rows: Int, model: String) throws -> Matrix {
    guard task == .classification else {
      throw TrainError("class probabilities need a classifier; this \(model) was fitted for regression")
    }
    return Matrix(rows: rows, cols: width, data: averages.map { Float($0) })
  }
}

/// A pointer handed to worker threads that each write only their own part of it.
struct SendablePointer<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>
  init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
  init(_ pointer: UnsafePointer<T>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}

/// The number of threads to use when the caller did not say: one per active core.
func defaultThreadCount() -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
