import Foundation
import TunaIsolation
import TunaSearch
import TunaStore
import XCTest

/// The supervisor against workers written as shell scripts that speak the worker's side of the
/// channel (read on 3, write on 4): no Lua and no `tuna` involved.
final class SupervisorTests: XCTestCase {
  var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("supervisor-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// A worker that takes trials until the budget says no; trial `crashAt` (counting across
  /// workers, in a file) ends it by `fault` instead of finishing. Trial k uses the id on line k+1
  /// of `ids`.
  private func worker(crashAt: Int? = nil, fault: String = "kill -SEGV $$") -> Supervisor.Launch {
    let script = """
      while true; do
        printf 'claim\\n' >&4
        read -r reply <&3 || exit 0
        [ "$reply" = 1 ] || exit 0
        n=$(cat "$DIR/count"); echo $((n + 1)) > "$DIR/count"
        id=$(sed -n "$((n + 1))p" "$DIR/ids")
        printf 'arm\\t%s\\n' "$LIMIT" >&4
        printf 'started\\ts\\t%s\\t%s\\t%s\\n' "$URL" "$id" "$n" >&4
        if [ "$n" = "$CRASH" ]; then echo "last words of trial $n" >&2; \(fault); fi
        printf 'finished\\ts\\t%s\\tcomplete\\t\\n' "$id" >&4
      done
      """
    return Supervisor.Launch(
      executable: "/bin/sh", arguments: ["-c", script],
      environment: ["DIR": directory.path, "CRASH": crashAt.map(String.init) ?? "-1", "LIMIT": "-"])
  }

  /// A SQLite study with `count` running trials, their ids written one per line for the workers.
  private func study(trials count: Int) throws -> (url: String, storage: any Storage, ids: [Int]) {
    let url = "sqlite:" + directory.appendingPathComponent("study.db").path
    let storage = try openStorage(url)
    let record = try storage.createStudy(name: "s", directions: [.minimize])
    let ids = try (0..<count).map { _ in try storage.startTrial(studyID: record.id, beating: false).id }
    try ids.map(String.init).joined(separator: "\n").appending("\n").write(
      to: directory.appendingPathComponent("ids"), atomically: true, encoding: .utf8)
    try "0".write(to: directory.appendingPathComponent("count"), atomically: true, encoding: .utf8)
    return (url, storage, ids)
  }

  private final class Events: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [IsolatedCallEvent] = []
    func add(_ e: IsolatedCallEvent) { lock.withLock { all.append(e) } }
    var finished: [Int] {
      lock.withLock { all.compactMap { if case .finished(_, let id) = $0 { id } else { nil } } }
    }
  }

  func testWorkersShareTheBudget() throws {
    // Each worker numbers its own trials (process id × 1000 + k): no shared counter to race on.
    let script = """
      k=0
      while true; do
        printf 'claim\\n' >&4
        read -r reply <&3 || exit 0
        [ "$reply" = 1 ] || exit 0
        k=$((k + 1)); id=$(($$ * 1000 + k)); sleep 0.05
        printf 'started\\ts\\tsqlite:unused\\t%s\\t%s\\n' "$id" "$k" >&4
        printf 'finished\\ts\\t%s\\tcomplete\\t\\n' "$id" >&4
      done
      """
    let events = Events()
    let request = IsolatedCallRequest(ordinal: 1, studyNames: ["s"], nTrials: 12, timeout: nil, workers: 3, maxConsecutiveFailures: nil)
    let outcome = try Supervisor(launch: .init(executable: "/bin/sh", arguments: ["-c", script])).run(request) { events.add($0) }
    XCTAssertEqual(outcome, .done)
    XCTAssertEqual(events.finished.count, 12, "the budget's 12 trials, no more")
    XCTAssertEqual(Set(events.finished).count, 12)
    XCTAssertGreaterThan(Set(events.finished.map { $0 / 1000 }).count, 1, "more than one worker took trials")
  }

