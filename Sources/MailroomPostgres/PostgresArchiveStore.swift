/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `MIMEMessage` appears in this file's public API.
public import Mailroom
/// Public because `ArchiveStore` and its values are this file's public API.
public import MailroomArchive
import NIOCore
/// Public because a borrowed `PostgresClient` is this file's public API.
public import PostgresNIO

/// The archive in PostgreSQL, shared by every instance of an app: the same behaviour as
/// `FileArchiveStore` (both pass the archive conformance suite), with entries in one table and
/// each message's gzip bytes, as recorded, in another.
///
/// The store borrows a `PostgresClient`: run it in the app's service group (it is a `Service`),
/// or let ``withStore(url:configuration:logger:_:)`` own one for a script. Opening applies the
/// schema's migrations once, however many instances start at once.
///
/// ```swift
/// let client = PostgresClient(configuration: try PostgresURL(url).clientConfiguration)   // run it as a Service
/// let archive = try await PostgresArchiveStore.open(client: client, logger: logger)
/// let mailer = ArchivingMailer(wrapping: mailgun, store: archive, policy: .failClosed)
/// ```
///
/// A record is one statement (the entry and its bytes, committed together), a settle one
/// `UPDATE`, each in a transaction of its own: once `record` returns, the server has answered its
/// `COMMIT`, so the message is in the database as durably as the server commits (PostgreSQL's
/// default: on disk). Reads take messages in slices of
/// ``Configuration-swift.struct/sliceSize`` bytes and check them against the recorded size and
/// SHA-256. Standard tools read a message back:
/// `psql -Atc "SELECT encode(gzip, 'base64') FROM mailroom.archive_bodies WHERE id = '…'" | base64 -d | gunzip`.
public struct PostgresArchiveStore: ArchiveStore, CustomStringConvertible {
    /// The schema, compression, the clock and the time opening may take.
    public struct Configuration: Sendable {
        /// The schema the tables live in, created when missing. Default `mailroom`.
        public var schema: String
        /// The zlib compression level, 0 to 9. Default 6.
        public var compressionLevel: Int
        /// The clock that dates records. Default: the system clock.
        public var now: @Sendable () -> Date
        /// How long opening waits for the server to accept a connection and the migrations to be
        /// applied (the client's pool keeps retrying a server that refuses it). Default 15 seconds.
        public var openTimeout: Duration
        /// How many compressed bytes a read takes from the server at a time. Default 256 KiB.
        public var sliceSize: Int
        /// How long one operation (a record, a settle, a query) may take before it fails as a
        /// transient storage error, which the archiving policy then handles. Default 30 seconds.
        public var queryTimeout: Duration

        /// Creates a configuration; every member has the default its documentation states.
        public init(
            schema: String = "mailroom",
            compressionLevel: Int = 6,
            now: @escaping @Sendable () -> Date = { Date() },
            openTimeout: Duration = .seconds(15),
            sliceSize: Int = 256 * 1024,
            queryTimeout: Duration = .seconds(30)
        ) {
            self.schema = schema
            self.compressionLevel = compressionLevel
            self.now = now
            self.openTimeout = openTimeout
            self.sliceSize = sliceSize
            self.queryTimeout = queryTimeout
        }
    }

    /// The borrowed client.
    public let client: PostgresClient
    private let schema: PostgresSchema
    private let configuration: Configuration
    private let logger: Logger

    private var entries: String { schema.table("archive_entries") }
    private var bodies: String { schema.table("archive_bodies") }

    /// `PostgresArchiveStore(schema)`.
    public var description: String { "PostgresArchiveStore(\(schema.name))" }

    private init(client: PostgresClient, schema: PostgresSchema, configuration: Configuration, logger: Logger) {
        self.client = client
        self.schema = schema
        self.configuration = configuration
        self.logger = logger
    }

