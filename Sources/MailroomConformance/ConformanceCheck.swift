import Logging
import Mailroom

/// One behavioural check of the conformance suite; run it on a fresh implementation.
public struct ConformanceCheck: Sendable, CustomStringConvertible {
    /// What the check verifies, e.g. `mailer rejects header injection before sending`.
    public let name: String
    let body: @Sendable (MailroomImplementation, inout ConformanceCheck.Context) async throws -> Void

    /// The check's name.
    public var description: String { name }

    /// Runs the check.
    ///
    /// - Parameter implementation: A fresh implementation (empty stores, nothing sent).
    /// - Throws: ``ConformanceFailure`` when the implementation behaves differently, or the
    ///   implementation's unexpected error.
    public func run(on implementation: MailroomImplementation) async throws {
        var context = Context(check: name, implementation: implementation.name)
        try await body(implementation, &context)
    }

    /// Assertion helpers handed to each check.
    public struct Context: Sendable {
        let check: String
        let implementation: String
        /// A logger that logs nothing, for protocol methods that take one.
        let logger = Logger(label: "mailroom.conformance", factory: { _ in SwiftLogNoOpLogHandler() })

        func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            guard condition else { throw ConformanceFailure(check: check, implementation: implementation, message: message()) }
        }

        func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String) throws {
            try expect(actual == expected, "\(what): expected \(expected), got \(actual)")
        }

        /// Runs `body`, requiring a `MailroomError` with `code` (and `field` when given).
        func expectError(_ code: MailroomError.Code, field: String? = nil, _ what: String, _ body: () async throws -> Void) async throws {
            do {
                try await body()
            } catch let error as MailroomError {
                try expect(error.code == code, "\(what): expected \(code), got \(error.code) (\(error))")
                if let field { try expect(error.field == field, "\(what): expected field \(field), got \(error.field ?? "none")") }
                return
            } catch let error as BatchSendError {
                try expect(error.underlying.code == code, "\(what): expected \(code), got \(error.underlying.code)")
                return
            }
            throw ConformanceFailure(check: check, implementation: implementation, message: "\(what): expected \(code), but nothing was thrown")
        }
    }
}

/// How an implementation differed from the expected behaviour.
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// The check that failed.
    public let check: String
    /// The implementation's name.
    public let implementation: String
    /// What differed.
    public let message: String

    /// `[implementation] check: message`.
    public var description: String { "[\(implementation)] \(check): \(message)" }
}
