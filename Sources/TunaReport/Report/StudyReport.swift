import Foundation
import Mustache
import TunaSearch

/// The version the report names.
let reportVersion = "0.1.0"

/// A study's report: one self-contained HTML page — summary, best trial, importance with
/// interactions, the plots and the trials table — that opens from disk in any browser with no
/// network and no script.
public enum StudyReport {
  /// The page for `studies` (usually one; several make one page with a section each).
  public static func html(_ studies: [StudySnapshot], options: ReportOptions = ReportOptions()) throws -> String {
    guard !studies.isEmpty else { throw ReportError("no study to report on") }
    let now = options.generatedAt ?? Date()
    let contexts = studies.enumerated().map { i, study -> [String: Any] in
      var c = studyContext(study, id: "s\(i)", options: options, now: now)
      c["several"] = studies.count > 1
      return c
    }
    let title = studies.count == 1 ? "Study “\(studies[0].name)”" : "\(studies.count) studies: " + studies.map(\.name).joined(separator: ", ")
    let context: [String: Any] = [
      "title": title, "generated": formatDate(now), "version": reportVersion, "style": ReportTemplate.style,
      "studies": contexts,
    ]
    let template = try MustacheTemplate(string: ReportTemplate.page)
    return template.render(context)
  }

  /// Writes the page to `path` (atomically: a reader never sees half a report).
  public static func write(_ studies: [StudySnapshot], to path: String, options: ReportOptions = ReportOptions()) throws {
    let text = try html(studies, options: options)
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw ReportError("cannot write \(path): \(error.localizedDescription)")
    }
  }
}
