/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `SuppressionReplica` and its values are this file's public API.
public import Mailroom
/// Public because a borrowed `NIOThreadPool` is part of the configuration.
public import NIOPosix
import SQLiteNIO

/// The local suppression mirror in one SQLite file (vapor/sqlite-nio): Mailgun's semantics, a
/// batch look-up in one query, and sync checkpoints that survive a killed process.
///
/// The file is in WAL mode, so several processes on one machine (the app, `mailroom suppressions
/// sync`, a webhook receiver) share it safely: each write is one `BEGIN IMMEDIATE` transaction,
/// readers see the last commit without waiting.
///
/// ```swift
/// let local = try await SQLiteSuppressionStore.open(path: ".mailroom/suppressions.sqlite", logger: logger)
/// let mailer = SuppressingMailer(wrapping: mailgun, store: local)     // zero network look-ups per send
/// // …
/// try await local.close()
/// ```
///
/// It is a class because every copy must share the file's connections; ``close()`` ends them
/// (a store released without it closes them as a fallback). Closing twice is harmless.
public final class SQLiteSuppressionStore: SuppressionReplica, CustomStringConvertible {
    /// How the store opens its file.
    public struct Configuration: Sendable {
        /// How long a write waits for another process's transaction before failing with a
        /// transient `storage` error. Default 5 seconds.
        public var busyTimeout: Duration
        /// The clock for entries without a date and for sync bookkeeping. Default: the system clock.
        public var now: @Sendable () -> Date
        /// The borrowed thread pool SQLite calls run on (never shut down by the store). Default
        /// `NIOThreadPool.singleton`.
        public var threadPool: NIOThreadPool

        /// Creates a configuration; every member has the default its documentation states.
        public init(busyTimeout: Duration = .seconds(5), now: @escaping @Sendable () -> Date = { Date() }, threadPool: NIOThreadPool = .singleton) {
            self.busyTimeout = busyTimeout
            self.now = now
            self.threadPool = threadPool
        }
    }

    /// The default file, relative to the working directory: `.mailroom/suppressions.sqlite`.
    public static let defaultPath = ".mailroom/suppressions.sqlite"

    private let database: SQLiteDatabaseFile
    private let now: @Sendable () -> Date

    private init(database: SQLiteDatabaseFile, now: @escaping @Sendable () -> Date) {
        self.database = database
        self.now = now
    }

    /// The file's path.
    public var path: String { database.path }

    /// `SQLiteSuppressionStore(path)`.
    public var description: String { "SQLiteSuppressionStore(\(path))" }

