import Foundation
import TunaSearch

/// What a report shows of one study: read from its storage once, then rendered.
public struct StudySnapshot: Sendable {
  public var name: String
  public var directions: [StudyDirection]
  public var trials: [FrozenTrial]
  public var userAttrs: [String: AttrValue]

  public init(name: String, directions: [StudyDirection], trials: [FrozenTrial], userAttrs: [String: AttrValue] = [:]) {
    self.name = name
    self.directions = directions
    self.trials = trials
    self.userAttrs = userAttrs
  }

  /// The study `record` as `storage` holds it now.
  public init(_ record: StudyRecord, in storage: any Storage) throws {
    self.init(
      name: record.name, directions: record.directions, trials: try storage.trials(studyID: record.id, states: nil),
      userAttrs: try storage.studyUserAttrs(studyID: record.id))
  }

  /// The study as its storage holds it now.
  public init(_ study: Study) throws {
    self.init(name: study.name, directions: study.directions, trials: try study.trials(), userAttrs: try study.userAttrs)
  }

  /// The complete trials with one finite value per objective.
  var completeTrials: [FrozenTrial] {
    trials.filter { t in
      t.state == .complete && t.values.map { $0.count == directions.count && $0.allSatisfy(\.isFinite) } == true
    }
  }
}

/// How a report is made.
public struct ReportOptions: Sendable {
  /// Seeds the analyses and the samples drawn from big studies, so a report is reproducible.
  public var seed: UInt64 = 0
  /// The most points one scatter plot draws; a bigger study draws its best trials and a sample
  /// of the others.
  public var maxPoints = 2000
  /// The most lines the parallel-coordinates plot and the learning-curve plot draw.
  public var maxLines = 400
  /// The most rows of the trials table; a bigger study lists its best and its latest trials.
  public var maxTableRows = 2000
  /// The most cells of the trials table: a study with many parameters lists fewer rows.
  public var maxTableCells = 40_000
  /// The most trials functional ANOVA learns from (a seeded sample of a bigger study).
  public var maxAnalysisTrials = 2000
  /// The most parameters that get a slice plot.
  public var maxSlices = 6
  /// When the report says it was made (now, by default).
  public var generatedAt: Date?

  public init() {}
}

/// Why a report could not be written.
public struct ReportError: Error, CustomStringConvertible, Sendable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
