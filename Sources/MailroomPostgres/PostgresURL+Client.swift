/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `PostgresClient` appears in this file's public API.
public import PostgresNIO

extension PostgresURL {
    /// How long ``withClient(logger:_:)`` waits for the client to stop once `body` has returned.
    static let shutdownGrace: Duration = .seconds(2)

    /// Runs a client of its own for this server while `body` runs, and stops it afterwards, also
    /// when `body` throws: what a script or a command does; an app runs its client as a `Service`.
    ///
    /// The client's `run()` is cancelled when `body` returns and waited for at most two seconds:
    /// after the server restarted under it, postgres-nio's pool (1.33) can go on retrying a
    /// connection through a graceful shutdown and never return, which would keep a finished
    /// command from exiting. Every query has ended by then; only the pool's retries are left.
    ///
    /// - Parameters:
    ///   - logger: Where postgres-nio logs.
    ///   - body: The work to do with the client.
    /// - Returns: What `body` returns.
    public func withClient<Result: Sendable>(logger: Logger, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        let running = Task { await client.run() }
        do {
            let result = try await body(client)
            await Self.stop(running)
            return result
        } catch {
            await Self.stop(running)
            throw error
        }
    }

    /// Cancels the client's run and waits until it ends or ``shutdownGrace`` has passed.
    private static func stop(_ running: Task<Void, Never>) async {
        running.cancel()
        let ended = Once()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Task {
                await running.value
                if ended.claim() { continuation.resume() }
            }
            Task {
                try? await Task.sleep(for: shutdownGrace)
                if ended.claim() { continuation.resume() }
            }
        }
    }
}