    /// Opens the database at `path`, creating the file, its folder and its tables when needed.
    ///
    /// - Parameters:
    ///   - path: The SQLite file, e.g. ``defaultPath``.
    ///   - configuration: Busy timeout, clock and thread pool.
    ///   - logger: Where sqlite-nio logs.
    /// - Returns: The open store; call ``close()`` when done.
    /// - Throws: `MailroomError` with `MailroomError.Code.storage` when the file cannot be opened
    ///   or migrated.
    public static func open(path: String = defaultPath, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "mailroom.sqlite", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> SQLiteSuppressionStore {
        let database = try await SQLiteDatabaseFile.open(
            path: path, migrations: SuppressionSchema.migrations, busyTimeout: configuration.busyTimeout,
            threadPool: configuration.threadPool, logger: logger
        )
        return SQLiteSuppressionStore(database: database, now: configuration.now)
    }

    /// Opens the store, runs `body` with it, and closes it, also when `body` throws.
    ///
    /// - Parameters:
    ///   - path: The SQLite file.
    ///   - configuration: Busy timeout, clock and thread pool.
    ///   - body: The work to do with the store.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or the store's `storage` error.
    public static func withStore<Result: Sendable>(
        path: String = defaultPath,
        configuration: Configuration = Configuration(),
        _ body: (SQLiteSuppressionStore) async throws -> Result
    ) async throws -> Result {
        let store = try await open(path: path, configuration: configuration)
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// Closes the file's connections; the store cannot be used afterwards.
    ///
    /// - Throws: `MailroomError` with `MailroomError.Code.storage`.
    public func close() async throws {
        try await database.close()
    }

    // MARK: SuppressionStore

    /// Adds or merges one entry; an unsubscribe for a listed address gains the new tags.
    public func add(_ suppression: Suppression, logger: Logger) async throws {
        try suppression.validate(field: "suppression")
        try await merge([suppression], of: suppression.kind)
    }

    /// Adds entries of one kind in one transaction; nothing is added when one is invalid.
    public func add(contentsOf suppressions: [Suppression], logger: Logger) async throws {
        guard let kind = try Suppression.validate(batch: suppressions) else { return }
        try await merge(suppressions, of: kind)
    }

    /// The entry for `address` on the `kind` list, or `nil`.
    public func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? {
        try address.validate(field: "address")
        let rows = try await database.read(SuppressionSchema.selectOne, [.text(kind.description), .text(SuppressionRows.key(address))])
        return try rows.first.map(SuppressionSchema.suppression)
    }

    /// One query for every address, whatever the batch's size.
    public func suppressions(for addresses: [EmailAddress], taggedWith tags: [String], logger: Logger) async throws -> [Suppression?] {
        for (index, address) in addresses.enumerated() { try address.validate(field: "addresses[\(index)]") }
        guard !addresses.isEmpty else { return [] }
        let keys = addresses.map(SuppressionRows.key)
        let rows = try await database.read(SuppressionSchema.selectMany, [.text(try SuppressionSchema.jsonArray(keys))])
        return SuppressionRows.obeyed(for: keys, listed: try rows.map(SuppressionSchema.suppression), taggedWith: tags)
    }

    /// Removes `address`, or for unsubscribes one `tag`.
    public func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        try address.validate(field: "address")
        if tag != nil && kind != .unsubscribe { throw MailroomError.invalidValue(field: "tag", "only unsubscribes have tags") }
        let key = SuppressionRows.key(address)
        let now = self.now()
        try await database.write { transaction in
            let rows = try await transaction.query(SuppressionSchema.selectOne, [.text(kind.description), .text(key)])
            guard var entry = try rows.first.map(SuppressionSchema.suppression) else {
                throw MailroomError(code: .notFound, field: "address", message: "\(address.mailbox) is not in \(kind)")
            }
            guard let tag else {
                _ = try await transaction.query(SuppressionSchema.deleteOne, [.text(kind.description), .text(key)])
                return
            }
            guard let position = entry.tags.firstIndex(of: tag) else {
                throw MailroomError(code: .notFound, field: "tag", message: "\(address.mailbox) is not unsubscribed from \(tag)")
            }
            entry.tags.remove(at: position)
            if entry.tags.isEmpty {
                _ = try await transaction.query(SuppressionSchema.deleteOne, [.text(kind.description), .text(key)])
            } else {
                try await SuppressionSchema.upsert([SuppressionSchema.Row(entry, updatedAt: now, seenBySync: nil)], in: transaction)
            }
        }
    }

    /// Empties the table.
    public func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws {
        try await database.write { transaction in
            _ = try await transaction.query("DELETE FROM suppressions WHERE kind = ?", [.text(kind.description)])
        }
    }

    /// The table in address order, `pageSize` (1 to 1,000) per page.
    public func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence {
        let size = min(max(pageSize, 1), 1_000)
        let database = self.database
        return SuppressionSequence { cursor in
            let rows = try await database.read(SuppressionSchema.selectPage, [.text(kind.description), .text(cursor ?? ""), .integer(size)])
            let items = try rows.map(SuppressionSchema.suppression)
            return SuppressionSequence.Page(items: items, next: items.last.map { SuppressionRows.key($0.address) })
        }
    }

    // MARK: SuppressionReplica

    /// Starts a sync of `kind`, or returns the unfinished one left by an interrupted process.
    public func beginSync(_ kind: Suppression.Kind, startedAt: Date, logger: Logger) async throws -> SuppressionSyncCheckpoint {
        try await database.write { transaction in
            if let unfinished = try await SuppressionSchema.checkpoint(kind, in: transaction) { return unfinished }
            _ = try await transaction.query(
                "INSERT INTO sync_progress (kind, started_at, cursor, entries_applied) VALUES (?, ?, NULL, 0)",
                [.text(kind.description), .float(startedAt.timeIntervalSince1970)]
            )
            return SuppressionSyncCheckpoint(kind: kind, startedAt: startedAt)
        }
    }

    /// Replaces the page's entries and moves the cursor in one transaction.
    public func applySyncPage(_ page: [Suppression], of kind: Suppression.Kind, next: String?, logger: Logger) async throws -> SuppressionSyncCheckpoint {
        for (index, entry) in page.enumerated() {
            try entry.validate(field: "page[\(index)]")
            if entry.kind != kind { throw MailroomError.invalidValue(field: "page[\(index)]", "a \(entry.kind) entry in a page of \(kind)") }
        }
        let now = self.now()
        return try await database.write { transaction in
            guard var checkpoint = try await SuppressionSchema.checkpoint(kind, in: transaction) else {
                throw MailroomError.invalidValue(field: "kind", "no sync of \(kind) is under way; call beginSync first")
            }
            let rows = page.map { SuppressionSchema.Row(SuppressionRows.normalised($0, now: now), updatedAt: now, seenBySync: checkpoint.startedAt) }
            try await SuppressionSchema.upsert(rows, in: transaction)
            checkpoint.cursor = next
            checkpoint.entriesApplied += page.count
            _ = try await transaction.query(
                "UPDATE sync_progress SET cursor = ?, entries_applied = ? WHERE kind = ?",
                [next.map(SQLiteData.text) ?? .null, .integer(checkpoint.entriesApplied), .text(kind.description)]
            )
            return checkpoint
        }
    }

    /// Removes what the sync did not see and nobody wrote since it started, and ends the sync.
    public func finishSync(_ kind: Suppression.Kind, logger: Logger) async throws -> Int {
        try await database.write { transaction in
            guard let checkpoint = try await SuppressionSchema.checkpoint(kind, in: transaction) else {
                throw MailroomError.invalidValue(field: "kind", "no sync of \(kind) is under way; call beginSync first")
            }
            let started = SQLiteData.float(checkpoint.startedAt.timeIntervalSince1970)
            let removed = try await transaction.query(
                """
                DELETE FROM suppressions WHERE kind = ? AND (seen_by_sync IS NULL OR seen_by_sync != ?) AND updated_at < ?
                RETURNING address
                """,
                [.text(kind.description), started, started]
            )
            _ = try await transaction.query("DELETE FROM sync_progress WHERE kind = ?", [.text(kind.description)])
            return removed.count
        }
    }

    // MARK: Writing

    /// Reads the listed entries of `suppressions`' addresses, merges unsubscribe tags as Mailgun
    /// does, and writes them all in one transaction.
    private func merge(_ suppressions: [Suppression], of kind: Suppression.Kind) async throws {
        let now = self.now()
        try await database.write { transaction in
            var listed: [String: Suppression] = [:]
            if kind == .unsubscribe {
                let keys = suppressions.map { SuppressionRows.key($0.address) }
                let rows = try await transaction.query(SuppressionSchema.selectManyOfKind, [.text(kind.description), .text(try SuppressionSchema.jsonArray(keys))])
                for row in rows {
                    let entry = try SuppressionSchema.suppression(row)
                    listed[SuppressionRows.key(entry.address)] = entry
                }
            }
            let rows = SuppressionRows.merged(suppressions, of: kind, listed: listed, now: now).map { SuppressionSchema.Row($0, updatedAt: now, seenBySync: nil) }
            try await SuppressionSchema.upsert(rows, in: transaction)
        }
    }
}
