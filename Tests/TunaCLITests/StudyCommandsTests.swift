import Foundation
import TunaSearch
import TunaStore
import XCTest

/// `tuna studies`, `trials`, `best`, `export` and `delete` on a SQLite file each test writes
/// itself: a single-objective study with a complete, a pruned, a failed and a best trial, a
/// two-objective study with a dominated trial, and an empty study.
final class StudyCommandsTests: XCTestCase {
  private var directory: URL!
  private let url = "sqlite:studycmd.db"
  private var path: String { directory.appendingPathComponent("studycmd.db").path }

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("studycmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try makeStudies()
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// "quad" (minimize): 0 complete 0.25, 1 pruned at 2.5, 2 failed, 3 complete 0.01 (the best);
  /// "zdt" (minimize, maximize): [1, 4], [2, 5], [3, 3] (dominated by trial 0), [0.5, 1];
  /// "empty" (maximize): no trials.
  private func makeStudies() throws {
    let storage = try SQLiteStorage(path: path)
    let x = try Distribution.float(-2, 2)
    let n = try Distribution.int(1, 5)
    let opt = try Distribution.categorical(choices: [.string("adam"), .string("sgd, momentum")])
    func add(
      _ study: StudyRecord, _ params: [(String, ParamValue, Distribution)], attrs: [String: AttrValue] = [:],
      report: Double? = nil, _ state: TrialState, _ values: [Double]?, reason: String? = nil
    ) throws {
      let t = try storage.createTrial(studyID: study.id, waiting: false, systemAttrs: [:])
      for (name, value, distribution) in params {
        try storage.setTrialParam(trialID: t.id, name: name, value: value, distribution: distribution)
      }
      for (key, value) in attrs { try storage.setTrialUserAttr(trialID: t.id, key: key, value: value) }
      if let report { try storage.reportIntermediate(trialID: t.id, step: 0, value: report) }
      _ = try storage.finishTrial(trialID: t.id, state: state, values: values, failReason: reason)
    }
    let quad = try storage.createStudy(name: "quad", directions: [.minimize])
    try add(quad, [("x", .float(0.5), x), ("n", .int(3), n), ("opt", .string("adam"), opt)],
            attrs: ["note": .string("say \"hi\", twice"), "epochs": .int(3)], .complete, [0.25])
    try add(quad, [("x", .float(-1.5), x), ("n", .int(1), n), ("opt", .string("sgd, momentum"), opt)],
            report: 2.5, .pruned, [2.5])
    try add(quad, [("x", .float(2), x), ("n", .int(5), n)], .fail, nil, reason: "boom")
    try add(quad, [("x", .float(0.1), x), ("n", .int(2), n), ("opt", .string("adam"), opt)],
            attrs: ["note": .string("ok"), "epochs": .int(7)], .complete, [0.01])

    let zdt = try storage.createStudy(name: "zdt", directions: [.minimize, .maximize])
    let y = try Distribution.float(0, 1)
    for (i, values) in [[1.0, 4.0], [2.0, 5.0], [3.0, 3.0], [0.5, 1.0]].enumerated() {
      try add(zdt, [("x", .float(Double(i + 1) / 10), y)], .complete, values)
    }
    _ = try storage.createStudy(name: "empty", directions: [.maximize])
  }

  private func trials(_ name: String) throws -> [FrozenTrial] {
    let storage = try SQLiteStorage(path: path)
    let study = try XCTUnwrap(try storage.study(named: name))
    return try storage.trials(studyID: study.id, states: nil)
  }

  private func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> TunaResult {
    try tuna(arguments, in: directory, file: file, line: line)
  }

  /// The cells of a table line: its columns are two or more spaces apart.
  private func cells(_ line: String) -> [String] {
    line.trimmingCharacters(in: .whitespaces)
      .replacingOccurrences(of: " {2,}", with: "\t", options: .regularExpression)
      .split(separator: "\t").map(String.init)
  }

  // MARK: - Expected datetimes and durations, computed here from the stored trials

  private func microseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1e6).rounded()) }

  /// ISO 8601 in UTC with microseconds, as exports and listings write times.
  private func exportTime(_ date: Date?) -> String {
    guard let date else { return "" }
    let us = microseconds(date)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents(
      [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(us / 1_000_000)))
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
                  Int(us % 1_000_000))
  }

  private func durationMicroseconds(_ t: FrozenTrial) -> Int64 {
    microseconds(t.datetimeComplete!) - microseconds(t.datetimeStart!)
  }

  /// pandas Timedelta text of durations under a minute: `0 days 00:00:00.001234`.
  private func pandasDuration(_ t: FrozenTrial) -> String {
    let us = durationMicroseconds(t)
    XCTAssertTrue(us >= 0 && us < 60_000_000 && us % 1_000_000 != 0, "a test trial lasted \(us) µs")
    return String(format: "0 days 00:00:%02d.%06d", Int(us / 1_000_000), Int(us % 1_000_000))
  }

  // MARK: - studies

  func testStudiesTableCSVAndJSON() throws {
    let table = try run(["studies", "--storage", url])
    XCTAssertEqual(table.status, 0, table.transcript)
    XCTAssertEqual(table.stdout, """
      name   directions          trials  complete  pruned  fail  running  waiting  best
      quad   minimize                 4         2       1     1        0        0  0.01 (trial 3)
      zdt    minimize, maximize       4         4       0     0        0        0  Pareto front of 3
      empty  maximize                 0         0       0     0        0        0  -

      """)
    XCTAssertEqual(table.stderr, "")

    let csv = try run(["studies", "--storage", url, "--format", "csv"])
    XCTAssertEqual(csv.status, 0, csv.transcript)
    XCTAssertEqual(csv.stdout, """
      name,directions,trials,complete,pruned,fail,running,waiting,best_trial,best_value,pareto_front_size
      quad,minimize,4,2,1,1,0,0,3,0.01,
      zdt,"minimize,maximize",4,4,0,0,0,0,,,3
      empty,maximize,0,0,0,0,0,0,,,

      """)

    let json = try run(["studies", "--storage", url, "--format", "json"])
    XCTAssertEqual(json.status, 0, json.transcript)
    let studies = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(studies.map { $0["name"] as? String }, ["quad", "zdt", "empty"])
    XCTAssertEqual(studies[0]["directions"] as? [String], ["minimize"])
    XCTAssertEqual(studies[0]["trials"] as? Int, 4)
    XCTAssertEqual(studies[0]["pruned"] as? Int, 1)
    XCTAssertEqual(studies[0]["fail"] as? Int, 1)
    XCTAssertEqual(studies[0]["best_trial"] as? Int, 3)
    XCTAssertEqual(studies[0]["best_value"] as? Double, 0.01)
    XCTAssertEqual(studies[1]["directions"] as? [String], ["minimize", "maximize"])
    XCTAssertEqual(studies[1]["pareto_front_size"] as? Int, 3)
    XCTAssertTrue(studies[1]["best_value"] is NSNull)
    XCTAssertTrue(studies[2]["best_trial"] is NSNull)

    // SQLAlchemy's form with an absolute path reads the same file.
    let absolute = try run(["studies", "--storage", "sqlite:///" + path])
    XCTAssertEqual(absolute.stdout, table.stdout, absolute.transcript)
  }

  // MARK: - trials

  func testTrialsTable() throws {
    let result = try run(["trials", "quad", "--storage", url])
    XCTAssertEqual(result.status, 0, result.transcript)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 5, result.stdout)
    XCTAssertEqual(cells(lines[0]), ["number", "state", "value", "duration", "n", "opt", "x"])
    // Every cell but the duration, which is measured.
    let expected = [
      ["0", "complete", "0.25", "3", "\"adam\"", "0.5"],
      ["1", "pruned", "2.5", "1", "\"sgd, momentum\"", "-1.5"],
      ["2", "fail", "-", "5", "-", "2"],
      ["3", "complete", "0.01", "2", "\"adam\"", "0.1"],
    ]
    for (line, want) in zip(lines.dropFirst(), expected) {
      var got = cells(line)
      XCTAssertEqual(got.count, 7, line)
      guard got.count == 7 else { continue }
      let duration = got.remove(at: 3)
      XCTAssertNotNil(duration.range(of: #"^\d+\.\dms$"#, options: .regularExpression), "duration '\(duration)' in \(line)")
      XCTAssertEqual(got, want, line)
    }
    // Numbers right-aligned, text left-aligned.
    XCTAssertTrue(lines[1].hasPrefix("     0  complete  "), lines[1])
    XCTAssertTrue(lines[2].hasPrefix("     1  pruned    "), lines[2])

    let multi = try run(["trials", "zdt", "--storage", url])
    XCTAssertEqual(multi.status, 0, multi.transcript)
    let multiLines = multi.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(cells(multiLines[0]), ["number", "state", "values_0", "values_1", "duration", "x"])
    XCTAssertEqual(Array(cells(multiLines[3]).prefix(4)), ["2", "complete", "3", "3"])
    XCTAssertEqual(cells(multiLines[3]).last, "0.3")
  }

  func testTrialsCSVAndJSONWithStates() throws {
    let stored = try trials("quad")
    func seconds(_ t: FrozenTrial) -> String { String(format: "%.6f", Double(durationMicroseconds(t)) / 1e6) }

    let csv = try run(["trials", "quad", "--storage", url, "--format", "csv"])
    XCTAssertEqual(csv.status, 0, csv.transcript)
    XCTAssertEqual(csv.stdout, """
      number,state,value,duration,params_n,params_opt,params_x
      0,complete,0.25,\(seconds(stored[0])),3,adam,0.5
      1,pruned,2.5,\(seconds(stored[1])),1,"sgd, momentum",-1.5
      2,fail,,\(seconds(stored[2])),5,,2.0
      3,complete,0.01,\(seconds(stored[3])),2,adam,0.1

      """)

    let some = try run(["trials", "quad", "--storage", url, "--format", "csv", "--states", "pruned,FAIL"])
    XCTAssertEqual(some.status, 0, some.transcript)
    XCTAssertEqual(some.stdout.split(separator: "\n").map { $0.prefix(2) }, ["nu", "1,", "2,"], some.stdout)

    let json = try run(["trials", "quad", "--storage", url, "--format", "json", "--states", "complete,fail"])
    XCTAssertEqual(json.status, 0, json.transcript)
    let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(items.map { $0["number"] as? Int }, [0, 2, 3])
    XCTAssertEqual(items[0]["state"] as? String, "complete")
    XCTAssertEqual(items[0]["value"] as? Double, 0.25)
    let params = try XCTUnwrap(items[0]["params"] as? [String: Any])
    XCTAssertEqual(params["x"] as? Double, 0.5)
    XCTAssertEqual(params["n"] as? Int, 3)
    XCTAssertEqual(params["opt"] as? String, "adam")
    XCTAssertEqual((items[0]["user_attrs"] as? [String: Any])?["note"] as? String, "say \"hi\", twice")
    XCTAssertEqual(items[0]["datetime_start"] as? String, exportTime(stored[0].datetimeStart))
    XCTAssertEqual(items[1]["fail_reason"] as? String, "boom")
    XCTAssertTrue(items[1]["value"] is NSNull)
    XCTAssertTrue(items[0]["fail_reason"] is NSNull)

    let zdt = try run(["trials", "zdt", "--storage", url, "--format", "json"])
    let zdtItems = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(zdt.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(zdtItems[1]["values"] as? [Double], [2, 5])
  }

  /// Learning curves where a user looks: `tuna trials --intermediate` in each format, and the
  /// intermediate values of every trial in the JSON listing and export.
  func testIntermediateValues() throws {
    let table = try run(["trials", "quad", "--storage", url, "--intermediate"])
    XCTAssertEqual(table.status, 0, table.transcript)
    XCTAssertEqual(table.stdout, """
      number  state   step  value
           1  pruned     0    2.5

      """)
    let csv = try run(["trials", "quad", "--storage", url, "--intermediate", "--format", "csv"])
    XCTAssertEqual(csv.stdout, "number,state,step,value\n1,pruned,0,2.5\n")
    let json = try run(["trials", "quad", "--storage", url, "--intermediate", "--format", "json"])
    let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(rows.count, 1)
    XCTAssertEqual(rows[0]["step"] as? Int, 0)
    XCTAssertEqual(rows[0]["value"] as? Double, 2.5)
    for command in [["trials", "quad", "--format", "json"], ["export", "quad", "--format", "json"]] {
      let listed = try run(command + ["--storage", url])
      let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
      XCTAssertEqual(items[1]["intermediate_values"] as? [String: Double], ["0": 2.5], command.joined(separator: " "))
      XCTAssertEqual(items[0]["intermediate_values"] as? [String: Double], [:], command.joined(separator: " "))
    }
  }

  // MARK: - best

  func testBestTrialAndParetoFront() throws {
    let text = try run(["best", "quad", "--storage", url])
    XCTAssertEqual(text.status, 0, text.transcript)
    XCTAssertEqual(text.stdout, """
      Best value: 0.01 (trial 3)
      Best params:
        n = 2
        opt = "adam"
        x = 0.1

      """)

    let json = try run(["best", "quad", "--storage", url, "--format", "json"])
    XCTAssertEqual(json.status, 0, json.transcript)
    let best = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(best["number"] as? Int, 3)
    XCTAssertEqual(best["value"] as? Double, 0.01)
    XCTAssertEqual((best["params"] as? [String: Any])?["x"] as? Double, 0.1)
    XCTAssertEqual((best["user_attrs"] as? [String: Any])?["note"] as? String, "ok")

    let front = try run(["best", "zdt", "--storage", url])
    XCTAssertEqual(front.status, 0, front.transcript)
    XCTAssertEqual(front.stdout, """
      Pareto front (minimize, maximize): 3 trials
        trial 0: [1, 4] x = 0.1
        trial 1: [2, 5] x = 0.2
        trial 3: [0.5, 1] x = 0.4

      """)

    let frontJSON = try run(["best", "zdt", "--storage", url, "--format", "json"])
    XCTAssertEqual(frontJSON.status, 0, frontJSON.transcript)
    let members = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(frontJSON.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(members.map { $0["number"] as? Int }, [0, 1, 3])
    XCTAssertEqual(members.map { $0["values"] as? [Double] }, [[1, 4], [2, 5], [0.5, 1]])

    let none = try run(["best", "empty", "--storage", url])
    XCTAssertEqual(none.status, 1, none.transcript)
    assertContains(none.stderr, "study 'empty' has no complete trial")
    XCTAssertEqual(none.stdout, "")
  }

  // MARK: - export

  func testExportCSVMatchesOptunasColumns() throws {
    let stored = try trials("quad")
    func times(_ t: FrozenTrial) -> String {
      "\(exportTime(t.datetimeStart)),\(exportTime(t.datetimeComplete)),\(pandasDuration(t))"
    }
    let result = try run(["export", "quad", "--storage", url, "--format", "csv"])
    XCTAssertEqual(result.status, 0, result.transcript)
    // pandas holds an integer column with missing values (user_attrs_epochs) as floats, and
    // writes them as floats; so does export.
    XCTAssertEqual(result.stdout, """
      number,value,datetime_start,datetime_complete,duration,params_n,params_opt,params_x,user_attrs_epochs,user_attrs_note,state
      0,0.25,\(times(stored[0])),3,adam,0.5,3.0,"say ""hi"", twice",COMPLETE
      1,2.5,\(times(stored[1])),1,"sgd, momentum",-1.5,,,PRUNED
      2,,\(times(stored[2])),5,,2.0,,,FAIL
      3,0.01,\(times(stored[3])),2,adam,0.1,7.0,ok,COMPLETE

      """)

    let zdt = try trials("zdt")
    let multi = try run(["export", "zdt", "--storage", url])
    XCTAssertEqual(multi.status, 0, multi.transcript)
    XCTAssertEqual(multi.stdout, """
      number,values_0,values_1,datetime_start,datetime_complete,duration,params_x,state
      0,1.0,4.0,\(times(zdt[0])),0.1,COMPLETE
      1,2.0,5.0,\(times(zdt[1])),0.2,COMPLETE
      2,3.0,3.0,\(times(zdt[2])),0.3,COMPLETE
      3,0.5,1.0,\(times(zdt[3])),0.4,COMPLETE

      """)

    let empty = try run(["export", "empty", "--storage", url])
    XCTAssertEqual(empty.stdout, "number,value,datetime_start,datetime_complete,duration,state\n", empty.transcript)
  }

  func testExportJSONParsesWithTheCSVKeys() throws {
    let stored = try trials("quad")
    let csv = try run(["export", "quad", "--storage", url, "--format", "csv"])
    let header = try XCTUnwrap(csv.stdout.split(separator: "\n").first).split(separator: ",").map(String.init)

    let json = try run(["export", "quad", "--storage", url, "--format", "json"])
    XCTAssertEqual(json.status, 0, json.transcript)
    let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    XCTAssertEqual(rows.count, 4)
    for row in rows { XCTAssertEqual(Set(row.keys), Set(header + ["intermediate_values"])) }
    // The keys come in the CSV's order.
    let firstObject = try XCTUnwrap(json.stdout.split(separator: "\n").dropFirst().first)
    let positions = header.compactMap { firstObject.range(of: "\"\($0)\":")?.lowerBound }
    XCTAssertEqual(positions.count, header.count)
    XCTAssertEqual(positions, positions.sorted(), String(firstObject))

    XCTAssertEqual(rows[0]["number"] as? Int, 0)
    XCTAssertEqual(rows[0]["value"] as? Double, 0.25)
    XCTAssertEqual(rows[0]["params_n"] as? Int, 3)
    XCTAssertEqual(rows[0]["params_opt"] as? String, "adam")
    XCTAssertEqual(rows[0]["user_attrs_note"] as? String, "say \"hi\", twice")
    XCTAssertEqual(rows[0]["user_attrs_epochs"] as? Int, 3)
    XCTAssertEqual(rows[0]["datetime_start"] as? String, exportTime(stored[0].datetimeStart))
    XCTAssertEqual(rows[0]["duration"] as? String, pandasDuration(stored[0]))
    XCTAssertEqual(rows.map { $0["state"] as? String }, ["COMPLETE", "PRUNED", "FAIL", "COMPLETE"])
    XCTAssertTrue(rows[2]["value"] is NSNull)
    XCTAssertTrue(rows[2]["params_opt"] is NSNull)

    // --output writes the same text to a file and nothing to standard output.
    let toFile = try run(["export", "quad", "--storage", url, "--format", "json", "--output", "studycmd_export.json"])
    XCTAssertEqual(toFile.status, 0, toFile.transcript)
    XCTAssertEqual(toFile.stdout, "")
    let written = try String(contentsOf: directory.appendingPathComponent("studycmd_export.json"), encoding: .utf8)
    XCTAssertEqual(written, json.stdout)

    let unwritable = try run(["export", "quad", "--storage", url, "--output", "no/such/dir/out.csv"])
    XCTAssertEqual(unwritable.status, 1, unwritable.transcript)
    assertContains(unwritable.stderr, "cannot write no/such/dir/out.csv")
  }

  // MARK: - delete

  func testDeleteWithYes() throws {
    let result = try run(["delete", "zdt", "--storage", url, "--yes"])
    XCTAssertEqual(result.status, 0, result.transcript)
    XCTAssertEqual(result.stdout, "Deleted study 'zdt' and its 4 trials (4 complete).\n")
    XCTAssertNil(try SQLiteStorage(path: path).study(named: "zdt"))

    let studies = try run(["studies", "--storage", url])
    XCTAssertEqual(studies.stdout.split(separator: "\n").compactMap { cells(String($0)).first }, ["name", "quad", "empty"])
    let again = try run(["delete", "zdt", "--storage", url, "-y"])
    XCTAssertEqual(again.status, 1, again.transcript)
    assertContains(again.stderr, "no study named 'zdt'")
  }

  func testDeleteOffATerminalNeedsYes() throws {
    let result = try run(["delete", "quad", "--storage", url])
    XCTAssertEqual(result.status, 2, result.transcript)
    assertContains(result.stderr, "--yes")
    XCTAssertNotNil(try SQLiteStorage(path: path).study(named: "quad"), "the study is kept")
  }

  /// On a terminal (util-linux `script` makes one) delete asks, and only "y" or "yes" deletes.
  func testDeleteAsksOnATerminal() throws {
    try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux script")
    let executable = try XCTUnwrap(TunaProcess.executable, "the tuna executable was not found")
    func answer(_ text: String) throws -> (status: Int32, output: String) {
      let command = [executable.path, "delete", "quad", "--storage", url].map { "'\($0)'" }.joined(separator: " ")
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
      process.arguments = ["-qec", command, "/dev/null"]
      process.currentDirectoryURL = directory
      let input = Pipe()
      let output = Pipe()
      process.standardInput = input
      process.standardOutput = output
      process.standardError = FileHandle.nullDevice
      try process.run()
      input.fileHandleForWriting.write(Data(text.utf8))
      let data = output.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      try? input.fileHandleForWriting.close()
      return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
    let no = try answer("n\n")
    XCTAssertEqual(no.status, 1, no.output)
    assertContains(no.output, "Delete study 'quad' and its 4 trials (2 complete, 1 pruned, 1 fail) from \(url)? [y/N]")
    assertContains(no.output, "kept study 'quad'")
    XCTAssertNotNil(try SQLiteStorage(path: path).study(named: "quad"))

    let yes = try answer("yes\n")
    XCTAssertEqual(yes.status, 0, yes.output)
    assertContains(yes.output, "Deleted study 'quad'")
    XCTAssertNil(try SQLiteStorage(path: path).study(named: "quad"))
  }

  // MARK: - stale trials

  func testTrialsMarksAStaleRunningTrialFailed() throws {
    let storage = try SQLiteStorage(path: path)
    let live = try storage.createStudy(name: "live", directions: [.minimize])
    let trial = try storage.createTrial(studyID: live.id, waiting: false, systemAttrs: [:])
    try storage.setTrialParam(trialID: trial.id, name: "x", value: .float(1), distribution: try .float(0, 2))
    try storage.recordHeartbeat(trialID: trial.id)
    Thread.sleep(forTimeInterval: 0.05)

    // Its heartbeat is fresh by the default grace of 60 s, and inf never fails anything.
    for grace in [[], ["--grace", "inf"]] {
      let kept = try run(["trials", "live", "--storage", url] + grace)
      XCTAssertEqual(kept.status, 0, kept.transcript)
      XCTAssertEqual(cells(kept.stdout.split(separator: "\n").map(String.init)[1]), ["0", "running", "-", "-", "1"])
      XCTAssertEqual(kept.stderr, "")
    }

    let result = try run(["trials", "live", "--storage", url, "--grace", "0"])
    XCTAssertEqual(result.status, 0, result.transcript)
    XCTAssertEqual(Array(cells(result.stdout.split(separator: "\n").map(String.init)[1]).prefix(2)), ["0", "fail"])
    assertContains(result.stderr, "trial 0 was running without a heartbeat for over 0 s: marked failed")
    let failed = try SQLiteStorage(path: path).trial(id: trial.id)
    XCTAssertEqual(failed.state, .fail)
    XCTAssertEqual(failed.failReason, staleTrialFailReason)

    let studies = try run(["studies", "--storage", url])
    assertLine(studies.stdout, "live   minimize                 1         0       0     1        0        0  -")
  }

  // MARK: - with tuna run

  func testReadsWhatTunaRunStored() throws {
    let script = TunaProcess.fixtures.appendingPathComponent("studycmd_small.lua").path
    let ran = try run(["run", "--quiet", "--storage", url, script])
    XCTAssertEqual(ran.status, 0, ran.transcript)

    let studies = try run(["studies", "--storage", url])
    let line = try XCTUnwrap(studies.stdout.split(separator: "\n").first { $0.hasPrefix("studycmd ") }, studies.stdout)
    XCTAssertEqual(Array(cells(String(line)).prefix(8)), ["studycmd", "minimize", "5", "5", "0", "0", "0", "0"])

    let stored = try trials("studycmd")
    XCTAssertEqual(stored.count, 5)
    let best = try XCTUnwrap(stored.min { $0.value! < $1.value! })
    let json = try run(["best", "studycmd", "--storage", url, "--format", "json"])
    let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(object["number"] as? Int, best.number)
    XCTAssertEqual(object["value"] as? Double, best.value)

    let export = try run(["export", "studycmd", "--storage", url])
    XCTAssertEqual(export.status, 0, export.transcript)
    let lines = export.stdout.split(separator: "\n")
    XCTAssertEqual(lines.first, "number,value,datetime_start,datetime_complete,duration,params_kind,params_x,user_attrs_kind_again,state")
    XCTAssertEqual(lines.count, 6)
    XCTAssertTrue(lines.dropFirst().allSatisfy { $0.hasSuffix(",COMPLETE") }, export.stdout)
  }

  // MARK: - errors

  func testUsageErrorsExitTwo() throws {
    let cases: [(arguments: [String], mentions: String)] = [
      (["studies"], "sqlite:PATH"),
      (["trials", "quad"], "--storage"),
      (["studies", "--storage", "memory"], "sqlite:PATH"),
      (["studies", "--storage", "studycmd.db"], "sqlite:PATH"),
      (["studies", "--storage", "mysql://localhost/db"], "postgresql://"),
      (["studies", "--storage", "postgresql:db"], "sqlite:PATH"),
      (["studies", "--storage", "sqlite:missing.db"], "missing.db"),
      (["trials", "quad", "--storage", url, "--states", "done"], "--states"),
      (["trials", "quad", "--storage", url, "--format", "xml"], "--format"),
      (["trials", "quad", "--storage", url, "--grace=-1"], "--grace"),
      (["export", "quad", "--storage", url, "--format", "table"], "--format"),
      (["best", "--storage", url], "<study>"),
    ]
    for (arguments, mentions) in cases {
      let result = try run(arguments)
      XCTAssertEqual(result.status, 2, "tuna \(arguments.joined(separator: " ")): \(result.transcript)")
      assertContains(result.stderr, mentions, arguments.joined(separator: " "))
      XCTAssertEqual(result.stdout, "", arguments.joined(separator: " "))
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("missing.db").path),
                   "reading a missing storage does not create it")
  }

  func testFailuresExitOne() throws {
    for command in [["trials"], ["best"], ["export"], ["delete", "--yes"]] {
      let arguments = [command[0], "nope", "--storage", url] + command.dropFirst()
      let result = try run(arguments)
      XCTAssertEqual(result.status, 1, result.transcript)
      assertContains(result.stderr, "no study named 'nope'")
      assertContains(result.stderr, "'quad', 'zdt', 'empty'", "the message names the known studies")
    }
    try Data("not a database".utf8).write(to: directory.appendingPathComponent("studycmd_text.db"))
    let notDatabase = try run(["studies", "--storage", "sqlite:studycmd_text.db"])
    XCTAssertEqual(notDatabase.status, 1, notDatabase.transcript)
    assertContains(notDatabase.stderr, "cannot open storage sqlite:studycmd_text.db")
  }
}
