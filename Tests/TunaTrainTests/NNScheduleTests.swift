import XCTest

@testable import TunaTrain

/// Learning-rate schedules epoch by epoch, warm-up included, and early stopping.
final class NNScheduleTests: XCTestCase {
  private func rates(_ schedule: ScheduleConfig, base: Float = 0.1, epochs: Int) -> [Double] {
    (1...epochs).map { Double(schedule.rate(base: base, epoch: $0, epochs: epochs)) }
  }

  private func assertRates(_ got: [Double], _ want: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(got.count, want.count, what, file: file, line: line)
    for (e, (g, w)) in zip(got, want).enumerated() {
      XCTAssertEqual(g, w, accuracy: 1e-7, "\(what): epoch \(e + 1)", file: file, line: line)
    }
  }

  func testConstant() {
    assertRates(rates(ScheduleConfig(), epochs: 3), [0.1, 0.1, 0.1], "constant")
    // Warm-up over 3 epochs: e/(W+1) of the base, then the base.
    assertRates(rates(ScheduleConfig(warmupEpochs: 3), epochs: 5), [0.025, 0.05, 0.075, 0.1, 0.1], "constant + warm-up")
  }

  func testStep() {
    let step = ScheduleConfig(kind: .step, stepSize: 2)
    XCTAssertEqual(step.resolvedGamma, 0.1)
    assertRates(rates(step, epochs: 5), [0.1, 0.1, 0.01, 0.01, 0.001], "step")
    let warm = ScheduleConfig(kind: .step, warmupEpochs: 1, stepSize: 2, gamma: 0.5)
    assertRates(rates(warm, epochs: 6), [0.05, 0.1, 0.1, 0.05, 0.05, 0.025], "step + warm-up")
  }

  func testExponential() {
    let exp = ScheduleConfig(kind: .exponential)
    XCTAssertEqual(exp.resolvedGamma, 0.95)
    assertRates(rates(exp, epochs: 3), [0.1, 0.095, 0.09025], "exponential")
    let warm = ScheduleConfig(kind: .exponential, warmupEpochs: 1, gamma: 0.5)
    assertRates(rates(warm, epochs: 4), [0.05, 0.1, 0.05, 0.025], "exponential + warm-up")
  }

  func testCosine() {
    // T = 4: min + (base − min)(1 + cos(πt/4))/2 for t = 0…3.
    let cosine = ScheduleConfig(kind: .cosine, minLR: 0.01)
    let want: [Double] = (0..<4).map { (t: Int) -> Double in 0.01 + 0.09 * (1 + cos(Double.pi * Double(t) / 4)) / 2 }
    assertRates(rates(cosine, epochs: 4), want, "cosine")
    XCTAssertEqual(want[0], 0.1, accuracy: 1e-12)
    XCTAssertEqual(want[2], 0.055, accuracy: 1e-12)
    // With 2 warm-up epochs of 6, the cosine spans the last 4.
    let warm = ScheduleConfig(kind: .cosine, warmupEpochs: 2)
    let warmUp: [Double] = [0.1 / 3, 0.2 / 3]
    let decay: [Double] = (0..<4).map { (t: Int) -> Double in 0.1 * (1 + cos(Double.pi * Double(t) / 4)) / 2 }
    assertRates(rates(warm, epochs: 6), warmUp + decay, "cosine + warm-up")
    // Non-increasing after the warm-up, never below min_lr.
    let long = rates(ScheduleConfig(kind: .cosine, minLR: 0.02), epochs: 50)
    XCTAssertTrue(zip(long, long.dropFirst()).allSatisfy { $0 >= $1 })
    XCTAssertGreaterThanOrEqual(long.min()!, 0.02)
  }

  func testFitUsesTheSchedule() throws {
    let data = NNFixtures.blobs(rows: 40, features: 2, classes: 2, seed: 1)
    let net = try MLP(MLPConfig(hidden: [4]))
    let result = try fit(
      net, data, options: FitOptions(epochs: 4, optimizer: OptimizerConfig(kind: .sgd, lr: 0.2),
                                     schedule: ScheduleConfig(kind: .step, warmupEpochs: 1, stepSize: 1, gamma: 0.5)))
    assertRates(result.history.map(\.lr), [0.1, 0.2, 0.1, 0.05], "lr in the history")
    XCTAssertEqual(result.history.map { $0.values["lr"]! }, result.history.map(\.lr))
  }

  func testInvalidSchedules() {
    let data = NNFixtures.blobs(rows: 10, features: 2, classes: 2, seed: 1)
    let cases: [(ScheduleConfig, String)] = [
      (ScheduleConfig(warmupEpochs: -1), "warmupEpochs"),
      (ScheduleConfig(kind: .step, stepSize: 0), "stepSize"),
      (ScheduleConfig(kind: .exponential, gamma: 0), "gamma"),
      (ScheduleConfig(kind: .cosine, minLR: -1), "minLR"),
    ]
    for (schedule, fragment) in cases {
      XCTAssertThrowsError(try fit(try MLP(MLPConfig(hidden: [2])), data, options: FitOptions(schedule: schedule))) {
        XCTAssertTrue("\($0)".contains(fragment), "'\($0)' should mention \(fragment)")
      }
    }
  }

  // MARK: Early stopping

