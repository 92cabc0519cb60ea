import TunaRandom
import XCTest

@testable import TunaTrain

/// `fit`, `MLP` and their contracts: learning, determinism, errors, callbacks, inference.
final class NNFitTests: XCTestCase {
  // MARK: Learning

  /// The bundled digits (1797 × 64, 10 classes), standardized on an 80/20 split: a small MLP
  /// reaches an accuracy far above chance (0.1) in a few epochs.
  func testDigitsLearns() throws {
    let digits = try Dataset.load("digits")
    XCTAssertEqual(digits.nFeatures, 64)
    XCTAssertEqual(digits.nClasses, 10)
    let (rawTrain, rawValid) = try digits.split(testSize: 0.2, stratify: true, seed: 0)
    let scaled = try standardize(rawTrain, rawValid)
    let (train, valid) = (scaled[0], scaled[1])
    let net = try MLP(MLPConfig(hidden: [32]))
    XCTAssertFalse(net.isBuilt)
    let result = try fit(net, train, valid: valid, options: FitOptions(epochs: 8, batchSize: 32, seed: 1))
    XCTAssertTrue(net.isBuilt)
    XCTAssertEqual(net.layerSizes, [64, 32, 10])
    XCTAssertEqual(net.parameterCount, 64 * 32 + 32 + 32 * 10 + 10)
    XCTAssertGreaterThan(result.validAccuracy!, 0.9)
    XCTAssertLessThan(result.history.last!.trainLoss, result.history.first!.trainLoss)
    XCTAssertEqual(try net.evaluate(valid)["accuracy"]!, result.validAccuracy!, accuracy: 1e-9)
    XCTAssertEqual(Metrics.accuracy(valid.y, try net.predict(valid.x)), result.validAccuracy!, accuracy: 1e-9)
  }

  /// Linear target plus noise: R² close to the noise ceiling.
  func testRegressionReachesAGoodR2() throws {
    let data = NNFixtures.linear(rows: 600, features: 5, noise: 0.3, seed: 2)
    let train = data.subset(Array(0..<500)), valid = data.subset(Array(500..<600))
    let net = try MLP(MLPConfig(hidden: [32], activation: .tanh))
    let result = try fit(
      net, train, valid: valid, options: FitOptions(epochs: 60, batchSize: 32, optimizer: OptimizerConfig(kind: .adam, lr: 0.01)))
    XCTAssertGreaterThan(result.validR2!, 0.95)
    XCTAssertNil(result.validAccuracy)
    let metrics = try net.evaluate(valid)
    XCTAssertEqual(Set(metrics.keys), ["loss", "mse", "mae", "r2"])
    XCTAssertEqual(metrics["loss"], metrics["mse"])
    XCTAssertEqual(metrics["r2"]!, result.validR2!, accuracy: 1e-9)
    XCTAssertEqual(metrics["r2"]!, Metrics.r2(valid.y, try net.predict(valid.x)), accuracy: 1e-5)
    XCTAssertThrowsError(try net.predictProbabilities(valid.x))
  }

  /// Every optimizer, every activation, dropout and the penalties train without trouble.
  func testEveryOptimizerAndActivationLearns() throws {
    let all = NNFixtures.blobs(rows: 300, features: 5, classes: 3, seed: 9)
    let train = all.subset(Array(0..<240)), valid = all.subset(Array(240..<300))
    let optimizers: [OptimizerConfig] = [
      OptimizerConfig(kind: .sgd, lr: 0.05, momentum: 0.9, nesterov: true), OptimizerConfig(kind: .adam, lr: 1e-2),
      OptimizerConfig(kind: .adamw, lr: 1e-2), OptimizerConfig(kind: .rmsprop, lr: 3e-3), OptimizerConfig(kind: .adagrad, lr: 0.05),
    ]
    for optimizer in optimizers {
      for activation in Activation.allCases {
        let net = try MLP(MLPConfig(hidden: [16, 16], activation: activation, dropout: 0.1))
        let result = try fit(
          net, train, valid: valid,
          options: FitOptions(epochs: 15, batchSize: 16, optimizer: optimizer, l1: 1e-5, l2: 1e-4,
                              schedule: ScheduleConfig(kind: .cosine, warmupEpochs: 1)))
        XCTAssertGreaterThan(result.validAccuracy!, 0.85, "\(optimizer.kind.rawValue) + \(activation.rawValue)")
      }
    }
  }

  // MARK: Determinism