  /// A worker killed by a signal fails its trial in the storage, with the signal and its last
  /// words; a fresh worker runs the rest.
  func testADeadWorkersTrialFailsAndAnotherTakesOver() throws {
    let (url, storage, ids) = try study(trials: 5)
    var launch = worker(crashAt: 1)
    launch.environment["URL"] = url
    let events = Events()
    let request = IsolatedCallRequest(ordinal: 1, studyNames: ["s"], nTrials: 5, timeout: nil, workers: 1, maxConsecutiveFailures: nil)
    let outcome = try Supervisor(launch: launch).run(request) { events.add($0) }
    XCTAssertEqual(outcome, .done)
    XCTAssertEqual(events.finished.sorted(), ids.sorted())
    let failed = try storage.trial(id: ids[1])
    XCTAssertEqual(failed.state, .fail)
    XCTAssertEqual(failed.failReason, "the worker process was killed by SIGSEGV (segmentation fault); it last wrote: last words of trial 1")
    XCTAssertEqual(try storage.trial(id: ids[0]).state, .running, "a trial its worker finished is the worker's business")
  }

  /// Workers that die in a row stop the call; one that exits with an error code counts too.
  func testDeathsInARowStopTheCall() throws {
    let (url, storage, ids) = try study(trials: 10)
    var launch = worker(crashAt: 0, fault: "exit 7")
    launch.environment["URL"] = url
    // Every trial from the first on dies: the count file makes trial n crash when n = CRASH,
    // so let every worker crash by pointing CRASH at the count it reads.
    launch.arguments[1] = launch.arguments[1].replacingOccurrences(of: "[ \"$n\" = \"$CRASH\" ]", with: "true")
    let request = IsolatedCallRequest(
      ordinal: 1, studyNames: ["s"], nTrials: 10, timeout: nil, workers: 1, maxConsecutiveFailures: nil, maxCrashes: 3)
    let outcome = try Supervisor(launch: launch).run(request) { _ in }
    guard case .stopped(let reason) = outcome else { return XCTFail("\(outcome)") }
    XCTAssertTrue(reason.hasPrefix("3 worker processes in a row died (the last: the worker process exited with code 7"), reason)
    XCTAssertEqual(try storage.trials(studyID: 1, states: [.fail]).map(\.id), Array(ids.prefix(3)))
  }

  /// A trial that outlives its time limit and the grace is killed by the watchdog.
  func testAStuckTrialIsKilledAfterItsLimitAndGrace() throws {
    let (url, storage, ids) = try study(trials: 2)
    var launch = worker(crashAt: 0, fault: "exec sleep 100")
    launch.environment["URL"] = url
    launch.environment["LIMIT"] = "0.2"
    let request = IsolatedCallRequest(ordinal: 1, studyNames: ["s"], nTrials: 2, timeout: nil, workers: 1, maxConsecutiveFailures: nil)
    let start = Date()
    let outcome = try Supervisor(launch: launch).run(request) { _ in }
    let elapsed = Date().timeIntervalSince(start)
    XCTAssertEqual(outcome, .done)
    XCTAssertGreaterThan(elapsed, 1.1, "0.2 s and a grace of at least 1 s")
    XCTAssertLessThan(elapsed, 10)
    let killed = try storage.trial(id: ids[0])
    XCTAssertEqual(killed.state, .fail)
    XCTAssertTrue(killed.failReason?.hasPrefix("the worker process was killed (SIGKILL) 1 s past the trial's time limit of 0.2 s") == true, killed.failReason ?? "")
  }

  /// A worker gone between its request and the answer: the answer finds a closed pipe, which
  /// must fail the write (EPIPE) rather than end this process with SIGPIPE.
  func testAWorkerGoneBeforeItsAnswerLeavesTheSupervisorStanding() throws {
    let launch = Supervisor.Launch(executable: "/bin/sh", arguments: ["-c", "exec 3<&-; printf 'claim\\n' >&4; sleep 0.2"])
    let request = IsolatedCallRequest(ordinal: 1, studyNames: [], nTrials: 3, timeout: nil, workers: 2, maxConsecutiveFailures: nil)
    XCTAssertEqual(try Supervisor(launch: launch).run(request) { _ in }, .done)
  }

