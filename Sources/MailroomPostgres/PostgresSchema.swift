import Foundation
import Logging
import Mailroom
import PostgresNIO

/// Versioned schema migrations in a schema of their own, applied at start.
///
/// Each store lists its migrations; `apply` runs the ones not yet applied in one transaction that
/// first takes an advisory lock on the schema, so that instances starting at once apply each
/// migration exactly once (the others wait, then find nothing left to do). The applied versions
/// are rows of `SCHEMA.mailroom_migrations`.
struct PostgresSchema: Sendable {
    /// The schema's name, checked to be a plain identifier (it is written into SQL, not bound).
    let name: String

    /// - Throws: `MailroomError.Code.invalidValue` naming `schema` unless the name is 1 to 63
    ///   lower-case letters, digits and `_`, not starting with a digit.
    init(_ name: String) throws {
        let valid = !name.isEmpty && name.count <= 63 && name.first.map { !$0.isNumber } == true
            && name.allSatisfy { ($0.isASCII && $0.isLowercase) || ($0.isASCII && $0.isNumber) || $0 == "_" }
        guard valid else {
            throw MailroomError.invalidValue(field: "schema", "'\(name.prefix(70))' is not a schema name: use 1 to 63 lower-case letters, digits and _")
        }
        self.name = name
    }

    /// `SCHEMA.table`, for SQL.
    func table(_ table: String) -> String { "\(name).\(table)" }

    /// Applies `migrations[n]` for every version `n + 1` of `component` not applied yet.
    ///
    /// - Returns: The versions applied by this call.
    @discardableResult
    func apply(_ migrations: [[String]], component: String, on client: PostgresClient, logger: Logger) async throws -> [Int] {
        let name = self.name
        return try await PostgresErrors.storage("applying the \(component) schema") {
            try await client.withTransaction(logger: logger) { connection in
                // One lock per schema, held to the end of this transaction.
                try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\("mailroom.migrations." + name)))", logger: logger)
                try await connection.run("CREATE SCHEMA IF NOT EXISTS \(unescaped: name)", logger: logger)
                try await connection.run(
                    """
                    CREATE TABLE IF NOT EXISTS \(unescaped: name).mailroom_migrations (
                        component text NOT NULL, version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
                        PRIMARY KEY (component, version))
                    """,
                    logger: logger
                )
                var current = 0
                for try await version in try await connection.run(
                    "SELECT coalesce(max(version), 0) FROM \(unescaped: name).mailroom_migrations WHERE component = \(component)", logger: logger
                ).decode(Int.self) {
                    current = version
                }
                var applied: [Int] = []
                for (index, statements) in migrations.enumerated() where index + 1 > current {
                    for statement in statements {
                        try await connection.run(PostgresQuery(unsafeSQL: statement.replacingOccurrences(of: "{schema}", with: name)), logger: logger)
                    }
                    try await connection.run("INSERT INTO \(unescaped: name).mailroom_migrations (component, version) VALUES (\(component), \(index + 1))", logger: logger)
                    applied.append(index + 1)
                }
                return applied
            }
        }
    }

    /// ``apply(_:component:on:logger:)``, failing when it has not finished within `timeout`: the
    /// client's pool keeps retrying a server that refuses it, which would otherwise wait forever.
    ///
    /// - Throws: `MailroomError.Code.storage`, transient, when the time is up.
    func open(_ migrations: [[String]], component: String, on client: PostgresClient, timeout: Duration, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await apply(migrations, component: component, on: client, logger: logger)
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            guard try await group.next() == true else {
                throw MailroomError(
                    code: .storage,
                    message: "PostgreSQL did not accept a connection and apply the \(component) schema within \(timeout) (is the server running, are the user and password right?)",
                    isTransient: true
                )
            }
        }
    }
}