    /// Applies the schema's migrations (once, under an advisory lock) and returns the store.
    ///
    /// - Parameters:
    ///   - client: A client the caller runs (`client.run()`, or in a service group).
    ///   - configuration: The schema, compression and clock.
    ///   - logger: Where postgres-nio logs the store's queries.
    /// - Throws: `MailroomError.Code.invalidValue` naming `schema`, `compressionLevel` or
    ///   `sliceSize`, or `MailroomError.Code.storage` (also when the server has not accepted a
    ///   connection within the configuration's `openTimeout`).
    public static func open(client: PostgresClient, configuration: Configuration = Configuration(), logger: Logger) async throws -> PostgresArchiveStore {
        let schema = try PostgresSchema(configuration.schema)
        guard (0...9).contains(configuration.compressionLevel) else {
            throw MailroomError.invalidValue(field: "compressionLevel", "\(configuration.compressionLevel) is not a zlib level; use 0 to 9")
        }
        guard configuration.sliceSize >= 1_024 else {
            throw MailroomError.invalidValue(field: "sliceSize", "\(configuration.sliceSize) bytes is too small a slice; use 1024 or more")
        }
        try await schema.open(
            PostgresArchiveSchema.migrations, component: PostgresArchiveSchema.component, on: client, timeout: configuration.openTimeout, logger: logger
        )
        return PostgresArchiveStore(client: client, schema: schema, configuration: configuration, logger: logger)
    }

    /// Runs a client of its own for `url`, opens the store, runs `body` with it, and stops the
    /// client, also when `body` throws.
    ///
    /// - Parameters:
    ///   - url: The server, e.g. from `MAILROOM_ARCHIVE_URL`.
    ///   - configuration: The schema, compression and clock.
    ///   - logger: Where postgres-nio logs.
    ///   - body: The work to do with the store.
    /// - Returns: What `body` returns.
    public static func withStore<Result: Sendable>(
        url: PostgresURL,
        configuration: Configuration = Configuration(),
        logger: Logger,
        _ body: (PostgresArchiveStore) async throws -> Result
    ) async throws -> Result {
        try await url.withClient(logger: logger) { client in
            try await body(try await open(client: client, configuration: configuration, logger: logger))
        }
    }

    // MARK: Recording

    /// Compresses `message`, then inserts its entry and its bytes in one statement and commits.
    public func record(_ message: MIMEMessage, details: ArchiveDetails, outcome: ArchiveOutcome?, logger: Logger) async throws -> ArchiveEntry {
        let date = Date(timeIntervalSince1970: configuration.now().timeIntervalSince1970.rounded(.down))
        let id = ArchiveID.make(date: date)
        let encoder = try GzipEncoder(level: configuration.compressionLevel)
        var gzip = ByteBuffer()
        var head: [UInt8] = []
        let readingText = details.text == nil
        for try await chunk in message {
            if readingText && head.count < ArchiveText.scanLimit { head += chunk.prefix(ArchiveText.scanLimit - head.count) }
            try encoder.append(chunk) { gzip.writeImmutableBuffer($0) }
        }
        let sha256 = try encoder.finish { gzip.writeImmutableBuffer($0) }
        let recorded = ArchiveEntry(
            id: id, messageID: message.messageID, providerID: nil, date: date, from: details.from, recipients: details.recipients,
            subject: details.subject, tags: details.tags, size: encoder.size, compressedSize: gzip.readableBytes, sha256: sha256,
            state: .pending, revision: outcome == nil ? 1 : 0  // settling below makes it 1: one write either way
        )
        let entry = outcome.map(recorded.settled) ?? recorded
        let people = PostgresSearchText.document(([entry.from] + entry.recipients + entry.tags).joined(separator: " "))
        let body = PostgresSearchText.document(details.text ?? ArchiveText.body(ofMessage: head))
        let compressed = gzip
        try await write("recording a message") { connection in
            // Read to the end, so that the transaction's COMMIT follows on the connection now.
            _ = try await connection.run(
                """
                WITH entry AS (
                    INSERT INTO \(unescaped: entries) (id, recorded_at, message_id, provider_id, sender, sender_address, recipients, subject, tags,
                                                      size, compressed_size, sha256, state, failure, revision, search)
                    VALUES (\(entry.id), \(entry.date), \(entry.messageID), \(entry.providerID), \(entry.from), \(ArchiveDetails.address(of: entry.from)),
                            \(entry.recipients), \(entry.subject), \(entry.tags), \(Int64(entry.size)), \(Int64(entry.compressedSize)), \(entry.sha256),
                            \(entry.state.name), \(entry.failure), \(Int32(entry.revision)),
                            setweight(to_tsvector('simple', \(PostgresSearchText.document(entry.subject))), 'A')
                            || setweight(to_tsvector('simple', \(people)), 'B') || setweight(to_tsvector('simple', \(body)), 'D'))
                    RETURNING id
                )
                INSERT INTO \(unescaped: bodies) (id, gzip) SELECT id, \(compressed) FROM entry
                """,
                logger: self.logger
            ).collect()
        }
        var logger = logger
        logger[metadataKey: "mailroom.archive.id"] = "\(id)"
        logger.debug("archived message", metadata: ["mailroom.archive.state": "\(entry.state)", "mailroom.archive.bytes": "\(entry.size)"])
        return entry
    }

