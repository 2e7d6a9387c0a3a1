/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `Mailer` and its values are this file's public API.
public import Mailroom

/// A `Mailer` that delivers nothing: it keeps every message in an ``ArchiveStore`` as
/// ``ArchiveState/outbox``, for local development without a Mailgun account.
///
/// The receipt's id is the archive id, so `mailroom archive show ID` opens the message.
///
/// ```swift
/// let mailer: any Mailer = apiKey == nil
///     ? try OutboxMailer(directory: ".mailroom/outbox")
///     : MailgunMailer(configuration: configuration)
/// ```
public struct OutboxMailer<Store: ArchiveStore>: Mailer {
    /// Where messages are kept.
    public let store: Store

    /// The receipt message: `Stored in the local outbox; not delivered.`
    public static var receiptMessage: String { "Stored in the local outbox; not delivered." }

    /// Keeps messages in `store`.
    ///
    /// - Parameter store: Where messages are kept.
    public init(store: Store) {
        self.store = store
    }

    /// Validates, renders and stores `email`.
    public func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        let message = try email.renderMIME()
        let entry = try await store.record(message, details: ArchiveDetails(email), outcome: .outbox, logger: logger)
        return SendReceipt(id: entry.id, message: Self.receiptMessage, accepted: email.recipients)
    }

    /// Stores `message` for the envelope's recipients.
    public func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try envelope.validate()
        let details = ArchiveDetails(head: try await message.head(), envelope: envelope)
        let entry = try await store.record(message, details: details, outcome: .outbox, logger: logger)
        return SendReceipt(id: entry.id, message: Self.receiptMessage, accepted: envelope.recipients)
    }

    /// Stores the batch, one message per provider-sized request.
    public func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try batch.validate()
        var receipts: [SendReceipt] = []
        for chunk in batch.chunked() {
            receipts.append(try await send(chunk.requestEmail, logger: logger))
        }
        return receipts
    }
}

extension OutboxMailer where Store == FileArchiveStore {
    /// Keeps messages in a ``FileArchiveStore`` in `directory`.
    ///
    /// - Parameter directory: The outbox's directory, e.g. `.mailroom/outbox`.
    /// - Throws: `MailroomError.Code.invalidValue` naming `directory` when it is empty.
    public init(directory: String) throws {
        self.init(store: try FileArchiveStore(directory: directory))
    }
}
