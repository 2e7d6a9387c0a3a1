import Foundation
import Mailroom

/// What the store's directory holds, read from the files alone: for `verify`, `reindex`, `prune`
/// and the migration from the first layout. Every function blocks.
enum ArchiveScan {
    /// The files found, by kind.
    struct Listing {
        /// Message files by archive id.
        var messages: [String: String] = [:]
        /// Temporary files of writes that did not finish (or are under way).
        var temporaries: [String] = []
        /// The first layout's `index.json` and metadata files.
        var legacy: [String] = []

        mutating func add(_ other: Listing) {
            messages.merge(other.messages) { first, _ in first }
            temporaries += other.temporaries
            legacy += other.legacy
        }
    }

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
            } else if file.hasSuffix(".eml.gz"), ArchiveID.isValid(String(file.dropLast(7))) {
                listing.messages[String(file.dropLast(7))] = path
            } else if file == "index.json" || (file.hasSuffix(".json") && ArchiveID.isValid(String(file.dropLast(5)))) {
                listing.legacy.append(path)
            }
        }
        listing.temporaries.sort()
        listing.legacy.sort()
        return listing
    }

    /// The files in every day folder.
    static func listAll(_ layout: ArchiveLayout) -> Listing {
        var listing = Listing()
        for day in days(layout) { listing.add(list(day)) }
        return listing
    }

    /// An entry for a message file the index lacks, read from the message itself, and its body
    /// text. Its outcome and tags are not in the file, so it is pending without tags, at revision 0
    /// (the record that wrote it, if still under way, replaces it with its own). A file that
    /// does not decompress gets an entry that `verify` reports as corrupt.
    static func recover(id: String, messageAt path: String) -> (entry: ArchiveEntry, body: String) {
        let compressedSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let bytes = try? GzipDecoder.contents(fileAt: path, id: id)
        let head = MIMEHeaderFields(Array(bytes?.prefix(64 * 1024) ?? []))
        let recipients = ["To", "Cc"].flatMap { name in
            head.value(name).flatMap { try? EmailAddress.list($0, field: name) }?.map { $0.mailbox.lowercased() } ?? []
        }
        let entry = ArchiveEntry(
            id: id,
            messageID: head.value("Message-ID"),
            providerID: nil,
            date: ArchiveID.date(of: id) ?? Date(timeIntervalSince1970: 0),
            from: head.value("From") ?? "",
            recipients: recipients,
            subject: head.value("Subject").map(MIMEReader.decodeHeader) ?? "",
            tags: [],
            size: bytes?.count ?? 0,
            compressedSize: compressedSize,
            sha256: bytes.map(GzipDecoder.sha256) ?? "",
            state: .pending,
            revision: 0
        )
        return (entry, bytes.map(ArchiveText.body(ofMessage:)) ?? "")
    }
}
