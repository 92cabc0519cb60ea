import Foundation
import Synchronization
@testable import TunaStore
import XCTest

/// The PostgreSQL server the test command starts (`scripts/lib/postgres.sh`), named by
/// `TUNA_TEST_POSTGRES_URL`. Without it the PostgreSQL tests are skipped, unless
/// `TUNA_TEST_REQUIRE_POSTGRES` is set (as the test command sets it): then they fail.
enum PostgresTestServer {
  static func url() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let url = environment["TUNA_TEST_POSTGRES_URL"], !url.isEmpty { return url }
    let why = "TUNA_TEST_POSTGRES_URL names no server: run scripts/test.sh, which starts one"
    if environment["TUNA_TEST_REQUIRE_POSTGRES"] != nil {
      XCTFail(why)
      throw PostgresError(sqlState: nil, message: why, context: "the test server", connectionLost: true)
    }
    throw XCTSkip(why)
  }

  /// `url` with its database replaced by `name`.
  static func url(database name: String) throws -> String {
    let base = try url()
    guard let slash = base.range(of: "/", range: base.index(base.startIndex, offsetBy: "postgresql://".count)..<base.endIndex)
    else { return base + "/" + name }
    let query = base[slash.upperBound...].firstIndex(of: "?").map { String(base[$0...]) } ?? ""
    return String(base[..<slash.upperBound]) + name + query
  }

  /// Runs SQL on the test database as its owner.
  static func admin(_ sql: String) throws {
    let c = try PostgresConnection(url: PostgresURL(try url())!)
    try c.execute(sql)
  }

  private static let counter = Mutex(0)

  /// A new, empty database; `drop` removes it.
  static func freshDatabase() throws -> String {
    let n = counter.withLock { n in
      n += 1
      return n
    }
    let name = "tuna_t\(ProcessInfo.processInfo.processIdentifier)_\(n)"
    try admin("CREATE DATABASE \(name)")
    return name
  }

  static func drop(_ name: String) {
    try? admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
  }
}

/// A test case with fresh PostgreSQL databases on demand, dropped after each test.
class PostgresTestCase: XCTestCase {
  private var databases: [String] = []

  override func tearDown() {
    for name in databases { PostgresTestServer.drop(name) }
    databases = []
    super.tearDown()
  }

  /// The URL of a new, empty database.
  func freshURL() throws -> String {
    let name = try PostgresTestServer.freshDatabase()
    databases.append(name)
    return try PostgresTestServer.url(database: name)
  }

  func freshStorage() throws -> PostgresStorage { try PostgresStorage(url: try freshURL()) }
}
