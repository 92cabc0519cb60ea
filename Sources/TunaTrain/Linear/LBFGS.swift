/// Limited-memory BFGS for smooth unconstrained minimisation in Double precision (Nocedal 1980,
/// "Updating quasi-Newton matrices with limited storage"; Liu & Nocedal 1989, "On the limited
/// memory BFGS method for large scale optimization"): the inverse-Hessian product by the
/// two-loop recursion (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Algorithm 7.4),
/// scaled by `sᵀy / yᵀy`, and a line search satisfying the strong Wolfe conditions
/// (Algorithms 3.5 and 3.6 there).
///
/// Stops, as SciPy's L-BFGS-B does for scikit-learn, when the largest gradient component is at
/// most `gradientTolerance` (converged), when an iteration lowers the objective by at most
/// `functionTolerance` relative to max(|f|, 1) (converged), after `maxIterations` iterations, or
/// when the line search finds no acceptable step (not converged).
struct LBFGSMinimizer {
  var memory = 10
  var maxIterations: Int
  var gradientTolerance: Double
  /// SciPy's `ftol` as scikit-learn sets it: 64 machine epsilons.
  var functionTolerance = 64 * Double.ulpOfOne
  /// Function evaluations allowed in one line search (scikit-learn's `maxls`).
  var maxLineSearch = 50

  struct Result {
    var x: [Double]
    var value: Double
    var gradient: [Double]
    var iterations: Int
    var converged: Bool
  }

  /// Minimises `f`, which returns the value at its first argument and writes the gradient into
  /// its second.
  func minimize(_ start: [Double], _ f: ([Double], inout [Double]) -> Double) -> Result {
    let n = start.count
    var x = start
    var g = [Double](repeating: 0, count: n)
    var fx = f(x, &g)
    var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
    var iteration = 0
    if DoubleAlgebra.maxAbs(g) <= gradientTolerance {
      return Result(x: x, value: fx, gradient: g, iterations: 0, converged: true)
    }
    while iteration < maxIterations {
      // Direction d = -H g by the two-loop recursion.
      var q = g
      var alpha = [Double](repeating: 0, count: s.count)
      for i in stride(from: s.count - 1, through: 0, by: -1) {
        alpha[i] = rho[i] * DoubleAlgebra.dot(s[i], q)
        DoubleAlgebra.axpy(-alpha[i], y[i], &q)
      }
      if let lastS = s.last, let lastY = y.last {
        let gamma = DoubleAlgebra.dot(lastS, lastY) / DoubleAlgebra.dot(lastY, lastY)
        for k in 0..<n { q[k] *= gamma }
      }
      for i in 0..<s.count {
        let beta = rho[i] * DoubleAlgebra.dot(y[i], q)
        DoubleAlgebra.axpy(alpha[i] - beta, s[i], &q)
      }
      var d = q.map { -$0 }
      var slope = DoubleAlgebra.dot(g, d)
      if !(slope < 0) {  // not a descent direction (numerical trouble): restart from -g
        s.removeAll(); y.removeAll(); rho.removeAll()
        d = g.map { -$0 }
        slope = DoubleAlgebra.dot(g, d)
      }
      let initialStep = s.isEmpty ? min(1, 1 / DoubleAlgebra.norm(g)) : 1
      guard let step = lineSearch(x, fx, g, d, slope, initialStep, f) else {
        return Result(x: x, value: fx, gradient: g, iterations: iteration, converged: false)
      }
      iteration += 1
      var sNew = [Double](repeating: 0, count: n), yNew = sNew
      for k in 0..<n {
        sNew[k] = step.x[k] - x[k]
        yNew[k] = step.gradient[k] - g[k]
      }
      let previous = fx
      x = step.x
      fx = step.value
      g = step.gradient
      let sy = DoubleAlgebra.dot(sNew, yNew)
      if sy > 1e-10 * DoubleAlgebra.dot(yNew, yNew) {  // keep the update only when it is positive definite
        if s.count == memory {
          s.removeFirst(); y.removeFirst(); rho.removeFirst()
        }
        s.append(sNew); y.append(yNew); rho.append(1 / sy)
      }
      if DoubleAlgebra.maxAbs(g) <= gradientTolerance
        || (previous - fx) <= functionTolerance * max(abs(previous), abs(fx), 1)
      {
        return Result(x: x, value: fx, gradient: g, iterations: iteration, converged: true)
      }
    }
    return Result(x: x, value: fx, gradient: g, iterations: iteration, converged: false)
  }

  private struct Point {
    var t: Double
    var x: [Double]
    var value: Double
    var gradient: [Double]
    var slope: Double
  }

  /// A step `x + t d` meeting the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9), or nil.
  private func lineSearch(
    _ x: [Double], _ f0: Double, _ g0: [Double], _ d: [Double], _ slope0: Double, _ t0: Double,
    _ f: ([Double], inout [Double]) -> Double
  ) -> Point? {
    let c1 = 1e-4, c2 = 0.9
    var evaluations = 0
    func evaluate(_ t: Double) -> Point {
      evaluations += 1
      var xt = x
      DoubleAlgebra.axpy(t, d, &xt)
      var gt = [Double](repeating: 0, count: x.count)
      let ft = f(xt, &gt)
      return Point(t: t, x: xt, value: ft, gradient: gt, slope: DoubleAlgebra.dot(gt, d))
    }
    func sufficient(_ p: Point) -> Bool { p.value.isFinite && p.value <= f0 + c1 * p.t * slope0 }
    func curvature(_ p: Point) -> Bool { abs(p.slope) <= -c2 * slope0 }

    /// Algorithm 3.6: shrink [lo, hi] until a point meets both conditions.
    func zoom(_ lo: Point, _ hi: Point) -> Point? {
      var lo = lo, hi = hi
      while evaluations < maxLineSearch {
        // Minimiser of the quadratic through (lo.t, lo.value, lo.slope) and (hi.t, hi.value),
        // kept well inside the interval, else the midpoint.
        let width = hi.t - lo.t
        var t = lo.t + width / 2
        let curvatureTerm = hi.value - lo.value - lo.slope * width
        if curvatureTerm > 0, hi.value.isFinite {
          let candidate = lo.t - lo.slope * width * width / (2 * curvatureTerm)
          let a = min(lo.t, hi.t), b = max(lo.t, hi.t), margin = 0.1 * abs(width)
          if candidate > a + margin && candidate < b - margin { t = candidate }
        }
        if abs(width) < 1e-16 * max(1, abs(lo.t)) { return nil }
        let p = evaluate(t)
        if !sufficient(p) || p.value >= lo.value {
          hi = p
        } else {
          if curvature(p) { return p }
          if p.slope * (hi.t - lo.t) >= 0 { hi = lo }
          lo = p
        }
      }
      return nil
    }

    // Algorithm 3.5: grow the step until it brackets an acceptable point.
    var previous = Point(t: 0, x: x, value: f0, gradient: g0, slope: slope0)
    var t = t0
    while evaluations < maxLineSearch {
      let p = evaluate(t)
      if !sufficient(p) || (evaluations > 1 && p.value >= previous.value) {
        return zoom(previous, p)
      }
      if curvature(p) { return p }
      if p.slope >= 0 { return zoom(p, previous) }
      previous = p
      t *= 2
    }
    return nil
  }
}