  func testEarlyStopperRules() {
    var min = EarlyStopper(EarlyStoppingConfig(patience: 2, minDelta: 0.1))
    XCTAssertTrue(min.record(1.0, epoch: 1))
    XCTAssertFalse(min.record(0.95, epoch: 2))  // not by more than min_delta
    XCTAssertFalse(min.shouldStop)
    XCTAssertTrue(min.record(0.8, epoch: 3))
    XCTAssertFalse(min.record(0.9, epoch: 4))
    XCTAssertFalse(min.record(.nan, epoch: 5))
    XCTAssertTrue(min.shouldStop)
    XCTAssertEqual(min.bestEpoch, 3)

    var max = EarlyStopper(EarlyStoppingConfig(monitor: "valid_accuracy", patience: 1))
    XCTAssertTrue(max.config.maximizes)
    XCTAssertTrue(max.record(0.5, epoch: 1))
    XCTAssertTrue(max.record(0.6, epoch: 2))
    XCTAssertFalse(max.record(0.6, epoch: 3))
    XCTAssertTrue(max.shouldStop)
    XCTAssertTrue(EarlyStoppingConfig(monitor: "valid_r2").maximizes)
    XCTAssertFalse(EarlyStoppingConfig(monitor: "train_loss").maximizes)
  }

  /// After epoch 2 the test wrecks the weights (×40): the validation loss jumps and does not
  /// recover at a tiny learning rate, so training stops after `patience` more epochs and the
  /// weights of epoch 2 come back.
  func testEarlyStoppingStopsAndRestoresTheBest() throws {
    let all = NNFixtures.blobs(rows: 200, features: 4, classes: 3, seed: 5)
    let train = all.subset(Array(0..<150)), valid = all.subset(Array(150..<200))
    let net = try MLP(MLPConfig(hidden: [16]))
    var atEpoch2: [Float] = []
    let result = try fit(
      net, train, valid: valid,
      options: FitOptions(
        epochs: 30, batchSize: 16, optimizer: OptimizerConfig(kind: .adam, lr: 1e-5),
        earlyStopping: EarlyStoppingConfig(monitor: "valid_loss", patience: 3))
    ) { m in
      if m.epoch == 2 {
        atEpoch2 = net.parameters
        net.parameters = net.parameters.map { $0 * 40 }
      }
      return .proceed
    }
    XCTAssertEqual(result.epochs, 5)  // epochs 3, 4, 5 without improvement
    XCTAssertTrue(result.stoppedEarly)
    XCTAssertEqual(result.restoredEpoch, 2)
    XCTAssertEqual(net.parameters, atEpoch2)
    XCTAssertEqual(result.validLoss, result.history[1].validLoss)
    XCTAssertEqual(result.trainLoss, result.history[1].trainLoss)
    XCTAssertEqual(try net.evaluate(valid)["loss"]!, result.validLoss!, accuracy: 1e-5)
    XCTAssertGreaterThan(result.history[2].validLoss!, 2 * result.history[1].validLoss!)
  }

  func testEarlyStoppingWithoutRestore() throws {
    let all = NNFixtures.blobs(rows: 120, features: 4, classes: 3, seed: 5)
    let train = all.subset(Array(0..<90)), valid = all.subset(Array(90..<120))
    let net = try MLP(MLPConfig(hidden: [8]))
    var wrecked: [Float] = []
    let result = try fit(
      net, train, valid: valid,
      options: FitOptions(
        epochs: 30, optimizer: OptimizerConfig(kind: .sgd, lr: 1e-7),
        earlyStopping: EarlyStoppingConfig(monitor: "valid_accuracy", patience: 2, restoreBest: false))
    ) { m in
      if m.epoch == 1 {
        net.parameters = net.parameters.map { -$0 * 10 }
        wrecked = net.parameters
      }
      return .proceed
    }
    XCTAssertEqual(result.epochs, 3)
    XCTAssertNil(result.restoredEpoch)
    XCTAssertEqual(result.validAccuracy, result.history.last!.validAccuracy)
    for (a, b) in zip(net.parameters, wrecked) { XCTAssertEqual(a, b, accuracy: 1e-4) }
  }

  func testMonitorValidation() throws {
    let data = NNFixtures.blobs(rows: 20, features: 2, classes: 2, seed: 1)
    let regression = NNFixtures.linear(rows: 20, features: 2, noise: 0.1, seed: 1)
    let cases: [(Dataset, Dataset?, String, String)] = [
      (data, data, "valid_los", "is not one of"),
      (data, nil, "valid_loss", "needs validation data"),
      (data, data, "valid_r2", "needs a regression task"),
      (regression, regression, "valid_accuracy", "needs a classification task"),
    ]
    for (train, valid, monitor, fragment) in cases {
      let options = FitOptions(earlyStopping: EarlyStoppingConfig(monitor: monitor))
      XCTAssertThrowsError(try fit(try MLP(MLPConfig(hidden: [2])), train, valid: valid, options: options)) {
        XCTAssertTrue("\($0)".contains(fragment), "'\($0)' should mention \(fragment)")
      }
    }
    // train_loss needs no validation data.
    let result = try fit(
      try MLP(MLPConfig(hidden: [2])), data,
      options: FitOptions(epochs: 3, earlyStopping: EarlyStoppingConfig(monitor: "train_loss", patience: 10)))
    XCTAssertEqual(result.epochs, 3)
  }
}
