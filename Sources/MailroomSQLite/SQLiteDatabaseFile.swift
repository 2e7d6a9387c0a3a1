import Foundation
import Logging
import Mailroom
import NIOConcurrencyHelpers
import NIOPosix
import SQLiteNIO

/// One SQLite file opened the way Mailroom's stores use it: WAL, a busy timeout, versioned schema
/// migrations, a connection for reads and a serialised one for write transactions.
///
/// Reads run on their own connection and see the last committed state (WAL snapshots), so they
/// never wait for a writer. Writes go through ``write(_:)``: one `BEGIN IMMEDIATE` transaction at a
/// time on this process's write connection; other processes wait on SQLite's lock for up to the
/// busy timeout.
final class SQLiteDatabaseFile: Sendable {
    let path: String
    private let reader: SQLiteConnection
    private let writer: SQLiteConnection
    private let gate = WriteGate()
    private let closed = NIOLockedValueBox(false)

    private init(path: String, reader: SQLiteConnection, writer: SQLiteConnection) {
        self.path = path
        self.reader = reader
        self.writer = writer
    }

    /// A file dropped without ``close()`` (a task that threw past it) still closes its connections:
    /// sqlite-nio traps on an open connection's deinit, and each close keeps its connection alive
    /// until it has run.
    deinit {
        guard !closed.withLockedValue({ $0 }) else { return }
        _ = reader.close()
        _ = writer.close()
    }

    /// Opens (creating when needed) the file at `path` and applies `migrations` not yet applied,
    /// in order, each in its own transaction; `PRAGMA user_version` counts those applied.
    static func open(
        path: String,
        migrations: [[String]],
        busyTimeout: Duration,
        threadPool: NIOThreadPool,
        logger: Logger
    ) async throws -> SQLiteDatabaseFile {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw MailroomError(code: .storage, field: "path", message: "cannot create the folder \(directory) for the suppression database")
            }
        }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            opened.append(writer)
            let timeout = Int(busyTimeout.components.seconds * 1_000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000)
            // busy_timeout replaces sqlite-nio's retry-forever busy handler with a bounded wait.
            _ = try await writer.query("PRAGMA busy_timeout = \(timeout)")
            _ = try await writer.query("PRAGMA journal_mode = WAL")
            _ = try await writer.query("PRAGMA synchronous = NORMAL")
            try await migrate(writer, migrations)
            let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            opened.append(reader)
            _ = try await reader.query("PRAGMA busy_timeout = \(timeout)")
            return SQLiteDatabaseFile(path: path, reader: reader, writer: writer)
        } catch {
            for connection in opened { try? await connection.close() }
            throw Self.storageError(error, doing: "open \(path)")
        }
    }

    /// Migrations are applied under the write lock, so processes opening a new file at once apply each once.
    private static func migrate(_ connection: SQLiteConnection, _ migrations: [[String]]) async throws {
        while true {
            _ = try await connection.query("BEGIN IMMEDIATE")
            do {
                let version = try await connection.query("PRAGMA user_version").first?.column("user_version")?.integer ?? 0
                guard version < migrations.count else {
                    _ = try await connection.query("COMMIT")
                    return
                }
                for statement in migrations[Int(version)] { _ = try await connection.query(statement) }
                _ = try await connection.query("PRAGMA user_version = \(version + 1)")
                _ = try await connection.query("COMMIT")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    /// Closes both connections.
    func close() async throws {
        guard !closed.withLockedValue({ closed in defer { closed = true }; return closed }) else { return }
        do {
            try await reader.close()
            try await writer.close()
        } catch {
            throw Self.storageError(error, doing: "close \(path)")
        }
    }

    /// One read statement on the read connection.
    func read(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        do {
            return try await reader.query(sql, binds)
        } catch {
            throw Self.storageError(error, doing: "read \(path)")
        }
    }

    /// Runs `body` in one write transaction, committed when it returns and rolled back when it throws.
    ///
    /// The transaction runs in a task of its own, so cancelling the caller (a graceful shutdown)
    /// never stops it between `BEGIN` and `COMMIT`: sqlite-nio's calls give up when their task is
    /// cancelled, which would leave the connection inside an open transaction.
    func write<Result: Sendable>(_ body: @escaping @Sendable (Transaction) async throws -> Result) async throws -> Result {
        let writer = self.writer
        let gate = self.gate
        let path = self.path
        return try await Task {
            await gate.enter()
            let outcome: Swift.Result<Result, any Error>
            do {
                outcome = .success(try await Self.transaction(on: writer, body))
            } catch let error as MailroomError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(Self.storageError(error, doing: "write \(path)"))
            }
            await gate.leave()
            return try outcome.get()
        }.value
    }

    private static func transaction<Result: Sendable>(on writer: SQLiteConnection, _ body: @Sendable (Transaction) async throws -> Result) async throws -> Result {
        _ = try await writer.query("BEGIN IMMEDIATE")
        do {
            let result = try await body(Transaction(connection: writer))
            _ = try await writer.query("COMMIT")
            return result
        } catch {
            _ = try? await writer.query("ROLLBACK")
            throw error
        }
    }

    /// The statements of one write transaction.
    struct Transaction: Sendable {
        fileprivate let connection: SQLiteConnection

        /// Runs one statement of the transaction.
        func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
            try await connection.query(sql, binds)
        }
    }

    /// SQLite's failure as a storage error: transient, since a busy or full database may recover;
    /// it names the file and what failed, never a bound value.
    static func storageError(_ error: any Error, doing action: String) -> MailroomError {
        if let error = error as? MailroomError { return error }
        let reason = (error as? SQLiteError).map { "\($0.reason)" } ?? String(describing: type(of: error))
        return MailroomError(code: .storage, message: "could not \(action): SQLite \(reason)", isTransient: true)
    }
}

/// Lets one write transaction at a time use the write connection: its statements are separate
/// calls, and another task's statement must not land inside them. A tiny FIFO of continuations,
/// written here because neither swift-nio nor swift-async-algorithms offers an async mutex.
private actor WriteGate {
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