  func testSameSeedIsBitIdenticalAndSeedsDiffer() throws {
    let all = NNFixtures.blobs(rows: 150, features: 6, classes: 3, seed: 3)
    let train = all.subset(Array(0..<120)), valid = all.subset(Array(120..<150))
    func run(seed: UInt64) throws -> ([Float], [EpochMetrics]) {
      let net = try MLP(MLPConfig(hidden: [12, 7], activation: .gelu, dropout: 0.2))
      let result = try fit(net, train, valid: valid, options: FitOptions(epochs: 4, batchSize: 13, seed: seed))
      return (net.parameters, result.history)
    }
    let (a, historyA) = try run(seed: 42)
    let (b, historyB) = try run(seed: 42)
    XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
    XCTAssertEqual(historyA, historyB)
    let (c, historyC) = try run(seed: 43)
    XCTAssertNotEqual(a, c)
    XCTAssertNotEqual(historyA.map(\.trainLoss), historyC.map(\.trainLoss))
  }

  func testShuffleOffGoesInRowOrder() throws {
    // Without shuffling the seed still draws the initial weights, and two runs agree.
    let data = NNFixtures.blobs(rows: 50, features: 3, classes: 2, seed: 8)
    func run() throws -> [Float] {
      let net = try MLP(MLPConfig(hidden: [5]))
      _ = try fit(net, data, options: FitOptions(epochs: 2, batchSize: 7, seed: 5, shuffle: false))
      return net.parameters
    }
    XCTAssertEqual(try run(), try run())
  }

  // MARK: Callbacks

  func testOnEpochSeesEveryEpochAndCanStop() throws {
    let all = NNFixtures.blobs(rows: 100, features: 3, classes: 2, seed: 2)
    let train = all.subset(Array(0..<80)), valid = all.subset(Array(80..<100))
    var seen: [EpochMetrics] = []
    let result = try fit(try MLP(MLPConfig(hidden: [4])), train, valid: valid, options: FitOptions(epochs: 10)) { m in
      seen.append(m)
      return m.epoch == 3 ? .stop : .proceed
    }
    XCTAssertEqual(result.epochs, 3)
    XCTAssertTrue(result.stoppedEarly)
    XCTAssertEqual(seen.map(\.epoch), [1, 2, 3])
    XCTAssertEqual(seen, result.history)
    let values = seen[0].values
    XCTAssertEqual(Set(values.keys), ["train_loss", "valid_loss", "valid_accuracy", "lr"])
    XCTAssertEqual(values["valid_accuracy"], seen[0].validAccuracy)
    XCTAssertEqual(result.validAccuracy, seen[2].validAccuracy)
    // Running to the end is not "stopped early".
    let full = try fit(try MLP(MLPConfig(hidden: [4])), train, options: FitOptions(epochs: 2)) { _ in .proceed }
    XCTAssertFalse(full.stoppedEarly)
    XCTAssertEqual(full.epochs, 2)
    XCTAssertEqual(Set(full.history[0].values.keys), ["train_loss", "lr"])
  }

  func testOnEpochErrorPropagates() throws {
    struct Pruned: Error {}
    let data = NNFixtures.blobs(rows: 40, features: 3, classes: 2, seed: 2)
    var calls = 0
    XCTAssertThrowsError(
      try fit(try MLP(MLPConfig(hidden: [4])), data, options: FitOptions(epochs: 10)) { m in
        calls += 1
        if m.epoch == 2 { throw Pruned() }
        return .proceed
      }
    ) { XCTAssertTrue($0 is Pruned) }
    XCTAssertEqual(calls, 2)
  }

  // MARK: Building, refitting, inference

  func testRefitContinuesAndChecksShape() throws {
    let data = NNFixtures.blobs(rows: 60, features: 3, classes: 3, seed: 6)
    let net = try MLP(MLPConfig(hidden: [6]))
    let first = try fit(net, data, options: FitOptions(epochs: 3))
    let second = try fit(net, data, options: FitOptions(epochs: 3))
    XCTAssertLessThan(second.history[0].trainLoss, first.history[0].trainLoss)
    let wider = NNFixtures.blobs(rows: 60, features: 4, classes: 3, seed: 6)
    XCTAssertThrowsError(try fit(net, wider)) { XCTAssertTrue("\($0)".contains("4 features but the network was built for 3")) }
    XCTAssertThrowsError(try net.predict(wider.x)) { XCTAssertTrue("\($0)".contains("features")) }
    XCTAssertThrowsError(try fit(net, NNFixtures.linear(rows: 10, features: 3, noise: 0, seed: 1))) {
      XCTAssertTrue("\($0)".contains("regression"))
    }
    var moreClasses = data
    moreClasses.y[0] = 3
    moreClasses.nClasses = 4
    XCTAssertThrowsError(try fit(net, moreClasses)) { XCTAssertTrue("\($0)".contains("class index 3")) }
  }

