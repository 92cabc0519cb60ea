/// The SQLite storage's tables, and how files written by older versions are brought up to date.
///
/// The file's `PRAGMA user_version` is the version of its schema and `PRAGMA application_id`
/// marks it as Tuna's. Opening a file applies, in order, each migration newer than its version,
/// each in its own transaction together with the new version number, so a file is always at
/// one version and processes that open it at once apply each migration once. A file of a
/// newer version than `SQLiteSchema.version` is refused.
///
/// Times are seconds since 2001-01-01 00:00 UTC (Foundation's reference date, which `Date`
/// keeps exactly); JSON columns hold the JSON described in `JSON`.
enum SQLiteSchema {
  /// "Tuna" in ASCII.
  static let applicationID: Int32 = 0x5475_6E61

  struct Migration {
    /// The schema version the file has once this migration ran.
    let version: Int
    let sql: String
  }

  /// Every migration, oldest first; the last one's version is the current schema.
  static let migrations: [Migration] = [
    Migration(
      version: 1,
      sql: """
        CREATE TABLE studies (
          id INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: ids of deleted studies are never reused
          name TEXT NOT NULL UNIQUE,
          directions TEXT NOT NULL  -- JSON list: ["minimize", "maximize"]
        );
        CREATE TABLE study_user_attrs (
          study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
          key TEXT NOT NULL,
          value_json TEXT NOT NULL,
          PRIMARY KEY (study_id, key)
        ) WITHOUT ROWID;
        -- The distribution each parameter was first asked with: its kind (and a categorical's
        -- choices) holds for the whole study.
        CREATE TABLE study_params (
          study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          distribution_json TEXT NOT NULL,
          PRIMARY KEY (study_id, name)
        ) WITHOUT ROWID;
        CREATE TABLE trials (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
          number INTEGER NOT NULL,  -- 0, 1, 2, ... per study
          state TEXT NOT NULL CHECK (state IN ('running', 'waiting', 'complete', 'pruned', 'fail')),
          values_json TEXT,  -- JSON list of the objective values, or NULL
          -- The value of a complete trial of a single-objective study unless NaN; NULL for every
          -- other trial. The best trial is the first with the least (or greatest) value.
          value REAL,
          datetime_start REAL,
          datetime_complete REAL,
          fail_reason TEXT,
          heartbeat REAL,
          UNIQUE (study_id, number)
        );
        CREATE INDEX trials_by_state ON trials (study_id, state, number);
        CREATE INDEX trials_by_value ON trials (study_id, value, number);
        CREATE TABLE trial_params (
          trial_id INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          value_json TEXT NOT NULL,
          distribution_json TEXT NOT NULL,
          PRIMARY KEY (trial_id, name)
        ) WITHOUT ROWID;
        CREATE TABLE trial_intermediate_values (
          trial_id INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
          step INTEGER NOT NULL,
          -- No declared type on purpose: a REAL column stores -0.0 as the integer 0. NULL is NaN.
          value,
          PRIMARY KEY (trial_id, step)
        ) WITHOUT ROWID;
        CREATE TABLE trial_user_attrs (
          trial_id INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
          key TEXT NOT NULL,
          value_json TEXT NOT NULL,
          PRIMARY KEY (trial_id, key)
        ) WITHOUT ROWID;
        CREATE TABLE trial_system_attrs (
          trial_id INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
          key TEXT NOT NULL,
          value_json TEXT NOT NULL,
          PRIMARY KEY (trial_id, key)
        ) WITHOUT ROWID;
        """),
  ]

  static var version: Int { migrations.last!.version }

  /// What the file says about itself.
  private static func header(_ c: SQLiteConnection) throws -> (version: Int, applicationID: Int32, objects: Int) {
    let version = try c.with("PRAGMA user_version") { s in try s.step() ? s.int(0) : 0 }
    let app = try c.with("PRAGMA application_id") { s in try s.step() ? Int32(truncatingIfNeeded: s.int(0)) : 0 }
    let objects = try c.with("SELECT count(*) FROM sqlite_master") { s in try s.step() ? s.int(0) : 0 }
    return (version, app, objects)
  }

  private static func check(_ h: (version: Int, applicationID: Int32, objects: Int), path: String) throws {
    if h.version > version { throw TunaStoreError.newerSchema(path: path, version: h.version, supported: version) }
    if h.applicationID != 0 && h.applicationID != applicationID { throw TunaStoreError.notATunaDatabase(path: path) }
    if h.version == 0 && h.objects > 0 { throw TunaStoreError.notATunaDatabase(path: path) }
  }

  /// Sets the connection up and brings the file to the current schema.
  static func prepare(_ c: SQLiteConnection) throws {
    // Refuse a file that is not ours (or too new) before changing anything in it.
    try check(try c.transaction(write: false) { try header(c) }, path: c.path)
    try c.execute("PRAGMA foreign_keys = ON")
    try retryingBusy(c) {
      // WAL: readers never block the writer nor each other. Its mode sticks to the file; an
      // in-memory database answers "memory", which is fine.
      _ = try c.with("PRAGMA journal_mode = WAL") { s in try s.step() }
    }
    // In WAL mode NORMAL syncs at checkpoints only: a power cut may lose the last commits,
    // never the file's consistency.
    try c.execute("PRAGMA synchronous = NORMAL")
    for m in migrations {
      try c.transaction(write: true) {
        let h = try header(c)
        try check(h, path: c.path)
        guard h.version < m.version else { return }
        try c.execute(m.sql)
        try c.execute("PRAGMA user_version = \(m.version)")
        try c.execute("PRAGMA application_id = \(applicationID)")
      }
    }
  }

  /// Runs `body` again after short random sleeps while it fails with SQLITE_BUSY, for
  /// statements outside transactions (SQLite does not always call the busy handler for them).
  private static func retryingBusy(_ c: SQLiteConnection, _ body: () throws -> Void) throws {
    let deadline = monotonicSeconds() + c.busyTimeout
    while true {
      do {
        return try body()
      } catch let e as SQLiteError where e.isBusy && monotonicSeconds() < deadline {
        randomSleep(upTo: 0.005)
      }
    }
  }
}
