/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `Mailer` and its values are this file's public API.
public import Mailroom

/// A `Mailer` for tests that behaves like production without a network.
///
/// It validates exactly as the core does for every mailer, renders the MIME, honours an attached
/// suppression store the way `SuppressingMailer` does, and records every accepted send. Each instance
/// is independent (no globals), so Swift Testing's parallel tests never see each other's mail.
///
/// ```swift
/// let mailer = InMemoryMailer()
/// try await SignupService(mailer: mailer).welcome(zoe)
/// #expect(mailer.count == 1)
/// #expect(mailer.last?.subjectContains("Welcome") == true)
/// ```
///
/// Script failures with ``script(_:times:)`` and ``script(_:forRecipient:)``; inject the clock and the
/// sleeper through ``Configuration``. It is a class, not a struct, because the recorded mail must be
/// shared by every copy handed to the code under test.
public final class InMemoryMailer: Mailer, Sendable {
    /// How the double records and waits.
    public struct Configuration: Sendable {
        /// The most sends kept; older ones are dropped. Default 10,000.
        public var maximumRetained: Int
        /// The largest rendered message accepted, as Mailgun's 25 MB. Default 25 MB.
        public var maximumMessageSize: Int
        /// The clock for ``SentMessage/date``. Default: the system clock.
        public var now: @Sendable () -> Date
        /// Waits for ``ScriptedOutcome/delay(_:)``. Default `Task.sleep`.
        public var sleep: @Sendable (Duration) async throws -> Void

        /// Creates a configuration; every member has the default its documentation states.
        public init(
            maximumRetained: Int = 10_000,
            maximumMessageSize: Int = 25 * 1_024 * 1_024,
            now: @escaping @Sendable () -> Date = { Date() },
            sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
        ) {
            self.maximumRetained = maximumRetained
            self.maximumMessageSize = maximumMessageSize
            self.now = now
            self.sleep = sleep
        }
    }

    private struct State {
        var sent: [SentMessage] = []
        var next: [ScriptedOutcome] = []
        var byRecipient: [String: [ScriptedOutcome]] = [:]
    }

    /// The configuration in use.
    public let configuration: Configuration
    /// The suppression lists consulted before each send, if any.
    public let suppressions: (any SuppressionStore)?
    private let state = LockedState(State())

    /// Creates a double.
    ///
    /// - Parameters:
    ///   - suppressions: A store to honour, e.g. an ``InMemorySuppressionStore``; none by default.
    ///   - configuration: Retention, size limit, clock and sleeper.
    public init(suppressions: (any SuppressionStore)? = nil, configuration: Configuration = Configuration()) {
        self.suppressions = suppressions
        self.configuration = configuration
    }

    // MARK: Mailer

    /// Validates, applies suppressions and scripts, renders and records `email`.
    public func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        try email.validate()
        guard let store = suppressions else { return try await accept(email, logger: logger) }
        return try await SuppressingMailer(wrapping: Recorder(mailer: self), store: AnySuppressionStore(store)).send(email, logger: logger)
    }

    /// Validates, applies suppressions and scripts, and records `message` for the envelope's recipients.
    public func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try envelope.validate()
        guard let store = suppressions else { return try await accept(message, envelope: envelope) }
        return try await SuppressingMailer(wrapping: Recorder(mailer: self), store: AnySuppressionStore(store)).sendMIME(message, envelope: envelope, logger: logger)
    }

    /// Validates and records `batch` as one send per request of at most 1,000 recipients.
    public func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try batch.validate()
        guard let store = suppressions else { return try await acceptBatch(batch, logger: logger) }
        return try await SuppressingMailer(wrapping: Recorder(mailer: self), store: AnySuppressionStore(store)).sendBatch(batch, logger: logger)
    }

    // MARK: Scripting

    /// Makes the next `times` sends end with `outcome`, after any outcomes already queued.
    public func script(_ outcome: ScriptedOutcome, times: Int = 1) {
        state.withLock { $0.next += Array(repeating: outcome, count: max(0, times)) }
    }

    /// Makes the next send that includes `recipient` end with `outcome` (once per call).
    public func script(_ outcome: ScriptedOutcome, forRecipient recipient: EmailAddress) {
        state.withLock { $0.byRecipient[recipient.mailbox.lowercased(), default: []].append(outcome) }
    }

    /// Forgets every recorded send and every queued outcome.
    public func reset() {
        state.withLock { $0 = State() }
    }

    // MARK: Recording

    /// Every accepted send, oldest first, up to ``Configuration/maximumRetained``.
    public var sent: [SentMessage] { state.withLock { $0.sent } }

    func accept(_ email: Email, logger: Logger) async throws -> SendReceipt {
        try await applyScript(for: email.recipients)
        let message = try email.renderMIME(options: MIMERenderOptions(maximumSize: configuration.maximumMessageSize))
        return record(email: email, mime: try await message.collect(), envelope: Envelope(for: email), id: message.messageID)
    }

    func accept(_ message: MIMEMessage, envelope: Envelope) async throws -> SendReceipt {
        try await applyScript(for: envelope.recipients)
        if message.byteCount > configuration.maximumMessageSize {
            throw MailroomError.messageTooLarge(size: message.byteCount, limit: configuration.maximumMessageSize)
        }
        let id = message.messageID ?? "<\(UUID().uuidString.lowercased())@mailroom.testing>"
        return record(email: nil, mime: try await message.collect(), envelope: envelope, id: id)
    }

    func acceptBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        var receipts: [SendReceipt] = []
        let chunks = batch.chunked()
        for (index, chunk) in chunks.enumerated() {
            do {
                receipts.append(try await accept(chunk.requestEmail, logger: logger))
            } catch let error as MailroomError {
                throw BatchSendError(receipts: receipts, failedRequest: index, unsent: chunks[index...].flatMap(\.recipients), underlying: error)
            }
        }
        return receipts
    }

    private func applyScript(for recipients: [EmailAddress]) async throws {
        let outcome: ScriptedOutcome? = state.withLock { state in
            for recipient in recipients {
                let key = recipient.mailbox.lowercased()
                if var queued = state.byRecipient[key], !queued.isEmpty {
                    let first = queued.removeFirst()
                    state.byRecipient[key] = queued.isEmpty ? nil : queued
                    return first
                }
            }
            return state.next.isEmpty ? nil : state.next.removeFirst()
        }
        switch outcome?.action {
        case .fail(let error): throw error
        case .delay(let duration): try await configuration.sleep(duration)
        case .succeed, nil: break
        }
    }

    private func record(email: Email?, mime: [UInt8], envelope: Envelope, id: String?) -> SendReceipt {
        let receipt = SendReceipt(id: id, message: "Queued. Thank you.", accepted: envelope.recipients)
        let sent = SentMessage(email: email, mime: mime, envelope: envelope, receipt: receipt, date: configuration.now())
        state.withLock { state in
            state.sent.append(sent)
            let excess = state.sent.count - max(1, configuration.maximumRetained)
            if excess > 0 { state.sent.removeFirst(excess) }
        }
        return receipt
    }

    /// The double's accepting half, which `SuppressingMailer` wraps when a store is attached.
    private struct Recorder: Mailer {
        let mailer: InMemoryMailer

        func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
            try await mailer.accept(email, logger: logger)
        }

        func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
            try await mailer.accept(message, envelope: envelope)
        }

        func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
            try await mailer.acceptBatch(batch, logger: logger)
        }
    }
}
