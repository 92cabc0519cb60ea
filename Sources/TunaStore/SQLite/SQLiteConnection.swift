import CSQLite
import Foundation
import TunaSearch

/// A failure SQLite reported.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
  /// SQLite's extended result code.
  public let code: Int32
  public let message: String
  /// What the storage was doing: the file it opened or the statement it ran.
  public let context: String

  public var description: String {
    "SQLite error \(code) (\(String(cString: sqlite3_errstr(code)))) in \(context): \(message)"
  }

  /// Whether another connection holds a lock this one needs: worth retrying.
  var isBusy: Bool {
    let primary = code & 0xFF
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
  }
}

/// Seconds on a clock that only moves forward.
func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Sleeps a random time up to `cap` seconds (at least a quarter of it), so that processes
/// that collided do not retry in step.
func randomSleep(upTo cap: Double) {
  usleep(UInt32(Double.random(in: cap / 4...cap) * 1e6))
}

/// Where the busy handler keeps the start of the current wait.
private struct BusyWait {
  var timeout: Double
  var start: Double = 0
}

/// SQLite calls this while another connection holds the lock it needs, with `count` the number
/// of calls so far for this lock: it sleeps a short random while (0.1 ms at first, at most
/// 5 ms) and gives up once the wait exceeds the timeout. SQLite's own `sqlite3_busy_timeout`
/// handler sleeps up to 100 ms at a time, which under contention leaves the lock idle while
/// every writer sleeps.
private func busyHandler(_ context: UnsafeMutableRawPointer?, _ count: Int32) -> Int32 {
  guard let wait = context?.assumingMemoryBound(to: BusyWait.self) else { return 0 }
  let now = monotonicSeconds()
  if count == 0 { wait.pointee.start = now }
  if now - wait.pointee.start >= wait.pointee.timeout { return 0 }
  randomSleep(upTo: min(0.0001 * Double(1 << min(Int(count), 6)), 0.005))
  return 1
}

/// One SQLite connection and its prepared statements. Not thread-safe: its owner serializes
/// every use (see `SQLiteStorage`).
final class SQLiteConnection {
  let db: OpaquePointer
  let path: String
  /// How long a statement waits for another connection's lock before failing.
  let busyTimeout: Double
  private var statements: [String: OpaquePointer] = [:]
  private let busyWait: UnsafeMutablePointer<BusyWait>

  /// Opens (creating when missing) the database at `path`.
  init(path: String, busyTimeout: Double) throws {
    var handle: OpaquePointer?
    // NOMUTEX: the owner's lock already serializes every use of this connection (see
    // `SQLiteStorage`), so SQLite's per-call mutex would be a second, redundant lock.
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
    // A name starting "file:" is a URI to a SQLite built to read URIs (Debian's is), which can
    // name any file ("file:%2Fetc%2Fx.db") whatever the path looked like: "./" keeps it a
    // plain relative path, the file Tuna's checks (the sandbox's grants) judged.
    let plain = path.hasPrefix("file:") ? "./" + path : path
    let rc = sqlite3_open_v2(plain, &handle, flags, nil)
    guard rc == SQLITE_OK, let handle else {
      let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close_v2(handle)
      throw SQLiteError(code: rc, message: message, context: "opening '\(path)'")
    }
    self.db = handle
    self.path = path
    self.busyTimeout = busyTimeout
    busyWait = .allocate(capacity: 1)
    busyWait.initialize(to: BusyWait(timeout: busyTimeout))
    sqlite3_extended_result_codes(db, 1)
    sqlite3_busy_handler(db, busyHandler, UnsafeMutableRawPointer(busyWait))
  }

  /// Whether `close` ran: every later use throws.
  private(set) var isClosed = false

  deinit {
    close()
    busyWait.deinitialize(count: 1)
    busyWait.deallocate()
  }

  /// Finalizes the statements and closes the database (the last connection to a file
  /// checkpoints it and removes its `-wal`).
  func close() {
    guard !isClosed else { return }
    isClosed = true
    for s in statements.values { sqlite3_finalize(s) }
    statements = [:]
    sqlite3_close_v2(db)
  }

  private func refuseWhenClosed(_ context: String) throws {
    if isClosed { throw SQLiteError(code: SQLITE_MISUSE, message: "the storage was closed", context: context) }
  }

