import TunaSearch

/// The search spaces of the overhead benchmark, each with the same trivial objective written in
/// Lua (for the engine) and in Swift (for the core baseline).
enum Space: String, Codable, CaseIterable {
  /// One float in [-5, 5]: the trivial objective of the brief.
  case oneFloat = "1 float"
  /// Space A of anchors.md: 5 floats in [-5, 5].
  case a = "space A (5 floats)"
  /// Space B of anchors.md: 3 floats, an int in [-5, 5], a categorical of 4.
  case b = "space B (3 floats + int + cat. of 4)"

  /// An expression for the Lua objective.
  var luaObjective: String {
    switch self {
    case .oneFloat:
      return #"function(t) local x = t:suggest_float("x", -5, 5) return x * x end"#
    case .a:
      return #"""
        function(t)
          local x0 = t:suggest_float("x0", -5, 5)
          local x1 = t:suggest_float("x1", -5, 5)
          local x2 = t:suggest_float("x2", -5, 5)
          local x3 = t:suggest_float("x3", -5, 5)
          local x4 = t:suggest_float("x4", -5, 5)
          return x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3 + x4 * x4
        end
        """#
    case .b:
      return #"""
        (function()
          local choices = { "a", "b", "c", "d" }
          local offset = { a = 0, b = 1, c = 2, d = 3 }
          return function(t)
            local x0 = t:suggest_float("x0", -5, 5)
            local x1 = t:suggest_float("x1", -5, 5)
            local x2 = t:suggest_float("x2", -5, 5)
            local n = t:suggest_int("n", -5, 5)
            local c = t:suggest_categorical("c", choices)
            return x0 * x0 + x1 * x1 + x2 * x2 + n * n + offset[c]
          end
        end)()
        """#
    }
  }

  /// The script the engine runs: a random-sampler study optimizing the objective `trials` times.
  func script(trials: Int) -> String {
    """
    local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
    study:optimize(\(luaObjective), { n_trials = \(trials), show_progress = false })
    """
  }

  /// The same objective in Swift.
  var swiftObjective: (Trial) throws -> Double {
    switch self {
    case .oneFloat:
      return { t in
        let x = try t.suggestFloat("x", -5, 5)
        return x * x
      }
    case .a:
      let names = ["x0", "x1", "x2", "x3", "x4"]
      return { t in
        var sum = 0.0
        for name in names {
          let x = try t.suggestFloat(name, -5, 5)
          sum += x * x
        }
        return sum
      }
    case .b:
      let names = ["x0", "x1", "x2"]
      let choices: [ParamValue] = [.string("a"), .string("b"), .string("c"), .string("d")]
      return { t in
        var sum = 0.0
        for name in names {
          let x = try t.suggestFloat(name, -5, 5)
          sum += x * x
        }
        let n = try t.suggestInt("n", -5, 5)
        let offset: Double
        switch try t.suggestCategorical("c", choices) {
        case .string("a"): offset = 0
        case .string("b"): offset = 1
        case .string("c"): offset = 2
        default: offset = 3
        }
        return sum + Double(n * n) + offset
      }
    }
  }
}
