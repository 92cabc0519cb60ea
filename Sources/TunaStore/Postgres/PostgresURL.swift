/// A PostgreSQL storage URL as Optuna (SQLAlchemy) and libpq spell it:
/// `postgresql://user:password@host:port/db?sslmode=require`, `postgres://…`, or with a driver
/// (`postgresql+psycopg2://…`, which Tuna reads as the plain form). Whatever the URL leaves out
/// comes from libpq's defaults and the standard `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
/// `PGDATABASE`, `PGSSLMODE` … environment variables and `~/.pgpass`.
///
/// The password never leaves this value except to libpq: `redacted` is the form every message
/// shows.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
  /// The URL libpq is given: the scheme is `postgresql`, everything else as written.
  let conninfo: String
  /// The URL with its password (in the user part or a `password=` parameter) replaced by `***`.
  public let redacted: String

  /// Whether `url` names a PostgreSQL server (by its scheme), valid or not.
  static func names(_ url: String) -> Bool {
    let lower = url.lowercased()
    return ["postgresql", "postgres"].contains { lower.hasPrefix($0 + "://") || lower.hasPrefix($0 + "+") }
  }

  /// Parses a URL `names` accepts; nil when its form is not one of the above.
  init?(_ url: String) {
    guard let colon = url.firstIndex(of: ":") else { return nil }
    let scheme = url[..<colon].lowercased()
    let base = scheme.split(separator: "+", maxSplits: 1).first.map(String.init) ?? ""
    guard base == "postgresql" || base == "postgres", url[colon...].hasPrefix("://") else { return nil }
    let rest = url[url.index(colon, offsetBy: 3)...]
    conninfo = "postgresql://" + rest
    redacted = "postgresql://" + Self.redact(rest)
  }

  public var description: String { redacted }

  /// `rest` (after `scheme://`) with the password in `user:password@` and in `password=` shown
  /// as `***`.
  private static func redact(_ rest: Substring) -> String {
    var authority = rest.prefix { $0 != "/" && $0 != "?" }
    let tail = rest.dropFirst(authority.count)
    if let at = authority.lastIndex(of: "@") {
      let user = authority[..<at]
      if let colon = user.firstIndex(of: ":") {
        authority = user[..<colon] + ":***" + authority[at...]
      }
    }
    guard let question = tail.firstIndex(of: "?") else { return String(authority + tail) }
    let query = tail[tail.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { item in
      item.lowercased().hasPrefix("password=") ? "password=***" : String(item)
    }
    return String(authority + tail[...question]) + query.joined(separator: "&")
  }
}
