import TunaSearch
import XCTest

/// The error `body` throws as `E`; a test failure when it throws nothing or something else.
@discardableResult
func assertThrows<E: Error, R>(
  _ type: E.Type, _ body: () throws -> R, file: StaticString = #filePath, line: UInt = #line
) -> E? {
  do {
    let result = try body()
    XCTFail("expected \(E.self), got the result \(result)", file: file, line: line)
  } catch let error as E {
    return error
  } catch {
    XCTFail("expected \(E.self), got \(Swift.type(of: error)): \(error)", file: file, line: line)
  }
  return nil
}

/// Asserts that `body` throws exactly `expected`.
func assertThrows<E: Error & Equatable, R>(
  _ expected: E, _ body: () throws -> R, file: StaticString = #filePath, line: UInt = #line
) {
  if let error = assertThrows(E.self, body, file: file, line: line) {
    XCTAssertEqual(error, expected, file: file, line: line)
  }
}

struct TestError: Error, CustomStringConvertible {
  let message: String
  init(_ message: String = "test error") { self.message = message }
  var description: String { message }
}
