import Mailroom
import PostgresNIO

/// PostgreSQL failures as `MailroomError.Code.storage`: transient when the server went away or a
/// transaction met another (a retry may succeed), never with the query's binds or the password
/// (`PSQLError`'s description can hold the query; only its code and the server's message class are kept).
enum PostgresErrors {
    static func storage<Result>(_ doing: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            throw mapped(error, doing)
        }
    }

    /// ``storage(_:_:)`` given up after `timeout` (``PostgresDeadline``).
    static func storage<Result: Sendable>(_ doing: String, within timeout: Duration, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        try await PostgresDeadline.run(timeout, doing) {
            try await storage(doing, body)
        }
    }

    /// `error` as the `MailroomError` to throw; a transaction's own error is unwrapped, so that a
    /// `MailroomError` thrown inside one reaches the caller as it was.
    static func mapped(_ error: any Error, _ doing: String) -> any Error {
        switch error {
        case let error as MailroomError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError { return mapped(inner, doing) }
            return MailroomError(code: .storage, message: "PostgreSQL failed \(doing) (a transaction)", isTransient: true)
        case let error as PSQLError:
            let state = error.serverInfo?[.sqlState]
            let detail = state.map { "SQLSTATE \($0)" } ?? "\(error.code)"
            // 40001 serialization failure, 40P01 deadlock, 57P01..03 shutdown, 08xxx connection.
            let transient = state.map { $0.hasPrefix("40") || $0.hasPrefix("57P") || $0.hasPrefix("08") } ?? true
            return MailroomError(code: .storage, message: "PostgreSQL failed \(doing) (\(detail))", isTransient: transient)
        case is CancellationError:
            return error
        default:
            return MailroomError(code: .storage, message: "PostgreSQL failed \(doing) (\(type(of: error)))", isTransient: true)
        }
    }
}
