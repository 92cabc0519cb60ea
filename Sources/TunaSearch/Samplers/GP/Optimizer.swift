import Foundation

/// Minimizes a smooth function over a box with a limited-memory BFGS method: the quasi-Newton
/// direction is computed on the variables not held at a bound (those at a bound whose gradient
/// points outward are held), and a backtracking Armijo search runs along the projection of that
/// direction onto the box. A compact relative of L-BFGS-B (Byrd, Lu, Nocedal and Zhu 1995) that
/// does well on the few-variable problems here: kernel hyperparameters and acquisition maxima.
struct BoundedLBFGS {
  /// Correction pairs kept.
  var memory = 8
  var maxIterations = 200
  /// Evaluations of the function, gradient evaluations included.
  var maxEvaluations = 400
  /// Stop when every component of the projected gradient is at most this.
  var gradientTolerance = 1e-5
  /// Stop when an iteration lowers f by at most this times max(|f|, 1).
  var valueTolerance = 1e-10
  /// Asked before every iteration and every line-search step: true ends the search where it is
  /// (a caller's time limit or Ctrl-C).
  var shouldStop: () -> Bool = { false }

  struct Result {
    var x: [Double]
    var value: Double
    var evaluations: Int
    var iterations: Int
  }

  /// The function: it returns f(x) and, when `gradient` is given, writes ∇f(x) into it. A
  /// non-finite value counts as +∞ (the search backs away from it).
  typealias Objective = (_ x: [Double], _ gradient: inout [Double]?) -> Double

  func minimize(from start: [Double], lower: [Double], upper: [Double], _ f: Objective) -> Result {
    let n = start.count
    precondition(lower.count == n && upper.count == n, "bounds must have one entry per variable")
    var x = (0..<n).map { min(max(start[$0], lower[$0]), upper[$0]) }
    var gradient: [Double]? = [Double](repeating: 0, count: n)
    var fx = f(x, &gradient)
    var g = gradient!
    var evaluations = 1
    guard fx.isFinite, g.allSatisfy(\.isFinite) else {
      return Result(x: x, value: fx.isFinite ? fx : .infinity, evaluations: evaluations, iterations: 0)
    }

    var sHistory: [[Double]] = [], yHistory: [[Double]] = [], rhoHistory: [Double] = []
    var iterations = 0
    var free = [Bool](repeating: true, count: n)
    var d = [Double](repeating: 0, count: n)
    var alphas = [Double](repeating: 0, count: memory)

    while iterations < maxIterations && evaluations < maxEvaluations && !shouldStop() {
      // Held variables: at a bound, with the gradient pushing out of the box.
      var projectedNorm = 0.0
      for i in 0..<n {
        let atLow = x[i] <= lower[i] && g[i] > 0
        let atHigh = x[i] >= upper[i] && g[i] < 0
        free[i] = !(atLow || atHigh) && lower[i] < upper[i]
        if free[i] { projectedNorm = max(projectedNorm, abs(g[i])) }
      }
      if projectedNorm <= gradientTolerance { break }

      // Two-loop recursion on the free variables.
      for i in 0..<n { d[i] = free[i] ? g[i] : 0 }
      let m = sHistory.count
      if m > 0 {
        for k in stride(from: m - 1, through: 0, by: -1) {
          var a = 0.0
          for i in 0..<n where free[i] { a += sHistory[k][i] * d[i] }
          a *= rhoHistory[k]
          alphas[k] = a
          for i in 0..<n where free[i] { d[i] -= a * yHistory[k][i] }
        }
        var sy = 0.0, yy = 0.0
        for i in 0..<n where free[i] {
          sy += sHistory[m - 1][i] * yHistory[m - 1][i]
          yy += yHistory[m - 1][i] * yHistory[m - 1][i]
        }
        let gamma = sy > 0 && yy > 0 ? sy / yy : 1
        for i in 0..<n { d[i] *= gamma }
        for k in 0..<m {
          var b = 0.0
          for i in 0..<n where free[i] { b += yHistory[k][i] * d[i] }
          b *= rhoHistory[k]
          for i in 0..<n where free[i] { d[i] += sHistory[k][i] * (alphas[k] - b) }
        }
      }
      for i in 0..<n { d[i] = free[i] ? -d[i] : 0 }
      var slope = 0.0
      for i in 0..<n { slope += d[i] * g[i] }
      if !(slope < 0) || m == 0 {
        // Steepest descent, scaled so the first step moves at most one unit.
        sHistory.removeAll()
        yHistory.removeAll()
        rhoHistory.removeAll()
        let scale = 1 / max(1, projectedNorm)
        for i in 0..<n { d[i] = free[i] ? -g[i] * scale : 0 }
        slope = 0
        for i in 0..<n { slope += d[i] * g[i] }
      }

      // Backtracking along the projected path x(t) = P(x + t d).
      var t = 1.0
      var accepted: (x: [Double], value: Double)?
      var trial = x
      for _ in 0..<30 where evaluations < maxEvaluations && !shouldStop() {
        var moved = false
        var decrease = 0.0
        for i in 0..<n {
          trial[i] = min(max(x[i] + t * d[i], lower[i]), upper[i])
          if trial[i] != x[i] { moved = true }
          decrease += g[i] * (trial[i] - x[i])
        }
        if !moved { break }
        var none: [Double]? = nil
        let ft = f(trial, &none)
        evaluations += 1
        if ft.isFinite && ft <= fx + 1e-4 * decrease {
          accepted = (trial, ft)
          break
        }
        // Quadratic interpolation of the step, kept within [0.1 t, 0.5 t].
        let denominator = 2 * (ft - fx - slope * t)
        let tq = ft.isFinite && denominator > 0 ? -slope * t * t / denominator : 0.1 * t
        t = min(max(tq, 0.1 * t), 0.5 * t)
      }
      guard let (xNew, fNew) = accepted else {
        if sHistory.isEmpty { break }
        // The curvature pairs misled the search: forget them and try steepest descent.
        sHistory.removeAll()
        yHistory.removeAll()
        rhoHistory.removeAll()
        iterations += 1
        continue
      }
      gradient = g
      let fCheck = f(xNew, &gradient)
      evaluations += 1
      guard let gNew = gradient, fCheck.isFinite, gNew.allSatisfy(\.isFinite) else { break }
      var s = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
      var sy = 0.0, yy = 0.0
      for i in 0..<n {
        s[i] = xNew[i] - x[i]
        y[i] = gNew[i] - g[i]
        sy += s[i] * y[i]
        yy += y[i] * y[i]
      }
      if sy > 1e-12 * yy && sy > 0 {
        if sHistory.count == memory {
          sHistory.removeFirst()
          yHistory.removeFirst()
          rhoHistory.removeFirst()
        }
        sHistory.append(s)
        yHistory.append(y)
        rhoHistory.append(1 / sy)
      }
      let previous = fx
      x = xNew
      fx = fNew
      g = gNew
      iterations += 1
      if previous - fx <= valueTolerance * max(abs(previous), abs(fx), 1) { break }
    }
    return Result(x: x, value: fx, evaluations: evaluations, iterations: iterations)
  }
}
