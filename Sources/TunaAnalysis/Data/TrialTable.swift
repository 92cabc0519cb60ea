import Foundation
import TunaSearch

/// The trials an analysis reads, as numbers: one row per trial with a finite target, one column
/// per parameter holding the value in its distribution's internal unit (NaN where the trial
/// lacks the parameter), and the target.
struct TrialTable {
  let parameters: [AnalysisParameter]
  /// `columns[p][row]`: parameter `p`'s internal value in the row's trial, or NaN.
  let columns: [[Double]]
  let targets: [Double]
  let trialNumbers: [Int]
  let direction: StudyDirection

  var rowCount: Int { targets.count }

  /// The complete trials of `trials` whose target is finite, with the parameters `names` (all
  /// seen in those trials when nil).
  init(trials: [FrozenTrial], target: AnalysisTarget, names: [String]?) throws {
    var kept: [FrozenTrial] = []
    var targets: [Double] = []
    let complete = trials.filter { $0.state == .complete }
    for trial in complete {
      guard let v = try target.value(trial), v.isFinite else { continue }
      kept.append(trial)
      targets.append(v)
    }
    let parameters = try analysisParameters(of: kept, known: complete, names: names)
    self.parameters = parameters
    self.targets = targets
    trialNumbers = kept.map(\.number)
    direction = target.direction
    columns = parameters.map { p in
      kept.map { trial in
        guard let value = trial.params[p.name], let x = p.distribution.toInternal(value) else { return .nan }
        return x
      }
    }
  }

  /// A copy keeping only `rows`, in that order.
  init(_ table: TrialTable, rows: [Int]) {
    parameters = table.parameters
    columns = table.columns.map { column in rows.map { column[$0] } }
    targets = rows.map { table.targets[$0] }
    trialNumbers = rows.map { table.trialNumbers[$0] }
    direction = table.direction
  }

  init(parameters: [AnalysisParameter], columns: [[Double]], targets: [Double], trialNumbers: [Int], direction: StudyDirection) {
    self.parameters = parameters
    self.columns = columns
    self.targets = targets
    self.trialNumbers = trialNumbers
    self.direction = direction
  }
}

extension TrialTable {
  /// The same rows with only the parameters named `names`, in that order.
  func restricted(to names: [String]) -> TrialTable {
    let indices = names.compactMap { name in parameters.firstIndex { $0.name == name } }
    return TrialTable(
      parameters: indices.map { parameters[$0] }, columns: indices.map { columns[$0] }, targets: targets,
      trialNumbers: trialNumbers, direction: direction)
  }
}
