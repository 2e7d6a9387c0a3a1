import Foundation
import Mailroom

/// The index on disk: one `index.json` per day folder, each a snapshot of that day's entries,
/// opened, merged and rebuilt from the message and metadata files.
///
/// A day's index is written before the metadata files it summarises, so it is never older than
/// they are; each file is replaced whole (temporary file, `fsync`, `rename`), so a reader needs no
/// lock. A day's index is rebuilt when it is missing, does not decode, or names other messages than
/// the folder holds (a writer stopped between the message file and the index); a rebuild keeps, for
/// each message, the higher revision of its index entry and its metadata file. Writers in any
/// process serialise index writes with `index.lock`. Every function blocks.
enum IndexFile {
    /// The JSON document in a day's `index.json`.
    struct Snapshot: Codable {
        var format: Int
        var entries: [ArchiveEntry]
    }

    /// What a day folder (or the whole store) holds, by kind.
    struct Listing {
        var messages: [String: String] = [:]
        var metadata: [String: String] = [:]
        var temporaries: [String] = []

        var ids: Set<String> { Set(messages.keys).union(metadata.keys) }

        mutating func add(_ other: Listing) {
            messages.merge(other.messages) { first, _ in first }
            metadata.merge(other.metadata) { first, _ in first }
            temporaries += other.temporaries
        }
    }

    static let format = 1
    static let shardName = "index.json"

    // MARK: Opening

    /// Every day's index, rebuilding any that cannot be trusted.
    static func open(_ layout: ArchiveLayout) throws -> [String: IndexShard] {
        var shards: [String: IndexShard] = [:]
        for day in days(layout) {
            shards[day] = try open(day: day, layout: layout)
        }
        return shards
    }

    /// One day's index: as on disk if trusted, else rebuilt (under the lock) and rewritten.
    static func open(day: String, layout: ArchiveLayout) throws -> IndexShard {
        if let trusted = trusted(readShard(day), listing: list(day)) { return trusted }
        return try DurableFile.withLock(layout.lockPath) {
            let listing = list(day)
            let shard = readShard(day)
            if let trusted = trusted(shard, listing: listing) { return trusted }
            var rebuilt = IndexShard(entries: rebuild(day, from: listing, index: shard?.entries))
            try write(&rebuilt, to: day)
            return rebuilt
        }
    }

    /// The day's index if it decodes and names exactly the messages in the folder (an empty
    /// folder needs none).
    private static func trusted(_ shard: IndexShard?, listing: Listing) -> IndexShard? {
        let ids = listing.ids
        guard let shard else { return ids.isEmpty ? IndexShard() : nil }
        return Set(shard.entries.keys) == ids ? shard : nil
    }

    // MARK: Writing

    /// One day's changes.
    struct DayChanges: Sendable {
        var changed: [ArchiveEntry] = []
        var removed: [String] = []
    }

    /// Applies one process's changes to the indexes of the days they touch. Each day starts from
    /// `shards` when its file is still the one this process last saw, else from the file (another
    /// process changed it); an entry replaces one with a higher revision never.
    ///
    /// - Returns: The touched days' indexes as written.
    static func merge(_ layout: ArchiveLayout, changes: [String: DayChanges], shards: [String: IndexShard]) throws -> [String: IndexShard] {
        try DurableFile.makeDirectory(layout.root)
        return try DurableFile.withLock(layout.lockPath) {
            var written: [String: IndexShard] = [:]
            for (day, dayChanges) in changes {
                try DurableFile.makeDirectory(day)
                var shard = shards[day] ?? IndexShard()
                let current = IndexShard.FileStamp(path: shardPath(day))
                if current != shard.stamp {
                    shard = readShard(day) ?? IndexShard(entries: rebuild(day, from: list(day), index: nil))
                }
                for entry in dayChanges.changed where (shard.entries[entry.id]?.revision ?? 0) <= entry.revision {
                    shard.set(entry)
                }
                for id in dayChanges.removed { shard.remove(id) }
                try write(&shard, to: day)
                written[day] = shard
            }
            return written
        }
    }

    /// Replaces a day's `index.json` atomically, or removes it when the day has no entries left,
    /// and records the file's new stamp.
    static func write(_ shard: inout IndexShard, to day: String) throws {
        let path = shardPath(day)
        if shard.entries.isEmpty {
            try DurableFile.remove(path)
            shard.stamp = nil
            return
        }
        try DurableFile.writeAtomically(try shard.serialized(with: encoder), to: path)
        shard.stamp = IndexShard.FileStamp(path: path)
    }

    static func shardPath(_ day: String) -> String {
        (day as NSString).appendingPathComponent(shardName)
    }