  /// A worker that exits, even with code 0, in the middle of a trial died there: its trial
  /// fails and a fresh worker runs the rest.
  func testAnExitInTheMiddleOfATrialFailsIt() throws {
    let (url, storage, ids) = try study(trials: 4)
    var launch = worker(crashAt: 2, fault: "exit 0")
    launch.environment["URL"] = url
    let events = Events()
    let request = IsolatedCallRequest(ordinal: 1, studyNames: ["s"], nTrials: 4, timeout: nil, workers: 1, maxConsecutiveFailures: nil)
    XCTAssertEqual(try Supervisor(launch: launch).run(request) { events.add($0) }, .done)
    XCTAssertEqual(events.finished.sorted(), ids.sorted(), "every trial ran, the one after the exit in a fresh worker")
    let failed = try storage.trial(id: ids[2])
    XCTAssertEqual(failed.state, .fail)
    XCTAssertEqual(failed.failReason, "the worker process exited (code 0) in the middle of the trial; it last wrote: last words of trial 2")
  }

  /// After an interruption the supervisor starts no workers for a later call.
  func testAnInterruptedSupervisorRunsNoMoreCalls() throws {
    let marker = directory.appendingPathComponent("started")
    let launch = Supervisor.Launch(executable: "/bin/sh", arguments: ["-c", "touch '\(marker.path)'"])
    let supervisor = Supervisor(launch: launch)
    supervisor.interrupt(signal: SIGINT)
    let request = IsolatedCallRequest(ordinal: 1, studyNames: [], nTrials: 3, timeout: nil, workers: 1, maxConsecutiveFailures: nil)
    XCTAssertEqual(try supervisor.run(request) { _ in }, .interrupted)
    XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "no worker was started")
  }

  /// A call that does not catch errors: the first failure a worker reports is the outcome.
  func testAReportedFailureEndsTheCall() throws {
    let launch = Supervisor.Launch(
      executable: "/bin/sh", arguments: ["-c", "printf 'fail\\tobjective.lua:3: boom\\n' >&4"])
    let request = IsolatedCallRequest(ordinal: 1, studyNames: [], nTrials: 4, timeout: nil, workers: 2, maxConsecutiveFailures: nil)
    XCTAssertEqual(try Supervisor(launch: launch).run(request) { _ in }, .failed(message: "objective.lua:3: boom"))
  }
}

/// The channel's lines, and how children's ends are read.
final class ControlChannelTests: XCTestCase {
  func testFieldsWithTabsNewlinesAndBackslashesRoundTrip() throws {
    var fds: [Int32] = [0, 0]
    XCTAssertEqual(pipe(&fds), 0)
    var back: [Int32] = [0, 0]
    XCTAssertEqual(pipe(&back), 0)
    let writer = ControlChannel(input: back[0], output: fds[1])
    let reader = ControlChannel(input: fds[0], output: back[1])
    let fields = ["finished", "a\tb", "line\nbreak", "back\\slash\\t", "", "ünï"]
    XCTAssertTrue(writer.send(fields))
    XCTAssertTrue(writer.send(["second"]))
    XCTAssertEqual(reader.receive(), fields)
    XCTAssertEqual(reader.receive(), ["second"])
  }

  func testExitStatusesReadAsPeopleSayThem() {
    XCTAssertEqual(ChildExit(code: 0, signal: nil).description, "exited with code 0")
    XCTAssertEqual(ChildExit(code: nil, signal: SIGKILL).description, "killed by SIGKILL (killed)")
    XCTAssertTrue(ChildExit(code: nil, signal: SIGXCPU).description.hasPrefix("killed by SIGXCPU"))
  }

  func testRequestsTravelAsJSON() throws {
    let request = IsolatedCallRequest(ordinal: 2, studyNames: ["a", "b\tc"], nTrials: nil, timeout: 1.5, workers: 3, maxConsecutiveFailures: 4)
    XCTAssertEqual(try IsolatedCallRequest(json: request.json), request)
  }
}
