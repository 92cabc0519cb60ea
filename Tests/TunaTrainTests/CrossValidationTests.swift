import XCTest

@testable import TunaTrain

final class CrossValidationTests: XCTestCase {
  func testIrisLogisticRegression() throws {
    let iris = try Dataset.load("iris")
    var made = 0
    let cv = try crossValScore({ made += 1; return try LogisticRegression() }, iris, cv: 5, seed: 0)
    XCTAssertEqual(cv.scores.count, 5)
    XCTAssertEqual(made, 5)
    XCTAssertGreaterThanOrEqual(cv.mean, 0.93, "\(cv.scores)")
    XCTAssert(cv.scores.allSatisfy { (0...1).contains($0) })
    // Seeded: the same seed gives the same scores.
    let again = try crossValScore({ try LogisticRegression() }, iris, cv: 5, seed: 0)
    XCTAssertEqual(again.scores, cv.scores)
    // scikit-learn's layout (stratified, unshuffled) works as well.
    let unshuffled = try crossValScore({ try LogisticRegression() }, iris, cv: 3, shuffle: false)
    XCTAssertEqual(unshuffled.scores.count, 3)
    XCTAssertGreaterThanOrEqual(unshuffled.mean, 0.93)
    let logLoss = try crossValScore({ try LogisticRegression() }, iris, cv: 4, scoring: .neg_log_loss)
    XCTAssert(logLoss.scores.allSatisfy { $0 < 0 && $0 > -0.5 }, "\(logLoss.scores)")
  }

  func testRegressionDefaultsToR2() throws {
    let diabetes = try Dataset.load("diabetes")
    let cv = try crossValScore({ try LinearRegression() }, diabetes, cv: 5, seed: 1)
    XCTAssertEqual(cv.scores.count, 5)
    XCTAssert((0.35...0.6).contains(cv.mean), "\(cv.scores)")  // scikit-learn: about 0.48
    let mse = try crossValScore({ try LinearRegression() }, diabetes, cv: 5, scoring: .neg_mean_squared_error, seed: 1)
    XCTAssert(mse.scores.allSatisfy { $0 < 0 })
  }

  func testMeanAndPopulationStd() {
    let r = CVResult(scores: [1, 2, 3, 4])
    XCTAssertEqual(r.mean, 2.5)
    XCTAssertEqual(r.std, 1.25.squareRoot(), accuracy: 1e-15)
  }

  func testErrors() throws {
    let iris = try Dataset.load("iris")
    XCTAssertThrowsError(try crossValScore({ try LogisticRegression() }, iris, cv: 1)) {
      XCTAssertEqual("\($0)", "cross_val_score: cv must be between 2 and the number of rows (150), got 1")
    }
    XCTAssertThrowsError(try crossValScore({ try LogisticRegression() }, iris, scoring: .r2)) {
      XCTAssertEqual("\($0)", "cross_val_score: scoring 'r2' needs a regression dataset; this one is classification")
    }
    XCTAssertThrowsError(try crossValScore({ try LinearRegression() }, iris, scoring: .accuracy)) {
      XCTAssertEqual(
        "\($0)", "linear_regression needs a regression dataset; this one is classification (use logistic_regression)")
    }
    XCTAssertThrowsError(try crossValScore({ try LogisticRegression() }, iris, scoring: .roc_auc)) {
      XCTAssertEqual("\($0)", "scoring 'roc_auc' needs a binary classification dataset; this one has 3 classes")
    }
  }

  /// `afterFold` hears each fold's score in order, and what it throws ends the cross-validation
  /// before the next fold is trained (how a tuner prunes between folds).
  func testAfterFoldSeesEachScoreAndCanStop() throws {
    let iris = try Dataset.load("iris")
    var heard: [(Int, Double)] = []
    let cv = try crossValScore({ try LogisticRegression() }, iris, cv: 5, seed: 0) { heard.append(($0, $1)) }
    XCTAssertEqual(heard.map(\.0), [0, 1, 2, 3, 4])
    XCTAssertEqual(heard.map(\.1), cv.scores)

    struct Stop: Error {}
    var made = 0
    XCTAssertThrowsError(try crossValScore({ made += 1; return try LogisticRegression() }, iris, cv: 5, seed: 0) { fold, _ in
      if fold == 1 { throw Stop() }
    }) { XCTAssertTrue($0 is Stop) }
    XCTAssertEqual(made, 2, "no model is made after the fold that stopped it")
  }
}
