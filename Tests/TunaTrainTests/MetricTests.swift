import Foundation
import XCTest

@testable import TunaTrain

/// Predicts one class whatever it sees, and gives no probabilities.
private final class ConstantClassifier: Estimator {
  let label: Float
  init(_ label: Float) { self.label = label }
  func fit(_ data: Dataset) throws {}
  func predict(_ x: Matrix) throws -> [Float] { [Float](repeating: label, count: x.rows) }
}

/// Gives fixed probabilities, row by row.
private final class FixedProbabilities: ProbabilisticClassifier {
  let p: Matrix
  init(_ p: Matrix) { self.p = p }
  func fit(_ data: Dataset) throws {}
  func predictProbabilities(_ x: Matrix) throws -> Matrix { p }
  func predict(_ x: Matrix) throws -> [Float] {
    (0..<p.rows).map { i in Float((0..<p.cols).max { p[i, $0] < p[i, $1] }!) }
  }
}

final class MetricTests: XCTestCase {
  func testLogLoss() {
    let p = Matrix([[0.7, 0.2, 0.1], [0.3, 0.6, 0.1], [0.0, 0.0, 1.0]])
    let expected = -(log(Double(Float(0.7))) + log(Double(Float(0.6))) + log(1 - 1e-15)) / 3
    XCTAssertEqual(Metrics.logLoss([0, 1, 2], probabilities: p), expected, accuracy: 1e-12)
    // A zero probability on the truth is clipped to eps: -log(1e-15) = 34.5388.
    XCTAssertEqual(Metrics.logLoss([0], probabilities: Matrix([[0, 1]])), -log(1e-15), accuracy: 1e-9)
    XCTAssertEqual(Metrics.logLoss([0], probabilities: Matrix([[0, 1]]), eps: 1e-3), -log(1e-3), accuracy: 1e-12)
  }

  func testF1() {
    // Binary: tp = 2, fp = 1, fn = 1 -> 4 / 6.
    XCTAssertEqual(Metrics.f1([1, 1, 0, 0, 1], [1, 0, 0, 1, 1]), 2.0 / 3, accuracy: 1e-12)
    XCTAssertEqual(Metrics.f1([0, 0], [0, 0]), 0)  // no positives anywhere
    XCTAssertEqual(Metrics.f1([1, 0], [1, 0]), 1)
    // Macro, scikit-learn's documented example: F1 of classes 0, 1, 2 = 0.8, 0, 0.
    XCTAssertEqual(Metrics.f1([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]), 0.8 / 3, accuracy: 1e-12)
    // Two classes named by nClasses use the binary form even if only one label shows.
    XCTAssertEqual(Metrics.f1([0, 1, 1], [0, 1, 0], nClasses: 2), 2.0 / 3, accuracy: 1e-12)
    // nClasses 3 with labels 0/1 only: macro over the classes that occur: (2/3 + 1/2 ... )
    // class 0: tp 1, fp 1, fn 0 -> 2/3; class 1: tp 1, fp 0, fn 1 -> 2/3.
    XCTAssertEqual(Metrics.f1([0, 1, 1], [0, 1, 0], nClasses: 3), 2.0 / 3, accuracy: 1e-12)
  }

  func testRocAUC() throws {
    // scikit-learn's example: 0.75.
    XCTAssertEqual(try Metrics.rocAUC([0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8]), 0.75, accuracy: 1e-12)
    // Ties count one half: pairs (pos, neg) = (0.5, 0.5) ½, (0.5, 0.2) 1, (0.9, 0.5) 1, (0.9, 0.2) 1.
    XCTAssertEqual(try Metrics.rocAUC([0, 1, 0, 1], scores: [0.5, 0.5, 0.2, 0.9]), 3.5 / 4, accuracy: 1e-12)
    XCTAssertEqual(try Metrics.rocAUC([0, 1, 0, 1], scores: [3, 3, 3, 3]), 0.5, accuracy: 1e-12)
    XCTAssertEqual(try Metrics.rocAUC([1, 1, 0], scores: [0.1, 0.2, 0.9]), 0, accuracy: 1e-12)
    XCTAssertThrowsError(try Metrics.rocAUC([1, 1], scores: [0.1, 0.2])) {
      XCTAssertEqual("\($0)", "rocAUC: only one class is present in the labels, so ROC AUC is not defined")
    }
    XCTAssertThrowsError(try Metrics.rocAUC([0, 2], scores: [0.1, 0.2]))
  }

