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

    /// One client for every test of the run, as an app shares one among its stores: each new
    /// connection costs a SCRAM handshake (thousands of HMAC rounds, slow in a debug build), which a
    /// client per test would pay dozens of times at once while the rest of the suite loads both cores.
    static let client: PostgresClient? = {
        guard let url = try? configuredURL() else { return nil }
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = 8
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        Task.detached { await client.run() }  // for the rest of the test process
        return client
    }()

    /// How long a test's store may take to open: the shared client's connections may all be busy
    /// with other tests for a while.
    static let openTimeout: Duration = .seconds(120)

    /// A schema of the test's own on the shared client, dropped afterwards, so that tests never
    /// see each other's rows.
    static func withSchema<Result: Sendable>(_ body: @Sendable (PostgresClient, String) async throws -> Result) async throws -> Result {
        _ = try configuredURL()
        guard let client else { throw Missing() }
        let schema = "test_" + UUID().uuidString.prefix(8).lowercased()
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
