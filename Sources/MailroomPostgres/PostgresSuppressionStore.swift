/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `SuppressionReplica` and its values are this file's public API.
public import Mailroom
/// Public because a borrowed `PostgresClient` is this file's public API.
public import PostgresNIO

/// The suppression mirror in PostgreSQL, shared by every instance of an app: a webhook applied by
/// one is seen by the next send of another. Mailgun's semantics, as the SQLite mirror has them
/// (both pass the same conformance suite); the batch look-up is one query.
///
/// The store borrows a `PostgresClient`: run it in the app's service group (it is a `Service`),
/// or let ``withStore(url:configuration:logger:_:)`` own one for a script. Opening applies the
/// schema's migrations once, however many instances start at once.
///
/// ```swift
/// let client = PostgresClient(configuration: try PostgresURL(url).clientConfiguration)   // run it as a Service
/// let local = try await PostgresSuppressionStore.open(client: client, logger: logger)
/// let mailer = SuppressingMailer(wrapping: mailgun, store: local)
/// ```
///
/// Writes are transactions that take the store's advisory lock, so that concurrent merges of one
/// address's unsubscribe tags never lose one; reads take no lock.
public struct PostgresSuppressionStore: SuppressionReplica, CustomStringConvertible {
    /// The schema and the clock.
    public struct Configuration: Sendable {
        /// The schema the tables live in, created when missing. Default `mailroom`.
        public var schema: String
        /// The clock for entries without a date and for sync bookkeeping. Default: the system clock.
        public var now: @Sendable () -> Date
        /// How long opening waits for the server to accept a connection and the migrations to be
        /// applied (the client's pool keeps retrying a server that refuses it). Default 15 seconds.
        public var openTimeout: Duration
        /// How long one operation (a look-up, a write) may take before it fails as a transient
        /// storage error. Default 30 seconds.
        public var queryTimeout: Duration

        /// Creates a configuration; every member has the default its documentation states.
        public init(
            schema: String = "mailroom",
            now: @escaping @Sendable () -> Date = { Date() },
            openTimeout: Duration = .seconds(15),
            queryTimeout: Duration = .seconds(30)
        ) {
            self.schema = schema
            self.now = now
            self.openTimeout = openTimeout
            self.queryTimeout = queryTimeout
        }
    }

    /// The borrowed client.
    public let client: PostgresClient
    private let schema: PostgresSchema
    private let now: @Sendable () -> Date
    private let queryTimeout: Duration
    private let logger: Logger

    private var table: String { schema.table("suppressions") }
    private var progress: String { schema.table("suppression_sync_progress") }

    /// `PostgresSuppressionStore(schema)`.
    public var description: String { "PostgresSuppressionStore(\(schema.name))" }

    private init(client: PostgresClient, schema: PostgresSchema, now: @escaping @Sendable () -> Date, queryTimeout: Duration, logger: Logger) {
        self.client = client
        self.schema = schema
        self.now = now
        self.queryTimeout = queryTimeout
        self.logger = logger
    }

    /// Applies the schema's migrations (once, under an advisory lock) and returns the store.
    ///
    /// - Parameters:
    ///   - client: A client the caller runs (`client.run()`, or in a service group).
    ///   - configuration: The schema and the clock.
    ///   - logger: Where postgres-nio logs the store's queries.
    /// - Throws: `MailroomError.Code.invalidValue` naming `schema`, or `MailroomError.Code.storage`
    ///   (also when the server has not accepted a connection within the configuration's `openTimeout`).
    public static func open(client: PostgresClient, configuration: Configuration = Configuration(), logger: Logger) async throws -> PostgresSuppressionStore {
        let schema = try PostgresSchema(configuration.schema)
        try await schema.open(
            PostgresSuppressionSchema.migrations, component: PostgresSuppressionSchema.component, on: client, timeout: configuration.openTimeout, logger: logger
        )
        return PostgresSuppressionStore(client: client, schema: schema, now: configuration.now, queryTimeout: configuration.queryTimeout, logger: logger)
    }

