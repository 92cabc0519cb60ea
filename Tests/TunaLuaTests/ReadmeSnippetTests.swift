import Foundation
import TunaLua
import TunaSearch
import XCTest

/// The README's two Swift snippets, compiled and run here. Each function's body between the
/// `README` markers must appear verbatim (dedented) in the README under its snippet marker.
final class ReadmeSnippetTests: XCTestCase {
  func plainSwift() throws -> Study {
    // README begin plain-swift
    let study = try Study.create(direction: .minimize, sampler: RandomSampler(seed: 7))
    try study.optimize(nTrials: 200) { trial in
      let x = try trial.suggestFloat("x", -10, 10)
      let kind = try trial.suggestCategorical("kind", [.string("a"), .string("b")])
      return (x - 2) * (x - 2) + (kind == .string("a") ? 0 : 1)
    }
    print(try study.bestValue, try study.bestParams)
    // README end
    return study
  }

  func embedLua() throws -> TunaEngine {
    // README begin embed-lua
    let engine = try TunaEngine()
    try engine.run("""
      local study = tuna.create_study{ name = "embedded", sampler = tuna.samplers.random{ seed = 1 } }
      study:optimize(function(trial)
        local x = trial:suggest_float("x", -5, 5)
        return x * x
      end, { n_trials = 50 })
      """, chunkName: "embedded.lua")
    let study = engine.studies[0]
    print(study.name, try study.bestValue)
    // README end
    return engine
  }

  func testPlainSwiftSnippetRunsAndFindsTheMinimum() throws {
    let study = try plainSwift()
    XCTAssertEqual(try study.trials().count, 200)
    XCTAssertLessThan(try study.bestValue, 0.05)
    XCTAssertEqual(try study.bestParams["kind"], .string("a"))
  }

  func testEmbedSnippetRunsAScript() throws {
    let engine = try embedLua()
    XCTAssertEqual(engine.studies.count, 1)
    XCTAssertEqual(engine.studies[0].name, "embedded")
    XCTAssertEqual(try engine.studies[0].trials(states: [.complete]).count, 50)
    XCTAssertLessThan(try engine.studies[0].bestValue, 0.5)
  }

  func testReadmeShowsTheseSnippets() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
    for name in ["plain-swift", "embed-lua"] {
      let body = try XCTUnwrap(snippet(named: name, in: source), "no snippet \(name) in this file")
      let marker = "<!-- snippet: \(name) -->"
      let section = try XCTUnwrap(readme.components(separatedBy: marker).dropFirst().first, "README lacks \(marker)")
      let block = try XCTUnwrap(section.components(separatedBy: "```swift\n").dropFirst().first?.components(separatedBy: "```").first)
      let code = block.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.hasPrefix("import ") }.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
      XCTAssertEqual(code, body, "README snippet \(name) differs from the compiled one")
    }
  }

  /// The lines between `// README begin NAME` and `// README end`, dedented.
  private func snippet(named name: String, in source: String) -> String? {
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// README begin \(name)" }),
      let end = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// README end" })
    else { return nil }
    let body = lines[(start + 1)..<end]
    let indent = body.filter { !$0.isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
    return body.map { $0.count >= indent ? String($0.dropFirst(indent)) : $0 }.joined(separator: "\n")
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