    /// Records the message's new state in one `UPDATE` and commits.
    public func settle(_ id: String, outcome: ArchiveOutcome, logger: Logger) async throws -> ArchiveEntry {
        try ArchiveID.check(id)
        let entries = self.entries
        let settled = try await write("settling a message") { connection in
            try await Self.decoded(
                connection.run(
                    """
                    UPDATE \(unescaped: entries) e SET state = \(outcome.state.name), provider_id = coalesce(\(outcome.providerID), e.provider_id),
                        failure = \(outcome.failure), revision = e.revision + 1
                    WHERE e.id = \(id) RETURNING \(unescaped: PostgresArchiveSchema.columns)
                    """,
                    logger: self.logger
                )
            )
        }
        guard let entry = settled.first else { throw notFound(id) }
        return entry
    }

    // MARK: Reading

    /// The matching entries, newest first (best matches first for a text search).
    ///
    /// - Throws: `MailroomError.Code.invalidValue` naming the query's field that cannot be a
    ///   condition (an id that is not one, a search without words, a limit below 1).
    public func entries(matching query: ArchiveQuery) async throws -> [ArchiveEntry] {
        let statement = try PostgresArchiveQuery(query, entries: entries).select()
        return try await read("listing archived messages") { try await client.query(statement, logger: self.logger) }
    }

    /// How many entries match `query`, paging ignored.
    public func count(matching query: ArchiveQuery) async throws -> Int {
        let statement = try PostgresArchiveQuery(query, entries: entries).count()
        return try await PostgresErrors.storage("counting archived messages", within: configuration.queryTimeout) {
            try await client.query(statement, logger: self.logger).decode(Int64.self).all().first.map(Int.init) ?? 0
        }
    }

    /// The message's bytes, read in slices, decompressed and checked against its recorded size and SHA-256.
    ///
    /// - Throws: `MailroomError.Code.invalidValue` or `MailroomError.Code.notFound` naming `id`,
    ///   `MailroomError.Code.corrupted` when the bytes are gone or fail the check.
    public func contents(of id: String) async throws -> [UInt8] {
        try ArchiveID.check(id)
        guard let entry = try await entries(matching: ArchiveQuery(id: id)).first else { throw notFound(id) }
        let reader = try GzipReader(id: id, checking: entry, keepingBytes: true)
        guard try await readBody(of: id, into: reader) else { throw missingBody(id) }
        return try reader.finish()
    }

