/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `MIMEMessage` and `MailroomError` appear in this file's public API.
public import Mailroom
/// Public because `NIOThreadPool` appears in this file's public API.
public import NIOPosix

/// An ``ArchiveStore`` in a directory: one gzip file per message, readable with `zcat` and valid as
/// `.eml`, in date-partitioned folders, with a crash-safe index per day.
///
/// ```
/// messages/2026/11/21/20261121-093000-4f1c2a9e7b3d.eml.gz    the message
/// messages/2026/11/21/20261121-093000-4f1c2a9e7b3d.json      its metadata (its index entry)
/// messages/2026/11/21/index.json                             the day's entries, for queries
/// index.lock                                                 serialises index writers
/// ```
///
/// Every file is written to a temporary name, synced, and renamed into place (its folder synced
/// too), so after a crash each is either complete or absent. A message is written first, then the
/// day's index, then its metadata file; so the index is never older than the metadata, and a
/// message the index lacks (a crash between the first two steps) is found when the day is next
/// opened and indexed from its own headers as pending. A day's index that is missing or damaged
/// is rebuilt from the metadata files. Blocking file work runs on a `NIOThreadPool`
/// (``Configuration-swift.struct/threadPool``), not on the concurrency pool. Any number of tasks in one process may write at once, and their index
/// writes are grouped; writers in other processes merge rather than overwrite, under a file lock.
///
/// ```swift
/// let store = try FileArchiveStore(directory: "/var/lib/acme/mail-archive")
/// let entries = try await store.entries(matching: ArchiveQuery(recipient: "zoe@example.com"))
/// let bytes = try await store.contents(of: entries[0].id)      // verified against its SHA-256
/// ```
public final class FileArchiveStore: ArchiveStore {
    /// The local outbox's directory when none is configured, `.mailroom/outbox` (relative to the
    /// working directory), shared by the CLI, the adapters and the samples.
    public static let defaultOutboxDirectory = ".mailroom/outbox"

    /// How messages are compressed and timed.
    public struct Configuration: Sendable {
        /// The zlib level, 0 (store only) to 9 (smallest). Default 6, as `gzip` uses.
        public var compressionLevel: Int
        /// The clock that dates new messages. Default: the system clock.
        public var now: @Sendable () -> Date
        /// Where the blocking file work (compression, writes, `fsync`) runs. It waits on the disk
        /// more than it computes, so a pool with more threads than cores lets concurrent sends
        /// share disk flushes. The store borrows it and never shuts it down. Default
        /// `NIOThreadPool.singleton` (one thread per core).
        public var threadPool: NIOThreadPool

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - compressionLevel: 0 to 9. Default 6.
        ///   - now: The clock. Default: the system clock.
        ///   - threadPool: Where file work runs. Default `NIOThreadPool.singleton`.
        public init(compressionLevel: Int = 6, now: @escaping @Sendable () -> Date = { Date() }, threadPool: NIOThreadPool = .singleton) {
            self.compressionLevel = compressionLevel
            self.now = now
            self.threadPool = threadPool
        }
    }

    /// The store's directory.
    public let directory: String
    /// How it compresses and dates messages.
    public let configuration: Configuration

    private let layout: ArchiveLayout
    private let index: ArchiveIndex
    /// Uncompressed bytes gathered before handing them to the compressor on the thread pool.
    private static let writeBatchSize = 256 * 1024

    /// Opens (lazily: nothing is read or created until first used) the store in `directory`.
    ///
    /// - Parameters:
    ///   - directory: The store's directory; created with the first message.
    ///   - configuration: Compression level and clock.
    /// - Throws: `MailroomError.Code.invalidValue` naming `compressionLevel` outside 0...9, or
    ///   `directory` when it is empty.
    public init(directory: String, configuration: Configuration = Configuration()) throws {
        guard !directory.isEmpty else { throw MailroomError.invalidValue(field: "directory", "the archive directory is empty") }
        guard (0...9).contains(configuration.compressionLevel) else {
            throw MailroomError.invalidValue(field: "compressionLevel", "\(configuration.compressionLevel) is not a zlib level; use 0 to 9")
        }
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.directory = absolute
        self.configuration = configuration
        self.layout = ArchiveLayout(root: absolute)
        self.index = ArchiveIndex(layout: layout, threadPool: configuration.threadPool)
    }

