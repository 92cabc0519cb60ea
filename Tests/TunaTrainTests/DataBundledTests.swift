import XCTest

@testable import TunaTrain

final class DataBundledTests: XCTestCase {
  func testEachBundledDatasetHasItsShape() throws {
    let expected: [(String, Int, Int, LearningTask, Int)] = [
      ("iris", 150, 4, .classification, 3),
      ("wine", 178, 13, .classification, 3),
      ("breast_cancer", 569, 30, .classification, 2),
      ("digits", 1797, 64, .classification, 10),
      ("diabetes", 442, 10, .regression, 0),
    ]
    XCTAssertEqual(Dataset.bundledNames, expected.map(\.0))
    for (name, rows, features, task, classes) in expected {
      let d = try Dataset.load(name)
      XCTAssertEqual(d.nSamples, rows, name)
      XCTAssertEqual(d.nFeatures, features, name)
      XCTAssertEqual(d.task, task, name)
      XCTAssertEqual(d.nClasses, classes, name)
      XCTAssertEqual(d.targetName, "target", name)
      XCTAssertEqual(d.featureNames.count, features, name)
      XCTAssert(d.x.data.allSatisfy(\.isFinite), name)
      if task == .classification {
        XCTAssertEqual(Set(d.labels), Set(0..<classes), name)
        XCTAssertEqual(d.classNames.count, classes, name)
      }
    }
  }

  func testIrisDetails() throws {
    let iris = try Dataset.load("iris")
    XCTAssertEqual(iris.classNames, ["setosa", "versicolor", "virginica"])
    XCTAssertEqual(iris.featureNames, ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"])
    XCTAssertEqual(iris.x.row(0), [5.1, 3.5, 1.4, 0.2])
    XCTAssertEqual((0..<3).map { c in iris.labels.filter { $0 == c }.count }, [50, 50, 50])
    XCTAssertEqual(try Dataset.load("breast_cancer").classNames, ["malignant", "benign"])
    XCTAssertEqual(try Dataset.load("digits").classNames, (0..<10).map(String.init))
  }

  func testUnknownNameListsTheBundledOnes() {
    XCTAssertThrowsError(try Dataset.load("mnist")) {
      XCTAssertEqual(
        "\($0)", "unknown dataset 'mnist' (bundled: iris, wine, breast_cancer, digits, diabetes)")
    }
  }
}
