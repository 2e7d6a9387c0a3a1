/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `Mailer` and its values are this file's public API.
public import Mailroom

/// A `Mailer` that keeps a copy of every message it sends in an ``ArchiveStore``.
///
/// Each message is rendered to MIME and recorded as ``ArchiveState/pending`` before the wrapped
/// mailer is called, then settled with the outcome: ``ArchiveState/sent`` with the provider's id,
/// ``ArchiveState/failed`` with the error, or ``ArchiveState/suppressed``. So a crash mid-send
/// leaves the message in the archive, pending, rather than losing it.
///
/// The ``ArchivePolicy`` decides what happens when the archive cannot record a message before the
/// send: ``ArchivePolicy/failClosed`` sends nothing and throws the archive's error;
/// ``ArchivePolicy/failOpen`` sends anyway, tries again afterwards, and reports a lasting failure
/// to the logger and `onFailure`. A failure to record an outcome never turns a completed send into
/// an error (a caller would retry and send twice); it is logged and reported the same way.
///
/// ```swift
/// let store = try FileArchiveStore(directory: "/var/lib/acme/mail-archive")
/// let mailer = ArchivingMailer(wrapping: mailgun, store: store, policy: .failClosed)
/// // or, from MAILROOM_ARCHIVE_DIR when it is set:
/// let mailer = try mailgun.archivedFromEnvironment()
/// ```
///
/// A batch is archived per provider request: each request's message, addressed to that request's
/// recipients, with the variables unsubstituted.
public struct ArchivingMailer<Base: Mailer, Store: ArchiveStore>: Mailer {
    /// The mailer that sends.
    public let base: Base
    /// Where copies are kept.
    public let store: Store
    /// Whether a send goes ahead when the archive cannot record it.
    public let policy: ArchivePolicy
    /// Called with each archive failure that did not stop a send.
    public let onFailure: (@Sendable (ArchiveFailure) async -> Void)?

    /// Wraps `base`, archiving into `store`.
    ///
    /// - Parameters:
    ///   - base: The mailer that sends.
    ///   - store: Where copies are kept.
    ///   - policy: Whether to send when the archive cannot record. Default ``ArchivePolicy/failClosed``.
    ///   - onFailure: Called with archive failures that did not stop a send. Default: none (they are still logged).
    public init(
        wrapping base: Base,
        store: Store,
        policy: ArchivePolicy = .failClosed,
        onFailure: (@Sendable (ArchiveFailure) async -> Void)? = nil
    ) {
        self.base = base
        self.store = store
        self.policy = policy
        self.onFailure = onFailure
    }

    /// Records `email`, sends it through ``base``, and records the outcome.
    public func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        let message = try email.renderMIME()
        return try await archiving(message, details: ArchiveDetails(email), logger: logger, outcome: ArchiveOutcome.init) {
            try await base.send(email, logger: logger)
        }
    }

    /// Records `message`, sends it through ``base``, and records the outcome.
    public func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try envelope.validate()
        let details = ArchiveDetails(head: try await message.head(), envelope: envelope)
        return try await archiving(message, details: details, logger: logger, outcome: ArchiveOutcome.init) {
            try await base.sendMIME(message, envelope: envelope, logger: logger)
        }
    }

    /// Sends the batch one provider request at a time, archiving each request's message.
    ///
    /// - Throws: `MailroomError` when nothing was sent; `BatchSendError` when a request fails
    ///   (or, fail-closed, cannot be archived) after earlier ones were accepted.
    public func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try batch.validate()
        let chunks = batch.chunked()
        var receipts: [SendReceipt] = []
        for (index, chunk) in chunks.enumerated() {
            do {
                let email = chunk.requestEmail
                let message = try email.renderMIME()
                receipts += try await archiving(message, details: ArchiveDetails(email), logger: logger, outcome: Self.outcome(of:)) {
                    try await base.sendBatch(chunk, logger: logger)
                }
            } catch {
                let underlying: MailroomError
                switch error {
                case let error as BatchSendError: underlying = error.underlying
                case let error as MailroomError: underlying = error
                default: throw error
                }
                if receipts.isEmpty { throw underlying }
                throw BatchSendError(
                    receipts: receipts,
                    failedRequest: index,
                    unsent: chunks[index...].flatMap(\.recipients),
                    underlying: underlying
                )
            }
        }
        return receipts
    }

    /// Records, sends, settles; applies the policy when recording fails.
    private func archiving<Result>(
        _ message: MIMEMessage,
        details: ArchiveDetails,
        logger: Logger,
        outcome: (Result) -> ArchiveOutcome,
        send: () async throws -> Result
    ) async throws -> Result {
        var entry: ArchiveEntry?
        do {
            entry = try await store.record(message, details: details, outcome: nil, logger: logger)
        } catch {
            let error = MailroomError.archive(error)
            guard policy == .failOpen else {
                logger.error("archive could not record the message; not sending (fail-closed)", metadata: ["mailroom.error": "\(error)"])
                throw error
            }
            logger.warning("archive could not record the message; sending anyway (fail-open)", metadata: ["mailroom.error": "\(error)"])
        }

        let result: Result
        do {
            result = try await send()
        } catch {
            await conclude(entry, message: message, details: details, outcome: .failed(Self.describe(error)), wasSent: false, logger: logger)
            throw error
        }
        let settled = outcome(result)
        await conclude(entry, message: message, details: details, outcome: settled, wasSent: settled.state == .sent, logger: logger)
        return result
    }

    /// Settles a recorded entry, or (fail-open, after a failed record) records the message with its
    /// outcome; reports a failure instead of throwing it.
    private func conclude(
        _ entry: ArchiveEntry?,
        message: MIMEMessage,
        details: ArchiveDetails,
        outcome: ArchiveOutcome,
        wasSent: Bool,
        logger: Logger
    ) async {
        do {
            if let entry {
                _ = try await store.settle(entry.id, outcome: outcome, logger: logger)
            } else {
                _ = try await store.record(message, details: details, outcome: outcome, logger: logger)
                logger.info("archive recorded the message after the send, on its second attempt")
            }
        } catch {
            let failure = ArchiveFailure(
                stage: entry == nil ? .record : .settle,
                archiveID: entry?.id,
                messageWasSent: wasSent,
                error: MailroomError.archive(error)
            )
            logger.error("\(failure)")
            await onFailure?(failure)
        }
    }

    private static func outcome(of receipts: [SendReceipt]) -> ArchiveOutcome {
        receipts.first(where: \.wasSent).map(ArchiveOutcome.init) ?? .suppressed
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case is CancellationError: "the send was cancelled"
        default: "\(error)"
        }
    }
}

extension ArchivingMailer where Base == AnyMailer {
    /// Wraps a mailer held as `any Mailer`, as dependency injection usually holds it.
    ///
    /// - Parameters:
    ///   - base: The mailer that sends.
    ///   - store: Where copies are kept.
    ///   - policy: Whether to send when the archive cannot record. Default ``ArchivePolicy/failClosed``.
    ///   - onFailure: Called with archive failures that did not stop a send.
    public init(
        wrapping base: any Mailer,
        store: Store,
        policy: ArchivePolicy = .failClosed,
        onFailure: (@Sendable (ArchiveFailure) async -> Void)? = nil
    ) {
        self.init(wrapping: AnyMailer(base), store: store, policy: policy, onFailure: onFailure)
    }
}
