import XCTest

@testable import TunaTrain

final class LinearLogisticRegressionTests: XCTestCase {
  func testIrisTrainingAccuracyMatchesScikitLearn() throws {
    let iris = try Dataset.load("iris")
    let model = try LogisticRegression(c: 1)
    try model.fit(iris)
    let accuracy = try model.score(iris)
    // scikit-learn's LogisticRegression() on iris: 0.973.
    XCTAssert((0.97...0.98).contains(accuracy), "\(accuracy)")
    XCTAssertEqual(model.coefficients.count, 3)
    XCTAssertEqual(model.coefficients[0].count, 4)
    XCTAssertEqual(model.classes, [0, 1, 2])
    let p = try model.predictProbabilities(iris.x)
    XCTAssertEqual(p.rows, 150)
    XCTAssertEqual(p.cols, 3)
    for i in 0..<p.rows {
      XCTAssertEqual((0..<3).reduce(0.0) { $0 + Double(p[i, $1]) }, 1, accuracy: 1e-5)
    }
    // The predicted class is the most probable one.
    let predicted = try model.predict(iris.x)
    for i in 0..<p.rows { XCTAssertEqual(Int(predicted[i]), (0..<3).max { p[i, $0] < p[i, $1] }!) }
  }

  func testGradientVanishesAtTheSolution() throws {
    let iris = try Dataset.load("iris")
    let model = try LogisticRegression(c: 1, maxIterations: 1000, tolerance: 1e-8)
    try model.fit(iris)
    XCTAssertTrue(model.converged)
    let (value, gradient) = try model.objective(on: iris)
    XCTAssertGreaterThan(value, 0)
    // The sum-form gradient is n times the mean-form one that met the tolerance.
    XCTAssertLessThan(DoubleAlgebra.maxAbs(gradient), 1e-5, "\(gradient)")
    // The default settings get close to the same optimum.
    let quick = try LogisticRegression()
    try quick.fit(iris)
    XCTAssertEqual(try quick.objective(on: iris).value, value, accuracy: 1e-3 * value)
  }

  func testObjectiveGradientMatchesFiniteDifferences() throws {
    for (name, intercept) in [("iris", true), ("breast_cancer", false)] {
      var data = try Dataset.load(name)
      data = try standardize(data)[0].subset(Array(0..<min(data.nSamples, 120)) + [data.nSamples - 1])
      let objective = try LogisticRegression.Objective(data, c: 0.7, fitIntercept: intercept)
      var rng = SplitMixForTests(seed: 11)
      let theta = (0..<objective.parameterCount).map { _ in rng.next() - 0.5 }
      var gradient = [Double](repeating: 0, count: theta.count)
      _ = objective.evaluate(theta, gradient: &gradient)
      var ignored = gradient
      for t in theta.indices {
        var plus = theta, minus = theta
        plus[t] += 1e-6
        minus[t] -= 1e-6
        let numeric =
          (objective.evaluate(plus, gradient: &ignored) - objective.evaluate(minus, gradient: &ignored)) / 2e-6
        XCTAssertEqual(gradient[t], numeric, accuracy: 1e-6, "\(name) parameter \(t)")
      }
    }
  }

  func testPenaltyShrinksWeightsAsCDecreases() throws {
    let iris = try Dataset.load("iris")
    var norms: [Double] = []
    for c in [100.0, 1, 0.01] {
      let model = try LogisticRegression(c: c, maxIterations: 500)
      try model.fit(iris)
      norms.append(DoubleAlgebra.norm(model.coefficients.flatMap { $0 }))
    }
    XCTAssertGreaterThan(norms[0], norms[1])
    XCTAssertGreaterThan(norms[1], norms[2])
  }

  func testBinaryUsesOneWeightVector() throws {
    let cancer = try standardize(try Dataset.load("breast_cancer"))[0]
    let model = try LogisticRegression()
    try model.fit(cancer)
    XCTAssertEqual(model.coefficients.count, 1)
    XCTAssertEqual(model.intercepts.count, 1)
    // scikit-learn on the standardized data: 0.988 training accuracy.
    XCTAssertGreaterThan(try model.score(cancer), 0.98)
    let p = try model.predictProbabilities(cancer.x)
    XCTAssertEqual(p.cols, 2)
    XCTAssertGreaterThan(try Metrics.score(.roc_auc, estimator: model, data: cancer), 0.99)
  }

  func testClassesMissingFromTrainingGetProbabilityZero() throws {
    let iris = try Dataset.load("iris")
    let firstTwo = iris.subset(Array(0..<100))  // setosa and versicolor only; nClasses stays 3
    let model = try LogisticRegression()
    try model.fit(firstTwo)
    XCTAssertEqual(model.classes, [0, 1])
    let p = try model.predictProbabilities(iris.x)
    XCTAssertEqual(p.cols, 3)
    XCTAssert((0..<150).allSatisfy { p[$0, 2] == 0 })
    XCTAssertEqual(try model.score(firstTwo), 1)

    let oneClass = iris.subset(Array(0..<50))
    XCTAssertThrowsError(try model.fit(oneClass)) {
      XCTAssertEqual("\($0)", "logistic_regression needs at least 2 classes in the training data; it has only class 'setosa'")
    }
  }

  func testErrors() throws {
    XCTAssertThrowsError(try LogisticRegression(c: 0)) {
      XCTAssertEqual("\($0)", "logistic_regression: c must be a finite number > 0, got 0.0")
    }
    XCTAssertThrowsError(try LogisticRegression(maxIterations: 0)) {
      XCTAssertEqual("\($0)", "logistic_regression: maxIterations must be at least 1, got 0")
    }
    let model = try LogisticRegression()
    XCTAssertThrowsError(try model.predict(Matrix(rows: 1, cols: 4))) {
      XCTAssertEqual("\($0)", "logistic_regression: predict before fit")
    }
    XCTAssertThrowsError(try model.fit(try Dataset.load("diabetes"))) {
      XCTAssertEqual(
        "\($0)", "logistic_regression needs a classification dataset; this one is regression (use linear_regression)")
    }
  }

  func testLBFGSOnRosenbrock() {
    // The Rosenbrock function's minimum is 0 at (1, 1).
    let minimizer = LBFGSMinimizer(maxIterations: 200, gradientTolerance: 1e-10)
    let result = minimizer.minimize([-1.2, 1]) { x, g in
      let a = 1 - x[0], b = x[1] - x[0] * x[0]
      g[0] = -2 * a - 400 * x[0] * b
      g[1] = 200 * b
      return a * a + 100 * b * b
    }
    XCTAssertEqual(result.x[0], 1, accuracy: 1e-6)
    XCTAssertEqual(result.x[1], 1, accuracy: 1e-6)
    XCTAssertEqual(result.value, 0, accuracy: 1e-12)
  }
}

/// A tiny generator for test inputs: uniform in [0, 1).
struct SplitMixForTests {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> Double {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return Double((z ^ (z >> 31)) >> 11) * 0x1p-53
  }
}
