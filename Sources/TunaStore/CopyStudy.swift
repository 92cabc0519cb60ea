import TunaSearch

/// Copies study `name` from `source` into `target`, as `newName` (the same name by default):
/// its directions, user attributes and every trial, whole and in number order (Optuna's
/// `copy_study`). Storages of any kind: memory, SQLite, PostgreSQL. A running trial is copied as
/// running, without a heartbeat (its worker writes to the source, not to the copy).
///
/// Throws `StorageError.noSuchStudy` when the source has no such study and
/// `StorageError.studyExists` when the target has one of the new name. A copy that fails halfway
/// is deleted from the target, so the target never keeps a partial study.
@discardableResult
public func copyStudy(
  named name: String, from source: any Storage, to target: any Storage, as newName: String? = nil
) throws -> (study: StudyRecord, trials: Int) {
  guard let study = try source.study(named: name) else { throw StorageError.noSuchStudy(name) }
  let attrs = try source.studyUserAttrs(studyID: study.id)
  let trials = try source.trials(studyID: study.id, states: nil)
  let copy = try target.createStudy(name: newName ?? name, directions: study.directions)
  do {
    for (key, value) in attrs.sorted(by: { $0.key < $1.key }) {
      try target.setStudyUserAttr(studyID: copy.id, key: key, value: value)
    }
    for trial in trials { _ = try target.addTrial(studyID: copy.id, trial) }
  } catch {
    try? target.deleteStudy(studyID: copy.id)
    throw error
  }
  return (copy, trials.count)
}
