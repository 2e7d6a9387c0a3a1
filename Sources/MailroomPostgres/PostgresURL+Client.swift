/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `PostgresClient` appears in this file's public API.
public import PostgresNIO

extension PostgresURL {
    /// Runs a client of its own for this server while `body` runs, and stops it afterwards, also
    /// when `body` throws: what a script or a command does; an app runs its client as a `Service`.
    ///
    /// - Parameters:
    ///   - logger: Where postgres-nio logs.
    ///   - body: The work to do with the client.
    /// - Returns: What `body` returns.
    public func withClient<Result: Sendable>(logger: Logger, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
