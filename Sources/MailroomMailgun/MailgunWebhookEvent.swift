/// Public because `Date` appears in this file's public API.
public import Foundation
import Mailroom

/// A webhook Mailgun posted: its `signature` block and the `event-data` it reports.
public struct MailgunWebhookEvent: Sendable, Hashable {
    /// What happened; compare with the static members.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        /// Mailgun's name, e.g. `delivered`.
        public let rawValue: String
        /// Wraps a name; kinds Mailgun adds later are carried too.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Mailgun's name.
        public var description: String { rawValue }

        /// Mailgun accepted the message for delivery.
        public static let accepted = Kind(rawValue: "accepted")
        /// The receiving server accepted the message.
        public static let delivered = Kind(rawValue: "delivered")
        /// Delivery failed; see ``MailgunWebhookEvent/severity`` for temporary or permanent.
        public static let failed = Kind(rawValue: "failed")
        /// The recipient opened the message.
        public static let opened = Kind(rawValue: "opened")
        /// The recipient clicked a tracked link.
        public static let clicked = Kind(rawValue: "clicked")
        /// The recipient unsubscribed.
        public static let unsubscribed = Kind(rawValue: "unsubscribed")
        /// The recipient reported the message as spam.
        public static let complained = Kind(rawValue: "complained")
        /// Mailgun refused to send the message.
        public static let rejected = Kind(rawValue: "rejected")
        /// An inbound message was stored.
        public static let stored = Kind(rawValue: "stored")
    }

    /// The `signature` block: what ``MailgunWebhookVerifier`` checks.
    public struct Signature: Sendable, Hashable {
        /// Seconds since 1970, as sent.
        public var timestamp: String
        /// Mailgun's random token.
        public var token: String
        /// The hex HMAC-SHA256 of `timestamp + token`.
        public var signature: String
    }

    /// The delivery attempt's outcome, for `delivered` and `failed` events.
    public struct DeliveryStatus: Sendable, Hashable {
        /// The SMTP code, e.g. 550.
        public var code: Int?
        /// The server's message.
        public var message: String?
        /// Mailgun's description.
        public var description: String?
        /// Which attempt this was.
        public var attempt: Int?
    }

    /// The signature block.
    public var signature: Signature
    /// What happened.
    public var kind: Kind
    /// The event's id.
    public var id: String?
    /// When it happened.
    public var timestamp: Date?
    /// The recipient it concerns.
    public var recipient: String?
    /// `temporary` or `permanent`, for failures.
    public var severity: String?
    /// Mailgun's reason, e.g. `bounce` or `suppress-bounce`.
    public var reason: String?
    /// The delivery attempt's outcome.
    public var deliveryStatus: DeliveryStatus?
    /// The stored message's URL, when Mailgun kept it.
    public var storageURL: String?
    /// The stored message's key, when Mailgun kept it.
    public var storageKey: String?
    /// The message's `v:` variables, as strings (JSON values other than strings are written as JSON).
    public var userVariables: [String: String]
    /// The message's tags.
    public var tags: [String]
    /// The message's headers Mailgun reports (`message-id`, `from`, `to`, `subject`).
    public var messageHeaders: [String: String]

    /// Whether a failure was permanent (Mailgun will not retry; the address is likely suppressed).
    public var isPermanentFailure: Bool { kind == .failed && severity == "permanent" }

    /// Decodes a webhook body.
    ///
    /// - Parameter json: The JSON Mailgun posted: `{"signature": {…}, "event-data": {…}}`.
    /// - Throws: `MailroomError` with `MailroomError.Code.invalidJSON` naming the
    ///   field that is missing or of the wrong type.
    public init(json: Data) throws {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw MailroomError(code: .invalidJSON, field: "body", message: "the webhook body is not a JSON object")
        }
        guard let signature = root["signature"] as? [String: Any] else {
            throw MailroomError(code: .invalidJSON, field: "signature", message: "the webhook has no signature object")
        }
        func text(_ object: [String: Any], _ key: String, _ path: String) throws -> String {
            if let string = object[key] as? String { return string }
            if let number = object[key] as? NSNumber, key == "timestamp" { return number.stringValue }
            throw MailroomError(code: .invalidJSON, field: path, message: "missing or not a string")
        }
        self.signature = Signature(
            timestamp: try text(signature, "timestamp", "signature.timestamp"),
            token: try text(signature, "token", "signature.token"),
            signature: try text(signature, "signature", "signature.signature")
        )
        guard let data = root["event-data"] as? [String: Any] else {
            throw MailroomError(code: .invalidJSON, field: "event-data", message: "the webhook has no event-data object")
        }
        kind = Kind(rawValue: try text(data, "event", "event-data.event"))
        id = data["id"] as? String
        timestamp = (data["timestamp"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) }
        recipient = data["recipient"] as? String
        severity = data["severity"] as? String
        reason = data["reason"] as? String
        if let status = data["delivery-status"] as? [String: Any] {
            deliveryStatus = DeliveryStatus(
                code: (status["code"] as? NSNumber)?.intValue ?? (status["code"] as? String).flatMap(Int.init),
                message: status["message"] as? String,
                description: status["description"] as? String,
                attempt: (status["attempt-no"] as? NSNumber)?.intValue
            )
        }
        let storage = data["storage"] as? [String: Any]
        storageURL = storage?["url"] as? String
        storageKey = storage?["key"] as? String
        if let variables = data["user-variables"], !(variables is [String: Any]) {
            throw MailroomError(code: .invalidJSON, field: "event-data.user-variables", message: "not an object")
        }
        userVariables = (data["user-variables"] as? [String: Any] ?? [:]).mapValues { value in
            if let string = value as? String { return string }
            let encoded = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            return encoded.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        }
        tags = data["tags"] as? [String] ?? []
        let headers = (data["message"] as? [String: Any])?["headers"] as? [String: Any] ?? [:]
        messageHeaders = headers.compactMapValues { $0 as? String }
    }
}
