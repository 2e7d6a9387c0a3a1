/// Public because `Data` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `SuppressionStore` and `Suppression` appear in this file's public API.
public import Mailroom

/// Receives Mailgun's webhooks without any web framework: give it the raw body and its content
/// type, serve the ``Response`` it returns.
///
/// For each delivery it checks the size, verifies the signature with the *webhook signing key*
/// (HMAC, age, replay), decodes the JSON or legacy form format, applies the event's suppression to
/// a store, calls the app's handler, and answers by Mailgun's retry rules:
///
/// | status | when | Mailgun then |
/// | --- | --- | --- |
/// | 200 | handled | stops |
/// | 406 | forged, stale, replayed or malformed | stops |
/// | 413 | over ``Configuration/maximumBodySize`` (checked before parsing) | retries |
/// | 503 | the store or the handler failed | retries with the same token |
///
/// A token is remembered only once its event was handled, so Mailgun's retry of a 503 is
/// accepted, then applied once. Error bodies name the reason, never the key or the signature.
///
/// ```swift
/// let receiver = MailgunWebhookReceiver(signingKey: key, store: mirror.local) { event, logger in
///     if event.kind == .opened { await analytics.record(event) }
/// }
/// let response = await receiver.receive(body: body, contentType: request.headers["Content-Type"], logger: logger)
/// // answer response.status with response.body
/// ```
public struct MailgunWebhookReceiver: Sendable, CustomStringConvertible {
    /// Limits and clock.
    public struct Configuration: Sendable {
        /// The largest body accepted; larger ones get 413 before they are parsed. Default 1 MB.
        public var maximumBodySize: Int
        /// How old a signature may be. Default 9 hours: Mailgun retries a failed delivery for about
        /// 8 hours with the signature of the first attempt, and those retries must be accepted.
        public var maximumAge: Duration
        /// How far in the future a signature may be. Default 5 minutes.
        public var allowedClockSkew: Duration
        /// The most tokens remembered against replays. Default 100,000.
        public var maximumRememberedTokens: Int
        /// The clock. Default: the system clock.
        public var now: @Sendable () -> Date

        /// Creates a configuration; every member has the default its documentation states.
        public init(
            maximumBodySize: Int = 1_048_576,
            maximumAge: Duration = .seconds(9 * 3_600),
            allowedClockSkew: Duration = .seconds(300),
            maximumRememberedTokens: Int = 100_000,
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.maximumBodySize = maximumBodySize
            self.maximumAge = maximumAge
            self.allowedClockSkew = allowedClockSkew
            self.maximumRememberedTokens = maximumRememberedTokens
            self.now = now
        }
    }

    /// What to answer Mailgun, and what happened.
    public struct Response: Sendable, Hashable {
        /// The HTTP status: 200, 406, 413 or 503.
        public var status: Int
        /// A short plain-text body naming the outcome or the reason.
        public var body: String
        /// The body's content type.
        public var contentType: String { "text/plain; charset=utf-8" }
        /// The verified event, when there was one.
        public var event: MailgunWebhookEvent?
        /// The suppression written to the store, when the event asked for one.
        public var suppression: Suppression?
        /// Why the delivery was refused or failed, when it was.
        public var error: MailroomError?
    }

    /// Called with every verified event after its suppression was applied; throwing makes the
    /// answer 503, so Mailgun delivers the event again.
    public typealias Handler = @Sendable (_ event: MailgunWebhookEvent, _ logger: Logger) async throws -> Void

    /// The limits and clock in use.
    public let configuration: Configuration
    private let verifier: MailgunWebhookVerifier
    private let store: (any SuppressionStore)?
    private let handler: Handler?

    /// Creates a receiver.
    ///
    /// - Parameters:
    ///   - signingKey: The HTTP webhook signing key (`MAILGUN_WEBHOOK_SIGNING_KEY`), not the API key.
    ///   - store: Where suppressions go, usually a mirror's local store; none when `nil`.
    ///   - configuration: Limits and clock.
    ///   - handler: The app's callback for every verified event.
    public init(signingKey: String, store: (any SuppressionStore)?, configuration: Configuration = Configuration(), handler: Handler? = nil) {
        self.configuration = configuration
        self.verifier = MailgunWebhookVerifier(signingKey: signingKey, configuration: .init(
            freshness: configuration.maximumAge, allowedClockSkew: configuration.allowedClockSkew,
            maximumRememberedTokens: configuration.maximumRememberedTokens, now: configuration.now
        ))
        self.store = store
        self.handler = handler
    }

    /// The receiver without its key.
    public var description: String { "MailgunWebhookReceiver(signingKey: <redacted>, maximumBodySize: \(configuration.maximumBodySize))" }

