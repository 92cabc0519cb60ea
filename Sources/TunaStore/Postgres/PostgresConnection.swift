import CPostgres
import TunaSearch
import Foundation

/// A failure PostgreSQL (or libpq, reaching it) reported.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
  /// The five-character SQLSTATE, when the server sent one.
  public let sqlState: String?
  public let message: String
  /// What the storage was doing: "connecting to" the server (password hidden), or "in" the
  /// statement.
  public let context: String
  /// Whether the connection was gone after the failure (a dropped link, a restarted server).
  public let connectionLost: Bool

  public var description: String {
    "PostgreSQL error\(sqlState.map { " \($0)" } ?? "") \(context): \(message)"
  }

  /// Whether running the same statement again may succeed: a lost connection, a serialization
  /// failure or a deadlock (both roll back only this statement's transaction), or a server
  /// that is shutting down or starting.
  var isTransient: Bool {
    if connectionLost { return true }
    guard let state = sqlState else { return false }
    return state == "40001" || state == "40P01" || state.hasPrefix("08") || state == "57P01" || state == "57P02"
      || state == "57P03"
  }
}

/// One libpq connection and the statements it has prepared. Not thread-safe: its owner
/// serializes every use (see `PostgresStorage`).
///
/// Connections are made with a connect timeout, TCP keepalives and a TCP user timeout, so that
/// a link that goes away is noticed within seconds rather than the kernel's many minutes;
/// settings in the URL or the `PG*` environment variables take precedence.
final class PostgresConnection {
  let url: PostgresURL
  private var handle: OpaquePointer?
  /// SQL text → the name it was prepared under on the current connection.
  private var prepared: [String: String] = [:]

  /// Connects to `url`, failing at once (no retry) when the server cannot be reached.
  init(url: PostgresURL) throws {
    self.url = url
    try connect()
  }

  deinit { PQfinish(handle) }

  /// Whether `close` ran: the connection is not made again.
  private(set) var isClosed = false

  /// Disconnects for good.
  func close() {
    isClosed = true
    PQfinish(handle)
    handle = nil
  }

  /// Whether the connection is up (as far as libpq knows without asking the server).
  var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

  /// Connects, or connects again after a failure; prepared statements are prepared afresh.
  func connect() throws {
    if isClosed {
      throw PostgresError(sqlState: nil, message: "the storage was closed", context: "connecting to \(url.redacted)", connectionLost: false)
    }
    if let handle { PQfinish(handle) }
    handle = nil
    prepared = [:]
    let environment = ProcessInfo.processInfo.environment
    // Ours first, then the URL (expanded from "dbname"): libpq keeps the last value of a key.
    var settings: [(String, String)] = [
      ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"), ("keepalives_count", "3"),
      ("tcp_user_timeout", "20000"),
    ]
    if environment["PGCONNECT_TIMEOUT"] == nil { settings.append(("connect_timeout", "10")) }
    if environment["PGAPPNAME"] == nil { settings.append(("application_name", "tuna")) }
    settings.append(("dbname", url.conninfo))
    let keywords = settings.map { strdup($0.0) }
    let values = settings.map { strdup($0.1) }
    defer {
      keywords.forEach { free($0) }
      values.forEach { free($0) }
    }
    let connection = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { k in
      (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { v in
        PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
      }
    }
    guard let connection, PQstatus(connection) == CONNECTION_OK else {
      let message = url.scrub(connection.map { Self.text(PQerrorMessage($0)) } ?? "out of memory")
      PQfinish(connection)
      throw PostgresError(sqlState: nil, message: message, context: "connecting to \(url.redacted)", connectionLost: true)
    }
    // Notices ("relation already exists, skipping") are not for the user's terminal.
    PQsetNoticeProcessor(connection, { _, _ in }, nil)
    handle = connection
    // Doubles as text in their shortest exact form (the servers before 12 need the 3).
    try execute("SET extra_float_digits = 3")
    // Commits return before their WAL reaches the disk, as the SQLite storage's WAL mode with
    // synchronous NORMAL does: a power cut or a crash of the server may lose the last commits
    // (a trial then looks unfinished, is failed as stale and retried), never the database's
    // consistency, and a trial's seven commits stop waiting for seven fsyncs. Unless the server's
    // configuration or the URL (`options=-c synchronous_commit=on`) says otherwise.
    if try query("SELECT source FROM pg_settings WHERE name = 'synchronous_commit'").string(0, 0) == "default" {
      try execute("SET synchronous_commit = off")
    }
  }

  /// Runs SQL text of any number of statements, without parameters (schema changes, settings).
  func execute(_ sql: String) throws {
    guard let handle else { throw lost(sql) }
    _ = try check(PQexec(handle, sql), sql)
  }

  /// Runs one statement with text parameters ($1, $2, …; nil is NULL), prepared once per
  /// connection, and returns its rows.
  @discardableResult
  func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresResult {
    guard let handle, PQstatus(handle) == CONNECTION_OK else { throw lost(sql) }
    let name: String
    if let known = prepared[sql] {
      name = known
    } else {
      name = "tuna_\(prepared.count)"
      _ = try check(PQprepare(handle, name, sql, Int32(parameters.count), nil), sql)
      prepared[sql] = name
    }
    let copies = parameters.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    let result = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { p in
      PQexecPrepared(handle, name, Int32(parameters.count), p.baseAddress, nil, nil, 0)
    }
    return try check(result, sql)
  }

  private func lost(_ sql: String) -> PostgresError {
    PostgresError(sqlState: nil, message: "not connected", context: Self.context(sql), connectionLost: true)
  }

  private func check(_ result: OpaquePointer?, _ sql: String) throws -> PostgresResult {
    let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
    if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK, let result { return PostgresResult(result) }
    defer { PQclear(result) }
    let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
    let message = result.map { Self.text(PQresultErrorMessage($0)) } ?? handle.map { Self.text(PQerrorMessage($0)) } ?? ""
    let gone = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
    throw PostgresError(sqlState: state, message: url.scrub(message), context: Self.context(sql), connectionLost: gone)
  }

  /// A statement as messages show it: its first line.
  private static func context(_ sql: String) -> String {
    let line = sql.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? sql
    return "in '\(line.trimmingCharacters(in: .whitespaces))\(sql.contains("\n") ? " …" : "")'"
  }

  private static func text(_ p: UnsafePointer<CChar>?) -> String {
    p.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
  }
}

/// The rows a statement returned, in text form. Frees libpq's result when released.
final class PostgresResult {
  private let result: OpaquePointer

