import Foundation
import TunaAnalysis
import TunaSearch

/// The importance section of one objective: fANOVA's main effects and interactions (its
/// marginals draw the slices and the contour) beside PED-ANOVA's ranking.
struct ObjectiveAnalysis {
  let index: Int
  let title: String
  let direction: StudyDirection
  let fanova: FunctionalANOVA?
  let pedAnova: [String: Double]
  /// Why there is no analysis, when there is none.
  let note: String?

  init(study: StudySnapshot, objective index: Int, options: ReportOptions) {
    self.index = index
    direction = study.directions[index]
    title = study.directions.count == 1 ? "Objective value" : "Objective \(index + 1)"
    let target = try! AnalysisTarget.objective(index, of: study.directions)
    let complete = study.completeTrials
    var fanovaOptions = FanovaOptions()
    fanovaOptions.seed = options.seed
    fanovaOptions.maxTrials = options.maxAnalysisTrials
    var fanova: FunctionalANOVA?
    var note: String?
    let varying = Set(complete.flatMap { t in t.distributions.filter { !$0.value.isSingle }.keys })
    let values = complete.map { $0.values![index] }
    if complete.count < 2 {
      note = "Importance needs at least 2 complete trials; this study has \(complete.count)."
    } else if values.allSatisfy({ $0 == values[0] }) {
      note = "Every complete trial has the same value (\(formatNumber(values[0]))): no parameter changed it."
    } else if varying.isEmpty {
      note = "No parameter varies between the trials, so there is nothing to rank."
    } else {
      do {
        fanova = try FunctionalANOVA(trials: complete, target: target, options: fanovaOptions)
      } catch {
        note = "Functional ANOVA could not run: \(error)"
      }
    }
    self.fanova = fanova
    var ped: [String: Double] = [:]
    if complete.count >= 2 {
      var pedOptions = ImportanceOptions(evaluator: .pedAnova, target: target)
      pedOptions.normalize = true
      if let ranked = try? parameterImportances(complete, directions: study.directions, options: pedOptions) {
        for item in ranked { ped[item.name] = item.importance }
      }
    }
    pedAnova = ped
    self.note = note
  }

  /// Parameters by fANOVA main effect, strongest first (name order on ties).
  var rankedParameters: [(parameter: AnalysisParameter, effect: Effect)] {
    guard let fanova else { return [] }
    return zip(fanova.parameters, fanova.mainEffects).sorted {
      $0.1.fraction != $1.1.fraction ? $0.1.fraction > $1.1.fraction : $0.0.name < $1.0.name
    }.map { ($0.0, $0.1) }
  }
}
