/// Public because `Logger` appears in this file's public API.
public import Logging

/// A ``Mailer`` that leaves out suppressed recipients before handing a message to another mailer.
///
/// All of a message's recipients are checked with one
/// ``SuppressionStore/suppressions(for:taggedWith:logger:)`` call against the message's tags (one
/// local query with a local store); those suppressed are removed and listed in ``SendReceipt/suppressed``. When
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
        var split = try await lookUp(email.to + email.cc + email.bcc, tags: email.options.tags, logger: logger)
        var filtered = email
        filtered.to = split.take(email.to)
        filtered.cc = split.take(email.cc)
        filtered.bcc = split.take(email.bcc)
        guard !filtered.recipients.isEmpty else { return Self.nothingSent(split.suppressed) }
        var receipt = try await base.send(filtered, logger: logger)
        receipt.suppressed += split.suppressed
        return receipt
    }

    /// Sends `message` to the envelope's unsuppressed recipients.
    public func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try envelope.validate()
        var split = try await lookUp(envelope.recipients, tags: envelope.options.tags, logger: logger)
        var filtered = envelope
        filtered.recipients = split.take(envelope.recipients)
        guard !filtered.recipients.isEmpty else { return Self.nothingSent(split.suppressed) }
        var receipt = try await base.sendMIME(message, envelope: filtered, logger: logger)
        receipt.suppressed += split.suppressed
        return receipt
    }

    /// Sends `batch` to its unsuppressed recipients; the suppressed are listed in the first receipt.
    public func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try batch.validate()
        var split = try await lookUp(batch.recipients.map(\.address), tags: batch.email.options.tags, logger: logger)
        var filtered = batch
        filtered.recipients = split.take(batch.recipients, address: \.address)
        guard !filtered.recipients.isEmpty else { return [Self.nothingSent(split.suppressed)] }
        var receipts = try await base.sendBatch(filtered, logger: logger)
        if !receipts.isEmpty { receipts[0].suppressed += split.suppressed }
        return receipts
    }

    /// One batch look-up; a store that answers for the wrong number of recipients is an error, never
    /// a reason to send.
    private func lookUp(_ addresses: [EmailAddress], tags: [String], logger: Logger) async throws -> Split {
        let verdicts = try await store.suppressions(for: addresses, taggedWith: tags, logger: logger)
        guard verdicts.count == addresses.count else {
            throw MailroomError(code: .storage, message: "the suppression store answered \(verdicts.count) times for \(addresses.count) recipients")
        }
        return Split(verdicts, logger: logger)
    }

    /// Walks one batch look-up's answers in the order the recipients were asked, keeping the
    /// unsuppressed and gathering the rest.
    private struct Split {
        private let verdicts: [Suppression?]
        private let logger: Logger
        private var position = 0
        private(set) var suppressed: [EmailAddress] = []

        init(_ verdicts: [Suppression?], logger: Logger) {
            self.verdicts = verdicts
            self.logger = logger
        }

        mutating func take(_ addresses: [EmailAddress]) -> [EmailAddress] {
            take(addresses, address: \.self)
        }

        mutating func take<Recipient>(_ recipients: [Recipient], address: KeyPath<Recipient, EmailAddress>) -> [Recipient] {
            var kept: [Recipient] = []
            for recipient in recipients {
                defer { position += 1 }
                if let entry = verdicts[position] {
                    logger.debug("recipient suppressed", metadata: ["mailroom.suppression": "\(entry.kind)"])
                    suppressed.append(recipient[keyPath: address])
                } else {
                    kept.append(recipient)
                }
            }
            return kept
        }
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
