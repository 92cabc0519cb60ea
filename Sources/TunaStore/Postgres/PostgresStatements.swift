/// The statements `PostgresStorage` runs, each prepared once per connection.
enum PostgresSQL {
  /// The server's clock in the schema's unit: seconds since 2001-01-01 00:00 UTC.
  static let now = "(extract(epoch FROM now())::float8 - 978307200)"
  static let writable = "state IN ('running', 'waiting')"

  /// A trial's columns (from `tuna.trials AS t`), then its params, intermediate values and
  /// attributes as JSON lists of `[key, JSON text]` pairs (`[step, value text]` for values):
  /// one statement reads whole trials.
  static let trialColumns = """
    t.id, t.number, t.state, t.values_json, t.datetime_start, t.datetime_complete, t.fail_reason, t.study_id,
    (SELECT json_agg(json_build_array(p.name, p.value_json, p.distribution_json))
      FROM tuna.trial_params p WHERE p.trial_id = t.id),
    (SELECT json_agg(json_build_array(i.step, i.value::text))
      FROM tuna.trial_intermediate_values i WHERE i.trial_id = t.id),
    (SELECT json_agg(json_build_array(a.key, a.value_json)) FROM tuna.trial_user_attrs a WHERE a.trial_id = t.id),
    (SELECT json_agg(json_build_array(a.key, a.value_json)) FROM tuna.trial_system_attrs a WHERE a.trial_id = t.id)
    """
  /// How many columns `trialColumns` has.
  static let trialColumnCount: Int32 = 12

  struct AttrTable {
    let upsert: String
  }

  static let userAttrs = AttrTable(upsert: attrUpsert("tuna.trial_user_attrs"))
  static let systemAttrs = AttrTable(upsert: attrUpsert("tuna.trial_system_attrs"))

  private static func attrUpsert(_ table: String) -> String {
    """
    WITH t AS (SELECT id FROM tuna.trials WHERE id = $1 AND \(writable) FOR SHARE)
    INSERT INTO \(table) (trial_id, key, value_json) SELECT id, $2, $3 FROM t
    ON CONFLICT (trial_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1
    """
  }

  static let createStudy = """
    INSERT INTO tuna.studies (name, directions, create_token) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id
    """
  static let studyWithToken = "SELECT id FROM tuna.studies WHERE name = $1 AND create_token = $2"
  static let studyNamed = "SELECT id, directions FROM tuna.studies WHERE name = $1"
  static let allStudies = "SELECT id, name, directions FROM tuna.studies ORDER BY id"
  static let studyDirections = "SELECT directions FROM tuna.studies WHERE id = $1"
  static let setStudyUserAttr = """
    INSERT INTO tuna.study_user_attrs (study_id, key, value_json) SELECT id, $2, $3 FROM tuna.studies WHERE id = $1
    ON CONFLICT (study_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1
    """
  static let studyUserAttrs = """
    SELECT s.id, a.key, a.value_json FROM tuna.studies s
    LEFT JOIN tuna.study_user_attrs a ON a.study_id = s.id WHERE s.id = $1
    """
  static let deleteStudy = "DELETE FROM tuna.studies WHERE id = $1 RETURNING id"

