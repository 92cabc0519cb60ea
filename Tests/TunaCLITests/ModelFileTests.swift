import Foundation
import XCTest

/// Saving and loading models from a sandboxed script obeys the grants: a save needs
/// --allow-write, a load --allow-read (or --allow-write), and nothing is written elsewhere.
final class ModelFileTests: XCTestCase {
  func testSaveAndLoadObeyTheSandbox() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuna-modelfile-\(UUID().uuidString)")
    let granted = directory.appendingPathComponent("granted")
    try FileManager.default.createDirectory(at: granted, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try """
      local dir = ...
      local iris = tuna.data.load("iris")
      local model = tuna.ml.decision_tree{ max_depth = 2 }:fit(iris)
      print("outside", pcall(model.save, model, dir .. "/../outside.tuna"))
      print("inside", pcall(model.save, model, dir .. "/tree.tuna"))
      local loaded = tuna.ml.load(dir .. "/tree.tuna")
      print("same", loaded:score(iris) == model:score(iris))
      print("read outside", pcall(tuna.ml.load, "/etc/hostname"))
      """.write(to: directory.appendingPathComponent("s.lua"), atomically: true, encoding: .utf8)
    let result = try tuna(
      ["run", "--sandbox", "--allow-write", granted.path, "s.lua", "--", granted.path], in: directory)
    XCTAssertEqual(result.status, 0, result.transcript)
    assertContains(result.stdout, "outside\tfalse\t")
    assertContains(result.stdout, "not allowed in the sandbox")
    assertContains(result.stdout, "inside\ttrue")
    assertContains(result.stdout, "same\ttrue")
    assertContains(result.stdout, "read outside\tfalse\t")
    XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("outside.tuna").path))
    XCTAssertTrue(FileManager.default.fileExists(atPath: granted.appendingPathComponent("tree.tuna").path))
  }
}
