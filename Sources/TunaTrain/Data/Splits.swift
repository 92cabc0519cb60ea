import TunaRandom

extension Dataset {
  /// Splits the rows at random into a training and a test part.
  ///
  /// - Parameters:
  ///   - testSize: the test part's share of the rows when below 1 (rounded up, as scikit-learn's
  ///     `train_test_split`), or its number of rows when 1 or more (then a whole number).
  ///   - stratify: keep each class's share of the rows in both parts, as scikit-learn's
  ///     `StratifiedShuffleSplit` (classification only; every class needs at least 2 rows).
  ///   - seed: the same seed gives the same split.
  /// - Returns: the two parts, rows in random order.
  /// - Throws: `TrainError` for a size that leaves a part empty, or an impossible stratification.
  public func split(testSize: Double = 0.25, stratify: Bool = false, seed: UInt64 = 0) throws
    -> (train: Dataset, test: Dataset)
  {
    let (train, test) = try splitIndices(testSize: testSize, stratify: stratify, seed: seed)
    return (subset(train), subset(test))
  }

  /// The row indices of `split(testSize:stratify:seed:)`.
  public func splitIndices(testSize: Double = 0.25, stratify: Bool = false, seed: UInt64 = 0) throws
    -> (train: [Int], test: [Int])
  {
    let n = nSamples
    let nTest: Int
    if testSize > 0 && testSize < 1 {
      nTest = Int((testSize * Double(n)).rounded(.up))
    } else if testSize >= 1 && testSize == testSize.rounded() && testSize < Double(Int.max) {
      nTest = Int(testSize)
    } else {
      throw TrainError(
        "split: testSize must be a fraction in (0, 1) or a whole number of rows, got \(testSize)")
    }
    let nTrain = n - nTest
    guard nTest >= 1, nTrain >= 1 else {
      throw TrainError(
        "split: testSize \(testSize) of \(n) rows leaves \(nTrain) for training and \(nTest) for testing; both need at least 1")
    }
    var rng = RandomSource(seed: seed)
    guard stratify else {
      let p = Shuffling.permutation(n, &rng)
      return (Array(p[nTest...]), Array(p[..<nTest]))
    }

    let byClass = try rowsByClass("split")
    let counts = byClass.map(\.count)
    if let (c, k) = zip(byClass.indices, counts).first(where: { $0.1 < 2 }) {
      throw TrainError(
        "split: stratify needs at least 2 rows of every class; class '\(classNames[c])' has \(k)")
    }
    let present = counts.filter { $0 > 0 }.count
    guard nTest >= present, nTrain >= present else {
      throw TrainError(
        "split: with stratify, both parts need a row of each of the \(present) classes, but the split is \(nTrain) training and \(nTest) test rows")
    }
    // As StratifiedShuffleSplit: the training counts per class are the rounding of the
    // proportional shares that keeps their total, the test counts are drawn from what is left.
    let trainCounts = Self.approximateMode(counts, nTrain, &rng)
    let left = zip(counts, trainCounts).map { $0 - $1 }
    let testCounts = Self.approximateMode(left, nTest, &rng)
    var train: [Int] = [], test: [Int] = []
    for (c, rows) in byClass.enumerated() where !rows.isEmpty {
      var rows = rows
      Shuffling.shuffle(&rows, &rng)
      train += rows[..<trainCounts[c]]
      test += rows[trainCounts[c]..<(trainCounts[c] + testCounts[c])]
    }
    Shuffling.shuffle(&train, &rng)
    Shuffling.shuffle(&test, &rng)
    return (train, test)
  }

  /// `k` (train, validation) pairs in which every row is in exactly one validation part.
  ///
  /// - Parameters:
  ///   - k: the number of folds, 2 through `nSamples`.
  ///   - stratify: spread each class evenly over the folds, as scikit-learn's `StratifiedKFold`
  ///     (classification only; needs `k` rows of at least one class, and a class with fewer
  ///     rows than `k` is missing from some folds).
  ///   - shuffle: assign rows at random (seeded); otherwise in row order, as scikit-learn does
  ///     with `shuffle=False`.
  ///   - seed: the same seed gives the same folds.
  /// - Returns: for fold i, its training rows (the other folds, in row order) and validation rows.
  ///   Fold sizes differ by at most 1.
  public func kfold(k: Int = 5, stratify: Bool = false, shuffle: Bool = true, seed: UInt64 = 0) throws
    -> [(train: Dataset, valid: Dataset)]
  {
    try kfoldIndices(k: k, stratify: stratify, shuffle: shuffle, seed: seed).map {
      (subset($0.train), subset($0.valid))
    }
  }