  /// $1 study, $2 'running' or 'waiting', $3 token, $4 system attrs as a JSON object of JSON texts.
  static let createTrial = """
    WITH n AS (
      UPDATE tuna.studies SET next_number = next_number + 1 WHERE id = $1 RETURNING id, next_number - 1 AS number),
    t AS (
      INSERT INTO tuna.trials (study_id, number, state, datetime_start, create_token)
      SELECT id, number, $2::text, CASE WHEN $2::text = 'running' THEN \(now) END, $3 FROM n
      RETURNING id, number, datetime_start),
    a AS (
      INSERT INTO tuna.trial_system_attrs (trial_id, key, value_json)
      SELECT t.id, e.key, e.value FROM t, json_each_text($4::json) AS e)
    SELECT id, number, datetime_start FROM t
    """
  /// The pieces of `addTrial`, run in one transaction.
  enum Add {
    static let takeNumber = """
      UPDATE tuna.studies SET next_number = next_number + 1 WHERE id = $1
      RETURNING next_number - 1, json_array_length(directions::json)
      """
    static let registerKind = """
      INSERT INTO tuna.study_params (study_id, name, distribution_json) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
      """
    static let kind = "SELECT distribution_json FROM tuna.study_params WHERE study_id = $1 AND name = $2"
    static let trial = """
      INSERT INTO tuna.trials
        (study_id, number, state, values_json, value, datetime_start, datetime_complete, fail_reason, create_token)
      VALUES ($1, $2, $3, $4, $5::float8, $6::float8, $7::float8, $8, $9) RETURNING id
      """
    static let param = """
      INSERT INTO tuna.trial_params (trial_id, name, value_json, distribution_json) VALUES ($1, $2, $3, $4)
      """
    static let intermediate = "INSERT INTO tuna.trial_intermediate_values (trial_id, step, value) VALUES ($1, $2, $3::float8)"
    static let userAttr = "INSERT INTO tuna.trial_user_attrs (trial_id, key, value_json) VALUES ($1, $2, $3)"
    static let systemAttr = "INSERT INTO tuna.trial_system_attrs (trial_id, key, value_json) VALUES ($1, $2, $3)"
  }

  static let trialCreatedWith = "SELECT id FROM tuna.trials WHERE study_id = $1 AND create_token = $2"
  static let trialStartedWith = "SELECT id FROM tuna.trials WHERE study_id = $1 AND start_token = $2"

  /// The oldest waiting trial of study $1 that no one else is claiming, locked.
  private static let oldestWaiting = """
    SELECT id FROM tuna.trials WHERE study_id = $1 AND state = 'waiting' ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED
    """

  /// $1 study, $2 token: the claimed trial's columns then the study's id, or one row of NULLs
  /// and the study's id when nothing waits, or no row for a missing study.
  static let claimWaiting = """
    WITH w AS (\(oldestWaiting)),
    c AS (
      UPDATE tuna.trials t SET state = 'running', datetime_start = \(now), heartbeat = NULL, start_token = $2
      FROM w WHERE t.id = w.id RETURNING \(trialColumns))
    SELECT c.*, s.id FROM tuna.studies s LEFT JOIN c ON true WHERE s.id = $1
    """

  /// $1 study, $2 beating (boolean), $3 token: claims the oldest waiting trial, or else creates
  /// one, and returns its columns (none for a missing study).
  static let startTrial = """
    WITH w AS (\(oldestWaiting)),
    c AS (
      UPDATE tuna.trials t SET state = 'running', datetime_start = \(now),
        heartbeat = CASE WHEN $2::boolean THEN \(now) END, start_token = $3
      FROM w WHERE t.id = w.id RETURNING \(trialColumns)),
    n AS (
      UPDATE tuna.studies SET next_number = next_number + 1 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM w)
      RETURNING id, next_number - 1 AS number),
    i AS (
      INSERT INTO tuna.trials AS t (study_id, number, state, datetime_start, heartbeat, start_token)
      SELECT id, number, 'running', \(now), CASE WHEN $2::boolean THEN \(now) END, $3 FROM n
      RETURNING \(trialColumns))
    SELECT * FROM c UNION ALL SELECT * FROM i
    """

