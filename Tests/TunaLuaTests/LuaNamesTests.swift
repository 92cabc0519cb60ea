@testable import TunaLua
import TunaSearch
import XCTest

/// The one map from the cores' Swift names to the Lua API's, read from the declared API.
final class LuaNamesTests: XCTestCase {
  private let names = TunaEngine.luaNames

  func testSwiftNamesBecomeTheLuaAPIsSpelling() {
    XCTAssertEqual(names.render("nEICandidates must be >= 1, got 0"), "n_ei_candidates must be >= 1, got 0")
    XCTAssertEqual(names.render("populationSize must be >= 2, got 1"), "population_size must be >= 2, got 1")
    XCTAssertEqual(names.render("searchSpace['x'] must list at least one value"), "search_space['x'] must list at least one value")
    XCTAssertEqual(
      names.render("bestTrial is not defined for a multi-objective study; use bestTrials"),
      "best_trial is not defined for a multi-objective study; use best_trials")
  }

  func testWordsWithoutALuaCounterpartStayAsTheyAre() {
    // Plain words, a camel-case word the API does not have, and a word already in Lua spelling.
    XCTAssertEqual(names.render("low must be <= high"), "low must be <= high")
    XCTAssertEqual(names.render("someSwiftOnlyName went wrong"), "someSwiftOnlyName went wrong")
    XCTAssertEqual(names.render("n_trials must be > 0"), "n_trials must be > 0")
    XCTAssertEqual(LuaNames().render("nEICandidates"), "nEICandidates", "an empty map renders nothing")
  }

  func testTheScriptsOwnNamesInQuotesReadAsWritten() {
    // A parameter the script named batchSize stays batchSize; the core's own words around it
    // are rendered, an apostrophe opens no quote.
    XCTAssertEqual(
      names.render("parameter 'batchSize' is not in the grid's search space; searchSpace['nJobs'] has maxDepth"),
      "parameter 'batchSize' is not in the grid's search space; search_space['nJobs'] has max_depth")
    XCTAssertEqual(names.render("schedule's warmupEpochs must be ≥ 0"), "schedule's warmup_epochs must be ≥ 0")
  }

  func testEveryCoreArgumentErrorReachesAScriptInLuaSpelling() throws {
    // Each argument a core constructor blames is an option of the Lua API under its Lua name.
    let errors: [InvalidArgument] = [
      catching { try TPESampler(nEICandidates: 0) }, catching { try TPESampler(nStartupTrials: -1) },
      catching { try TPESampler(priorWeight: .nan) }, catching { try NSGA2Sampler(populationSize: 1) },
      catching { try GeneticOperators(mutationProb: 2) }, catching { try GeneticOperators(crossoverProb: -1) },
      catching { try GeneticOperators(swappingProb: .nan) }, catching { try GeneticOperators(etaCrossover: -1) },
      catching { try GASampler(populationSize: 10, elitism: 10) }, catching { try CMAESSampler(nStartupTrials: -1) },
    ].compactMap { $0 }
    XCTAssertEqual(errors.count, 10)
    for error in errors where error.argument.contains(where: \.isUppercase) {
      let rendered = names.render(error.message)
      XCTAssertFalse(rendered.contains(error.argument), "\(error.argument) left in Swift spelling: \(rendered)")
      XCTAssertTrue(rendered.contains("_"), "\(rendered)")
    }
  }

  private func catching(_ make: () throws -> Any) -> InvalidArgument? {
    do {
      _ = try make()
      XCTFail("expected an InvalidArgument")
    } catch let error as InvalidArgument {
      return error
    } catch {
      XCTFail("expected an InvalidArgument, got \(error)")
    }
    return nil
  }
}