  /// The row indices of `kfold(k:stratify:shuffle:seed:)`.
  public func kfoldIndices(k: Int = 5, stratify: Bool = false, shuffle: Bool = true, seed: UInt64 = 0)
    throws -> [(train: [Int], valid: [Int])]
  {
    let n = nSamples
    guard k >= 2 else { throw TrainError("kfold: k must be at least 2, got \(k)") }
    guard k <= n else { throw TrainError("kfold: k (\(k)) is more than the number of rows (\(n))") }
    var rng = RandomSource(seed: seed)
    var fold = [Int](repeating: 0, count: n)
    if stratify {
      let byClass = try rowsByClass("kfold")
      guard byClass.contains(where: { $0.count >= k }) else {
        throw TrainError(
          "kfold: k (\(k)) is more than the number of rows in every class (largest: \(byClass.map(\.count).max() ?? 0))")
      }
      // StratifiedKFold's allocation: deal the rows, sorted by class, to the folds in turn, so
      // each fold gets its share of every class and fold sizes differ by at most 1.
      var allocation = [[Int]](repeating: [Int](repeating: 0, count: byClass.count), count: k)
      var position = 0
      for (c, rows) in byClass.enumerated() {
        for _ in rows {
          allocation[position % k][c] += 1
          position += 1
        }
      }
      for (c, rows) in byClass.enumerated() {
        var folds: [Int] = []
        for f in 0..<k { folds += repeatElement(f, count: allocation[f][c]) }
        if shuffle { Shuffling.shuffle(&folds, &rng) }
        for (row, f) in zip(rows, folds) { fold[row] = f }
      }
    } else {
      let order = shuffle ? Shuffling.permutation(n, &rng) : Array(0..<n)
      var start = 0
      for f in 0..<k {
        let size = n / k + (f < n % k ? 1 : 0)
        for row in order[start..<(start + size)] { fold[row] = f }
        start += size
      }
    }
    return (0..<k).map { f in
      var train: [Int] = [], valid: [Int] = []
      for row in 0..<n {
        if fold[row] == f { valid.append(row) } else { train.append(row) }
      }
      return (train, valid)
    }
  }

  /// The rows of each class index, in row order (classification only).
  func rowsByClass(_ function: String) throws -> [[Int]] {
    guard task == .classification else {
      throw TrainError("\(function): stratify needs a classification dataset; this one is regression")
    }
    var byClass = [[Int]](repeating: [], count: nClasses)
    for (row, label) in y.enumerated() {
      let c = Int(label)
      guard c >= 0, c < nClasses else {
        throw TrainError("\(function): row \(row + 1) has class index \(label), outside 0..<\(nClasses)")
      }
      byClass[c].append(row)
    }
    return byClass
  }

  /// Integer counts summing to `total` that round `counts` scaled to `total`: each share is
  /// floored and the remaining units go to the largest remainders, ties broken at random
  /// (scikit-learn's `_approximate_mode`). Each result is within 1 of its exact share.
  static func approximateMode(_ counts: [Int], _ total: Int, _ rng: inout RandomSource) -> [Int] {
    let sum = counts.reduce(0, +)
    guard sum > 0 else { return counts.map { _ in 0 } }
    // Exact rational shares: counts[i] * total / sum, as floor and remainder numerator.
    var result = counts.map { $0 * total / sum }
    let remainders = counts.map { $0 * total % sum }
    var need = total - result.reduce(0, +)
    for value in Set(remainders).sorted(by: >) where need > 0 && value > 0 {
      var tied = remainders.indices.filter { remainders[$0] == value }
      Shuffling.shuffle(&tied, &rng)
      for i in tied.prefix(need) { result[i] += 1 }
      need -= min(need, tied.count)
    }
    return result
  }
}