    /// Runs a client of its own for `url`, opens the store, runs `body` with it, and stops the
    /// client, also when `body` throws.
    ///
    /// - Parameters:
    ///   - url: The server, e.g. from `MAILROOM_POSTGRES_URL`.
    ///   - configuration: The schema and the clock.
    ///   - logger: Where postgres-nio logs.
    ///   - body: The work to do with the store.
    /// - Returns: What `body` returns.
    public static func withStore<Result: Sendable>(
        url: PostgresURL,
        configuration: Configuration = Configuration(),
        logger: Logger,
        _ body: (PostgresSuppressionStore) async throws -> Result
    ) async throws -> Result {
        try await url.withClient(logger: logger) { client in
            try await body(try await open(client: client, configuration: configuration, logger: logger))
        }
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

    /// The entry for `address` on the `kind` list.
    public func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? {
        try address.validate(field: "address")
        return try await read("reading a suppression") {
            try await client.query(
                "SELECT \(unescaped: PostgresSuppressionSchema.columns) FROM \(unescaped: table) WHERE kind = \(kind.description) AND address = \(SuppressionRows.key(address))",
                logger: self.logger
            )
        }.first
    }

    /// Every list's entries for `addresses` in one query; per address the first that applies of
    /// complaint, bounce, unsubscribe.
    public func suppressions(for addresses: [EmailAddress], taggedWith tags: [String], logger: Logger) async throws -> [Suppression?] {
        for (index, address) in addresses.enumerated() { try address.validate(field: "addresses[\(index)]") }
        guard !addresses.isEmpty else { return [] }
        let keys = addresses.map(SuppressionRows.key)
        let found = try await read("looking suppressions up") {
            try await client.query(
                "SELECT \(unescaped: PostgresSuppressionSchema.columns) FROM \(unescaped: table) WHERE address = ANY(\(keys))", logger: self.logger
            )
        }
        return SuppressionRows.obeyed(for: keys, listed: found, taggedWith: tags)
    }

    /// Removes an entry, or one tag of an unsubscribe (the entry goes with its last tag).
    public func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        try address.validate(field: "address")
        if tag != nil && kind != .unsubscribe { throw MailroomError.invalidValue(field: "tag", "only unsubscribes have tags") }
        let key = SuppressionRows.key(address)
        let now = self.now()
        let table = self.table
        try await write("removing a suppression") { connection in
            let rows = try await connection.run(
                "SELECT \(unescaped: PostgresSuppressionSchema.columns) FROM \(unescaped: table) WHERE kind = \(kind.description) AND address = \(key)",
                logger: self.logger
            ).decode(PostgresSuppressionSchema.Row.self).all()
            guard var entry = try rows.first.map(PostgresSuppressionSchema.suppression) else {
                throw MailroomError(code: .notFound, field: "address", message: "\(address.mailbox) is not in \(kind)")
            }
            let delete: PostgresQuery = "DELETE FROM \(unescaped: table) WHERE kind = \(kind.description) AND address = \(key)"
            guard let tag else {
                try await connection.run(delete, logger: self.logger)
                return
            }
            guard let position = entry.tags.firstIndex(of: tag) else {
                throw MailroomError(code: .notFound, field: "tag", message: "\(address.mailbox) is not unsubscribed from \(tag)")
            }
            entry.tags.remove(at: position)
            if entry.tags.isEmpty {
                try await connection.run(delete, logger: self.logger)
            } else {
                try await upsert([PostgresSuppressionSchema.Write(entry, updatedAt: now, seenBySync: nil)], on: connection)
            }
        }
    }

    /// Empties the `kind` list.
    public func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws {
        let table = self.table
        try await write("clearing a suppression list") { connection in
            _ = try await connection.run("DELETE FROM \(unescaped: table) WHERE kind = \(kind.description)", logger: self.logger)
        }
    }

