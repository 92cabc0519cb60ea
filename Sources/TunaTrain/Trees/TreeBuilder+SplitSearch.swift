import TunaRandom

extension TreeBuilder {
  struct SplitChoice {
    var feature: Int
    /// The node's rows before `position` in the feature's list go left.
    var position: Int
    var threshold: Float
  }

  /// The best split of rows `start..<end` over the features drawn for this node, or nil when
  /// none keeps `minSamplesLeaf` rows on both sides.
  ///
  /// Features are drawn one at a time without replacement; the search stops after
  /// `featuresPerSplit` features once at least one of them was not constant in the node, so a
  /// node is not made a leaf only because its draw found constant features (scikit-learn does
  /// the same). Each candidate feature is scored by one scan of its sorted list, moving rows
  /// from the right child to the left and updating the children's class counts (or sums)
  /// incrementally. The score maximized is the criterion's proxy for the weighted impurity of
  /// the children: Σₖ lₖ²/|L| + Σₖ rₖ²/|R| for Gini, Σₖ lₖ ln lₖ − |L| ln |L| + (same for R) for
  /// entropy, (Σ_L y)²/|L| + (Σ_R y)²/|R| for squared error.
  func bestSplit(
    _ start: Int, _ end: Int, totalWeight: Int, sumSquares: Int, sum: Double,
    classes: UnsafePointer<Int32>?, targets: UnsafePointer<Double>?, rng: inout RandomSource
  ) -> SplitChoice? {
    let nodeSamples = end - start
    let minLeaf = options.minSamplesLeaf
    let criterion = options.criterion
    var best: SplitChoice?
    var bestScore = -Double.infinity
    // The binary Gini path's best as a fraction (1/0 = none yet); exact below 2²⁰ total weight.
    let binary = width == 2 && criterion == .gini && totalWeight < 1 << 20
    var bestNumerator = 1
    var bestDenominator = 0
    var visited = 0
    var nonConstant = 0
    var i = 0
    var entropyTotal = 0.0
    if criterion == .entropy {
      for c in 0..<width { entropyTotal += xlogx[nodeCounts[c]] }
    }

    while i < nf && (visited < options.featuresPerSplit || nonConstant == 0) {
      if i < nf - 1 {
        let j = rng.integer(i, nf - 1)
        let t = features[i]
        features[i] = features[j]
        features[j] = t
      }
      let f = features[i]
      i += 1
      visited += 1
      let list = lists + f * n
      if list[end - 1].value <= list[start].value { continue }  // constant here
      nonConstant += 1

      var leftSamples = 0
      var leftWeight = 0
      var row = Int(list[start].row)
      var value = list[start].value
      var j = start
      let last = end - 1

      if let classes {
        if !binary { leftCounts.update(repeating: 0, count: width) }
        if criterion == .entropy {
          var leftEntropy = 0.0
          var rightEntropy = entropyTotal
          while j < last {
            let w = Int(weight[row])
            let c = Int(classes[row])
            let l = leftCounts[c]
            let r = nodeCounts[c] - l
            leftEntropy += xlogx[l + w] - xlogx[l]
            rightEntropy += xlogx[r - w] - xlogx[r]
            leftCounts[c] = l + w
            leftWeight += w
            leftSamples += 1
            j += 1
            let next = Int(list[j].row)
            let nextValue = list[j].value
            if nextValue > value && leftSamples >= minLeaf {
              if nodeSamples - leftSamples < minLeaf { break }
              let score =
                leftEntropy + rightEntropy - xlogx[leftWeight] - xlogx[totalWeight - leftWeight]
              if score > bestScore {
                bestScore = score
                best = SplitChoice(feature: f, position: j, threshold: Self.midpoint(value, nextValue))
              }
            }
            row = next
            value = nextValue
          }
        } else if binary {
          // Two classes, Gini: maximizing Σ l²/|L| + Σ r²/|R| is minimizing
          // (l₀l₁|R| + r₀r₁|L|) / (|L||R|). The counts stay in registers and candidates are
          // compared as exact integer fractions (cross-multiplied in 128 bits): no division in
          // the loop, and ties keep the first candidate.
          let positive = nodeCounts[1]
          var leftPositive = 0
          while j < last {
            let code = Int(codes[row])
            let w = code &>> 1
            leftPositive &+= w & -(code & 1)
            leftWeight &+= w
            leftSamples &+= 1
            j &+= 1
            let next = Int(list[j].row)
            let nextValue = list[j].value
            if nextValue > value && leftSamples >= minLeaf {
              if nodeSamples &- leftSamples < minLeaf { break }
              let leftNegative = leftWeight &- leftPositive
              let rightWeight = totalWeight &- leftWeight
              let rightPositive = positive &- leftPositive
              let rightNegative = rightWeight &- rightPositive
              let numerator = leftNegative &* leftPositive &* rightWeight &+ rightNegative &* rightPositive &* leftWeight
              let denominator = leftWeight &* rightWeight
              if Self.less(numerator, denominator, than: bestNumerator, bestDenominator) {
                bestNumerator = numerator
                bestDenominator = denominator
                best = SplitChoice(feature: f, position: j, threshold: Self.midpoint(value, nextValue))
              }
            }
            row = next
            value = nextValue
          }
        } else {
          var leftSquares = 0
          var rightSquares = sumSquares
          while j < last {
            let w = Int(weight[row])
            let c = Int(classes[row])
            let l = leftCounts[c]
            let r = nodeCounts[c] - l
            leftSquares += w * (2 * l + w)
            rightSquares += w * (w - 2 * r)
            leftCounts[c] = l + w
            leftWeight += w
            leftSamples += 1
            j += 1
            let next = Int(list[j].row)
            let nextValue = list[j].value
            if nextValue > value && leftSamples >= minLeaf {
              if nodeSamples - leftSamples < minLeaf { break }
              let score =
                Double(leftSquares) / Double(leftWeight) + Double(rightSquares) / Double(totalWeight - leftWeight)
              if score > bestScore {
                bestScore = score
                best = SplitChoice(feature: f, position: j, threshold: Self.midpoint(value, nextValue))
              }
            }
            row = next
            value = nextValue
          }
        }
      } else {
        let targets = targets!
        var leftSum = 0.0
        while j < last {
          let w = Int(weight[row])
          leftSum += Double(w) * targets[row]
          leftWeight += w
          leftSamples += 1
          j += 1
          let next = Int(list[j].row)
          let nextValue = list[j].value
          if nextValue > value && leftSamples >= minLeaf {
            if nodeSamples - leftSamples < minLeaf { break }
            let rightSum = sum - leftSum
            let score =
              leftSum * leftSum / Double(leftWeight) + rightSum * rightSum / Double(totalWeight - leftWeight)
            if score > bestScore {
              bestScore = score
              best = SplitChoice(feature: f, position: j, threshold: Self.midpoint(value, nextValue))
            }
          }
          row = next
          value = nextValue
        }
      }
    }
    return best
  }

  /// a/b < c/d for non-negative a, c and positive b (d may be 0: c/0 is +∞), exactly.
  @inline(__always)
  static func less(_ a: Int, _ b: Int, than c: Int, _ d: Int) -> Bool {
    let left = a.multipliedFullWidth(by: d)
    let right = c.multipliedFullWidth(by: b)
    return left.high < right.high || (left.high == right.high && left.low < right.low)
  }

  /// The threshold between two neighbouring distinct values: their midpoint, or the lower one
  /// where the midpoint rounds to the upper (scikit-learn's rule), so `low <= t < high`.
  @inline(__always)
  static func midpoint(_ low: Float, _ high: Float) -> Float {
    let t = Float(Double(low) / 2 + Double(high) / 2)
    return t < high && t >= low ? t : low
  }
}
