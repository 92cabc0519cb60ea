import LuaVM
import TunaSearch
import TunaStore

extension TunaEngine {
  /// `tuna.copy_study{ study, from, to, as }`: Optuna's `copy_study`. `from` and `to` are storage
  /// URLs, or "memory" (the script's in-memory storage, the default of `from`): a study tuned in
  /// memory can be kept in a file or a database once it is done.
  var copyStudyBinding: LuaBinding {
    .named("copy_study", "options: \(Self.copyOptions.type)", returns: "integer",
           "Copies a study and all its trials to another storage; returns how many trials it copied.") { [unowned self] l, name in
      try self.copyStudy(l, name)
    }
  }

  static let copyOptions = OptionTable("study: string, from?: string, to: string, as?: string")

  private func copyStudy(_ lua: Lua, _ function: String) throws -> Int32 {
    let options = try Options(lua, at: 1, Self.copyOptions)
    guard let name = try options.string("study") else { throw options.bad("study", "the name of the study to copy") }
    guard let to = try options.string("to") else { throw options.bad("to", "a storage URL") }
    let from = try options.string("from") ?? "memory"
    let newName = try options.string("as")
    try checkScriptStorage(from, option: "from", for: function)
    try checkScriptStorage(to, option: "to", for: function)
    func open(_ url: String, _ option: String) throws -> any Storage {
      do { return try storages.storage(url) } catch let e as TunaStoreError { throw ArgumentError(1, "\(option): \(e.description)") }
    }
    let source = try open(from, "from")
    let target = try open(to, "to")
    if source === target && (newName ?? name) == name {
      throw ArgumentError(1, "'from' and 'to' are the same storage: give the copy another name with 'as'")
    }
    do {
      let copied = try TunaStore.copyStudy(named: name, from: source, to: target, as: newName)
      lua.push(copied.trials)
      return 1
    } catch StorageError.noSuchStudy {
      throw ArgumentError(1, "no study named '\(name)' in \(redactedStorageURL(from))")
    } catch StorageError.studyExists(let existing) {
      throw ArgumentError(1, "\(redactedStorageURL(to)) already has a study named '\(existing)': name the copy with 'as'")
    }
  }
}