  /// $1 trial, $2 name, $3 distribution: the study's distribution for the name, registering
  /// this one when it is the first; no row when the trial is not writable.
  static let registerParam = """
    WITH t AS (SELECT study_id FROM tuna.trials WHERE id = $1 AND \(writable)),
    r AS (
      INSERT INTO tuna.study_params (study_id, name, distribution_json) SELECT study_id, $2, $3 FROM t
      ON CONFLICT DO NOTHING RETURNING study_id, distribution_json)
    SELECT study_id, distribution_json FROM r
    UNION ALL
    SELECT p.study_id, p.distribution_json FROM tuna.study_params p JOIN t ON p.study_id = t.study_id WHERE p.name = $2
    """
  static let setParam = """
    WITH t AS (SELECT id FROM tuna.trials WHERE id = $1 AND \(writable) FOR SHARE)
    INSERT INTO tuna.trial_params (trial_id, name, value_json, distribution_json) SELECT id, $2, $3, $4 FROM t
    ON CONFLICT (trial_id, name) DO UPDATE
    SET value_json = excluded.value_json, distribution_json = excluded.distribution_json RETURNING 1
    """
  /// The first report of a step wins.
  static let reportIntermediate = """
    WITH t AS (SELECT id FROM tuna.trials WHERE id = $1 AND \(writable) FOR SHARE)
    INSERT INTO tuna.trial_intermediate_values (trial_id, step, value) SELECT id, $2, $3::float8 FROM t
    ON CONFLICT DO NOTHING RETURNING 1
    """
  static let heartbeat = "UPDATE tuna.trials SET heartbeat = \(now) WHERE id = $1 AND \(writable) RETURNING 1"
  static let trialState = "SELECT study_id, number, state FROM tuna.trials WHERE id = $1"

  /// $1 trial, $2 state, $3 values JSON, $4 fail reason, $5 the value the best trial is found
  /// by (kept for single-objective studies only).
  static let finishTrial = """
    UPDATE tuna.trials t SET state = $2, values_json = $3, fail_reason = $4, datetime_complete = \(now),
      value = CASE WHEN json_array_length(s.directions::json) = 1 THEN $5::float8 END
    FROM tuna.studies s WHERE t.id = $1 AND s.id = t.study_id AND t.\(writable)
    RETURNING \(trialColumns)
    """

  /// $1 study, $2 reason, $3 seconds, $4 token: the failed trials' columns then the study's id
  /// (one row of NULLs and the id when none was stale; no row for a missing study).
  static let failStale = """
    WITH f AS (
      UPDATE tuna.trials t SET state = 'fail', fail_reason = $2, datetime_complete = \(now), stale_token = $4
      WHERE t.study_id = $1 AND t.state = 'running' AND t.heartbeat IS NOT NULL AND t.heartbeat < \(now) - $3::float8
      RETURNING \(trialColumns))
    SELECT f.*, s.id FROM tuna.studies s LEFT JOIN f ON true WHERE s.id = $1
    """

  static let trialByID = "SELECT \(trialColumns) FROM tuna.trials t WHERE t.id = $1"
  /// The trials a lost `failStale` with token $2 failed.
  static let failedStaleWith = "SELECT \(trialColumns) FROM tuna.trials t WHERE t.study_id = $1 AND t.stale_token = $2"
  static let trialExists = "SELECT 1 FROM tuna.trials WHERE id = $1"

  /// $1 study, $2 first unseen number, $3 the pending numbers (an array): those trials' columns
  /// then the study's id (one row of NULLs and the id when there are none).
  static let trialsToRead = """
    SELECT x.*, s.id FROM tuna.studies s LEFT JOIN LATERAL (
      SELECT \(trialColumns) FROM tuna.trials t WHERE t.study_id = s.id AND t.number >= $2
      UNION ALL
      SELECT \(trialColumns) FROM tuna.trials t WHERE t.study_id = s.id AND t.number = ANY($3::bigint[]) AND t.number < $2
    ) x ON true WHERE s.id = $1
    """
  static let trialCount = "SELECT next_number FROM tuna.studies WHERE id = $1"
  static let trialCountIn = """
    SELECT (SELECT count(*) FROM tuna.trials t WHERE t.study_id = s.id AND t.state = ANY($2::text[]))
    FROM tuna.studies s WHERE s.id = $1
    """

  /// The best trial (the earliest on ties) then the study's id, for minimize and maximize.
  static let bestMin = best(order: "t.value, t.number")
  static let bestMax = best(order: "t.value DESC, t.number")

  private static func best(order: String) -> String {
    """
    SELECT x.*, s.id FROM tuna.studies s LEFT JOIN LATERAL (
      SELECT \(trialColumns) FROM tuna.trials t WHERE t.study_id = s.id AND t.value IS NOT NULL
      ORDER BY \(order) LIMIT 1
    ) x ON true WHERE s.id = $1
    """
  }
}