    /// Compresses and stores `message`, indexes it, then writes its metadata file beside it.
    public func record(_ message: MIMEMessage, details: ArchiveDetails, outcome: ArchiveOutcome?, logger: Logger) async throws -> ArchiveEntry {
        let now = configuration.now()
        let date = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let id = ArchiveLayout.makeID(date: date)
        var logger = logger
        logger[metadataKey: "mailroom.archive.id"] = "\(id)"

        // Read the index before the message file exists, or opening it would find a message it
        // lacks and rebuild the day.
        try await Self.storageErrors { try await index.load() }
        let (size, compressedSize, sha256) = try await Self.storageErrors { try await writeMessage(message, id: id) }
        let recorded = ArchiveEntry(
            id: id,
            messageID: message.messageID,
            providerID: nil,
            date: date,
            from: details.from,
            recipients: details.recipients,
            subject: details.subject,
            tags: details.tags,
            size: size,
            compressedSize: compressedSize,
            sha256: sha256,
            state: .pending,
            revision: outcome == nil ? 1 : 0  // settling below makes it 1: one write either way
        )
        let entry = outcome.map(recorded.settled) ?? recorded
        do {
            try await index.commit(entry)
        } catch {
            // Not indexed, so not recorded: take the message file back rather than leave it to be
            // found and indexed as pending later.
            let path = layout.messagePath(for: id)
            _ = try? await configuration.threadPool.runIfActive { try DurableFile.remove(path) }
            throw MailroomError.archive(error)
        }
        await writeMetadata(entry, logger: logger)
        logger.debug("archived message", metadata: ["mailroom.archive.state": "\(entry.state)", "mailroom.archive.bytes": "\(entry.size)"])
        return entry
    }

    /// Indexes the message's new state, then rewrites its metadata file.
    public func settle(_ id: String, outcome: ArchiveOutcome, logger: Logger) async throws -> ArchiveEntry {
        let settled = try await existingEntry(id).settled(outcome)
        try await Self.storageErrors { try await index.commit(settled) }
        await writeMetadata(settled, logger: logger)
        return settled
    }

    /// The matching entries, oldest first.
    public func entries(matching query: ArchiveQuery) async throws -> [ArchiveEntry] {
        try await index.all().filter(query.matches)
    }

    /// The message's bytes, decompressed and checked against its recorded size and SHA-256.
    ///
    /// - Throws: `MailroomError.Code.invalidValue` or `MailroomError.Code.notFound` naming `id`,
    ///   `MailroomError.Code.corrupted` when the bytes fail the check.
    public func contents(of id: String) async throws -> [UInt8] {
        let entry = try await existingEntry(id)
        let path = layout.messagePath(for: id)
        return try await configuration.threadPool.runIfActive {
            guard FileManager.default.fileExists(atPath: path) else {
                throw MailroomError(code: .corrupted, field: "id", message: "archived message '\(id)' has no message file")
            }
            return try GzipDecoder.verifiedContents(fileAt: path, entry: entry)
        }
    }

    /// Reads every message back and checks it; reports leftovers of interrupted writes and
    /// messages whose outcome or metadata was never recorded.
    public func verify() async throws -> ArchiveVerification {
        let entries = try await index.all()
        let layout = layout
        return try await configuration.threadPool.runIfActive {
            let listing = IndexFile.listAll(layout)
            var findings: [ArchiveVerification.Finding] = []
            var checked = 0
            for entry in entries {
                let path = layout.messagePath(for: entry.id)
                let relative = layout.relative(path)
                guard listing.messages[entry.id] != nil else {
                    findings.append(.init(kind: .missing, id: entry.id, path: relative, detail: "the message file is gone"))
                    continue
                }
                checked += 1
                do {
                    try GzipDecoder.verify(fileAt: path, entry: entry)
                } catch let error as MailroomError {
                    findings.append(.init(kind: .corrupt, id: entry.id, path: relative, detail: error.message))
                    continue
                }
                if listing.metadata[entry.id] == nil {
                    findings.append(.init(kind: .unrecorded, id: entry.id, path: relative, detail: "no metadata file; indexed from the message's headers"))
                } else if entry.state == .pending {
                    findings.append(.init(kind: .pending, id: entry.id, path: relative, detail: "the send's outcome was never recorded"))
                }
            }
            for temporary in listing.temporaries {
                findings.append(
                    .init(kind: .interruptedWrite, id: nil, path: layout.relative(temporary), detail: "a temporary file from a write that did not finish")
                )
            }
            return ArchiveVerification(checked: checked, findings: findings)
        }
    }