    /// The `kind` list in address order, `pageSize` (1 to 1,000) entries per query.
    public func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence {
        let size = min(max(pageSize, 1), 1_000)
        let store = self
        return SuppressionSequence { cursor in
            let items = try await store.read("listing suppressions") {
                try await store.client.query(
                    """
                    SELECT \(unescaped: PostgresSuppressionSchema.columns) FROM \(unescaped: store.table)
                    WHERE kind = \(kind.description) AND address > \(cursor ?? "") ORDER BY address LIMIT \(size)
                    """,
                    logger: store.logger
                )
            }
            return SuppressionSequence.Page(items: items, next: items.last.map { SuppressionRows.key($0.address) })
        }
    }

    // MARK: SuppressionReplica

    /// Starts a sync of `kind`, or returns the unfinished one's checkpoint.
    public func beginSync(_ kind: Suppression.Kind, startedAt: Date, logger: Logger) async throws -> SuppressionSyncCheckpoint {
        let progress = self.progress
        return try await write("starting a sync") { connection in
            if let unfinished = try await checkpoint(kind, on: connection) { return unfinished }
            try await connection.run(
                "INSERT INTO \(unescaped: progress) (kind, started_at, cursor, entries_applied) VALUES (\(kind.description), to_timestamp(\(startedAt.timeIntervalSince1970)), NULL, 0)",
                logger: self.logger
            )
            return try await checkpoint(kind, on: connection) ?? SuppressionSyncCheckpoint(kind: kind, startedAt: startedAt)
        }
    }

    /// Applies one page of Mailgun's list and moves the checkpoint, in one transaction.
    public func applySyncPage(_ page: [Suppression], of kind: Suppression.Kind, next: String?, logger: Logger) async throws -> SuppressionSyncCheckpoint {
        for (index, entry) in page.enumerated() {
            try entry.validate(field: "page[\(index)]")
            if entry.kind != kind { throw MailroomError.invalidValue(field: "page[\(index)]", "a \(entry.kind) entry in a page of \(kind)") }
        }
        let now = self.now()
        let progress = self.progress
        return try await write("applying a sync page") { connection in
            guard var checkpoint = try await checkpoint(kind, on: connection) else {
                throw MailroomError.invalidValue(field: "kind", "no sync of \(kind) is under way; call beginSync first")
            }
            let rows = page.map {
                PostgresSuppressionSchema.Write(SuppressionRows.normalised($0, now: now), updatedAt: now, seenBySync: checkpoint.startedAt)
            }
            try await upsert(rows, on: connection, seenBySyncOf: kind)
            checkpoint.cursor = next
            checkpoint.entriesApplied += page.count
            try await connection.run(
                "UPDATE \(unescaped: progress) SET cursor = \(next), entries_applied = \(checkpoint.entriesApplied) WHERE kind = \(kind.description)",
                logger: self.logger
            )
            return checkpoint
        }
    }

    /// Deletes the entries of `kind` the sync did not see (and nobody wrote since it started), and
    /// ends the sync; returns how many were deleted.
    public func finishSync(_ kind: Suppression.Kind, logger: Logger) async throws -> Int {
        let table = self.table
        let progress = self.progress
        return try await write("finishing a sync") { connection in
            guard try await checkpoint(kind, on: connection) != nil else {
                throw MailroomError.invalidValue(field: "kind", "no sync of \(kind) is under way; call beginSync first")
            }
            let removed = try await connection.run(
                """
                WITH sync AS (SELECT started_at FROM \(unescaped: progress) WHERE kind = \(kind.description))
                DELETE FROM \(unescaped: table) s USING sync
                WHERE s.kind = \(kind.description) AND (s.seen_by_sync IS NULL OR s.seen_by_sync <> sync.started_at) AND s.updated_at < sync.started_at
                RETURNING s.address
                """,
                logger: self.logger
            ).decode(String.self).all()
            try await connection.run("DELETE FROM \(unescaped: progress) WHERE kind = \(kind.description)", logger: self.logger)
            return removed.count
        }
    }

