/// The PostgreSQL storage's tables, and how databases written by older versions are brought up
/// to date.
///
/// Everything lives in the schema `tuna`, so a database may also hold other applications'
/// tables (Optuna's among them, which are named `studies`, `trials`, …). `tuna.schema_version`
/// holds the version; opening a database takes a transaction-scoped advisory lock, then applies
/// in order each migration newer than the stored version, so processes that open a database at
/// once apply each migration once. A database of a newer version than `version` is refused.
///
/// The tables are the SQLite storage's, with these additions: `studies.next_number`, the next
/// trial number of the study (taking it is one row update, which orders concurrent creators),
/// and tokens (`studies.create_token`, `trials.create_token`, `start_token`, `stale_token`)
/// with which a writer whose connection dropped mid-statement finds out what its lost
/// statement did: the study or trial it created, the trial it started or claimed, the trials
/// it failed as stale. Times are seconds since 2001-01-01 00:00 UTC, always
/// read off the server's clock (`now()`), so that workers whose clocks disagree still agree on
/// which heartbeats are stale.
enum PostgresSchema {
  /// The advisory lock key migrations hold ("Tuna" in ASCII).
  static let lockKey = 0x5475_6E61

  /// Every migration, oldest first; the last one's version is the current schema.
  static let migrations: [(version: Int, sql: String)] = [
    (
      1,
      """
      CREATE TABLE tuna.schema_version (version integer NOT NULL);
      INSERT INTO tuna.schema_version VALUES (0);
      CREATE TABLE tuna.studies (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- identities are never reused
        name text NOT NULL UNIQUE,
        directions text NOT NULL,  -- JSON list: ["minimize", "maximize"]
        next_number bigint NOT NULL DEFAULT 0,
        create_token text
      );
      CREATE TABLE tuna.study_user_attrs (
        study_id bigint NOT NULL REFERENCES tuna.studies (id) ON DELETE CASCADE,
        key text NOT NULL,
        value_json text NOT NULL,
        PRIMARY KEY (study_id, key)
      );
      CREATE TABLE tuna.study_params (
        study_id bigint NOT NULL REFERENCES tuna.studies (id) ON DELETE CASCADE,
        name text NOT NULL,
        distribution_json text NOT NULL,
        PRIMARY KEY (study_id, name)
      );
      CREATE TABLE tuna.trials (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        study_id bigint NOT NULL REFERENCES tuna.studies (id) ON DELETE CASCADE,
        number bigint NOT NULL,
        state text NOT NULL CHECK (state IN ('running', 'waiting', 'complete', 'pruned', 'fail')),
        values_json text,
        value double precision,  -- as in the SQLite schema: the best trial is found by it
        datetime_start double precision,
        datetime_complete double precision,
        fail_reason text,
        heartbeat double precision,
        create_token text,  -- the call that created (or copied) the trial
        start_token text,  -- the call that started (or claimed) it
        stale_token text,  -- the call that failed it as stale
        UNIQUE (study_id, number)
      );
      CREATE INDEX trials_by_state ON tuna.trials (study_id, state, number);
      CREATE INDEX trials_by_value ON tuna.trials (study_id, value, number);
      CREATE INDEX trials_by_value_desc ON tuna.trials (study_id, value DESC, number);
      CREATE TABLE tuna.trial_params (
        trial_id bigint NOT NULL REFERENCES tuna.trials (id) ON DELETE CASCADE,
        name text NOT NULL,
        value_json text NOT NULL,
        distribution_json text NOT NULL,
        PRIMARY KEY (trial_id, name)
      );
      CREATE TABLE tuna.trial_intermediate_values (
        trial_id bigint NOT NULL REFERENCES tuna.trials (id) ON DELETE CASCADE,
        step bigint NOT NULL,
        value double precision,  -- NaN as itself
        PRIMARY KEY (trial_id, step)
      );
      CREATE TABLE tuna.trial_user_attrs (
        trial_id bigint NOT NULL REFERENCES tuna.trials (id) ON DELETE CASCADE,
        key text NOT NULL,
        value_json text NOT NULL,
        PRIMARY KEY (trial_id, key)
      );
      CREATE TABLE tuna.trial_system_attrs (
        trial_id bigint NOT NULL REFERENCES tuna.trials (id) ON DELETE CASCADE,
        key text NOT NULL,
        value_json text NOT NULL,
        PRIMARY KEY (trial_id, key)
      );
      """
    )
  ]

  static var version: Int { migrations.last!.version }

  /// Brings the database to the current schema, or refuses it.
  static func prepare(_ c: PostgresConnection) throws {
    // The common case, a database at the current version, needs no lock.
    if try storedVersion(c) == version { return }
    try c.execute("BEGIN")
    do {
      try c.query("SELECT pg_advisory_xact_lock(\(lockKey))")
      try c.execute("CREATE SCHEMA IF NOT EXISTS tuna")
      let current = try storedVersion(c)
      if current == nil, try c.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'tuna'").int(0, 0) > 0 {
        throw TunaStoreError.notATunaDatabase(path: c.url.redacted + " (its schema 'tuna' has tables of another program)")
      }
      for m in migrations where m.version > current ?? 0 {
        try c.execute(m.sql)
        try c.execute("UPDATE tuna.schema_version SET version = \(m.version)")
      }
      try c.execute("COMMIT")
    } catch {
      try? c.execute("ROLLBACK")
      throw error
    }
  }

  /// The database's schema version; nil when it has none yet. Throws for a newer one.
  private static func storedVersion(_ c: PostgresConnection) throws -> Int? {
    let table = try c.query("SELECT to_regclass('tuna.schema_version') IS NOT NULL")
    guard table.bool(0, 0) else { return nil }
    let v = try c.query("SELECT max(version) FROM tuna.schema_version").int(0, 0)
    if v > version { throw TunaStoreError.newerSchema(path: c.url.redacted, version: v, supported: version) }
    return v
  }
}