    /// Handles one delivery.
    ///
    /// - Parameters:
    ///   - body: The raw request body.
    ///   - contentType: The request's `Content-Type` header.
    ///   - logger: The request's logger; one line is logged per delivery.
    /// - Returns: The answer for Mailgun. This never throws: every failure is an answer.
    public func receive(body: Data, contentType: String?, logger: Logger) async -> Response {
        guard body.count <= configuration.maximumBodySize else {
            let error = MailroomError.invalidValue(field: "body", "the body is \(body.count) bytes; at most \(configuration.maximumBodySize) are accepted")
            return answer(413, "too large: \(error.message)", error: error, logger: logger)
        }
        let event: MailgunWebhookEvent
        let claim: MailgunWebhookVerifier.Claim
        do {
            event = try MailgunWebhookEvent(body: body, contentType: contentType)
            claim = try verifier.claim(timestamp: event.signature.timestamp, token: event.signature.token, signature: event.signature.signature)
        } catch let error as MailroomError {
            return answer(406, "rejected: \(error)", error: error, logger: logger)
        } catch {
            let failure = MailroomError.invalidValue(field: "body", "the webhook could not be read")
            return answer(406, "rejected: \(failure)", error: failure, logger: logger)
        }
        var logger = logger
        logger[metadataKey: "mailgun.event"] = "\(event.kind)"
        if let id = event.id { logger[metadataKey: "mailgun.event_id"] = "\(id)" }

        let suppression: Suppression?
        do {
            suppression = try Self.suppression(for: event)
        } catch let error as MailroomError {
            verifier.finish(claim, handled: true)
            return answer(406, "rejected: \(error)", event: event, error: error, logger: logger)
        } catch {
            verifier.finish(claim, handled: true)
            return answer(406, "rejected: the event could not be read", event: event, logger: logger)
        }
        do {
            if let suppression, let store {
                try await store.add(suppression, logger: logger)
            }
            try await handler?(event, logger)
        } catch {
            verifier.finish(claim, handled: false)
            let failure = error as? MailroomError ?? MailroomError(code: .storage, message: "the webhook handler failed (\(type(of: error)))", isTransient: true)
            return answer(503, "try again later: \(failure.code)", event: event, suppression: suppression, error: failure, logger: logger)
        }
        verifier.finish(claim, handled: true)
        return answer(200, "handled \(event.kind)", event: event, suppression: store == nil ? nil : suppression, logger: logger)
    }

    /// Handles one delivery given as bytes.
    ///
    /// - Parameters:
    ///   - body: The raw request body.
    ///   - contentType: The request's `Content-Type` header.
    ///   - logger: The request's logger.
    /// - Returns: The answer for Mailgun.
    public func receive(body: [UInt8], contentType: String?, logger: Logger) async -> Response {
        await receive(body: Data(body), contentType: contentType, logger: logger)
    }

    /// The suppression an event asks for: an unsubscribe (from the message's tags, or all mail
    /// when it has none), a complaint, or a bounce for a permanent failure that is a bounce
    /// (reason `bounce`, or a hard bounce type). Temporary failures and `suppress-*` reasons (the
    /// address was already listed) ask for none.
    ///
    /// - Parameter event: A verified event.
    /// - Returns: The suppression, or `nil`.
    /// - Throws: `MailroomError` naming `recipient` when the event has no valid recipient.
    public static func suppression(for event: MailgunWebhookEvent) throws -> Suppression? {
        let when = event.timestamp
        switch event.kind {
        case .unsubscribed:
            return .unsubscribe(try recipient(of: event), tags: event.tags.isEmpty ? [Suppression.allTags] : event.tags, createdAt: when)
        case .complained:
            return .complaint(try recipient(of: event), createdAt: when)
        case .failed where event.severity == .permanent:
            let reason = event.reason ?? ""
            guard !reason.hasPrefix("suppress-"), reason == "bounce" || event.deliveryStatus?.bounceType == "hard" else { return nil }
            let status = event.deliveryStatus
            let code = status?.code.map(String.init) ?? status?.enhancedCode ?? "550"
            let error = [status?.message, status?.description].compactMap { $0 }.first { !$0.isEmpty } ?? ""
            return Suppression(kind: .bounce, address: try recipient(of: event), code: code, error: Self.flattened(error), createdAt: when)
        default:
            return nil
        }
    }

    private static func recipient(of event: MailgunWebhookEvent) throws -> EmailAddress {
        guard let text = event.recipient, !text.isEmpty else {
            throw MailroomError.missingField("recipient", "a \(event.kind) event without a recipient")
        }
        let address = try EmailAddress(text, field: "recipient")
        return try EmailAddress(mailbox: address.mailbox)
    }

    /// Control characters (line breaks included) as spaces: the text goes into one log line or body.
    private static func flattened(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    private func answer(
        _ status: Int, _ body: String, event: MailgunWebhookEvent? = nil, suppression: Suppression? = nil, error: MailroomError? = nil, logger: Logger
    ) -> Response {
        let text = String(Self.flattened(body).prefix(300))
        var metadata: Logger.Metadata = ["mailgun.status": "\(status)"]
        if let suppression { metadata["mailroom.suppression"] = "\(suppression.kind)" }
        if let error { metadata["mailroom.error"] = "\(error.shortDescription)" }
        switch status {
        case 200: logger.info("webhook handled", metadata: metadata)
        case 503: logger.error("webhook failed; Mailgun will retry", metadata: metadata.merging(["mailroom.reason": "\(text)"]) { $1 })
        default: logger.warning("webhook refused", metadata: metadata.merging(["mailroom.reason": "\(text)"]) { $1 })
        }
        return Response(status: status, body: text, event: event, suppression: suppression, error: error)
    }
}
