/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `MIMEMessage` and `MailroomError` appear in this file's public API.
public import Mailroom
/// Public because `NIOThreadPool` appears in this file's public API.
public import NIOPosix
import MailroomSQLite
import NIOConcurrencyHelpers
import SQLiteNIO

/// An ``ArchiveStore`` in a directory: one gzip file per message, readable with `zcat` and valid as
/// `.eml`, in date-partitioned folders, and an index in one SQLite file beside them.
///
/// ```
/// messages/2026/11/21/20261121-093000-4f1c2a9e7b3d.eml.gz    the message
/// archive.sqlite                                             entries, outcomes, full-text index (WAL)
/// ```
///
/// `record` writes the message under a temporary name, flushes it and renames it into place, then
/// commits its row; `settle` updates the row. Concurrent records share the work: their folders are
/// flushed once and their rows committed in one transaction (group commit).
/// ``Configuration-swift.struct/durability`` says what survives a crash. Several processes (the
/// app, `mailroom archive`, a second instance on the host) share one store and see each other's
/// entries at once: SQLite's WAL mode lets readers read while one writer commits. Queries,
/// paging, counts and full-text search run in the database, so opening the store and looking a
/// message up take the same time however large it is. An archive written in the first layout
/// (a per-day `index.json` and a metadata file per message) is migrated when it is first opened.
/// Blocking file work runs on a `NIOThreadPool` (``Configuration-swift.struct/threadPool``), not
/// on the concurrency pool.
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

    /// How messages are compressed, dated and made durable.
    public struct Configuration: Sendable {
        /// The zlib level, 0 (store only) to 9 (smallest). Default 6, as `gzip` uses.
        public var compressionLevel: Int
        /// What a returned `record` survives. Default ``ArchiveDurability/full``.
        public var durability: ArchiveDurability
        /// How long a write waits for another process's transaction before failing with a
        /// transient `storage` error. Default 5 seconds.
        public var busyTimeout: Duration
        /// The clock that dates new messages. Default: the system clock.
        public var now: @Sendable () -> Date
        /// Where the blocking file and SQLite work runs. The store borrows it and never shuts it
        /// down. Default `NIOThreadPool.singleton` (one thread per core).
        public var threadPool: NIOThreadPool

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - compressionLevel: 0 to 9. Default 6.
        ///   - durability: Default ``ArchiveDurability/full``.
        ///   - busyTimeout: Default 5 seconds.
        ///   - now: The clock. Default: the system clock.
        ///   - threadPool: Where file work runs. Default `NIOThreadPool.singleton`.
        public init(
            compressionLevel: Int = 6,
            durability: ArchiveDurability = .full,
            busyTimeout: Duration = .seconds(5),
            now: @escaping @Sendable () -> Date = { Date() },
            threadPool: NIOThreadPool = .singleton
        ) {
            self.compressionLevel = compressionLevel
            self.durability = durability
            self.busyTimeout = busyTimeout
            self.now = now
            self.threadPool = threadPool
        }
    }

    /// The store's directory.
    public let directory: String
    /// How it compresses and dates messages.
    public let configuration: Configuration

    private let layout: ArchiveLayout
    private let database: ArchiveDatabase
    /// Records under way in this store: one alone flushes its own folder in the trip to the pool
    /// that puts its file in place, rather than in a trip of the group commit's.
    private let recording = NIOLockedValueBox(0)
    /// Uncompressed bytes gathered before handing them to the compressor on the thread pool.
    private static let writeBatchSize = 256 * 1024

    /// Opens (lazily: nothing is read or created until first used) the store in `directory`.
    ///
    /// - Parameters:
    ///   - directory: The store's directory; created with the first message.
    ///   - configuration: Compression level, durability, clock and thread pool.
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
        self.database = ArchiveDatabase(
            layout: layout, durability: configuration.durability, busyTimeout: configuration.busyTimeout, threadPool: configuration.threadPool
        )
    }

    /// Closes the index's connections (a store dropped without it closes them too); a later call
    /// opens them again.
    ///
    /// - Throws: `MailroomError.Code.storage` when SQLite cannot close the file.
    public func close() async throws {
        try await database.close()
    }

    /// Opens the store in `directory`, runs `body` with it, and closes it afterwards, also when
    /// `body` throws: what a script or a command does.
    ///
    /// - Parameters:
    ///   - directory: The store's directory.
    ///   - configuration: Durability, compression and the clock.
    ///   - body: The work to do with the store.
    /// - Returns: What `body` returns.
    public static func withStore<Result: Sendable>(
        directory: String,
        configuration: Configuration = Configuration(),
        _ body: (FileArchiveStore) async throws -> Result
    ) async throws -> Result {
        let store = try FileArchiveStore(directory: directory, configuration: configuration)
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// Compresses `message` into its file, flushes it into place, and commits its row.
    public func record(_ message: MIMEMessage, details: ArchiveDetails, outcome: ArchiveOutcome?, logger: Logger) async throws -> ArchiveEntry {
        let now = configuration.now()
        let date = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let id = ArchiveID.make(date: date)
        var logger = logger
        logger[metadataKey: "mailroom.archive.id"] = "\(id)"

        recording.withLockedValue { $0 += 1 }
        defer { recording.withLockedValue { $0 -= 1 } }
        let written = try await Self.storageErrors { try await writeMessage(message, id: id, readingText: details.text == nil) }
        let recorded = ArchiveEntry(
            id: id,
            messageID: message.messageID,
            providerID: nil,
            date: date,
            from: details.from,
            recipients: details.recipients,
            subject: details.subject,
            tags: details.tags,
            size: written.writer.size,
            compressedSize: written.writer.compressedSize,
            sha256: written.sha256,
            state: .pending,
            revision: outcome == nil ? 1 : 0  // settling below makes it 1: one write either way
        )
        let entry = outcome.map(recorded.settled) ?? recorded
        let body = details.text ?? ArchiveText.body(ofMessage: written.head)
        let stored = try await database.record(.init(entry: entry, body: body, path: written.writer.finalPath, folderSynced: written.folderSynced))
        logger.debug("archived message", metadata: ["mailroom.archive.state": "\(stored.state)", "mailroom.archive.bytes": "\(stored.size)"])
        return stored
    }

    /// Commits the message's new state.
    public func settle(_ id: String, outcome: ArchiveOutcome, logger: Logger) async throws -> ArchiveEntry {
        try ArchiveID.check(id)
        guard try await database.database(creating: false) != nil else { throw notFound(id) }
        return try await database.settle(id, outcome: outcome)
    }

    /// The matching entries, newest first (best matches first for a text search).
    ///
    /// - Throws: `MailroomError.Code.invalidValue` naming the query's field that cannot be a
    ///   condition (an id that is not one, a search without words, a limit below 1).
    public func entries(matching query: ArchiveQuery) async throws -> [ArchiveEntry] {
        let (sql, binds) = try query.selectStatement()
        guard let database = try await database.database(creating: false) else { return [] }
        return try await database.read(sql, binds).map(ArchiveSchema.entry)
    }

    /// How many entries match `query`, paging ignored.
    public func count(matching query: ArchiveQuery) async throws -> Int {
        let (sql, binds) = try query.countStatement()
        guard let database = try await database.database(creating: false) else { return 0 }
        return try await database.read(sql, binds).first?.column("count")?.integer ?? 0
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

    /// Reads every message back and compares the files with the index: a row without its file
    /// (missing), a file that fails its check (corrupt), a file without a row (orphaned), the
    /// leftovers of interrupted writes, and sends whose outcome was never recorded.
    public func verify() async throws -> ArchiveVerification {
        let entries = try await entries(matching: ArchiveQuery())
        let layout = layout
        return try await configuration.threadPool.runIfActive {
            let listing = ArchiveScan.listAll(layout)
            var findings: [ArchiveVerification.Finding] = []
            var checked = 0
            for entry in entries.reversed() {
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
                if entry.state == .pending {
                    findings.append(.init(kind: .pending, id: entry.id, path: relative, detail: "the send's outcome was never recorded"))
                }
            }
            let indexed = Set(entries.map(\.id))
            for (id, path) in listing.messages.sorted(by: { $0.key < $1.key }) where !indexed.contains(id) {
                findings.append(
                    .init(kind: .orphaned, id: id, path: layout.relative(path), detail: "a message file the index does not list; `reindex` indexes it as pending")
                )
            }
            for temporary in listing.temporaries {
                findings.append(
                    .init(kind: .interruptedWrite, id: nil, path: layout.relative(temporary), detail: "a temporary file from a write that did not finish")
                )
            }
            return ArchiveVerification(checked: checked, findings: findings)
        }
    }

    /// Rebuilds the index from the message files: every file the index does not list is indexed
    /// from its own headers as pending (its outcome and tags are not in the file). An index that
    /// is damaged (not an SQLite database, or failing SQLite's integrity check) is moved aside as
    /// `archive.sqlite.damaged-…` and rebuilt from the files alone.
    ///
    /// - Returns: The entries added.
    /// - Throws: `MailroomError.Code.storage` when the files or the index cannot be read or written.
    public func reindex() async throws -> [ArchiveEntry] {
        let layout = layout
        let threadPool = configuration.threadPool
        var opened: SQLiteDatabaseFile?
        var failure: (any Error)?
        do {
            let database = try await database.database()
            let check = try await database.read("PRAGMA quick_check").first?.column("quick_check")?.string
            if check == "ok" { opened = database }
        } catch {
            failure = error
        }
        if opened == nil {
            // Opened but failing its check is damage; failing to open is damage only when the file
            // is not an SQLite database at all (a locked or unreadable file is left alone).
            try? await database.close()
            let openedButFailedCheck = failure == nil
            let moved = try await threadPool.runIfActive { try Self.moveAsideDamagedIndex(layout, evenIfSQLite: openedButFailedCheck) }
            if !moved, let failure { throw MailroomError.archive(failure) }
            // Opening the new index indexes every file: all of its entries were added.
            _ = try await database.database()
            return try await entries(matching: ArchiveQuery())
        }
        guard let opened else { throw MailroomError(code: .storage, field: "archive", message: "the archive index could not be opened") }
        return try await opened.write(synchronous: .full) { transaction in
            let known = Set(try await transaction.query("SELECT id FROM messages").compactMap { $0.column("id")?.string })
            let rows = try await threadPool.runIfActive { try ArchiveDatabase.filesToIndex(layout, skipping: known) }
            try await ArchiveDatabase.insert(rows, in: transaction)
            let added = try ArchiveSchema.json(rows.map(\.id))
            return try await transaction.query(
                "SELECT \(ArchiveSchema.entryColumns) FROM messages m WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id DESC", [.text(added)]
            ).map(ArchiveSchema.entry)
        }
    }

    /// Removes the messages recorded before `date`: their rows first, then their files. A crash in
    /// between leaves files the index does not list, which `verify` reports as orphaned (not
    /// damage) and the next prune removes. Also removes orphaned files older than `date` and the
    /// temporary files of processes that are gone.
    public func prune(olderThan date: Date) async throws -> [ArchiveEntry] {
        guard let database = try await database.database(creating: false) else { return [] }
        let cutoff = date.timeIntervalSince1970
        let expired = try await database.write(synchronous: .full) { transaction in
            try await transaction.query("DELETE FROM messages WHERE date < ? RETURNING \(ArchiveSchema.returnedColumns)", [.float(cutoff)])
                .map(ArchiveSchema.entry)
        }
        let layout = layout
        let remaining = Set(try await database.read("SELECT id FROM messages WHERE date < ?", [.float(cutoff)]).compactMap { $0.column("id")?.string })
        try await Self.storageErrors {
            try await configuration.threadPool.runIfActive {
                let listing = ArchiveScan.listAll(layout)
                var directories: Set<String> = []
                // Rows just deleted, and files no row lists (a record stopped before its commit,
                // or an earlier prune stopped before its files), unless a row was added meanwhile.
                for (id, path) in listing.messages where !remaining.contains(id) && (ArchiveID.date(of: id)?.timeIntervalSince1970 ?? .infinity) < cutoff {
                    try DurableFile.remove(path)
                    directories.insert(layout.directory(for: id))
                }
                for temporary in listing.temporaries {
                    let name = (temporary as NSString).lastPathComponent
                    guard let pid = DurableFile.processID(inName: name), !DurableFile.isRunning(pid) else { continue }
                    try DurableFile.remove(temporary)
                    directories.insert((temporary as NSString).deletingLastPathComponent)
                }
                for directory in directories.sorted() {
                    try DurableFile.syncDirectory(directory)
                    Self.removeEmptyDirectories(from: directory, upTo: layout.messagesDirectory)
                }
            }
        }
        return expired.sorted { $0.id > $1.id }
    }

    // MARK: Writing

    /// Compresses the message into a temporary file, ends it and renames it into place (synced
    /// first when the durability flushes). A record alone in the store also flushes the folder in
    /// that trip; otherwise the database's group commit flushes it, once for every record in the
    /// group. Keeps the first bytes when the body's text must be read from them.
    private func writeMessage(
        _ message: MIMEMessage,
        id: String,
        readingText: Bool
    ) async throws -> (writer: GzipFileWriter, sha256: String, head: [UInt8], folderSynced: Bool) {
        let layout = layout
        let level = configuration.compressionLevel
        let threadPool = configuration.threadPool
        // The file is created with the first batch: a small message costs one trip to the pool.
        let opened = WriterBox()
        @Sendable func writer() throws -> GzipFileWriter {
            if let writer = opened.writer { return writer }
            try DurableFile.makeDirectory(layout.directory(for: id))
            let writer = try GzipFileWriter(finalPath: layout.messagePath(for: id), compressionLevel: level)
            opened.writer = writer
            return writer
        }
        do {
            var batch: [[UInt8]] = []
            var batchSize = 0
            var head: [UInt8] = []
            for try await chunk in message {
                if readingText && head.count < ArchiveText.scanLimit { head += chunk.prefix(ArchiveText.scanLimit - head.count) }
                batch.append(chunk)
                batchSize += chunk.count
                if batchSize >= Self.writeBatchSize {
                    let full = batch
                    try await threadPool.runIfActive { try writer().append(full) }
                    batch.removeAll(keepingCapacity: true)
                    batchSize = 0
                }
            }
            let last = batch
            let flushes = configuration.durability.flushes
            let recording = recording
            let (ended, sha256, folderSynced) = try await threadPool.runIfActive {
                let writer = try writer()
                try writer.append(last)
                let sha256 = try writer.end()
                try writer.commit(syncing: flushes)
                // Alone, this record's folder is flushed here, sparing the group commit a trip.
                let alone = flushes && recording.withLockedValue { $0 == 1 }
                if alone {
                    do {
                        try DurableFile.syncDirectory(layout.directory(for: id))
                    } catch {
                        try? DurableFile.remove(writer.finalPath)  // in place but not recorded
                        throw error
                    }
                }
                return (writer, sha256, alone)
            }
            return (ended, sha256, head, folderSynced)
        } catch {
            opened.writer?.abandon()
            throw error
        }
    }

    /// The writer once created; set and read on the pool, one step at a time (each awaited).
    private final class WriterBox: @unchecked Sendable {
        var writer: GzipFileWriter?
    }

    private func existingEntry(_ id: String) async throws -> ArchiveEntry {
        try ArchiveID.check(id)
        guard let entry = try await entries(matching: ArchiveQuery(id: id)).first else { throw notFound(id) }
        return entry
    }

    private func notFound(_ id: String) -> MailroomError {
        MailroomError(code: .notFound, field: "id", message: "no archived message '\(id)' in \(directory)")
    }

    /// Moves a damaged index (and its WAL files) aside so that a new one is built from the files;
    /// `false` when there is none, or when it starts as an SQLite database and `evenIfSQLite` is
    /// false.
    private static func moveAsideDamagedIndex(_ layout: ArchiveLayout, evenIfSQLite: Bool) throws -> Bool {
        let path = layout.databasePath
        guard FileManager.default.fileExists(atPath: path) else { return false }
        let header = Array(FileHandle(forReadingAtPath: path)?.readData(ofLength: 16) ?? Data())
        if header == Array("SQLite format 3\0".utf8), !evenIfSQLite { return false }
        let suffix = ".damaged-\(Int(Date().timeIntervalSince1970))"
        for extra in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + extra) {
            try DurableFile.move(path + extra, to: path + suffix + extra)
        }
        try DurableFile.syncDirectory(layout.root)
        return true
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
