import Foundation

/// One day's index as this process last read or wrote it, with each entry's JSON kept so that a
/// write re-encodes only the entries that changed.
struct IndexShard: Sendable {
    /// The day's entries by id.
    var entries: [String: ArchiveEntry] = [:]
    /// Each entry's JSON as last written.
    var encoded: [String: [UInt8]] = [:]
    /// The index file as last seen: when it no longer matches, another process replaced it.
    var stamp: FileStamp?

    /// Identifies one version of a file: every write renames a new file into place.
    struct FileStamp: Sendable, Hashable {
        var fileNumber: UInt64
        var size: UInt64
        var modified: Date

        /// The stamp of the file at `path`, or `nil` when there is none.
        init?(path: String) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let fileNumber = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value,
                let size = (attributes[.size] as? NSNumber)?.uint64Value,
                let modified = attributes[.modificationDate] as? Date
            else { return nil }
            self.fileNumber = fileNumber
            self.size = size
            self.modified = modified
        }
    }

    /// The shard's file contents: `{"entries":[…],"format":1}`, entries in id (and so time) order,
    /// encoding only those not encoded before.
    mutating func serialized(with encoder: JSONEncoder) throws -> [UInt8] {
        var bytes = Array(#"{"entries":["#.utf8)
        for (index, id) in entries.keys.sorted().enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            if let json = encoded[id] {
                bytes += json
            } else if let entry = entries[id] {
                let json = Array(try encoder.encode(entry))
                encoded[id] = json
                bytes += json
            }
        }
        bytes += Array(#"],"format":\#(IndexFile.format)}"#.utf8)
        return bytes
    }

    /// Sets `entry`, forgetting its old JSON.
    mutating func set(_ entry: ArchiveEntry) {
        entries[entry.id] = entry
        encoded[entry.id] = nil
    }

    /// Removes the entry with `id`.
    mutating func remove(_ id: String) {
        entries[id] = nil
        encoded[id] = nil
    }
}
