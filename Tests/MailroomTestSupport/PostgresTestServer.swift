import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `PostgresURL` appears in this file's public API.
public import MailroomPostgres
/// Public because `PostgresClient` appears in this file's public API.
public import PostgresNIO
/// Public because `Comment` appears in this file's public API.
public import Testing

/// The PostgreSQL the tests use: `MAILROOM_POSTGRES_URL` (CI starts one with `.ci/postgres-start`).
/// Locally, without it, the tests are skipped with one line saying so; in CI (`CI` set) they run
/// and fail, so that a missing server is never a silent pass.
public enum PostgresTestServer {
    /// `MAILROOM_POSTGRES_URL`, when set and not empty.
    public static let url = ProcessInfo.processInfo.environment[PostgresURL.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    /// Whether CI runs this (`CI` set): then a missing server fails the tests.
    public static let required = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false
    /// Whether the tests run: a server is configured, or CI requires one.
    public static let enabled = url != nil || required
    /// The one line a local run without a server shows.
    public static let skipNote: Comment = "MAILROOM_POSTGRES_URL is not set: PostgreSQL tests skipped (eval \"$(.ci/postgres-start)\" starts one)"
    /// A logger that logs nothing, for the stores and postgres-nio.
    public static let logger = Logger(label: "postgres-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// CI without a server.
    public struct Missing: Error, CustomStringConvertible {
        /// What to do.
        public var description: String { "CI runs the PostgreSQL tests: MAILROOM_POSTGRES_URL must name a server (.ci/postgres-start)" }
    }

    /// The server's URL, or the error that fails a CI run without one.
    public static func configuredURL() throws -> PostgresURL {
        guard let url else { throw Missing() }
        return try PostgresURL(url)
    }

    /// One client for every test of the run, as an app shares one among its stores: each new
    /// connection costs a SCRAM handshake (thousands of HMAC rounds, slow in a debug build), which a
    /// client per test would pay dozens of times at once while the rest of the suite loads both cores.
    public static let client: PostgresClient? = {
        guard let url = try? configuredURL() else { return nil }
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = 8
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        Task.detached { await client.run() }  // for the rest of the test process
        return client
    }()

    /// How long a test's store may take to open: the shared client's connections may all be busy
    /// with other tests for a while.
    public static let openTimeout: Duration = .seconds(120)

    /// A schema of the test's own on the shared client, dropped afterwards, so that tests never
    /// see each other's rows.
    public static func withSchema<Result: Sendable>(_ body: @Sendable (PostgresClient, String) async throws -> Result) async throws -> Result {
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
