import Foundation

extension Dataset {
  /// The datasets that ship with Tuna (values as distributed with scikit-learn; sources and
  /// licences in `Resources/datasets/README.md`).
  public static var bundledNames: [String] { bundled.map(\.name) }

  private static let bundled: [(name: String, task: LearningTask, classNames: [String]?)] = [
    // Fisher (1936); label names as scikit-learn's `load_iris().target_names`.
    ("iris", .classification, ["setosa", "versicolor", "virginica"]),
    // Forina et al.; scikit-learn's `load_wine().target_names`.
    ("wine", .classification, ["class_0", "class_1", "class_2"]),
    // Wolberg, Street & Mangasarian (1995); 0 = malignant, 1 = benign as in scikit-learn.
    ("breast_cancer", .classification, ["malignant", "benign"]),
    // Alpaydin & Kaynak (1998); 8x8 images of the digits 0-9.
    ("digits", .classification, nil),
    // Efron, Hastie, Johnstone & Tibshirani (2004); disease progression after one year.
    ("diabetes", .regression, nil),
  ]

  /// A bundled dataset by name: "iris" (150x4, 3 classes), "wine" (178x13, 3 classes),
  /// "breast_cancer" (569x30, 2 classes), "digits" (1797x64, 10 classes) or "diabetes" (442x10,
  /// regression). The target is the column `target`.
  ///
  /// - Throws: `TrainError` for an unknown name, listing the known ones.
  public static func load(_ name: String) throws -> Dataset {
    guard let entry = bundled.first(where: { $0.name == name }) else {
      throw TrainError(
        "unknown dataset '\(name)' (bundled: \(bundledNames.joined(separator: ", ")))")
    }
    guard
      let url = Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "datasets")
    else {
      throw TrainError("the bundled dataset '\(name)' is missing from the resource bundle")
    }
    var d = try csv(path: url.path, target: "target", task: entry.task)
    if let names = entry.classNames, names.count == d.nClasses { d.classNames = names }
    return d
  }
}
