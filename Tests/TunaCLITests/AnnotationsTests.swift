import Foundation
import XCTest

/// The LuaLS definition file (`tuna annotations`, shipped as scripts/types/tuna.lua) against the
/// API scripts really get: every function, table and field of the live `tuna` table is
/// annotated and every annotated one exists, and every annotated class's methods and fields can
/// be reached on a real object.
final class AnnotationsTests: XCTestCase {
  /// Classes that describe what scripts hand to Tuna, so there is no object to look at.
  static let inputShapes: Set<String> = ["tuna.SamplerSpec", "tuna.PrunerSpec"]

  func testShippedFileIsWhatTheCommandPrints() throws {
    let result = try tuna(["annotations"], in: try scratch())
    XCTAssertEqual(result.status, 0, result.transcript)
    let shipped = try String(contentsOf: TunaProcess.packageRoot.appendingPathComponent("scripts/types/tuna.lua"), encoding: .utf8)
    XCTAssertTrue(result.stdout == shipped, "scripts/types/tuna.lua is stale: run `tuna annotations -o scripts/types/tuna.lua`")
  }

  func testEveryLiveFunctionTableAndFieldIsAnnotatedAndBack() throws {
    let text = try annotations()
    let lines = text.split(separator: "\n").map(String.init)
    let annotatedFunctions = Set(lines.compactMap { line -> String? in
      guard line.hasPrefix("function tuna."), let open = line.firstIndex(of: "(") else { return nil }
      return String(line["function ".endIndex..<open])
    })
    let annotatedTables = Set(lines.filter { $0.hasPrefix("tuna") && $0.hasSuffix(" = {}") }.map { String($0.dropLast(5)) })
    let annotatedFields = Set(lines.filter { $0.hasPrefix("tuna.") && $0.hasSuffix(" = nil") }.map { String($0.dropLast(6)) })
    XCTAssertFalse(annotatedFunctions.isEmpty)

    let directory = try scratch()
    try Self.walkScript.write(to: directory.appendingPathComponent("walk.lua"), atomically: true, encoding: .utf8)
    let result = try tuna(["run", "walk.lua"], in: directory)
    XCTAssertEqual(result.status, 0, result.transcript)
    var live: [String: Set<String>] = [:]
    for line in result.stdoutLines {
      let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
      guard parts.count == 2, ["function", "table", "value"].contains(parts[0]) else { continue }
      live[parts[0], default: []].insert(parts[1])
    }
    let functions = live["function"] ?? [], tables = (live["table"] ?? []).union(["tuna"]), values = live["value"] ?? []
    XCTAssertGreaterThan(functions.count, 40, result.transcript)

    for path in functions.sorted() {
      XCTAssertTrue(text.contains("function \(path)("), "\(path) is not annotated: registered outside the bindings?")
    }
    for path in annotatedFunctions.sorted() {
      XCTAssertTrue(functions.contains(path), "\(path) is annotated but scripts have no such function")
    }
    for path in tables.sorted() {
      XCTAssertTrue(annotatedTables.contains(path) || annotatedFields.contains(path), "table \(path) is not annotated")
    }
    for path in values.sorted() {
      XCTAssertTrue(annotatedFields.contains(path), "field \(path) is not annotated")
    }
    for path in annotatedTables.sorted() {
      XCTAssertTrue(tables.contains(path), "\(path) is annotated but scripts have no such table")
    }
    for path in annotatedFields.sorted() {
      XCTAssertTrue(tables.contains(path) || values.contains(path), "\(path) is annotated but scripts have no such field")
    }
  }

  func testEveryClassMethodAndFieldIsReachableOnAnObject() throws {
    let classes = Self.classes(in: try annotations())
    XCTAssertGreaterThan(classes.count, 10)
    var spec = "local expected = {\n"
    for (name, members) in classes.sorted(by: { $0.key < $1.key }) {
      let methods = members.methods.map { "\"\($0)\"" }.joined(separator: ", ")
      let fields = members.fields.map { "{ \"\($0.name)\", \($0.required) }" }.joined(separator: ", ")
      spec += "  [\"\(name)\"] = { methods = { \(methods) }, fields = { \(fields) } },\n"
    }
    spec += "}\n"

    let directory = try scratch()
    try (spec + Self.objectsScript).write(to: directory.appendingPathComponent("objects.lua"), atomically: true, encoding: .utf8)
    let result = try tuna(["run", "objects.lua"], in: directory, timeout: 60)
    XCTAssertEqual(result.status, 0, result.transcript)
    let checked = Set(result.stdoutLines.filter { $0.hasPrefix("checked ") }.map { String($0.dropFirst(8)) })
    for name in classes.keys.sorted() where !Self.inputShapes.contains(name) {
      XCTAssertTrue(checked.contains(name), "no object of \(name) was checked: add one to objectsScript\n\(result.transcript)")
    }
  }

  // MARK: Support

  private func scratch() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("annotations-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
    return directory
  }

  private func annotations() throws -> String {
    let result = try tuna(["annotations"], in: try scratch())
    XCTAssertEqual(result.status, 0, result.transcript)
    return result.stdout
  }

  struct Members {
    var methods: [String] = []
    var fields: [(name: String, required: Bool)] = []
  }

