import Foundation
import Mailroom

/// Reads an archive in the first layout (a per-day `index.json`, a metadata file beside each
/// message, `index.lock`) so that its entries move into the SQLite index, then removes those files.
///
/// For each message the entry with the higher revision of its day index and its metadata file is
/// kept, as the first layout's own rebuild did; a message in neither is recovered from its file.
/// Every function blocks.
enum ArchiveMigration {
    /// The JSON document in a first-layout `index.json`.
    private struct Snapshot: Decodable {
        var entries: [ArchiveEntry]
    }

    /// Whether the directory still holds the first layout's lock file (removed last).
    static func hasLegacyFiles(_ layout: ArchiveLayout) -> Bool {
        FileManager.default.fileExists(atPath: layout.legacyLockPath)
    }

    /// The first layout's entries for the messages in `listing`, by id.
    static func entries(in listing: ArchiveScan.Listing) -> [String: ArchiveEntry] {
        var entries: [String: ArchiveEntry] = [:]
        for path in listing.legacy {
            guard let bytes = try? DurableFile.readAll(path) else { continue }
            let found: [ArchiveEntry]
            if (path as NSString).lastPathComponent == "index.json" {
                found = (try? decoder.decode(Snapshot.self, from: Data(bytes)).entries) ?? []
            } else {
                found = (try? decoder.decode(ArchiveEntry.self, from: Data(bytes))).map { [$0] } ?? []
            }
            for entry in found where listing.messages[entry.id] != nil {
                if let known = entries[entry.id], known.revision >= entry.revision { continue }
                entries[entry.id] = entry
            }
        }
        return entries
    }

    /// Removes the first layout's index and metadata files, then its lock file: once the SQLite
    /// index holds their entries, they are stale copies.
    static func removeLegacyFiles(_ layout: ArchiveLayout) throws {
        let listing = ArchiveScan.listAll(layout)
        for path in listing.legacy { try DurableFile.remove(path) }
        try DurableFile.remove(layout.legacyLockPath)
    }

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
