import Foundation
import Logging
import MailroomPostgres
import PostgresNIO
import Testing

/// The PostgreSQL the tests use: `MAILROOM_POSTGRES_URL` (CI starts one with `.ci/postgres-start`).
/// Locally, without it, the tests are skipped with one line saying so; in CI (`CI` set) they run
/// and fail, so that a missing server is never a silent pass.
enum PostgresTestServer {
    static let url = ProcessInfo.processInfo.environment[PostgresURL.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    static let required = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false
    /// Whether the tests run: a server is configured, or CI requires one.
    static let enabled = url != nil || required
    static let skipNote: Comment = "MAILROOM_POSTGRES_URL is not set: PostgreSQL tests skipped (eval \"$(.ci/postgres-start)\" starts one)"
    static let logger = Logger(label: "postgres-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    struct Missing: Error, CustomStringConvertible {
        var description: String { "CI runs the PostgreSQL tests: MAILROOM_POSTGRES_URL must name a server (.ci/postgres-start)" }
    }

    /// The server's URL, or the error that fails a CI run without one.
    static func configuredURL() throws -> PostgresURL {
        guard let url else { throw Missing() }
        return try PostgresURL(url)
    }

    /// A schema of the test's own, dropped afterwards, so that tests never see each other's rows.
    static func withSchema<Result: Sendable>(_ body: @Sendable (PostgresClient, String) async throws -> Result) async throws -> Result {
        let url = try configuredURL()
        let schema = "test_" + UUID().uuidString.prefix(8).lowercased()
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            do {
                let result = try await body(client, schema)
                try await client.query("DROP SCHEMA IF EXISTS \(unescaped: schema) CASCADE", logger: logger)
                return result
            } catch {
                _ = try? await client.query("DROP SCHEMA IF EXISTS \(unescaped: schema) CASCADE", logger: logger)
                throw error
            }
        }
    }
}