  /// The classes of an annotation file: `---@class` blocks, their `---@field`s, and the methods
  /// defined on the local that follows each block.
  static func classes(in text: String) -> [String: Members] {
    var classes: [String: Members] = [:]
    var locals: [String: String] = [:]
    var current: String?
    for line in text.split(separator: "\n").map(String.init) {
      if line.hasPrefix("---@class ") {
        let name = String(line.dropFirst(10).prefix { $0 != " " && $0 != ":" })
        current = name
        classes[name] = Members()
      } else if line.hasPrefix("---@field "), let name = current {
        let rest = line.dropFirst(10)
        let field = String(rest.prefix { $0 != " " })
        let type = fieldType(String(rest.dropFirst(field.count + 1)))
        classes[name]?.fields.append((field, !type.hasSuffix("?") && !type.contains("nil")))
      } else if line.hasPrefix("local "), line.hasSuffix(" = {}"), let name = current {
        locals[String(line.dropFirst(6).dropLast(5))] = name
        current = nil
      } else if line.hasPrefix("function "), let colon = line.firstIndex(of: ":"), let open = line.firstIndex(of: "("), colon < open,
                let name = locals[String(line["function ".endIndex..<colon])] {
        classes[name]?.methods.append(String(line[line.index(after: colon)..<open]))
      }
    }
    return classes
  }

  /// The type at the start of a field line's rest: up to the first space outside brackets
  /// (a space after `:`, as in `fun(): number`, belongs to the type).
  static func fieldType(_ text: String) -> String {
    var depth = 0
    var type = ""
    for c in text {
      if "({[<".contains(c) { depth += 1 }
      if ")}]>".contains(c) { depth -= 1 }
      if c == " ", depth == 0, type.last != ":" { break }
      type.append(c)
    }
    return type
  }

  /// Prints `function|table|value <path>` for everything reachable from `tuna`.
  static let walkScript = """
    local seen = {}
    local function walk(t, path)
      seen[t] = true
      local keys = {}
      for k in pairs(t) do keys[#keys + 1] = k end
      table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
      for _, k in ipairs(keys) do
        local v, p = t[k], path .. "." .. tostring(k)
        if type(v) == "function" then
          print("function " .. p)
        elseif type(v) == "table" and type(k) == "string" then
          print("table " .. p)
          if not seen[v] then walk(v, p) end
        elseif type(k) == "string" then
          print("value " .. p)
        end
      end
    end
    walk(tuna, "tuna")
    """

  /// Makes an object of every class and checks it against `expected` (prepended by the test):
  /// each method is a function, each field reads, and a field not typed optional is not nil.
  static let objectsScript = """
    local function check(class, object)
      local spec = assert(expected[class], "no annotations for " .. class)
      for _, method in ipairs(spec.methods) do
        assert(type(object[method]) == "function", class .. ":" .. method .. " is a " .. type(object[method]))
      end
      for _, field in ipairs(spec.fields) do
        local name, required = field[1], field[2]
        local key = name == "[integer]" and 1 or tonumber(name:match("^%[(%d+)%]$")) or name
        local ok, value = pcall(function() return object[key] end)
        assert(ok, class .. "." .. name .. ": " .. tostring(value))
        assert(not required or value ~= nil, class .. "." .. name .. " is nil")
      end
      print("checked " .. class)
    end

    local hooked = false
    local sampler = tuna.sampler{ seed = 1, sample_independent = function(self, ctx, name, dist)
      if not hooked then
        hooked = true
        check("tuna.SamplingContext", ctx)
        check("tuna.Rng", ctx.rng)
        check("tuna.Distribution", dist)
      end
      return dist:sample(ctx.rng)
    end }
    local study = tuna.create_study{ sampler = sampler }
    study:optimize(function(t) return t:suggest_float("x", 0, 1) + 2 * t:suggest_float("y", 0, 1) end,
      { n_trials = 12, catch = false })
    check("tuna.Study", study)
    check("tuna.FrozenTrial", study.best_trial)
    check("tuna.TrialList", study:trials())
    check("tuna.Interaction", tuna.interactions(study)[1])
    check("tuna.Sampler", tuna.samplers.random{})
    check("tuna.Pruner", tuna.pruners.median{})
    local trial = study:ask()
    check("tuna.Trial", trial)
    study:tell(trial, 0.5)

    local data = tuna.data.make_moons{ n_samples = 40, seed = 1 }
    check("tuna.Dataset", data)
    local net = tuna.nn.mlp{ hidden = { 4 } }
    check("tuna.MLP", net)
    check("tuna.FitResult", tuna.nn.fit(net, data, { epochs = 1 }))
    check("tuna.Model", tuna.ml.decision_tree{})
    check("tuna.CVResult", tuna.ml.cross_val_score(function() return tuna.ml.decision_tree{} end, data, { cv = 2 }))
    check("tuna.GridSearchResult",
      tuna.ml.grid_search_cv{ estimator = "decision_tree", data = data, cv = 2, param_grid = { max_depth = { 1, 2 } } })
    check("tuna.GaussianProcess", tuna.gp.fit{ x = { { 0.1 }, { 0.5 }, { 0.9 } }, y = { 1, 0, 1 } })
    check("tuna.KernelDensity", tuna.stats.kde{ x = { { 0.2 }, { 0.4 } }, low = { 0 }, high = { 1 } })
    """
}
