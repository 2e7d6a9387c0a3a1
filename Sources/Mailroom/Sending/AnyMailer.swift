/// Public because `Logger` appears in this file's public API.
public import Logging

/// Any ``Mailer`` behind one concrete type, so that generic decorators can wrap a mailer held as
/// `any Mailer` (an existential does not conform to its own protocol).
///
/// ```swift
/// var mailer: any Mailer = mailgun
/// mailer = SuppressingMailer(wrapping: mailer, store: suppressions)   // wraps via AnyMailer
/// ```
public struct AnyMailer: Mailer {
    /// The wrapped mailer.
    public let base: any Mailer

    /// Wraps `base`.
    ///
    /// - Parameter base: Any mailer.
    public init(_ base: any Mailer) {
        self.base = base
    }

    /// Forwards to the wrapped mailer.
    public func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        try await base.send(email, logger: logger)
    }

    /// Forwards to the wrapped mailer.
    public func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try await base.sendMIME(message, envelope: envelope, logger: logger)
    }

    /// Forwards to the wrapped mailer.
    public func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try await base.sendBatch(batch, logger: logger)
    }
}
