import Foundation
import Logging
import Mailroom
import MailroomSQLite
import MailroomTestSupport
import NIOPosix
import SQLiteNIO
import Testing

/// The shared SQLite file's write paths: a statement run in its caller's task.
@Suite struct SQLiteDatabaseFileTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func aStatementOfACancelledCallerDoesNotRunAndLeavesTheFileWritable() async throws {
        let directory = try TemporaryDirectory()
        let database = try await SQLiteDatabaseFile.open(
            path: (directory.path as NSString).appendingPathComponent("file.sqlite"),
            migrations: [["CREATE TABLE numbers (n INTEGER NOT NULL)"]],
            busyTimeout: .seconds(5),
            synchronous: .full,
            threadPool: .singleton,
            logger: Self.logger
        )
        let insert = "INSERT INTO numbers (n) VALUES (?) RETURNING n"
        let caller = Task {
            var returned: [Int] = []
            for n in 0..<20 {
                let rows = try await database.execute(insert, [.integer(n)])
                returned += rows.compactMap { $0.column("n")?.integer }
            }
            withUnsafeCurrentTask { $0?.cancel() }
            var failure: (any Error)?
            do {
                _ = try await database.execute(synchronous: .normal, insert, [.integer(99)])
            } catch {
                failure = error
            }
            return (returned, failure)
        }
        let (returned, failure) = try await caller.value
        #expect(returned == Array(0..<20))
        #expect(failure is CancellationError, "a cancelled caller's statement throws CancellationError, not a storage error: \(String(describing: failure))")

        // The statement never ran, and no transaction was left open: both write connections still
        // commit, a statement alone and a transaction.
        _ = try await database.execute(synchronous: .normal, insert, [.integer(20)])
        try await database.write { transaction in
            _ = try await transaction.query(insert, [.integer(21)])
            _ = try await transaction.query(insert, [.integer(22)])
        }
        let numbers = try await database.read("SELECT n FROM numbers ORDER BY n").compactMap { $0.column("n")?.integer }
        #expect(numbers == Array(0...22))
        try await database.close()
    }
}
