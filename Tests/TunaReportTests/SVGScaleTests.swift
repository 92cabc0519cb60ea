import XCTest

@testable import TunaReport

/// Scales, nice ticks and their labels.
final class SVGScaleTests: XCTestCase {
  // MARK: Linear ticks

  func testUnitRangeTicksByFifths() {
    let (values, step) = Ticks.linear(0, 1, maxCount: 6)
    XCTAssertEqual(values, [0, 0.2, 0.4, 0.6, 0.8, 1])
    XCTAssertEqual(step, 0.2)
    XCTAssertEqual(NumberLabel.linear(values, step: step), ["0", "0.2", "0.4", "0.6", "0.8", "1"])
  }

  func testAnUnevenRangeGetsRoundTicksInside() {
    XCTAssertEqual(Ticks.linear(3, 97, maxCount: 6).values, [20, 40, 60, 80])
    XCTAssertEqual(Ticks.linear(3, 97, maxCount: 10).values, [10, 20, 30, 40, 50, 60, 70, 80, 90])
    XCTAssertEqual(Ticks.linear(-0.37, 0.52, maxCount: 6).values, [-0.2, 0, 0.2, 0.4])
  }

  func testStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    for (lower, upper) in [(0.0, 7.3), (-123.0, 4567.0), (1e-6, 3e-6), (0.1, 0.13), (1e8, 9e9)] {
      for maxCount in 2...10 {
        let (values, step) = Ticks.linear(lower, upper, maxCount: maxCount)
        XCTAssertLessThanOrEqual(values.count, maxCount)
        XCTAssertGreaterThanOrEqual(values.count, 1, "\(lower)…\(upper) at most \(maxCount)")
        let mantissa = step / pow(10, floor(log10(step)))
        XCTAssertTrue([1, 2, 5].contains { abs($0 - mantissa) < 1e-9 }, "step \(step)")
        XCTAssertTrue(values.allSatisfy { $0 >= lower - 1e-12 * abs(lower) && $0 <= upper + 1e-12 * abs(upper) })
      }
    }
  }

  func testIntegerTicksNeverStepBelowOne() {
    XCTAssertEqual(Ticks.linear(-0.5, 2.5, maxCount: 10, integer: true).values, [0, 1, 2])
    XCTAssertEqual(Ticks.linear(0, 99, maxCount: 6, integer: true).values, [0, 20, 40, 60, 80])
  }

  // MARK: Log ticks

  func testManyDecadesTickAtPowersOfTen() {
    let (values, linearStep) = Ticks.log(-5, -1, maxCount: 8)
    XCTAssertNil(linearStep)
    XCTAssertEqual(values, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1])
    let ticks = ScaleDomain(kind: .log, lower: -5, upper: -1).ticks(maxCount: 8)
    XCTAssertEqual(ticks.map(\.label), ["1e-5", "1e-4", "0.001", "0.01", "0.1"])
  }

  func testTooManyDecadesTickEveryFewDecades() {
    XCTAssertEqual(Ticks.log(-12, 0, maxCount: 5).values, [1e-12, 1e-9, 1e-6, 1e-3, 1])
  }

  func testFewDecadesAddTwosAndFives() {
    let (values, linearStep) = Ticks.log(log10(2), log10(300), maxCount: 10)
    XCTAssertNil(linearStep)
    XCTAssertEqual(values, [2, 5, 10, 20, 50, 100, 200])
    let labels = ScaleDomain(kind: .log, lower: log10(2), upper: log10(300)).ticks(maxCount: 10).map(\.label)
    XCTAssertEqual(labels, ["2", "5", "10", "20", "50", "100", "200"])
    XCTAssertEqual(Ticks.log(log10(2), log10(300), maxCount: 4).values, [10, 100], "only powers when crowded")
  }

  func testLessThanADecadeFallsBackToLinearTicks() {
    let (values, linearStep) = Ticks.log(log10(2), log10(8), maxCount: 6)
    XCTAssertEqual(values, [2, 4, 6, 8])
    XCTAssertEqual(linearStep, 2)
  }

  func testALogScalePlacesAThousandthHalfwayBetweenTenThousandthAndHundredth() {
    let scale = Scale(.fitting(.log, values: [1e-4, 1e-2], padding: 0), from: 100, to: 500)
    XCTAssertEqual(scale.position(1e-4)!, 100, accuracy: 1e-9)
    XCTAssertEqual(scale.position(1e-3)!, 300, accuracy: 1e-9)
    XCTAssertEqual(scale.position(1e-2)!, 500, accuracy: 1e-9)
    XCTAssertNil(scale.position(0), "zero has no place on a log axis")
    XCTAssertNil(scale.position(-1))
    XCTAssertNil(scale.position(.nan))
  }

  // MARK: Labels

  func testLabelsAreShort() {
    XCTAssertEqual(NumberLabel.compact(0.001), "0.001")
    XCTAssertEqual(NumberLabel.compact(1e-5), "1e-5")
    XCTAssertEqual(NumberLabel.compact(0.000123456), "1.23e-4")
    XCTAssertEqual(NumberLabel.compact(12_000), "12k")
    XCTAssertEqual(NumberLabel.compact(12_345), "12.3k")
    XCTAssertEqual(NumberLabel.compact(1_500_000), "1.5M")
    XCTAssertEqual(NumberLabel.compact(999_999), "1M")
    XCTAssertEqual(NumberLabel.compact(0.4213, digits: 2), "0.42")
    XCTAssertEqual(NumberLabel.compact(-2.5), "-2.5")
    XCTAssertEqual(NumberLabel.compact(1234), "1234")
    XCTAssertEqual(NumberLabel.compact(3e18), "3e18")
    XCTAssertEqual(NumberLabel.compact(0), "0")
    XCTAssertEqual(NumberLabel.compact(.nan), "–")
    XCTAssertEqual(NumberLabel.compact(.infinity), "–")
  }

  func testLinearLabelsShareAStyle() {
    XCTAssertEqual(NumberLabel.linear([0, 5000, 10_000, 15_000], step: 5000), ["0", "5k", "10k", "15k"])
    XCTAssertEqual(NumberLabel.linear([10_000, 10_500, 11_000], step: 500), ["10k", "10.5k", "11k"])
    XCTAssertEqual(NumberLabel.linear([0, 2e-5, 4e-5], step: 2e-5), ["0", "2e-5", "4e-5"])
    XCTAssertEqual(NumberLabel.linear([1.0002, 1.0004], step: 0.0002), ["1.0002", "1.0004"])
    XCTAssertEqual(NumberLabel.linear([-0.2, 0, 0.2], step: 0.2), ["-0.2", "0", "0.2"])
  }

  func testDurationTicksUseOneUnit() {
    XCTAssertEqual(Ticks.duration(0, 100, maxCount: 6).map(\.label), ["0", "20 s", "40 s", "60 s", "80 s", "100 s"])
    XCTAssertEqual(Ticks.duration(0, 1800, maxCount: 4).map(\.label), ["0", "10 min", "20 min", "30 min"])
    XCTAssertEqual(Ticks.duration(0, 1800, maxCount: 4).map(\.value), [0, 600, 1200, 1800])
    XCTAssertEqual(Ticks.duration(0, 36_000, maxCount: 6).map(\.label), ["0", "2 h", "4 h", "6 h", "8 h", "10 h"])
    XCTAssertEqual(Ticks.duration(0, 0.5, maxCount: 6).map(\.label), ["0", "100 ms", "200 ms", "300 ms", "400 ms", "500 ms"])
    XCTAssertEqual(formatDuration(0.25), "250 ms")
    XCTAssertEqual(formatDuration(12.5), "12.5 s")
    XCTAssertEqual(formatDuration(300), "5 min")
  }

  // MARK: Degenerate domains

  func testDegenerateDomainsStillHaveExtent() {
    let empty = ScaleDomain.fitting(.linear, values: [])
    XCTAssertEqual([empty.lower, empty.upper], [0, 1])
    let allNaN = ScaleDomain.fitting(.linear, values: [.nan, .infinity, -.infinity])
    XCTAssertEqual([allNaN.lower, allNaN.upper], [0, 1])
    let single = ScaleDomain.fitting(.linear, values: [5])
    XCTAssertEqual(single.lower, 4.5, accuracy: 1e-12)
    XCTAssertEqual(single.upper, 5.5, accuracy: 1e-12)
    let zero = ScaleDomain.fitting(.linear, values: [0, 0])
    XCTAssertEqual([zero.lower, zero.upper], [-1, 1])
    let trial = ScaleDomain.fitting(.linear, values: [7], style: .integer)
    XCTAssertEqual(trial.ticks(maxCount: 6).map(\.label), ["7"])
    let logSingle = ScaleDomain.fitting(.log, values: [100])
    XCTAssertEqual([logSingle.lower, logSingle.upper], [1.5, 2.5])
    let logNonPositive = ScaleDomain.fitting(.log, values: [0, -3])
    XCTAssertEqual([logNonPositive.lower, logNonPositive.upper], [0, 1])
    XCTAssertEqual(ScaleDomain(kind: .linear, lower: .nan, upper: 3).upper, 1)
    for domain in [empty, allNaN, single, zero, logSingle, logNonPositive] {
      XCTAssertFalse(domain.ticks(maxCount: 6).isEmpty)
    }
  }

  func testPaddingAndRanges() {
    let padded = ScaleDomain.fitting(.linear, values: [0, 10])
    XCTAssertEqual(padded.lower, -0.4, accuracy: 1e-12)
    XCTAssertEqual(padded.upper, 10.4, accuracy: 1e-12)
    let ranged = ScaleDomain.fitting(.linear, range: -10...10, values: [1, 2], padding: 0)
    XCTAssertEqual([ranged.lower, ranged.upper], [-10, 10])
    let beyond = ScaleDomain.fitting(.linear, range: 0...1, values: [2], padding: 0)
    XCTAssertEqual([beyond.lower, beyond.upper], [0, 2], "data outside the range widens it")
    let logRange = ScaleDomain.fitting(.log, range: 1e-5...1e-1, values: [], padding: 0)
    XCTAssertEqual(logRange.lower, -5, accuracy: 1e-12)
    XCTAssertEqual(logRange.upper, -1, accuracy: 1e-12)
    XCTAssertEqual(ScaleDomain(kind: .linear, lower: 0, upper: 0.93).extendedToTick(maxCount: 6).upper, 1, accuracy: 1e-12)
  }

  func testAutomaticValueScale() {
    XCTAssertEqual(automaticValueScale([1e-5, 1]), .log)
    XCTAssertEqual(automaticValueScale([1e-2, 1]), .linear, "two decades")
    XCTAssertEqual(automaticValueScale([0, 1e6]), .linear, "zero")
    XCTAssertEqual(automaticValueScale([-1, 1e6]), .linear)
    XCTAssertEqual(automaticValueScale([.nan, 1e-9, 1]), .log)
    XCTAssertEqual(automaticValueScale([Double]()), .linear)
  }

  // MARK: Categorical

  func testCategoricalSlots() {
    let domain = ScaleDomain.fitting(.categorical(["relu", "tanh", "gelu"]), values: [0, 2])
    XCTAssertEqual([domain.lower, domain.upper], [-0.5, 2.5])
    XCTAssertEqual(domain.ticks(maxCount: 2).map(\.label), ["relu", "tanh", "gelu"], "every slot is labelled")
    let scale = Scale(domain, from: 0, to: 300)
    XCTAssertEqual(scale.position(0), 50)
    XCTAssertEqual(scale.position(2), 250)
    XCTAssertEqual(scale.unitLength, 100)
    let noChoices = ScaleDomain.fitting(.categorical([]), values: [])
    XCTAssertEqual([noChoices.lower, noChoices.upper], [-0.5, 0.5])
    XCTAssertEqual(ScaleDomain.fitting(.categorical(["a"]), values: [3]).ticks(maxCount: 9).map(\.label), ["a", "1", "2", "3"])
  }

  func testFewShortCategoriesStayLevel() {
    let scale = Scale(.fitting(.categorical(["relu", "tanh", "gelu"]), values: []), from: 0, to: 480)
    let labels = AxisLabels.layout(scale, side: .bottom, maxExtent: 100)
    XCTAssertEqual(labels.rotation, 0)
    XCTAssertEqual(labels.texts, ["relu", "tanh", "gelu"])
  }

  func testLongCategoriesTurnAndAreTruncated() {
    let names = (0..<8).map { "a rather long choice name number \($0)" }
    let scale = Scale(.fitting(.categorical(names), values: []), from: 0, to: 480)
    let labels = AxisLabels.layout(scale, side: .bottom, maxExtent: 90)
    XCTAssertEqual(labels.rotation, -45)
    XCTAssertTrue(labels.texts.allSatisfy { $0?.hasSuffix("…") ?? false })
    XCTAssertLessThanOrEqual(labels.extent, 90 + 1e-9)
  }

  func testManyCategoriesShrinkTurnUprightAndThinOut() {
    let names = (0..<200).map { "choice_\($0)" }
    let scale = Scale(.fitting(.categorical(names), values: []), from: 0, to: 500)
    let labels = AxisLabels.layout(scale, side: .bottom, maxExtent: 80)
    XCTAssertEqual(labels.rotation, -90)
    XCTAssertEqual(labels.fontSize, 7)
    XCTAssertEqual(labels.ticks.count, 200)
    let shown = labels.texts.compactMap { $0 }.count
    XCTAssertLessThan(shown, 80)
    XCTAssertGreaterThan(shown, 40)
    let left = AxisLabels.layout(Scale(.fitting(.categorical(names), values: []), from: 0, to: 500), side: .left, maxExtent: 60)
    XCTAssertEqual(left.fontSize, 7)
    XCTAssertLessThan(left.texts.compactMap { $0 }.count, 80)
  }

  func testBottomLabelsNeverCrowd() {
    let scale = Scale(ScaleDomain(kind: .linear, lower: 1.00001e-5, upper: 9.9e-5), from: 0, to: 200)
    let labels = AxisLabels.layout(scale, side: .bottom, maxExtent: 50)
    let total = labels.texts.compactMap { $0 }.reduce(0) { $0 + TextMetrics.width($1, fontSize: labels.fontSize) + 10 }
    XCTAssertLessThanOrEqual(total, 200 * 0.9)
    XCTAssertGreaterThanOrEqual(labels.ticks.count, 2)
  }
}
