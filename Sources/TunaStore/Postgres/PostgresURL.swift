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

  /// The password in the URL (as written, and percent-decoded), to scrub from what libpq says.
  private let secrets: [String]

  /// Parses a URL `names` accepts; nil when its form is not one of the above.
  init?(_ url: String) {
    guard let colon = url.firstIndex(of: ":") else { return nil }
    let scheme = url[..<colon].lowercased()
    let base = scheme.split(separator: "+", maxSplits: 1).first.map(String.init) ?? ""
    guard base == "postgresql" || base == "postgres", url[colon...].hasPrefix("://") else { return nil }
    let rest = url[url.index(colon, offsetBy: 3)...]
    conninfo = "postgresql://" + rest
    let (shown, secrets) = Self.redact(rest)
    redacted = "postgresql://" + shown
    self.secrets = secrets.flatMap { [$0, $0.removingPercentEncoding ?? $0] }.filter { !$0.isEmpty }
  }

  public var description: String { redacted }

  /// `text` (a message of libpq's) with the URL's password, should it appear, shown as `***`.
  func scrub(_ text: String) -> String {
    secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
  }

  /// `rest` (after `scheme://`) with the password in `user:password@` and in `password=` shown
  /// as `***`, and the passwords found. The user part ends at the last `@` before the first `/`,
  /// as libpq reads it (a `?` or `#` there is part of the password).
  private static func redact(_ rest: Substring) -> (String, [String]) {
    var secrets: [String] = []
    let beforeSlash = rest.prefix { $0 != "/" }
    var shown = String(rest)
    if let at = beforeSlash.lastIndex(of: "@") {
      let user = rest[..<at]
      if let colon = user.firstIndex(of: ":") {
        secrets.append(String(user[user.index(after: colon)...]))
        shown = String(user[..<colon]) + ":***" + rest[at...]
      }
    }
    guard let question = shown.firstIndex(of: "?") else { return (shown, secrets) }
    let query = shown[shown.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { item in
      guard item.lowercased().hasPrefix("password=") else { return String(item) }
      secrets.append(String(item.dropFirst("password=".count)))
      return "password=***"
    }
    return (String(shown[...question]) + query.joined(separator: "&"), secrets)
  }
}
