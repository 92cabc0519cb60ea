import TunaSearch

/// What goes wrong opening or reading a storage, beyond misuse (`StorageError`) and SQLite's own
/// failures (`SQLiteError`).
public enum TunaStoreError: Error, CustomStringConvertible, Sendable, Equatable {
  /// A storage URL `openStorage` does not understand.
  case unrecognizedURL(String)
  /// A storage URL of a kind Tuna knows of but cannot open yet (PostgreSQL, MySQL).
  case unsupportedURL(String, backend: String)
  /// The file was written by a newer Tuna, with a schema this build does not know.
  case newerSchema(path: String, version: Int, supported: Int)
  /// The file is an SQLite database, but not one of Tuna's.
  case notATunaDatabase(path: String)
  /// A stored value this build cannot read.
  case corrupt(String)

  /// The storage URLs `openStorage` accepts, for messages and help texts.
  public static let acceptedURLForms =
    "nothing, 'memory' or ':memory:' (in memory, gone when the process ends), "
    + "'sqlite:PATH' or 'sqlite:///PATH' (a SQLite file, shared by processes; sqlite:////abs/path for an absolute path)"

  public var description: String {
    switch self {
    case .unrecognizedURL(let url):
      "unrecognized storage URL '\(url)': use \(Self.acceptedURLForms)"
    case .unsupportedURL(let url, let backend):
      "storage URL '\(url)': \(backend) is not supported yet; use \(Self.acceptedURLForms)"
    case .newerSchema(let path, let version, let supported):
      "'\(path)' has storage schema version \(version), written by a newer Tuna; this build reads versions up to \(supported): upgrade Tuna to open it"
    case .notATunaDatabase(let path):
      "'\(path)' is an SQLite database but not a Tuna storage"
    case .corrupt(let what):
      "corrupt storage: \(what)"
    }
  }
}

/// Opens the storage a URL names:
///
/// - nil, `""`, `"memory"` or `":memory:"`: a new `InMemoryStorage`;
/// - `"sqlite:PATH"`: a `SQLiteStorage` on the file PATH (created when missing);
/// - `"sqlite:///PATH"`, SQLAlchemy's form as Optuna users write it: PATH relative to the
///   working directory, so `sqlite:////tmp/x.db` is the absolute `/tmp/x.db`.
///
/// Anything else throws `TunaStoreError.unrecognizedURL` (or `.unsupportedURL` for database
/// servers), whose message lists the accepted forms.
public func openStorage(_ url: String?) throws -> any Storage {
  guard let path = try storageFilePath(url) else { return InMemoryStorage() }
  return try SQLiteStorage(path: path)
}

/// The file a storage URL names (nil for an in-memory storage), with the errors of
/// `openStorage` for URLs it does not accept.
public func storageFilePath(_ url: String?) throws(TunaStoreError) -> String? {
  guard let url, !url.isEmpty, url != "memory", url != ":memory:" else { return nil }
  let lower = url.lowercased()
  for (prefix, backend) in [("postgresql", "PostgreSQL"), ("postgres", "PostgreSQL"), ("mysql", "MySQL")]
  where lower.hasPrefix(prefix + ":") || lower.hasPrefix(prefix + "+") {
    throw TunaStoreError.unsupportedURL(url, backend: backend)
  }
  guard lower.hasPrefix("sqlite:") else { throw TunaStoreError.unrecognizedURL(url) }
  let rest = url.dropFirst("sqlite:".count)
  let path: Substring
  if rest.hasPrefix("///") {
    path = rest.dropFirst(3)
  } else if rest.hasPrefix("//") {
    // sqlite://host/... and a bare sqlite:// (SQLAlchemy's in-memory database) have no file.
    throw TunaStoreError.unrecognizedURL(url)
  } else {
    path = rest
  }
  guard !path.isEmpty else { throw TunaStoreError.unrecognizedURL(url) }
  return String(path)
}