  func error(_ rc: Int32, _ context: String) -> SQLiteError {
    SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db)), context: context)
  }

  /// Runs SQL text of any number of statements, without parameters (schema changes, pragmas).
  func execute(_ sql: String) throws {
    try refuseWhenClosed("'\(path)'")
    var message: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(db, sql, nil, nil, &message)
    defer { sqlite3_free(message) }
    guard rc == SQLITE_OK else {
      throw SQLiteError(
        code: sqlite3_extended_errcode(db), message: message.map { String(cString: $0) } ?? "error \(rc)",
        context: "'\(path)': \(sql)")
    }
  }

  /// Runs `body` with the prepared statement for `sql` (prepared once per connection), then
  /// resets it. Other statements may run inside `body`, but not `sql` itself.
  func with<R>(_ sql: String, _ body: (Statement) throws -> R) throws -> R {
    try refuseWhenClosed("'\(path)'")
    let handle: OpaquePointer
    if let cached = statements[sql] {
      handle = cached
    } else {
      var prepared: OpaquePointer?
      let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
      guard rc == SQLITE_OK, let prepared else { throw error(rc, "preparing \(sql)") }
      statements[sql] = prepared
      handle = prepared
    }
    defer {
      sqlite3_reset(handle)
      sqlite3_clear_bindings(handle)
    }
    return try body(Statement(handle: handle, connection: self))
  }

  /// Runs a statement that returns no rows.
  func run(_ sql: String, _ bind: (Statement) -> Void = { _ in }) throws {
    try with(sql) { s in
      bind(s)
      _ = try s.step()
    }
  }

  /// Runs `body` in a transaction: `BEGIN IMMEDIATE` (the write lock at once, so two writers
  /// never deadlock halfway) when `write`, a plain `BEGIN` (a consistent snapshot) otherwise.
  /// When another connection keeps a lock past the busy handler's patience, or a statement
  /// still fails with `SQLITE_BUSY`/`SQLITE_LOCKED`, the transaction is rolled back and run
  /// again after a short random sleep, until `busyTimeout` has passed. `body` must therefore
  /// have no effects outside the database.
  func transaction<R>(write: Bool, _ body: () throws -> R) throws -> R {
    let deadline = monotonicSeconds() + busyTimeout
    var attempt = 0
    while true {
      do {
        try run(write ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
          let result = try body()
          try run("COMMIT")
          return result
        } catch {
          if sqlite3_get_autocommit(db) == 0 { try? run("ROLLBACK") }
          throw error
        }
      } catch let e as SQLiteError where e.isBusy && monotonicSeconds() < deadline {
        attempt += 1
        randomSleep(upTo: min(0.0002 * Double(1 << min(attempt, 7)), 0.02))
      }
    }
  }
}

/// A prepared statement in use: bind parameters (from 1), step, read columns (from 0).
struct Statement {
  let handle: OpaquePointer
  unowned let connection: SQLiteConnection

  /// SQLite's SQLITE_TRANSIENT: it copies the bound bytes.
  private static var transient: sqlite3_destructor_type { unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self) }

  func bind(_ i: Int32, _ v: Int) { sqlite3_bind_int64(handle, i, Int64(v)) }

  /// Binds a double; nil and NaN bind NULL (SQLite stores NaN as NULL anyway).
  func bind(_ i: Int32, _ v: Double?) {
    if let v, !v.isNaN { sqlite3_bind_double(handle, i, v) } else { sqlite3_bind_null(handle, i) }
  }

  func bind(_ i: Int32, _ v: String?) {
    guard var v else {
      sqlite3_bind_null(handle, i)
      return
    }
    _ = v.withUTF8 { bytes in
      if bytes.isEmpty {
        sqlite3_bind_text(handle, i, "", 0, Self.transient)
      } else {
        bytes.withMemoryRebound(to: CChar.self) { chars in
          sqlite3_bind_text(handle, i, chars.baseAddress, Int32(chars.count), Self.transient)
        }
      }
    }
  }

  /// Steps once: true when a row is ready, false when the statement is done.
  func step() throws -> Bool {
    switch sqlite3_step(handle) {
    case SQLITE_ROW: return true
    case SQLITE_DONE: return false
    case let rc: throw connection.error(rc, String(cString: sqlite3_sql(handle)))
    }
  }

  func isNull(_ c: Int32) -> Bool { sqlite3_column_type(handle, c) == SQLITE_NULL }
  func int(_ c: Int32) -> Int { Int(sqlite3_column_int64(handle, c)) }
  func double(_ c: Int32) -> Double { sqlite3_column_double(handle, c) }
  func optionalDouble(_ c: Int32) -> Double? { isNull(c) ? nil : double(c) }

  /// The column's text as bytes (valid until the next step or reset); nil for NULL.
  func withBytes<R>(_ c: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
    guard let p = sqlite3_column_text(handle, c) else { return try body(nil) }
    return try body(UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, c))))
  }

  func string(_ c: Int32) -> String? {
    withBytes(c) { bytes in bytes.map { String(decoding: $0, as: UTF8.self) } }
  }

  /// The column's JSON text, decoded; nil for NULL.
  func json(_ c: Int32) throws -> AttrValue? {
    try withBytes(c) { bytes in try bytes.map { try JSON.decode($0) } }
  }
}
