import Logging
import NIOPosix
import SQLiteNIO

/// A write lock on an SQLite file held by a connection of the test's own, as another process
/// in the middle of a long transaction would hold it.
struct SQLiteLock {
    private let connection: SQLiteConnection

    static func hold(databaseAt path: String) async throws -> SQLiteLock {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path),
            threadPool: .singleton,
            logger: Logger(label: "archive-tests.lock", factory: { _ in SwiftLogNoOpLogHandler() }),
            on: MultiThreadedEventLoopGroup.singleton.any()
        )
        _ = try await connection.query("BEGIN IMMEDIATE")
        return SQLiteLock(connection: connection)
    }

    /// Runs a statement inside the held transaction, as the other process's own writes.
    func query(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        _ = try await connection.query(sql, binds)
    }

    /// Commits what ``query(_:_:)`` wrote and lets go of the lock.
    func commit() async throws {
        _ = try await connection.query("COMMIT")
        try await connection.close()
    }

    func release() async throws {
        _ = try await connection.query("ROLLBACK")
        try await connection.close()
    }
}