  func testRegressionMetrics() {
    let truth: [Float] = [3, -0.5, 2, 7], predicted: [Float] = [2.5, 0, 2, 8]
    XCTAssertEqual(Metrics.mse(truth, predicted), 0.375, accuracy: 1e-12)
    XCTAssertEqual(Metrics.mae(truth, predicted), 0.5, accuracy: 1e-12)
    XCTAssertEqual(Metrics.r2(truth, predicted), 1 - 1.5 / 29.1875, accuracy: 1e-12)  // 0.948608
    XCTAssertEqual(Metrics.accuracy([0, 1, 2, 2], [0, 2, 2, 2]), 0.75)
  }

  func testScoringNamesAndDefaults() throws {
    XCTAssertEqual(
      Scoring.allCases.map(\.rawValue),
      ["accuracy", "f1", "roc_auc", "neg_log_loss", "r2", "neg_mean_squared_error", "neg_mean_absolute_error"])
    XCTAssertEqual(try Scoring(named: "roc_auc"), .roc_auc)
    XCTAssertThrowsError(try Scoring(named: "auc")) {
      XCTAssertEqual(
        "\($0)",
        "unknown scoring 'auc' (known: accuracy, f1, roc_auc, neg_log_loss, r2, neg_mean_squared_error, neg_mean_absolute_error)")
    }
    XCTAssertEqual(Scoring.default(for: .classification), .accuracy)
    XCTAssertEqual(Scoring.default(for: .regression), .r2)
  }

  func testScoreWithEstimators() throws {
    let data = Dataset(x: Matrix(rows: 4, cols: 1), y: [0, 1, 0, 1], task: .classification)
    let p = Matrix([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
    let model = FixedProbabilities(p)
    XCTAssertEqual(try Metrics.score(.accuracy, estimator: model, data: data), 0.75)
    XCTAssertEqual(try Metrics.score(.f1, estimator: model, data: data), 2.0 / 3, accuracy: 1e-12)
    XCTAssertEqual(try Metrics.score(.roc_auc, estimator: model, data: data), 0.75, accuracy: 1e-12)
    XCTAssertEqual(
      try Metrics.score(.neg_log_loss, estimator: model, data: data),
      -Metrics.logLoss(data.y, probabilities: p), accuracy: 1e-12)
    XCTAssertLessThan(try Metrics.score(.neg_log_loss, estimator: model, data: data), 0)

    XCTAssertThrowsError(try Metrics.score(.roc_auc, estimator: ConstantClassifier(1), data: data)) {
      XCTAssertEqual("\($0)", "scoring 'roc_auc' needs class probabilities, which ConstantClassifier does not give")
    }
    XCTAssertThrowsError(try Metrics.score(.r2, estimator: ConstantClassifier(1), data: data)) {
      XCTAssertEqual("\($0)", "scoring 'r2' needs a regression dataset; this one is classification")
    }
    let three = Dataset(x: Matrix(rows: 3, cols: 1), y: [0, 1, 2], task: .classification)
    XCTAssertThrowsError(try Metrics.score(.roc_auc, estimator: FixedProbabilities(Matrix(rows: 3, cols: 3)), data: three)) {
      XCTAssertEqual("\($0)", "scoring 'roc_auc' needs a binary classification dataset; this one has 3 classes")
    }

    let regression = Dataset(x: Matrix([[0], [1], [2], [3]]), y: [1, 3, 5, 7.5], task: .regression)
    let line = try LinearRegression()
    try line.fit(regression)
    let predicted = try line.predict(regression.x)
    XCTAssertEqual(
      try Metrics.score(.neg_mean_squared_error, estimator: line, data: regression),
      -Metrics.mse(regression.y, predicted))
    XCTAssertEqual(
      try Metrics.score(.neg_mean_absolute_error, estimator: line, data: regression),
      -Metrics.mae(regression.y, predicted))
    XCTAssertEqual(try Metrics.score(.r2, estimator: line, data: regression), Metrics.r2(regression.y, predicted))
  }
}
