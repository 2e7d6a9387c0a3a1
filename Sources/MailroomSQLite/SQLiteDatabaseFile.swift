import Foundation
/// Package because `Logger` appears in this file's package API.
package import Logging
/// Package because `MailroomError` appears in this file's package API.
package import Mailroom
import NIOConcurrencyHelpers
/// Package because `NIOThreadPool` appears in this file's package API.
package import NIOPosix
/// Package because `SQLiteData` and `SQLiteRow` appear in this file's package API.
package import SQLiteNIO

/// One SQLite file opened the way Mailroom's stores use it: WAL, a busy timeout, versioned schema
/// migrations, a connection for reads and a serialised one for write transactions.
///
/// Reads run on their own connection and see the last committed state (WAL snapshots), so they
/// never wait for a writer. Writes go through ``write(_:)``: one `BEGIN IMMEDIATE` transaction at a
/// time on this process's write connection; other processes wait on SQLite's lock for up to the
/// busy timeout. Shared (`package`) by the suppression mirror and MailroomArchive's index.
package final class SQLiteDatabaseFile: Sendable {
    /// How much a commit waits for the disk (`PRAGMA synchronous`), set per write transaction.
    package enum Synchronous: String, Sendable {
        /// A commit survives a killed process, not a power cut: WAL is synced at checkpoints.
        case normal = "NORMAL"
        /// A commit survives a power cut: WAL is synced at every commit.
        case full = "FULL"
    }

    package let path: String
    private let reader: SQLiteConnection
    private let writer: SQLiteConnection
    /// For a file opened `.full`, a second write connection at `.normal`, for commits that need no
    /// flush of their own (the next full commit's flush of the WAL covers them); it spares a
    /// `PRAGMA synchronous` switch before each. Used under the same gate as `writer`.
    private let lightWriter: SQLiteConnection?
    private let synchronous: Synchronous
    private let gate: WriteGate
    private let closed = NIOLockedValueBox(false)

    private init(path: String, reader: SQLiteConnection, writer: SQLiteConnection, lightWriter: SQLiteConnection?, synchronous: Synchronous, gate: WriteGate) {
        self.path = path
        self.gate = gate
        self.reader = reader
        self.writer = writer
        self.lightWriter = lightWriter
        self.synchronous = synchronous
    }

    private var connections: [SQLiteConnection] { [reader, writer] + (lightWriter.map { [$0] } ?? []) }

    /// A file dropped without ``close()`` (a task that threw past it) still closes its connections:
    /// sqlite-nio traps on an open connection's deinit, and each close keeps its connection alive
    /// until it has run.
    deinit {
        guard !closed.withLockedValue({ $0 }) else { return }
        for connection in connections { _ = connection.close() }
    }

    /// Opens (creating when needed) the file at `path` and applies `migrations` not yet applied,
    /// in order, each in its own transaction; `PRAGMA user_version` counts those applied.
    package static func open(
        path: String,
        migrations: [[String]],
        busyTimeout: Duration,
        synchronous: Synchronous = .normal,
        walPagesPerCheckpoint: Int? = nil,
        threadPool: NIOThreadPool,
        logger: Logger
    ) async throws -> SQLiteDatabaseFile {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw MailroomError(code: .storage, field: "path", message: "cannot create the folder \(directory) for the database \((path as NSString).lastPathComponent)")
            }
        }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let gate = WriteGate.shared(for: path)
        var opened: [SQLiteConnection] = []
        // Under the file's gate: the WAL switch and the migrations take SQLite's write lock.
        await gate.enter()
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            opened.append(writer)
            let timeout = Int(busyTimeout.components.seconds * 1_000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000)
            // busy_timeout replaces sqlite-nio's retry-forever busy handler with a bounded wait.
            _ = try await writer.rows("PRAGMA busy_timeout = \(timeout)")
            try await Self.retryingWhileBusy(for: busyTimeout) { _ = try await writer.rows("PRAGMA journal_mode = WAL") }
            _ = try await writer.rows("PRAGMA synchronous = \(synchronous.rawValue)")
            // Temporary b-trees (ON CONFLICT, ORDER BY) in memory: no file created and deleted per statement.
            _ = try await writer.rows("PRAGMA temp_store = MEMORY")
            if let walPagesPerCheckpoint { _ = try await writer.rows("PRAGMA wal_autocheckpoint = \(walPagesPerCheckpoint)") }
            try await migrate(writer, migrations)
            let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            opened.append(reader)
            _ = try await reader.rows("PRAGMA busy_timeout = \(timeout)")
            var lightWriter: SQLiteConnection?
            if synchronous == .full {
                let light = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
                opened.append(light)
                _ = try await light.rows("PRAGMA busy_timeout = \(timeout)")
                _ = try await light.rows("PRAGMA synchronous = NORMAL")
                _ = try await light.rows("PRAGMA temp_store = MEMORY")
                if let walPagesPerCheckpoint { _ = try await light.rows("PRAGMA wal_autocheckpoint = \(walPagesPerCheckpoint)") }
                lightWriter = light
            }
            await gate.leave()
            return SQLiteDatabaseFile(path: path, reader: reader, writer: writer, lightWriter: lightWriter, synchronous: synchronous, gate: gate)
        } catch {
            await gate.leave()
            for connection in opened { try? await connection.close() }
            throw Self.storageError(error, doing: "open \(path)")
        }
    }

    /// Runs `body` again while SQLite answers busy, for up to `timeout`: switching a new file to WAL
    /// needs it to itself, and SQLite answers that at once rather than through the busy timeout when
    /// several processes open a new file together.
    private static func retryingWhileBusy(for timeout: Duration, _ body: () async throws -> Void) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try await body()
            } catch let error as SQLiteError where error.reason == .busy && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Migrations are applied under the write lock, so processes opening a new file at once apply each once.
    private static func migrate(_ connection: SQLiteConnection, _ migrations: [[String]]) async throws {
        while true {
            _ = try await connection.rows("BEGIN IMMEDIATE")
            do {
                let version = try await connection.rows("PRAGMA user_version").first?.column("user_version")?.integer ?? 0
                guard version < migrations.count else {
                    _ = try await connection.rows("COMMIT")
                    return
                }
                for statement in migrations[Int(version)] { _ = try await connection.rows(statement) }
                _ = try await connection.rows("PRAGMA user_version = \(version + 1)")
                _ = try await connection.rows("COMMIT")
            } catch {
                _ = try? await connection.rows("ROLLBACK")
                throw error
            }
        }
    }

    /// Closes both connections.
    package func close() async throws {
        guard !closed.withLockedValue({ closed in defer { closed = true }; return closed }) else { return }
        do {
            for connection in connections { try await connection.close() }
        } catch {
            throw Self.storageError(error, doing: "close \(path)")
        }
    }

    /// One read statement on the read connection.
    package func read(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        do {
            return try await reader.rows(sql, binds)
        } catch {
            throw Self.storageError(error, doing: "read \(path)")
        }
    }

    /// Runs `body` in one write transaction, committed when it returns and rolled back when it throws.
    ///
    /// The transaction runs in a task of its own, so cancelling the caller (a graceful shutdown)
    /// never stops it between `BEGIN` and `COMMIT`: sqlite-nio's calls give up when their task is
    /// cancelled, which would leave the connection inside an open transaction.
    ///
    /// - Parameters:
    ///   - synchronous: How this commit waits for the disk: `.normal` on a file opened `.full`
    ///     commits without a flush of its own. Default: as the file was opened.
    ///   - body: The transaction's statements.
    package func write<Result: Sendable>(
        synchronous level: Synchronous? = nil,
        _ body: @escaping @Sendable (Transaction) async throws -> Result
    ) async throws -> Result {
        try await exclusively(level, doing: "write") { connection in try await Self.transaction(on: connection, body) }
    }

    /// Runs one statement as its own transaction (SQLite commits a statement outside `BEGIN` when
    /// it completes, its triggers included): a write with one call to SQLite instead of three.
    ///
    /// - Parameters:
    ///   - synchronous: As for ``write(synchronous:_:)``.
    ///   - sql: The statement.
    ///   - binds: Its values.
    /// - Returns: The rows it returns (`RETURNING`).
    ///
    /// Unlike ``write(synchronous:_:)`` it runs in the caller's task, which spares a task per
    /// statement: a cancelled caller's statement runs whole or not at all (then the call throws
    /// `CancellationError`), and it leaves no transaction open either way.
    package func execute(synchronous level: Synchronous? = nil, _ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let connection = writeConnection(for: level)
        await gate.enter()
        do {
            let rows = try await connection.rows(sql, binds)
            await gate.leave()
            return rows
        } catch {
            await gate.leave()
            if error is CancellationError { throw error }
            throw Self.storageError(error, doing: "write \(path)")
        }
    }

    /// The write connection whose commits wait for the disk as `level` asks.
    private func writeConnection(for level: Synchronous?) -> SQLiteConnection {
        level == .normal && synchronous == .full ? (lightWriter ?? writer) : writer
    }

    /// Runs `body` with the write connection for `level`, holding the gate, in a task of its own.
    private func exclusively<Result: Sendable>(
        _ level: Synchronous?,
        doing action: String,
        _ body: @escaping @Sendable (SQLiteConnection) async throws -> Result
    ) async throws -> Result {
        let connection = writeConnection(for: level)
        let gate = self.gate
        let path = self.path
        return try await Task {
            await gate.enter()
            let outcome: Swift.Result<Result, any Error>
            do {
                outcome = .success(try await body(connection))
            } catch let error as MailroomError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(Self.storageError(error, doing: "\(action) \(path)"))
            }
            await gate.leave()
            return try outcome.get()
        }.value
    }

    private static func transaction<Result: Sendable>(on writer: SQLiteConnection, _ body: @Sendable (Transaction) async throws -> Result) async throws -> Result {
        _ = try await writer.rows("BEGIN IMMEDIATE")
        do {
            let result = try await body(Transaction(connection: writer))
            _ = try await writer.rows("COMMIT")
            return result
        } catch {
            _ = try? await writer.rows("ROLLBACK")
            throw error
        }
    }

    /// The statements of one write transaction.
    package struct Transaction: Sendable {
        fileprivate let connection: SQLiteConnection

        /// Runs one statement of the transaction.
        package func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
            try await connection.rows(sql, binds)
        }
    }

    /// SQLite's failure as a storage error: transient, since a busy or full database may recover;
    /// it names the file and what failed, never a bound value.
    package static func storageError(_ error: any Error, doing action: String) -> MailroomError {
        if let error = error as? MailroomError { return error }
        // SQLite's message names tables, columns and SQL, never a bound value.
        let reason = (error as? SQLiteError).map { "\($0.reason): \($0.message)" } ?? String(describing: type(of: error))
        return MailroomError(code: .storage, message: "could not \(action): SQLite \(reason)", isTransient: true)
    }
}

