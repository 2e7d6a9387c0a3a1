import Foundation
import Logging
import Mailroom
import MailroomSQLite
import NIOPosix
import SQLiteNIO

/// A ``FileArchiveStore``'s SQLite index, opened on first use, and its group commit.
///
/// A record or settle that finds no flush under way is flushed at once by its own caller: one at a
/// time, an operation costs its statement and nothing more (no task, no queue). Those that arrive
/// while a flush runs are queued, and the next flush takes them all: it flushes the folders of the
/// new message files (each folder once; each file was synced by its record) while it commits the
/// queued outcomes in one statement, then commits all the records' rows in another. So under load a
/// burst of records shares a few folder flushes and index commits.
actor ArchiveDatabase {
    /// A message file written, synced as the durability asks and renamed into place (at `path`),
    /// and its entry, whose row is not committed yet. `folderSynced` says that the record flushed
    /// its folder itself (it was alone), so the group commit need not.
    struct PendingRecord: Sendable {
        var entry: ArchiveEntry
        var body: String
        var path: String
        var folderSynced: Bool
    }

    private enum Operation: Sendable {
        case record(PendingRecord)
        case settle(id: String, outcome: ArchiveOutcome)
    }

    /// An operation and where its result goes: a queued caller's continuation, or the result the
    /// flushing caller reads when its flush is done.
    private struct Job {
        var operation: Operation
        var finish: (Result<ArchiveEntry, any Error>) -> Void

        func succeed(_ entry: ArchiveEntry) { finish(.success(entry)) }
        func fail(_ error: any Error) { finish(.failure(error)) }
    }

    private let layout: ArchiveLayout
    private let durability: ArchiveDurability
    private let busyTimeout: Duration
    private let threadPool: NIOThreadPool
    private var opening: Task<SQLiteDatabaseFile, any Error>?
    private var queue: [Job] = []
    private var isFlushing = false
    /// Entries this store recorded as pending and has not settled, so that settling one needs no
    /// read back of its row (see ``ArchiveSchema/settleKnown``). Bounded: a send never concluded
    /// leaves its entry here, and past the bound new ones are not kept (their settles read back).
    private var unsettled: [String: ArchiveEntry] = [:]
    private static let unsettledLimit = 10_000

    init(layout: ArchiveLayout, durability: ArchiveDurability, busyTimeout: Duration, threadPool: NIOThreadPool) {
        self.layout = layout
        self.durability = durability
        self.busyTimeout = busyTimeout
        self.threadPool = threadPool
    }

    // MARK: Opening

    /// The open index, or `nil` when the store was never written and `creating` is false (so a
    /// read creates nothing).
    func database(creating: Bool) async throws -> SQLiteDatabaseFile? {
        if let opening { return try await opening.value }
        let layout = layout
        guard creating || FileManager.default.fileExists(atPath: layout.databasePath) || FileManager.default.fileExists(atPath: layout.messagesDirectory) else {
            return nil
        }
        let (durability, busyTimeout, threadPool) = (durability, busyTimeout, threadPool)
        let task = Task { try await Self.open(layout: layout, durability: durability, busyTimeout: busyTimeout, threadPool: threadPool) }
        opening = task
        do {
            return try await task.value
        } catch {
            opening = nil
            throw MailroomError.archive(error)
        }
    }

    /// The open index, created when needed.
    func database() async throws -> SQLiteDatabaseFile {
        guard let database = try await database(creating: true) else {
            throw MailroomError(code: .storage, field: "archive", message: "the archive index could not be opened")
        }
        return database
    }

    /// Closes the index; the next use opens it again.
    func close() async throws {
        guard let opening else { return }
        self.opening = nil
        try await (try? opening.value)?.close()
    }

    /// Opens the file, applies the schema, and indexes the files already there the first time
    /// (an archive in the first layout, or one whose index was lost): a flag in the database says
    /// it was done, so opening a large archive reads nothing but that flag.
    private static func open(layout: ArchiveLayout, durability: ArchiveDurability, busyTimeout: Duration, threadPool: NIOThreadPool) async throws -> SQLiteDatabaseFile {
        try await threadPool.runIfActive { try DurableFile.makeDirectory(layout.root) }
        let database = try await SQLiteDatabaseFile.open(
            path: layout.databasePath,
            migrations: ArchiveSchema.migrations,
            busyTimeout: busyTimeout,
            synchronous: durability.flushes ? .full : .normal,
            // A checkpoint flushes the WAL and the database (two flushes): every 4,000 pages (16 MB
            // of WAL) rather than SQLite's 1,000, so that they add little to a record's three.
            walPagesPerCheckpoint: 4_000,
            threadPool: threadPool,
            logger: Logger(label: "mailroom.archive.sqlite", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        do {
            if try await database.read(ArchiveSchema.isIndexed).isEmpty {
                try await database.write(synchronous: .full) { transaction in
                    // Checked again under the write lock: another process may have done it.
                    guard try await transaction.query(ArchiveSchema.isIndexed).isEmpty else { return }
                    let rows = try await threadPool.runIfActive { try filesToIndex(layout, skipping: []) }
                    try await insert(rows, in: transaction)
                    _ = try await transaction.query(ArchiveSchema.markIndexed)
                }
            }
            if ArchiveMigration.hasLegacyFiles(layout) {
                try await threadPool.runIfActive { try ArchiveMigration.removeLegacyFiles(layout) }
            }
            return database
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// Rows for the message files whose ids are not in `known`: the first layout's entry when
    /// there is one, else an entry recovered from the file (revision 0, so a record under way in
    /// another process still wins with its own).
    static func filesToIndex(_ layout: ArchiveLayout, skipping known: Set<String>) throws -> [ArchiveSchema.Row] {
        let listing = ArchiveScan.listAll(layout)
        let legacy = ArchiveMigration.entries(in: listing)
        return listing.messages.keys.sorted().filter { !known.contains($0) }.compactMap { id in
            guard let path = listing.messages[id] else { return nil }
            let recovered = ArchiveScan.recover(id: id, messageAt: path)
            return ArchiveSchema.Row(legacy[id] ?? recovered.entry, body: recovered.body)
        }
    }

    /// Inserts rows in groups of 500, so that no statement's JSON grows without bound.
    static func insert(_ rows: [ArchiveSchema.Row], in transaction: SQLiteDatabaseFile.Transaction) async throws {
        var start = 0
        while start < rows.count {
            let slice = Array(rows[start ..< min(start + 500, rows.count)])
            _ = try await transaction.query(ArchiveSchema.insertMany, [.text(try ArchiveSchema.json(slice))])
            start += slice.count
        }
    }

    // MARK: Group commit

    /// Puts a written message file in place and indexes it; returns once both are as durable as
    /// the store's ``ArchiveDurability`` promises.
    func record(_ pending: PendingRecord) async throws -> ArchiveEntry {
        try await submit(.record(pending))
    }

    /// Applies an outcome and returns the settled entry.
    func settle(_ id: String, outcome: ArchiveOutcome) async throws -> ArchiveEntry {
        try await submit(.settle(id: id, outcome: outcome))
    }

    /// Flushes `operation` at once when no flush is under way (the caller's own task does it, so
    /// one at a time nothing is spawned), else queues it for the next flush. A cancelled caller's
    /// operation is queued too: the flush then runs in a task of its own, which the cancellation
    /// does not reach, so that a cancelled send's outcome is still settled.
    private func submit(_ operation: Operation) async throws -> ArchiveEntry {
        guard !isFlushing, !Task.isCancelled else {
            return try await withCheckedThrowingContinuation { continuation in
                queue.append(Job(operation: operation, finish: { continuation.resume(with: $0) }))
                drainIfIdle()
            }
        }
        isFlushing = true
        var own: Result<ArchiveEntry, any Error>?
        await flush([Job(operation: operation, finish: { own = $0 })])
        isFlushing = false
        // What queued meanwhile goes out in a task of its own, so that this caller returns now.
        drainIfIdle()
        guard let own else { throw MailroomError(code: .storage, field: "archive", message: "the archive's flush ended without an outcome") }
        return try own.get()
    }

    /// Starts a task that flushes the queue, unless a flush is under way (it drains the queue itself).
    private func drainIfIdle() {
        guard !isFlushing, !queue.isEmpty else { return }
        isFlushing = true
        Task { await self.drain() }
    }

    private func drain() async {
        while !queue.isEmpty {
            var jobs: [Job] = []
            var later: [Job] = []
            var settling: Set<String> = []
            for job in queue {
                // One outcome per id per transaction: an UPDATE … FROM applies only one of several.
                if case .settle(let id, _) = job.operation, !settling.insert(id).inserted {
                    later.append(job)
                } else {
                    jobs.append(job)
                }
            }
            queue = later
            await flush(jobs)
        }
        isFlushing = false
    }

    private func flush(_ jobs: [Job]) async {
        var records: [(job: Job, pending: PendingRecord)] = []
        var settles: [(job: Job, id: String, outcome: ArchiveOutcome)] = []
        for job in jobs {
            switch job.operation {
            case .record(let pending): records.append((job, pending))
            case .settle(let id, let outcome): settles.append((job, id, outcome))
            }
        }
        let database: SQLiteDatabaseFile
        do {
            database = try await self.database()
        } catch {
            await takeBack(records, error)
            for settle in settles { settle.job.fail(MailroomError.archive(error)) }
            return
        }

        // Each file was synced and renamed into place by its own record; the folders that their
        // records did not flush (they were not alone) are flushed here, each once for the whole
        // group and while the outcomes commit, so that a row never names a file that a power cut
        // could take back.
        var placed = records
        let folders = durability.flushes ? Set(records.filter { !$0.pending.folderSynced }.map { ($0.pending.path as NSString).deletingLastPathComponent }) : []
        if folders.isEmpty {
            await commit(settles, to: database)
        } else {
            async let synced = Self.sync(folders, on: threadPool)
            await commit(settles, to: database)
            if let error = await synced {
                await takeBack(records, error)
                placed = []
            }
        }
        guard !placed.isEmpty else { return }
        do {
            try await insert(placed.map { ArchiveSchema.Row($0.pending.entry, body: $0.pending.body) }, into: database)
            for record in placed {
                let entry = record.pending.entry
                if entry.state == .pending, unsettled.count < Self.unsettledLimit { unsettled[entry.id] = entry }
                record.job.succeed(entry)
            }
        } catch {
            await takeBack(placed, error)
        }
    }

    /// Flushes `folders`; the error, if one could not be.
    private static func sync(_ folders: Set<String>, on threadPool: NIOThreadPool) async -> (any Error)? {
        do {
            try await threadPool.runIfActive { for folder in folders.sorted() { try DurableFile.syncDirectory(folder) } }
            return nil
        } catch {
            return error
        }
    }

    /// Commits the outcomes in one statement, without a flush of its own: the records' flush of the
    /// WAL, right after or in the next record's commit, covers them too.
    private func commit(_ settles: [(job: Job, id: String, outcome: ArchiveOutcome)], to database: SQLiteDatabaseFile) async {
        guard !settles.isEmpty else { return }
        let known = settles.map { unsettled.removeValue(forKey: $0.id) }
        let settlements = settles.map {
            ArchiveSchema.Settlement(id: $0.id, state: $0.outcome.state.name, providerID: $0.outcome.providerID, failure: $0.outcome.failure)
        }
        do {
            // One outcome for an entry recorded here: applied at the revision it had, nothing read back.
            if settles.count == 1, let entry = known[0],
                !(try await database.execute(synchronous: .normal, ArchiveSchema.settleKnown, settlements[0].binds(revision: entry.revision))).isEmpty
            {
                return settles[0].job.succeed(entry.settled(settles[0].outcome))
            }
            let settled = try await database.execute(
                synchronous: .normal,
                settlements.count == 1 ? ArchiveSchema.settleOne : ArchiveSchema.settleMany,
                settlements.count == 1 ? settlements[0].binds : [.text(try ArchiveSchema.json(settlements))]
            ).map(ArchiveSchema.entry)
            let byID = Dictionary(settled.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for settle in settles {
                if let entry = byID[settle.id] {
                    settle.job.succeed(entry)
                } else {
                    settle.job.fail(MailroomError(code: .notFound, field: "id", message: "no archived message '\(settle.id)' in \(layout.root)"))
                }
            }
        } catch {
            for settle in settles { settle.job.fail(MailroomError.archive(error)) }
        }
    }

    /// Fails records whose files are in place but will have no row: not indexed, so not recorded,
    /// and their files are taken back rather than left to be indexed as pending later.
    private func takeBack(_ records: [(job: Job, pending: PendingRecord)], _ error: any Error) async {
        for record in records {
            _ = try? await removeFile(record.pending.path)
            record.job.fail(MailroomError.archive(error))
        }
    }

    /// Commits the records' rows in one statement: a row alone bound as parameters, a group as
    /// JSON; either way a row already there (recovered from its file) is replaced by revision.
    private func insert(_ rows: [ArchiveSchema.Row], into database: SQLiteDatabaseFile) async throws {
        let synchronous: SQLiteDatabaseFile.Synchronous = durability.flushes ? .full : .normal
        if rows.count == 1, !(try await database.execute(synchronous: synchronous, ArchiveSchema.insertOne, rows[0].binds)).isEmpty {
            return
        }
        _ = try await database.execute(synchronous: synchronous, ArchiveSchema.insertMany, [.text(try ArchiveSchema.json(rows))])
    }

    private func removeFile(_ path: String) async throws {
        try await threadPool.runIfActive { try DurableFile.remove(path) }
    }
}