    /// Removes the messages recorded before `date`, and temporary files left by processes that are gone.
    public func prune(olderThan date: Date) async throws -> [ArchiveEntry] {
        let expired = try await index.all().filter { $0.date < date }
        let layout = layout
        // Leftovers of interrupted writes were never part of the store: no index change.
        try await Self.storageErrors {
            try await configuration.threadPool.runIfActive {
                for temporary in IndexFile.listAll(layout).temporaries {
                    let name = (temporary as NSString).lastPathComponent
                    guard let pid = DurableFile.processID(inName: name), !DurableFile.isRunning(pid) else { continue }
                    try DurableFile.remove(temporary)
                    try DurableFile.syncDirectory((temporary as NSString).deletingLastPathComponent)
                }
            }
        }
        guard !expired.isEmpty else { return [] }
        // The index first: a crash before the files are gone leaves them to be indexed again from
        // their metadata and pruned next time, never an index entry without its message.
        try await Self.storageErrors { try await index.remove(expired.map(\.id)) }
        try await Self.storageErrors {
            try await configuration.threadPool.runIfActive {
                var directories: Set<String> = []
                for entry in expired {
                    try DurableFile.remove(layout.metadataPath(for: entry.id))
                    try DurableFile.remove(layout.messagePath(for: entry.id))
                    directories.insert(layout.directory(for: entry.id))
                }
                for directory in directories {
                    try DurableFile.syncDirectory(directory)
                    Self.removeEmptyDirectories(from: directory, upTo: layout.messagesDirectory)
                }
            }
        }
        return expired
    }

    // MARK: Writing

    private func writeMessage(_ message: MIMEMessage, id: String) async throws -> (size: Int, compressedSize: Int, sha256: String) {
        let layout = layout
        let level = configuration.compressionLevel
        let writer = try await configuration.threadPool.runIfActive {
            try DurableFile.makeDirectory(layout.directory(for: id))
            return try GzipFileWriter(finalPath: layout.messagePath(for: id), compressionLevel: level)
        }
        do {
            var batch: [[UInt8]] = []
            var batchSize = 0
            for try await chunk in message {
                batch.append(chunk)
                batchSize += chunk.count
                if batchSize >= Self.writeBatchSize {
                    let full = batch
                    try await configuration.threadPool.runIfActive { try writer.append(full) }
                    batch.removeAll(keepingCapacity: true)
                    batchSize = 0
                }
            }
            let last = batch
            let sha256 = try await configuration.threadPool.runIfActive {
                try writer.append(last)
                return try writer.finish()
            }
            return (writer.size, writer.compressedSize, sha256)
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Writes the metadata file beside the message. The index already holds the entry, so a
    /// failure here is logged, not thrown: the message is recorded, and `verify` lists it as
    /// having no metadata file.
    private func writeMetadata(_ entry: ArchiveEntry, logger: Logger) async {
        let path = layout.metadataPath(for: entry.id)
        do {
            let data = try IndexFile.encoder.encode(entry)
            try await configuration.threadPool.runIfActive { try DurableFile.writeAtomically(Array(data), to: path) }
        } catch {
            logger.warning("archive metadata file not written; the index holds the entry", metadata: ["mailroom.error": "\(error)"])
        }
    }

    private func existingEntry(_ id: String) async throws -> ArchiveEntry {
        guard ArchiveLayout.isValidID(id) else {
            throw MailroomError.invalidValue(field: "id", "'\(id.prefix(60))' is not an archive id (like 20261121-093000-4f1c2a9e7b3d)")
        }
        guard let entry = try await index.entry(id) else {
            throw MailroomError(code: .notFound, field: "id", message: "no archived message '\(id)' in \(directory)")
        }
        return entry
    }

    private static func removeEmptyDirectories(from directory: String, upTo root: String) {
        var current = directory
        while current.hasPrefix(root + "/"), (try? FileManager.default.contentsOfDirectory(atPath: current))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: current)
            current = (current as NSString).deletingLastPathComponent
        }
    }

    /// Runs `body`, turning any failure into a storage error.
    private static func storageErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw MailroomError.archive(error)
        }
    }

}