    // MARK: Reading the files

    /// The day folders, `messages/YYYY/MM/DD`, as paths, oldest first.
    static func days(_ layout: ArchiveLayout) -> [String] {
        func children(_ path: String, digits: Int) -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { $0.count == digits && $0.allSatisfy(\.isNumber) }.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
        return children(layout.messagesDirectory, digits: 4)
            .flatMap { children($0, digits: 2) }
            .flatMap { children($0, digits: 2) }
    }

    /// The files in one day folder, by kind.
    static func list(_ day: String) -> Listing {
        var listing = Listing()
        for file in (try? FileManager.default.contentsOfDirectory(atPath: day)) ?? [] {
            let path = (day as NSString).appendingPathComponent(file)
            if file.hasPrefix(DurableFile.temporaryPrefix) {
                listing.temporaries.append(path)
            } else if file.hasSuffix(".eml.gz"), ArchiveLayout.isValidID(String(file.dropLast(7))) {
                listing.messages[String(file.dropLast(7))] = path
            } else if file.hasSuffix(".json"), ArchiveLayout.isValidID(String(file.dropLast(5))) {
                listing.metadata[String(file.dropLast(5))] = path
            }
        }
        listing.temporaries.sort()
        return listing
    }

    /// The files in every day folder.
    static func listAll(_ layout: ArchiveLayout) -> Listing {
        var listing = Listing()
        for day in days(layout) { listing.add(list(day)) }
        return listing
    }

    /// A day's index as on disk, or `nil` when it is missing or damaged.
    static func readShard(_ day: String) -> IndexShard? {
        let path = shardPath(day)
        let stamp = IndexShard.FileStamp(path: path)
        guard let bytes = try? DurableFile.readAll(path),
            let snapshot = try? decoder.decode(Snapshot.self, from: Data(bytes)),
            snapshot.format == format
        else { return nil }
        return IndexShard(entries: Dictionary(snapshot.entries.map { ($0.id, $0) }, uniquingKeysWith: newer), stamp: stamp)
    }

    /// The day's entries as its files say: for each message, the newer of its index entry and its
    /// metadata file, or an entry recovered from the message itself when it has neither.
    static func rebuild(_ day: String, from listing: Listing, index: [String: ArchiveEntry]?) -> [String: ArchiveEntry] {
        var entries: [String: ArchiveEntry] = [:]
        for id in listing.ids {
            let fromMetadata = listing.metadata[id].flatMap(readMetadata).flatMap { $0.id == id ? $0 : nil }
            let fromIndex = index?[id]
            switch (fromMetadata, fromIndex) {
            case let (metadata?, indexed?): entries[id] = newer(metadata, indexed)
            case let (metadata?, nil): entries[id] = metadata
            case let (nil, indexed?): entries[id] = indexed
            case (nil, nil): if let path = listing.messages[id] { entries[id] = recover(id: id, messageAt: path) }
            }
        }
        return entries
    }

    static func newer(_ first: ArchiveEntry, _ second: ArchiveEntry) -> ArchiveEntry {
        first.revision >= second.revision ? first : second
    }

    /// A metadata file's entry, or `nil` when it does not decode.
    static func readMetadata(_ path: String) -> ArchiveEntry? {
        guard let bytes = try? DurableFile.readAll(path) else { return nil }
        return try? decoder.decode(ArchiveEntry.self, from: Data(bytes))
    }

    /// An entry for a message that was never indexed, read from its own headers; its outcome is
    /// unknown, so it is pending. A file that does not decompress gets an entry that `verify`
    /// reports as corrupt.
    static func recover(id: String, messageAt path: String) -> ArchiveEntry {
        let compressedSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let bytes = try? GzipDecoder.contents(fileAt: path, id: id)
        let head = MIMEHeaderFields(Array(bytes?.prefix(64 * 1024) ?? []))
        let recipients = ["To", "Cc"].flatMap { name in
            head.value(name).flatMap { try? EmailAddress.list($0, field: name) }?.map { $0.mailbox.lowercased() } ?? []
        }
        return ArchiveEntry(
            id: id,
            messageID: head.value("Message-ID"),
            providerID: nil,
            date: ArchiveLayout.date(ofID: id) ?? Date(timeIntervalSince1970: 0),
            from: head.value("From") ?? "",
            recipients: recipients,
            subject: head.value("Subject") ?? "",
            tags: [],
            size: bytes?.count ?? 0,
            compressedSize: compressedSize,
            sha256: bytes.map(GzipDecoder.sha256) ?? "",
            state: .pending,
            revision: 0
        )
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
