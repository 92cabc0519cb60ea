import XCTest

@testable import TunaTrain

final class LinearRegressionTests: XCTestCase {
  func testRecoversKnownCoefficientsOnNoiselessData() throws {
    var rows: [[Float]] = [], y: [Float] = []
    for i in 0..<50 {
      let a = Float(i % 7) - 3, b = Float((i * 13) % 11) / 4, c = Float(i) / 10
      rows.append([a, b, c])
      y.append(2 * a - 3 * b + 0.5 * c + 4)
    }
    let data = Dataset(x: Matrix(rows), y: y, task: .regression)
    let model = try LinearRegression()
    try model.fit(data)
    XCTAssertEqual(model.coefficients[0], 2, accuracy: 1e-5)
    XCTAssertEqual(model.coefficients[1], -3, accuracy: 1e-5)
    XCTAssertEqual(model.coefficients[2], 0.5, accuracy: 1e-5)
    XCTAssertEqual(model.intercept, 4, accuracy: 1e-5)
    XCTAssertFalse(model.rankDeficient)
    XCTAssertEqual(try model.score(data), 1, accuracy: 1e-10)

    // Without an intercept, data through the origin.
    let origin = Dataset(x: Matrix(rows), y: zip(rows, y).map { $1 - 4 }, task: .regression)
    let noIntercept = try LinearRegression(fitIntercept: false)
    try noIntercept.fit(origin)
    XCTAssertEqual(noIntercept.intercept, 0)
    XCTAssertEqual(noIntercept.coefficients[1], -3, accuracy: 1e-5)
  }

  func testRidgeMatchesTheClosedForm() throws {
    // Two features; w = (XcᵀXc + αI)⁻¹ Xcᵀ yc by hand with the 2x2 inverse.
    let x: [[Double]] = [[1, 2], [2, 1], [3, 5], [4, 3], [5, 8]]
    let y: [Double] = [3, 2, 7, 4, 9]
    let alpha = 2.5
    let mx = [0, 1].map { j in x.map { $0[j] }.reduce(0, +) / 5 }
    let my = y.reduce(0, +) / 5
    var g = [[0.0, 0.0], [0.0, 0.0]], r = [0.0, 0.0]
    for (row, t) in zip(x, y) {
      for a in 0..<2 {
        r[a] += (row[a] - mx[a]) * (t - my)
        for b in 0..<2 { g[a][b] += (row[a] - mx[a]) * (row[b] - mx[b]) }
      }
    }
    g[0][0] += alpha
    g[1][1] += alpha
    let det = g[0][0] * g[1][1] - g[0][1] * g[1][0]
    let w0 = (g[1][1] * r[0] - g[0][1] * r[1]) / det
    let w1 = (-g[1][0] * r[0] + g[0][0] * r[1]) / det
    let data = Dataset(x: Matrix(x.map { $0.map(Float.init) }), y: y.map(Float.init), task: .regression)
    let ridge = try LinearRegression(l2: alpha)
    try ridge.fit(data)
    XCTAssertEqual(ridge.coefficients[0], w0, accuracy: 1e-9)
    XCTAssertEqual(ridge.coefficients[1], w1, accuracy: 1e-9)
    XCTAssertEqual(ridge.intercept, my - mx[0] * w0 - mx[1] * w1, accuracy: 1e-9)
    // The penalty shrinks the weights.
    let ols = try LinearRegression()
    try ols.fit(data)
    XCTAssertLessThan(DoubleAlgebra.norm(ridge.coefficients), DoubleAlgebra.norm(ols.coefficients))
  }

  func testDiabetesMatchesScikitLearn() throws {
    let diabetes = try Dataset.load("diabetes")
    let model = try LinearRegression()
    try model.fit(diabetes)
    // scikit-learn: LinearRegression().fit(X, y).score(X, y) = 0.5177
    XCTAssertEqual(try model.score(diabetes), 0.5177, accuracy: 5e-4)
    // coef_ of bmi and s5 (the largest) ≈ 519.8 and 751.3 (to the CSV's six digits).
    XCTAssertEqual(model.coefficients[2], 519.8, accuracy: 1)
    XCTAssertEqual(model.intercept, 152.13, accuracy: 0.1)
  }

  func testCollinearFeaturesUseTheMinimumNormSolution() throws {
    // x1 = 2 x0: any w0 + 2 w1 = 3 fits; the minimum-norm one is (0.6, 1.2).
    let x = Matrix((0..<10).map { i in [Float(i), Float(2 * i)] })
    let data = Dataset(x: x, y: (0..<10).map { Float(3 * $0 + 1) }, task: .regression)
    let model = try LinearRegression()
    try model.fit(data)
    XCTAssertTrue(model.rankDeficient)
    XCTAssertEqual(model.coefficients[0], 0.6, accuracy: 1e-6)
    XCTAssertEqual(model.coefficients[1], 1.2, accuracy: 1e-6)
    XCTAssertEqual(model.intercept, 1, accuracy: 1e-6)
  }

  func testSymmetricEigenDecomposition() {
    let a: [Double] = [4, 1, 2, 1, 3, 0, 2, 0, 5]
    let (values, vectors) = DoubleAlgebra.symmetricEigen(a, n: 3)
    for k in 0..<3 {  // A v = λ v
      for i in 0..<3 {
        let av = (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * vectors[$1 * 3 + k] }
        XCTAssertEqual(av, values[k] * vectors[i * 3 + k], accuracy: 1e-10)
      }
    }
    XCTAssertEqual(values.reduce(0, +), 12, accuracy: 1e-10)
  }

  func testErrors() throws {
    XCTAssertThrowsError(try LinearRegression(l2: -1)) {
      XCTAssertEqual("\($0)", "linear_regression: l2 must be a finite number >= 0, got -1.0")
    }
    let model = try LinearRegression()
    XCTAssertThrowsError(try model.predict(Matrix(rows: 1, cols: 1))) {
      XCTAssertEqual("\($0)", "linear_regression: predict before fit")
    }
    XCTAssertThrowsError(try model.fit(try Dataset.load("iris"))) {
      XCTAssertEqual(
        "\($0)", "linear_regression needs a regression dataset; this one is classification (use logistic_regression)")
    }
    try model.fit(Dataset(x: Matrix([[1], [2]]), y: [1, 2], task: .regression))
    XCTAssertThrowsError(try model.predict(Matrix(rows: 1, cols: 2))) {
      XCTAssertEqual("\($0)", "linear_regression: fitted on 1 features, given 2")
    }
  }
}
