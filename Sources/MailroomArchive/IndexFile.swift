import Foundation
import Mailroom

/// The index on disk: opened, merged and rebuilt from the message and metadata files.
///
/// The metadata file beside each message is the source of truth; `index.json` is a snapshot of
/// all of them, replaced atomically under `index.lock`. It is rebuilt when it is missing, does not
/// decode, disagrees with the files present, or a writer's marker shows that it may be stale
/// (a writer stopped between writing a metadata file and the index). Every function blocks.
enum IndexFile {
    /// The JSON document in `index.json`.
    struct Snapshot: Codable {
        var format: Int
        var entries: [ArchiveEntry]
    }

    /// What the `messages` tree and `writers` directory hold.
    struct Listing {
        var messages: [String: String] = [:]
        var metadata: [String: String] = [:]
        var temporaries: [String] = []
        var writers: [String] = []

        var ids: Set<String> { Set(messages.keys).union(metadata.keys) }
    }

    static let format = 1

    /// The entries of the store at `layout`, rebuilding the index first when it cannot be trusted.
    static func open(_ layout: ArchiveLayout) throws -> [String: ArchiveEntry] {
        // Reading a store that was never written creates nothing.
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: layout.indexPath) || fileManager.fileExists(atPath: layout.messagesDirectory) else { return [:] }
        // `index.json` is only ever replaced whole, so reading it needs no lock (and works where
        // the directory is read-only); only a rebuild takes the lock.
        if let snapshot = trustedSnapshot(layout) { return snapshot }
        return try DurableFile.withLock(layout.lockPath) {
            if let snapshot = trustedSnapshot(layout) { return snapshot }
            let listing = list(layout)
            let entries = rebuild(layout, from: listing)
            try write(entries, to: layout)
            for marker in listing.writers {
                let name = (marker as NSString).lastPathComponent
                if let pid = DurableFile.processID(inName: name), !DurableFile.isRunning(pid) { try DurableFile.remove(marker) }
            }
            return entries
        }
    }

    /// The index's entries if they can be trusted: it decodes, no writer has changes it may lack,
    /// and it names exactly the messages present.
    private static func trustedSnapshot(_ layout: ArchiveLayout) -> [String: ArchiveEntry]? {
        let listing = list(layout)
        guard listing.writers.isEmpty, let snapshot = readSnapshot(layout), Set(snapshot.keys) == listing.ids else { return nil }
        return snapshot
    }

    /// Applies one writer's changes to the index on disk and returns the result, which includes
    /// what other writers added meanwhile. An entry replaces the one on disk unless that has a
    /// higher revision.
    static func merge(_ layout: ArchiveLayout, changed: [String: ArchiveEntry], removed: Set<String>) throws -> [String: ArchiveEntry] {
        try DurableFile.makeDirectory(layout.root)
        return try DurableFile.withLock(layout.lockPath) {
            var entries = readSnapshot(layout) ?? rebuild(layout, from: list(layout))
            for (id, entry) in changed where (entries[id]?.revision ?? 0) <= entry.revision {
                entries[id] = entry
            }
            for id in removed { entries[id] = nil }
            try write(entries, to: layout)
            return entries
        }
    }

    /// Every file under `messages` and `writers`, by kind.
    static func list(_ layout: ArchiveLayout) -> Listing {
        var listing = Listing()
        let fileManager = FileManager.default
        if let names = fileManager.enumerator(atPath: layout.messagesDirectory) {
            for case let name as String in names {
                let file = (name as NSString).lastPathComponent
                let path = (layout.messagesDirectory as NSString).appendingPathComponent(name)
                if file.hasPrefix(DurableFile.temporaryPrefix) {
                    listing.temporaries.append(path)
                } else if file.hasSuffix(".eml.gz"), ArchiveLayout.isValidID(String(file.dropLast(7))) {
                    listing.messages[String(file.dropLast(7))] = path
                } else if file.hasSuffix(".json"), ArchiveLayout.isValidID(String(file.dropLast(5))) {
                    listing.metadata[String(file.dropLast(5))] = path
                }
            }
        }
        if let names = try? fileManager.contentsOfDirectory(atPath: layout.writersDirectory) {
            listing.writers = names.map { (layout.writersDirectory as NSString).appendingPathComponent($0) }
        }
        listing.temporaries.sort()
        return listing
    }

    /// The index's entries, or `nil` when it is missing or damaged.
    static func readSnapshot(_ layout: ArchiveLayout) -> [String: ArchiveEntry]? {
        guard let bytes = try? DurableFile.readAll(layout.indexPath),
            let snapshot = try? decoder.decode(Snapshot.self, from: Data(bytes)),
            snapshot.format == format
        else { return nil }
        return Dictionary(snapshot.entries.map { ($0.id, $0) }, uniquingKeysWith: { $0.revision >= $1.revision ? $0 : $1 })
    }

    /// Replaces `index.json` atomically.
    static func write(_ entries: [String: ArchiveEntry], to layout: ArchiveLayout) throws {
        let sorted = entries.values.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        let data = try encoder.encode(Snapshot(format: format, entries: sorted))
        try DurableFile.writeAtomically(Array(data), to: layout.indexPath)
    }

    /// The entries as the files say: each metadata file, or for a message without a readable one,
    /// an entry recovered from the message itself.
    static func rebuild(_ layout: ArchiveLayout, from listing: Listing) -> [String: ArchiveEntry] {
        var entries: [String: ArchiveEntry] = [:]
        for id in listing.ids {
            if let path = listing.metadata[id], let entry = readMetadata(path), entry.id == id {
                entries[id] = entry
            } else if let path = listing.messages[id] {
                entries[id] = recover(id: id, messageAt: path)
            }
        }
        return entries
    }

    /// A metadata file's entry, or `nil` when it does not decode.
    static func readMetadata(_ path: String) -> ArchiveEntry? {
        guard let bytes = try? DurableFile.readAll(path) else { return nil }
        return try? decoder.decode(ArchiveEntry.self, from: Data(bytes))
    }

    /// An entry for a message whose metadata was never written, read from its own headers; its
    /// outcome is unknown, so it is pending. A file that does not decompress gets an entry that
    /// `verify` reports as corrupt.
    static func recover(id: String, messageAt path: String) -> ArchiveEntry {
        let compressed = (try? DurableFile.readAll(path)) ?? []
        let bytes = try? GzipDecoder.decompress(compressed, expectedSize: nil, id: id)
        let head = MessageHead(bytes?.prefix(64 * 1024) ?? [])
        let recipients = ["to", "cc"].flatMap { head[$0].map(addresses(in:)) ?? [] }
        return ArchiveEntry(
            id: id,
            messageID: head["message-id"],
            providerID: nil,
            date: ArchiveLayout.date(ofID: id) ?? Date(timeIntervalSince1970: 0),
            from: head["from"] ?? "",
            recipients: recipients,
            subject: head["subject"] ?? "",
            tags: [],
            size: bytes?.count ?? 0,
            compressedSize: compressed.count,
            sha256: bytes.map(GzipDecoder.sha256) ?? "",
            state: .pending
        )
    }

    /// The addresses in an address-list header value, lowercased (`Name <a@b>` or bare `a@b`).
    static func addresses(in value: String) -> [String] {
        value.split(separator: ",").compactMap { part in
            if let open = part.lastIndex(of: "<"), let close = part.lastIndex(of: ">"), open < close {
                return part[part.index(after: open)..<close].lowercased()
            }
            let bare = part.trimmingCharacters(in: .whitespaces)
            return bare.contains("@") ? bare.lowercased() : nil
        }
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
