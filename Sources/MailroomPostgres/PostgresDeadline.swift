import Mailroom
import Synchronization

/// A store operation given up after a time: it fails with a transient storage error, so that a
/// send under `ArchivingMailer` or `SuppressingMailer` follows its policy instead of waiting.
///
/// Needed because a query in flight when the server restarted can stay suspended for good in
/// postgres-nio's pool (1.33): neither failing nor returning, and deaf to cancellation. Seen with
/// `pg_ctl restart -m immediate` under a burst, and with a transaction's `COMMIT` when the server
/// closed the connection right after the statement before it. The operation therefore runs in a
/// task of its own that the caller stops waiting for; it is cancelled, and what it holds is
/// released if it ever ends.
enum PostgresDeadline {
    static func run<Result: Sendable>(
        _ timeout: Duration,
        _ doing: String,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let work = Task { try await body() }
        let answered = Once()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled, answered.claim() else { return }
                    work.cancel()
                    continuation.resume(throwing: MailroomError(code: .storage, message: "PostgreSQL did not answer \(doing) within \(timeout)", isTransient: true))
                }
                Task {
                    let result = await work.result
                    guard answered.claim() else { return }
                    timer.cancel()
                    continuation.resume(with: result)
                }
            }
        } onCancel: {
            work.cancel()
        }
    }
}

/// Lets exactly one of several racing tasks act.
final class Once: Sendable {
    private let claimed = Mutex(false)

    /// `true` for the first caller only.
    func claim() -> Bool {
        claimed.withLock { wasClaimed in
            defer { wasClaimed = true }
            return !wasClaimed
        }
    }
}
