import Foundation

/// Everything one run measured, as written by `--json`: the run's settings, then each
/// benchmark's results under its command's name (`"bridge": {…}`).
struct Report: Encodable {
  let command: String
  let settings: BenchSettings
  var results: [(name: String, value: any Encodable)] = []

  init(command: String, settings: BenchSettings) {
    self.command = command
    self.settings = settings
  }

  private struct Key: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.init(stringValue) }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try container.encode("tuna-bench", forKey: Key("tool"))
    try container.encode(command, forKey: Key("command"))
    try container.encode(settings, forKey: Key("settings"))
    // What the `seconds` figures are: the best of `repetitions` runs of each measurement.
    try container.encode("thread CPU time (CLOCK_THREAD_CPUTIME_ID), best of N; wall time alongside", forKey: Key("timer"))
    for (name, value) in results { try container.encode(value, forKey: Key(name)) }
  }

  /// Writes the report to `path`, when one was given, and says so.
  func write(_ path: String?) throws {
    guard let path else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    say("results written to \(path)")
  }
}
