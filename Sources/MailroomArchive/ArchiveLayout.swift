import Foundation

/// Where everything lives in a ``FileArchiveStore`` directory:
///
/// ```
/// archive.sqlite                      the index: entries, outcomes, full-text (with -wal and -shm)
/// messages/2026/11/21/ID.eml.gz       the message, gzip
/// ```
struct ArchiveLayout: Sendable {
    let root: String

    var databasePath: String { path(ArchiveSchema.fileName) }
    var messagesDirectory: String { path("messages") }
    /// The first layout's lock file; its presence means that layout's files are still there.
    var legacyLockPath: String { path("index.lock") }

    func path(_ relative: String) -> String {
        (root as NSString).appendingPathComponent(relative)
    }

    /// `messages/YYYY/MM/DD` for the date in `id`.
    func directory(for id: String) -> String {
        let digits = Array(id.prefix(8))
        return path("messages/\(String(digits[0..<4]))/\(String(digits[4..<6]))/\(String(digits[6..<8]))")
    }

    func messagePath(for id: String) -> String {
        (directory(for: id) as NSString).appendingPathComponent("\(id).eml.gz")
    }

    /// `path` relative to the store's directory, for reports.
    func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}
