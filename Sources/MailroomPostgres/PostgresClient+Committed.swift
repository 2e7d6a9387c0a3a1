import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction and returns once the server has answered its `COMMIT`; fails
    /// as ``PostgresErrors/storage(_:within:_:)`` does. Every write of the stores goes through it.
    ///
    /// Not a lone statement: postgres-nio ends a statement's results at its `CommandComplete`,
    /// which in the extended protocol comes before the implicit transaction commits (at `Sync`).
    /// A server that crashed in between has flushed that `CommandComplete` and lost the write,
    /// which a send then reported as archived (seen with `pg_ctl restart -m immediate` under a
    /// burst). A `COMMIT` statement is answered only once the commit is done.
    func committed<Result: Sendable>(
        _ doing: String,
        within timeout: Duration,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await PostgresErrors.storage(doing, within: timeout) {
            // Wrapped: `withTransaction` takes a non-`@Sendable` closure returning a `sending` value.
            try await self.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }
}
