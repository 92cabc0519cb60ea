import Foundation
import LuaVM

/// The directories a sandboxed script's Tuna functions may read from and write to (`tuna run
/// --allow-read DIR`, `--allow-write DIR`; a write grant lets them read too). Outside the
/// sandbox every path is allowed, as the script itself could open it with `io`.
///
/// Paths are judged after resolving symbolic links (a link inside a granted directory that
/// points out of it is outside), and only regular files are opened: device files, pipes and
/// sockets are refused.
public struct FileGrants: Sendable, Equatable {
  public var read: [String]
  public var write: [String]

  public init(read: [String] = [], write: [String] = []) {
    self.read = read
    self.write = write
  }

  /// The file `path` resolved, when a script may read it; a `ScriptError` saying why not.
  func checkRead(_ path: String, for function: String) throws -> String {
    guard let resolved = Self.resolve(path) else { throw ScriptError("\(function): cannot open \(path): no such file") }
    try Self.requireRegularFile(resolved, path: path, function: function)
    guard Self.inside(resolved, any: read + write) else {
      throw ScriptError("\(function): reading \(path) is not allowed in the sandbox (grant its directory with --allow-read DIR)")
    }
    return resolved
  }

  /// The file `path` resolved (its directory must exist), when a script may write it.
  func checkWrite(_ path: String, for function: String) throws -> String {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    guard let parent = Self.resolve(directory) else {
      throw ScriptError("\(function): cannot write \(path): no such directory \(directory)")
    }
    let target: String
    if Self.exists(path) {  // a link to nothing exists too: writing would create its target
      guard let existing = Self.resolve(path) else {
        throw ScriptError("\(function): cannot write \(path): it is a symbolic link to a file that does not exist")
      }
      try Self.requireRegularFile(existing, path: path, function: function)
      target = existing
    } else {
      target = (parent as NSString).appendingPathComponent(url.lastPathComponent)
    }
    guard Self.inside(target, any: write) else {
      throw ScriptError("\(function): writing \(path) is not allowed in the sandbox (grant its directory with --allow-write DIR)")
    }
    // SQLite writes beside a database (its journal, write-ahead log and shared memory): a link
    // planted under one of those names would carry the writes elsewhere.
    for suffix in ["-journal", "-wal", "-shm"] where Self.isSymbolicLink(target + suffix) {
      throw ScriptError("\(function): cannot write \(path): \(url.lastPathComponent + suffix) beside it is a symbolic link")
    }
    return target
  }

  /// Whether anything is at `path`, a symbolic link to nothing included (`lstat`).
  static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  static func isSymbolicLink(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
  }

  /// The canonical path (symbolic links and `..` resolved), or nil when nothing is there.
  static func resolve(_ path: String) -> String? {
    guard let real = realpath(path, nil) else { return nil }
    defer { free(real) }
    return String(cString: real)
  }

  private static func requireRegularFile(_ resolved: String, path: String, function: String) throws {
    var info = stat()
    guard stat(resolved, &info) == 0 else { throw ScriptError("\(function): cannot open \(path)") }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw ScriptError("\(function): \(path) is not a regular file (devices, pipes and sockets are refused in the sandbox)")
    }
  }

  /// Whether `resolved` lies in one of `directories` (resolved in turn).
  private static func inside(_ resolved: String, any directories: [String]) -> Bool {
    directories.contains { directory in
      guard let root = resolve(directory) else { return false }
      return resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
  }
}
