import Foundation
import LuaVM
import TunaSearch

/// The one map from the cores' Swift names to the Lua API's: the cores word their errors in their
/// own vocabulary (`populationSize must be >= 2`, `nEICandidates must be >= 1`) and the binding
/// renders them as scripts spell them (`population_size`, `n_ei_candidates`).
///
/// The Lua names come from the API the engine declared (its annotation file), the single place
/// they live; a Swift name matches the Lua name with the same letters, case and underscores
/// aside, so `nEICandidates` finds `n_ei_candidates` with no guessing at word boundaries. A
/// word with no Lua counterpart stays as it is, and so does anything in quotes: the cores quote
/// the script's own names (`parameter 'batchSize'`), which must read as the script wrote them.
struct LuaNames {
  private let byLetters: [String: String]

  /// A map that renders nothing (when no engine could be made to read the API from).
  init() { byLetters = [:] }

  init(api: LuaAPI) {
    let words = api.annotations(module: "tuna", header: []).split { !($0.isLetter || $0.isNumber || $0 == "_") }
    byLetters = Dictionary(
      words.filter { $0.contains("_") && $0.first!.isLowercase }.map { ($0.replacingOccurrences(of: "_", with: ""), String($0)) },
      uniquingKeysWith: { first, _ in first })
  }

  /// `message` with every Swift name the Lua API also has spelled the Lua way, quotes aside.
  func render(_ message: String) -> String {
    var out = "", word = "", quoted = false
    func flush() {
      let camel = word.first?.isLowercase == true && word.contains(where: \.isUppercase)
      out += !quoted && camel ? byLetters[word.lowercased()] ?? word : word
      word = ""
    }
    for c in message {
      if c.isLetter || c.isNumber {
        word.append(c)
        continue
      }
      // A quote right after a word is an apostrophe (the schedule's warmupEpochs); any other
      // opens or closes a quoted name.
      let quote = c == "'" && (quoted || word.isEmpty)
      flush()
      if quote { quoted.toggle() }
      out.append(c)
    }
    flush()
    return out
  }
}

extension TunaEngine {
  /// The name map: every engine declares the same API, so one read (from an engine made for it,
  /// when an error first needs the map) serves them all.
  static let luaNames = (try? TunaEngine()).map { LuaNames(api: $0.api) } ?? LuaNames()

  /// Every core error that reaches a script without a binding's own wording goes through the
  /// name map (installed once, by the first engine).
  static let rendersHostErrors: Void = {
    HostErrors.describe = { error in TunaEngine.luaNames.render(String(describing: error)) }
  }()

  /// A core's error as the script reads it: its Swift names spelled the Lua way.
  func luaSpelling(_ message: String) -> String { Self.luaNames.render(message) }

  /// A bad setting the search core refused, as the argument error of the call at `position`.
  func argumentError(_ error: InvalidArgument, position: Int32) -> ArgumentError {
    ArgumentError(position, luaSpelling(error.message))
  }
}
