/// Public because `Logger` appears in this file's public API.
public import Logging

/// A ``Mailer`` that leaves out suppressed recipients before handing a message to another mailer.
///
/// Each recipient is checked with ``SuppressionStore/suppression(for:taggedWith:logger:)`` against
/// the message's tags; those suppressed are removed and listed in ``SendReceipt/suppressed``. When
/// every recipient is suppressed nothing is sent and the receipt's ``SendReceipt/id`` is `nil`.
///
/// ```swift
/// let mailer = SuppressingMailer(wrapping: mailgun, store: suppressions)
/// let receipt = try await mailer.send(newsletter)
/// receipt.suppressed   // who was left out
/// ```
public struct SuppressingMailer<Base: Mailer, Store: SuppressionStore>: Mailer {
    /// The mailer that sends what is left.
    public let base: Base
    /// The suppression lists consulted.
    public let store: Store

    /// Wraps `base`, consulting `store` before every send.
    ///
    /// - Parameters:
    ///   - base: The mailer that sends.
    ///   - store: The suppression lists.
    public init(wrapping base: Base, store: Store) {
        self.base = base
        self.store = store
    }

    /// Sends `email` to its unsuppressed recipients.
    public func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        try email.validate()
        var filtered = email
        var suppressed: [EmailAddress] = []
        filtered.to = try await allowed(email.to, tags: email.options.tags, suppressed: &suppressed, logger: logger)
        filtered.cc = try await allowed(email.cc, tags: email.options.tags, suppressed: &suppressed, logger: logger)
        filtered.bcc = try await allowed(email.bcc, tags: email.options.tags, suppressed: &suppressed, logger: logger)
        guard !filtered.recipients.isEmpty else { return Self.nothingSent(suppressed) }
        var receipt = try await base.send(filtered, logger: logger)
        receipt.suppressed += suppressed
        return receipt
    }

    /// Sends `message` to the envelope's unsuppressed recipients.
    public func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try envelope.validate()
        var filtered = envelope
        var suppressed: [EmailAddress] = []
        filtered.recipients = try await allowed(envelope.recipients, tags: envelope.options.tags, suppressed: &suppressed, logger: logger)
        guard !filtered.recipients.isEmpty else { return Self.nothingSent(suppressed) }
        var receipt = try await base.sendMIME(message, envelope: filtered, logger: logger)
        receipt.suppressed += suppressed
        return receipt
    }

    /// Sends `batch` to its unsuppressed recipients; the suppressed are listed in the first receipt.
    public func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try batch.validate()
        var filtered = batch
        var suppressed: [EmailAddress] = []
        filtered.recipients = []
        for recipient in batch.recipients {
            if try await store.suppression(for: recipient.address, taggedWith: batch.email.options.tags, logger: logger) != nil {
                suppressed.append(recipient.address)
            } else {
                filtered.recipients.append(recipient)
            }
        }
        guard !filtered.recipients.isEmpty else { return [Self.nothingSent(suppressed)] }
        var receipts = try await base.sendBatch(filtered, logger: logger)
        if !receipts.isEmpty { receipts[0].suppressed += suppressed }
        return receipts
    }

    private func allowed(
        _ addresses: [EmailAddress],
        tags: [String],
        suppressed: inout [EmailAddress],
        logger: Logger
    ) async throws -> [EmailAddress] {
        var kept: [EmailAddress] = []
        for address in addresses {
            if let entry = try await store.suppression(for: address, taggedWith: tags, logger: logger) {
                logger.debug("recipient suppressed", metadata: ["mailroom.suppression": "\(entry.kind)"])
                suppressed.append(address)
            } else {
                kept.append(address)
            }
        }
        return kept
    }

    private static func nothingSent(_ suppressed: [EmailAddress]) -> SendReceipt {
        SendReceipt(id: nil, message: "Every recipient is suppressed; nothing was sent.", accepted: [], suppressed: suppressed)
    }
}

extension SuppressingMailer where Base == AnyMailer {
    /// Wraps a mailer held as `any Mailer`, as dependency injection usually holds it.
    ///
    /// - Parameters:
    ///   - base: The mailer that sends.
    ///   - store: The suppression lists.
    public init(wrapping base: any Mailer, store: Store) {
        self.init(wrapping: AnyMailer(base), store: store)
    }
}