  func testPredictionsAndProbabilities() throws {
    let data = NNFixtures.blobs(rows: 700, features: 3, classes: 4, seed: 12)  // > 256 rows: several chunks
    let net = try MLP(MLPConfig(hidden: [10]))
    XCTAssertThrowsError(try net.predict(data.x)) { XCTAssertTrue("\($0)".contains("not fitted")) }
    XCTAssertEqual(net.parameterCount, 0)
    _ = try fit(net, data, options: FitOptions(epochs: 3))
    let p = try net.predictProbabilities(data.x)
    XCTAssertEqual(p.rows, 700)
    XCTAssertEqual(p.cols, 4)
    for r in 0..<p.rows { XCTAssertEqual(p.row(r).reduce(0, +), 1, accuracy: 1e-5) }
    let predicted = try net.predict(data.x)
    for r in 0..<p.rows {
      let row = p.row(r)
      XCTAssertEqual(Int(predicted[r]), row.firstIndex(of: row.max()!)!)
    }
    let metrics = try net.evaluate(data)
    XCTAssertEqual(Set(metrics.keys), ["accuracy", "loss"])
    let crossEntropy = (0..<p.rows).map { -log(Double(p[$0, Int(data.y[$0])])) }.reduce(0, +) / Double(p.rows)
    XCTAssertEqual(metrics["loss"]!, crossEntropy, accuracy: 1e-4)
    XCTAssertEqual(try net.predict(Matrix(rows: 0, cols: 3)), [])
  }

  // MARK: Errors

  func testConfigurationErrorsNameTheOption() {
    func message(_ body: () throws -> Void) -> String {
      do {
        try body()
        return "no error"
      } catch { return "\(error)" }
    }
    XCTAssertTrue(message { _ = try MLP(MLPConfig(hidden: [10, 0])) }.contains("hidden layer sizes"))
    XCTAssertTrue(message { _ = try MLP(MLPConfig(dropout: 1)) }.contains("dropout"))
    XCTAssertTrue(message { _ = try MLP(MLPConfig(dropout: -0.1)) }.contains("dropout"))
    let data = NNFixtures.blobs(rows: 10, features: 2, classes: 2, seed: 1)
    let bad: [(FitOptions, String)] = [
      (FitOptions(batchSize: 0), "batchSize"), (FitOptions(epochs: 0), "epochs"), (FitOptions(l1: -1), "l1"),
      (FitOptions(l2: .infinity), "l2"), (FitOptions(optimizer: OptimizerConfig(kind: .sgd, lr: -0.1)), "lr"),
    ]
    for (options, fragment) in bad {
      XCTAssertTrue(message { _ = try fit(try MLP(MLPConfig(hidden: [2])), data, options: options) }.contains(fragment), fragment)
    }
    let empty = Dataset(x: Matrix(rows: 0, cols: 2), y: [], task: .classification, nClasses: 2)
    XCTAssertTrue(message { _ = try fit(try MLP(MLPConfig()), empty) }.contains("no rows"))
    XCTAssertTrue(message { _ = try fit(try MLP(MLPConfig()), data, valid: empty) }.contains("validation data has no rows"))
    var nan = data
    nan.x[3, 1] = .nan
    XCTAssertTrue(message { _ = try fit(try MLP(MLPConfig()), nan) }.contains("non-finite feature at row 4"))
    let mismatched = NNFixtures.blobs(rows: 10, features: 3, classes: 2, seed: 1)
    XCTAssertTrue(message { _ = try fit(try MLP(MLPConfig()), data, valid: mismatched) }.contains("3 features"))
    // Widths past any machine's memory are refused, with no memory limit set: 2^63 - 1 once
    // overflowed the weight count (found by the program fuzzer).
    for hidden in [[Int.max], [1 << 40, 1 << 40], [1 << 31]] {
      XCTAssertTrue(message { _ = try fit(try MLP(MLPConfig(hidden: hidden)), data) }.contains("more than this machine's memory"), "\(hidden)")
    }
  }

  func testBatchLargerThanTheDataAndOneRowBatches() throws {
    let data = NNFixtures.blobs(rows: 9, features: 2, classes: 3, seed: 1)
    let big = try fit(try MLP(MLPConfig(hidden: [3])), data, options: FitOptions(epochs: 2, batchSize: 1000))
    XCTAssertTrue(big.trainLoss.isFinite)
    let one = try fit(try MLP(MLPConfig(hidden: [3], dropout: 0.5)), data, valid: data, options: FitOptions(epochs: 2, batchSize: 1))
    XCTAssertTrue(one.validLoss!.isFinite)
  }
}