extension SQLiteConnection {
    /// One statement's rows, from the thread pool straight back to the calling task.
    ///
    /// sqlite-nio's `query(_:_:) -> [SQLiteRow]` (a `SQLiteDatabase` extension) goes through the
    /// futures API: the statement runs on the pool, its result and each row hop to the connection's
    /// event loop, and only then resumes the caller. The connection's own `query(_:_:_:)` resumes
    /// from the pool, one thread switch fewer per statement.
    fileprivate func rows(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let rows = NIOLockedValueBox<[SQLiteRow]>([])
        try await query(sql, binds) { row in rows.withLockedValue { $0.append(row) } }
        return rows.withLockedValue { $0 }
    }
}

/// Lets one write transaction at a time use the write connection: its statements are separate
/// calls, and another task's statement must not land inside them. A tiny FIFO of continuations,
/// written here because neither swift-nio nor swift-async-algorithms offers an async mutex.
///
/// One gate per file in a process, shared by every connection to it: SQLite's busy timeout waits
/// on a thread of the pool, so two of this process's connections waiting on each other's lock
/// could hold every thread of the pool while the lock's holder waits for one.
private actor WriteGate {
    private static let gates = NIOLockedValueBox<[String: WriteGate]>([:])

    /// The gate of the file at `path`.
    static func shared(for path: String) -> WriteGate {
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        return gates.withLockedValue { gates in
            if let gate = gates[key] { return gate }
            let gate = WriteGate()
            gates[key] = gate
            return gate
        }
    }

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
