import TunaSearch

/// What goes wrong opening or reading a storage, beyond misuse (`StorageError`) and SQLite's own
/// failures (`SQLiteError`).
public enum TunaStoreError: Error, CustomStringConvertible, Sendable, Equatable {
  /// A storage URL `openStorage` does not understand.
  case unrecognizedURL(String)
  /// A storage URL of a kind Tuna knows of but cannot open (MySQL).
  case unsupportedURL(String, backend: String)
  /// The file (or database) was written by a newer Tuna, with a schema this build does not know.
  case newerSchema(path: String, version: Int, supported: Int)
  /// The file is an SQLite database (or the PostgreSQL schema `tuna` holds tables), but not Tuna's.
  case notATunaDatabase(path: String)
  /// A stored value this build cannot read.
  case corrupt(String)

  /// The storage URLs `openStorage` accepts, for messages and help texts.
  public static let acceptedURLForms =
    "nothing, 'memory' or ':memory:' (in memory, gone when the process ends), "
    + "'sqlite:PATH' or 'sqlite:///PATH' (a SQLite file, shared by processes; sqlite:////abs/path for an absolute path), "
    + "'postgresql://USER:PASSWORD@HOST:PORT/DATABASE' (a PostgreSQL database, shared by machines; "
    + "what the URL leaves out comes from the PG* environment variables)"

  public var description: String {
    switch self {
    case .unrecognizedURL(let url):
      "unrecognized storage URL '\(redactedStorageURL(url))': use \(Self.acceptedURLForms)"
    case .unsupportedURL(let url, let backend):
      "storage URL '\(redactedStorageURL(url))': \(backend) is not supported; use \(Self.acceptedURLForms)"
    case .newerSchema(let path, let version, let supported):
      "'\(path)' has storage schema version \(version), written by a newer Tuna; this build reads versions up to \(supported): upgrade Tuna to open it"
    case .notATunaDatabase(let path):
      "'\(path)' is an SQLite database but not a Tuna storage"
    case .corrupt(let what):
      "corrupt storage: \(what)"
    }
  }
}

/// Where a storage URL points.
public enum StorageLocation: Sendable, Hashable {
  /// In this process's memory, gone when it ends.
  case memory
  /// A SQLite file.
  case sqlite(path: String)
  /// A PostgreSQL database.
  case postgres(PostgresURL)

  /// Parses a storage URL:
  ///
  /// - nil, `""`, `"memory"` or `":memory:"`: in memory;
  /// - `"sqlite:PATH"`: the SQLite file PATH;
  /// - `"sqlite:///PATH"`, SQLAlchemy's form as Optuna users write it: PATH relative to the
  ///   working directory, so `sqlite:////tmp/x.db` is the absolute `/tmp/x.db`;
  /// - `"postgresql://…"` (or `postgres://`, or with a driver such as `postgresql+psycopg2://`):
  ///   a PostgreSQL database, as libpq reads the URL (see `PostgresURL`).
  ///
  /// Anything else throws `TunaStoreError.unrecognizedURL` (`.unsupportedURL` for MySQL), whose
  /// message lists the accepted forms.
  public init(_ url: String?) throws(TunaStoreError) {
    guard let url, !url.isEmpty, url != "memory", url != ":memory:" else {
      self = .memory
      return
    }
    if PostgresURL.names(url) {
      guard let parsed = PostgresURL(url) else { throw TunaStoreError.unrecognizedURL(url) }
      self = .postgres(parsed)
      return
    }
    let lower = url.lowercased()
    if lower.hasPrefix("mysql:") || lower.hasPrefix("mysql+") { throw TunaStoreError.unsupportedURL(url, backend: "MySQL") }
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
    self = .sqlite(path: String(path))
  }

  /// The file, for a SQLite storage.
  public var filePath: String? {
    if case .sqlite(let path) = self { return path }
    return nil
  }

  /// Whether every process (and, for a server, every machine) reaching it sees the same studies.
  public var isShared: Bool { self != .memory }
}

/// Opens the storage a URL names (see `StorageLocation.init` for the forms): a new
/// `InMemoryStorage`, a `SQLiteStorage` on a file (created when missing), or a
/// `PostgresStorage` on a database (Tuna's tables created when missing).
public func openStorage(_ url: String?) throws -> any Storage {
  switch try StorageLocation(url) {
  case .memory: return InMemoryStorage()
  case .sqlite(let path): return try SQLiteStorage(path: path)
  case .postgres(let url): return try PostgresStorage(url: url)
  }
}

/// The file a storage URL names (nil for other storages), with the errors of `openStorage` for
/// URLs it does not accept.
public func storageFilePath(_ url: String?) throws(TunaStoreError) -> String? {
  try StorageLocation(url).filePath
}

/// A storage URL as messages may show it: a password (`user:password@`, `password=`) hidden, in
/// a PostgreSQL URL or any other that looks like one (a mistyped `postgresql:/u:pw@h`, MySQL's).
public func redactedStorageURL(_ url: String) -> String {
  if PostgresURL.names(url), let parsed = PostgresURL(url) { return parsed.redacted }
  var shown = url.replacing(/^([A-Za-z][A-Za-z0-9+.\-]*:\/*)([^\/@:]*):[^\/]*@/) { m in "\(m.1)\(m.2):***@" }
  shown = shown.replacing(/([?&]password=)[^&]*/) { m in "\(m.1)***" }
  return shown
}
