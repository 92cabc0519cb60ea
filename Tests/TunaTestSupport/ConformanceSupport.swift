import Foundation
import TunaSearch
import XCTest

/// Collects a conformance suite's failures, reports them at the suite's call site, and caps
/// how many one section reports so a broken implementation does not drown the log.
final class ConformanceReporter {
  let subject: String
  let file: StaticString
  let line: UInt
  /// Where failures go instead of XCTFail: lets the suites' own tests see what they report.
  let sink: ((String) -> Void)?
  private var failuresInSection = 0
  private var section = ""
  static let maxFailuresPerSection = 8

  init(subject: String, file: StaticString, line: UInt, sink: ((String) -> Void)? = nil) {
    self.subject = subject
    self.file = file
    self.line = line
    self.sink = sink
  }

  private func record(_ message: String) {
    if let sink { sink(message) } else { XCTFail(message, file: file, line: line) }
  }

  /// Runs one named part of the suite; an error it throws is reported, and the suite goes on.
  func section(_ name: String, _ body: () throws -> Void) {
    section = name
    failuresInSection = 0
    do {
      try body()
    } catch {
      record("\(subject) [\(name)]: unexpected error: \(error)")
    }
    if failuresInSection > Self.maxFailuresPerSection {
      record("\(subject) [\(name)]: \(failuresInSection - Self.maxFailuresPerSection) more failures not shown")
    }
  }

  func fail(_ message: @autoclosure () -> String) {
    failuresInSection += 1
    guard failuresInSection <= Self.maxFailuresPerSection else { return }
    record("\(subject) [\(section)]: \(message())")
  }

  func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
  }

  func equal<T: Equatable>(_ a: T, _ b: T, _ what: @autoclosure () -> String) {
    if a != b { fail("\(what()): \(a) != \(b)") }
  }

  /// Expects `body` to throw; returns the error.
  @discardableResult
  func expectThrows<R>(_ what: @autoclosure () -> String, _ body: () throws -> R) -> (any Error)? {
    do {
      let result = try body()
      fail("\(what()): expected an error, got \(result)")
      return nil
    } catch {
      return error
    }
  }

  /// Expects `body` to throw exactly `expected`.
  func expectError<E: Error & Equatable, R>(_ expected: E, _ what: @autoclosure () -> String, _ body: () throws -> R) {
    guard let error = expectThrows(what(), body) else { return }
    if let e = error as? E {
      if e != expected { fail("\(what()): expected \(expected), got \(e)") }
    } else {
      fail("\(what()): expected \(expected), got \(type(of: error)): \(error)")
    }
  }
}

/// Whether two values are the same bit for bit (`0.0` and `-0.0` differ, a NaN equals itself).
public func identicalBits(_ a: ParamValue, _ b: ParamValue) -> Bool {
  switch (a, b) {
  case (.float(let x), .float(let y)): x.bitPattern == y.bitPattern
  default: a == b
  }
}

/// Whether two parameter sets are the same bit for bit.
public func identicalBits(_ a: [String: ParamValue], _ b: [String: ParamValue]) -> Bool {
  a.count == b.count && a.allSatisfy { key, value in b[key].map { identicalBits(value, $0) } ?? false }
}

/// Whether two value lists are the same bit for bit.
public func identicalBits(_ a: [Double]?, _ b: [Double]?) -> Bool {
  switch (a, b) {
  case (nil, nil): true
  case (let x?, let y?): x.map(\.bitPattern) == y.map(\.bitPattern)
  default: false
  }
}