    /// Reads every message back and checks it: an entry without its bytes (missing), bytes that
    /// fail their check (corrupt), and sends whose outcome was never recorded. The tables' foreign
    /// key and single-statement writes leave no bytes without an entry and no half-written row.
    public func verify() async throws -> ArchiveVerification {
        let listed: [(PostgresArchiveSchema.Row, Bool)] = try await PostgresErrors.storage("listing archived messages", within: configuration.queryTimeout) {
            try await client.query(
                """
                SELECT \(unescaped: PostgresArchiveSchema.columns), b.id IS NOT NULL
                FROM \(unescaped: entries) e LEFT JOIN \(unescaped: bodies) b ON b.id = e.id ORDER BY e.recorded_at, e.seq
                """,
                logger: self.logger
            ).decode((String, String?, String?, Date, String, [String], String, [String], Int64, Int64, String, String, String?, Int32, Bool).self)
                .all().map { row in ((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12, row.13), row.14) }
        }
        var findings: [ArchiveVerification.Finding] = []
        var checked = 0
        for (row, hasBody) in listed {
            let entry = try PostgresArchiveSchema.entry(row)
            let path = "\(bodies)/\(entry.id)"
            guard hasBody else {
                findings.append(.init(kind: .missing, id: entry.id, path: path, detail: "the message's bytes are gone"))
                continue
            }
            do {
                let reader = try GzipReader(id: entry.id, checking: entry, keepingBytes: false)
                guard try await readBody(of: entry.id, into: reader) else {
                    findings.append(.init(kind: .missing, id: entry.id, path: path, detail: "the message's bytes are gone"))
                    continue
                }
                _ = try reader.finish()
                checked += 1
            } catch let error as MailroomError where error.code == .corrupted {
                checked += 1
                findings.append(.init(kind: .corrupt, id: entry.id, path: path, detail: error.message))
                continue
            }
            if entry.state == .pending {
                findings.append(.init(kind: .pending, id: entry.id, path: path, detail: "the send's outcome was never recorded"))
            }
        }
        return ArchiveVerification(checked: checked, findings: findings)
    }

    /// Removes the messages recorded before `date`, entries and bytes, in one statement: a crash
    /// leaves either all of them or none.
    public func prune(olderThan date: Date) async throws -> [ArchiveEntry] {
        let entries = self.entries
        let pruned = try await write("pruning the archive") { connection in
            try await Self.decoded(
                connection.run(
                    "DELETE FROM \(unescaped: entries) e WHERE e.recorded_at < \(date) RETURNING \(unescaped: PostgresArchiveSchema.columns)",
                    logger: self.logger
                )
            )
        }
        return pruned.sorted { $0.id > $1.id }
    }

    // MARK: Helpers

    private func read(_ doing: String, _ query: @escaping @Sendable () async throws -> PostgresRowSequence) async throws -> [ArchiveEntry] {
        try await PostgresErrors.storage(doing, within: configuration.queryTimeout) {
            try await Self.decoded(query())
        }
    }

    /// `body` in a transaction of its own, done once the server answered its `COMMIT`.
    private func write<Result: Sendable>(_ doing: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.committed(doing, within: configuration.queryTimeout, logger: logger, body)
    }

    private static func decoded(_ rows: PostgresRowSequence) async throws -> [ArchiveEntry] {
        try await rows.decode(PostgresArchiveSchema.Row.self).all().map(PostgresArchiveSchema.entry)
    }

    /// Feeds the message's gzip bytes to `reader`, a slice per query; `false` when it has none.
    private func readBody(of id: String, into reader: GzipReader) async throws -> Bool {
        let size = configuration.sliceSize
        var offset = 1  // substring() counts from 1
        while true {
            let start = offset
            let slices = try await PostgresErrors.storage("reading an archived message", within: configuration.queryTimeout) {
                try await client.query(
                    "SELECT substring(gzip FROM \(Int32(clamping: start)) FOR \(Int32(clamping: size))) FROM \(unescaped: bodies) WHERE id = \(id)", logger: self.logger
                ).decode(ByteBuffer.self).all()
            }
            guard let slice = slices.first else { return false }
            try reader.feed(Array(buffer: slice))
            guard slice.readableBytes == size else { return true }
            offset += size
        }
    }

    private func notFound(_ id: String) -> MailroomError {
        MailroomError(code: .notFound, field: "id", message: "no archived message '\(id)' in \(schema.name)")
    }

    private func missingBody(_ id: String) -> MailroomError {
        MailroomError(code: .corrupted, field: "id", message: "archived message '\(id)' has no stored bytes")
    }
}
