/// Public because `Logger` appears in this file's public API.
public import Logging

/// Something that sends email: Mailgun, the in-memory double, or a decorator around either.
///
/// Application code depends on `any Mailer` and never on a provider, so production, tests and
/// local development differ only in what is injected.
///
/// Every implementation validates before it sends (``Email/validate()``, ``Envelope/validate()``,
/// ``BatchEmail/validate()``), so a bad input is a ``MailroomError`` naming the field and nothing
/// is sent. Each method takes a `Logger` to log through; the conveniences without one log nothing.
public protocol Mailer: Sendable {
    /// Sends a message.
    ///
    /// - Parameters:
    ///   - email: The message.
    ///   - logger: Where to log, with the caller's metadata.
    /// - Returns: The provider's receipt.
    /// - Throws: ``MailroomError``: a validation error, or the provider's answer.
    func send(_ email: Email, logger: Logger) async throws -> SendReceipt

    /// Sends a message already rendered as MIME to the envelope's recipients.
    ///
    /// - Parameters:
    ///   - message: The RFC 5322 message, e.g. from ``Email/renderMIME(options:)``.
    ///   - envelope: Who receives it and how it is delivered.
    ///   - logger: Where to log.
    /// - Returns: The provider's receipt.
    /// - Throws: ``MailroomError``.
    func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt

    /// Sends one message to many recipients with per-recipient variables, in requests of at most
    /// ``BatchEmail/maximumRecipientsPerRequest`` recipients.
    ///
    /// - Parameters:
    ///   - batch: The message and its recipients.
    ///   - logger: Where to log.
    /// - Returns: One receipt per request, in order.
    /// - Throws: ``MailroomError`` before anything is sent, or ``BatchSendError`` when a request
    ///   fails after earlier ones were accepted (those are not resent).
    func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt]
}

extension Mailer {
    /// Sends a message without logging.
    ///
    /// - Parameter email: The message.
    /// - Returns: The provider's receipt.
    /// - Throws: ``MailroomError``.
    public func send(_ email: Email) async throws -> SendReceipt {
        try await send(email, logger: .mailroomDisabled)
    }

    /// Sends pre-rendered MIME without logging.
    ///
    /// - Parameters:
    ///   - message: The RFC 5322 message.
    ///   - envelope: Who receives it and how.
    /// - Returns: The provider's receipt.
    /// - Throws: ``MailroomError``.
    public func sendMIME(_ message: MIMEMessage, envelope: Envelope) async throws -> SendReceipt {
        try await sendMIME(message, envelope: envelope, logger: .mailroomDisabled)
    }

    /// Sends a batch without logging.
    ///
    /// - Parameter batch: The message and its recipients.
    /// - Returns: One receipt per request.
    /// - Throws: ``MailroomError`` or ``BatchSendError``.
    public func sendBatch(_ batch: BatchEmail) async throws -> [SendReceipt] {
        try await sendBatch(batch, logger: .mailroomDisabled)
    }
}

extension Logger {
    /// A logger that drops everything, for the conveniences that take none (as AsyncHTTPClient does).
    @usableFromInline static let mailroomDisabled = Logger(label: "mailroom", factory: { _ in SwiftLogNoOpLogHandler() })
}
