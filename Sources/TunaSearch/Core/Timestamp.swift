import Foundation

extension Date {
  /// How Tuna writes a time wherever a person or a program reads it — the Lua API's trial
  /// tables, `tuna trials` and `tuna export`, the run log: ISO 8601 in UTC with microseconds,
  /// `2026-12-05T07:40:01.123456Z` (Python's `datetime.fromisoformat` and pandas'
  /// `to_datetime` read it, time zone included).
  public var isoTimestamp: String {
    let us = (timeIntervalSince1970 * 1e6).rounded()
    let whole = (us / 1e6).rounded(.down)
    var time = time_t(whole)
    var parts = tm()
    gmtime_r(&time, &parts)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(us - whole * 1e6))
  }
}