    // MARK: Reading and writing

    private func read(_ doing: String, _ query: @escaping @Sendable () async throws -> PostgresRowSequence) async throws -> [Suppression] {
        try await PostgresErrors.storage(doing, within: queryTimeout) {
            try await query().decode(PostgresSuppressionSchema.Row.self).all().map(PostgresSuppressionSchema.suppression)
        }
    }

    /// Runs `body` in a transaction that holds the store's advisory lock, done once committed.
    private func write<Result: Sendable>(_ doing: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let lock = "mailroom.suppressions." + schema.name
        return try await client.committed(doing, within: queryTimeout, logger: logger) { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\(lock)))", logger: self.logger)
            return try await body(connection)
        }
    }

    private func checkpoint(_ kind: Suppression.Kind, on connection: PostgresConnection) async throws -> SuppressionSyncCheckpoint? {
        let rows = try await connection.run(
            "SELECT extract(epoch FROM started_at)::float8, cursor, entries_applied FROM \(unescaped: progress) WHERE kind = \(kind.description)",
            logger: logger
        ).decode((Double, String?, Int32).self).all()
        return rows.first.map { SuppressionSyncCheckpoint(kind: kind, startedAt: Date(timeIntervalSince1970: $0.0), cursor: $0.1, entriesApplied: Int($0.2)) }
    }

    /// Writes rows given as one JSON array: one statement for a whole batch. With `seenBySyncOf`,
    /// the rows' `seen_by_sync` is the running sync's own start (read back from the table, so it is
    /// exactly what `finishSync` compares).
    private func upsert(_ rows: [PostgresSuppressionSchema.Write], on connection: PostgresConnection, seenBySyncOf kind: Suppression.Kind? = nil) async throws {
        guard !rows.isEmpty else { return }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        let seen: String = kind == nil
            ? "CASE WHEN r.seen_by_sync IS NULL THEN NULL ELSE to_timestamp(r.seen_by_sync) END"
            : "(SELECT started_at FROM \(progress) WHERE kind = r.kind)"
        try await connection.run(
            """
            INSERT INTO \(unescaped: table) (kind, address, mailbox, tags, code, error, created_at, updated_at, seen_by_sync)
            SELECT r.kind, r.address, r.mailbox, r.tags, r.code, r.error, to_timestamp(r.created_at), to_timestamp(r.updated_at), \(unescaped: seen)
            FROM jsonb_to_recordset(\(json)::jsonb) AS r(kind text, address text, mailbox text, tags jsonb, code text, error text,
                                                         created_at float8, updated_at float8, seen_by_sync float8)
            ON CONFLICT (kind, address) DO UPDATE SET
                mailbox = excluded.mailbox, tags = excluded.tags, code = excluded.code, error = excluded.error,
                created_at = excluded.created_at, updated_at = excluded.updated_at, seen_by_sync = excluded.seen_by_sync
            """,
            logger: logger
        )
    }

    private func merge(_ suppressions: [Suppression], of kind: Suppression.Kind) async throws {
        let now = self.now()
        let table = self.table
        try await write("writing suppressions") { connection in
            var listed: [String: Suppression] = [:]
            if kind == .unsubscribe {
                let keys = suppressions.map { SuppressionRows.key($0.address) }
                for row in try await connection.run(
                    "SELECT \(unescaped: PostgresSuppressionSchema.columns) FROM \(unescaped: table) WHERE kind = \(kind.description) AND address = ANY(\(keys))",
                    logger: self.logger
                ).decode(PostgresSuppressionSchema.Row.self).all() {
                    let entry = try PostgresSuppressionSchema.suppression(row)
                    listed[SuppressionRows.key(entry.address)] = entry
                }
            }
            let rows = SuppressionRows.merged(suppressions, of: kind, listed: listed, now: now)
            try await upsert(rows.map { PostgresSuppressionSchema.Write($0, updatedAt: now, seenBySync: nil) }, on: connection)
        }
    }
}