  init(_ result: OpaquePointer) { self.result = result }
  deinit { PQclear(result) }

  var rows: Int { Int(PQntuples(result)) }

  func isNull(_ row: Int, _ column: Int32) -> Bool { PQgetisnull(result, Int32(row), column) == 1 }

  func string(_ row: Int, _ column: Int32) -> String? {
    isNull(row, column) ? nil : String(cString: PQgetvalue(result, Int32(row), column))
  }

  func int(_ row: Int, _ column: Int32) -> Int {
    isNull(row, column) ? 0 : strtoll(PQgetvalue(result, Int32(row), column), nil, 10).asInt
  }

  func optionalInt(_ row: Int, _ column: Int32) -> Int? { isNull(row, column) ? nil : int(row, column) }

  /// A float8 column; PostgreSQL writes the non-finite values as NaN, Infinity and -Infinity,
  /// which `strtod` reads.
  func double(_ row: Int, _ column: Int32) -> Double? {
    isNull(row, column) ? nil : strtod(PQgetvalue(result, Int32(row), column), nil)
  }

  func bool(_ row: Int, _ column: Int32) -> Bool { PQgetvalue(result, Int32(row), column)?.pointee == CChar(UInt8(ascii: "t")) }

  /// The column's bytes (valid while this result lives); nil for NULL.
  func withBytes<R>(_ row: Int, _ column: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
    guard !isNull(row, column), let p = PQgetvalue(result, Int32(row), column) else { return try body(nil) }
    let count = Int(PQgetlength(result, Int32(row), column))
    return try p.withMemoryRebound(to: UInt8.self, capacity: count) { try body(UnsafeBufferPointer(start: $0, count: count)) }
  }

  /// The column's JSON text, decoded; nil for NULL.
  func json(_ row: Int, _ column: Int32) throws -> AttrValue? {
    try withBytes(row, column) { bytes in try bytes.map { try JSON.decode($0) } }
  }
}

extension Int64 {
  fileprivate var asInt: Int { Int(self) }
}

/// A double as PostgreSQL's float8 input reads it back exactly.
func postgresText(_ v: Double) -> String {
  if v.isNaN { return "NaN" }
  if v.isInfinite { return v < 0 ? "-Infinity" : "Infinity" }
  return v.description
}
