/// Public because `Date` appears in this file's public API.
public import Foundation
import Mailroom
import NIOCore

/// A webhook Mailgun posted: its signature and the event it reports, from either format.
///
/// The JSON format is `{"signature": {…}, "event-data": {…}}`; the legacy form-encoded format
/// (still delivered for old configurations) has `timestamp`, `token` and `signature` at the top
/// level and events named `bounced` and `dropped`, which decode as ``Kind/failed`` with a
/// permanent ``severity``. Decoding is lenient: fields Mailgun adds later are ignored, and kinds it
/// adds later decode too, with the fields both formats share.
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

    /// Whether a failure is final; compare with the static members.
    public struct Severity: Sendable, Hashable, CustomStringConvertible {
        /// Mailgun's name, e.g. `permanent`.
        public let rawValue: String
        /// Wraps a name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Mailgun's name.
        public var description: String { rawValue }
        /// Mailgun gave up on the recipient.
        public static let permanent = Severity(rawValue: "permanent")
        /// Mailgun will try again.
        public static let temporary = Severity(rawValue: "temporary")
    }

    /// Which of Mailgun's two webhook formats a delivery used.
    public struct Format: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// `json` or `legacy-form`.
        public var description: String { name }
        /// `{"signature": {…}, "event-data": {…}}`.
        public static let json = Format("json")
        /// Form-encoded fields with the signature at the top level.
        public static let legacyForm = Format("legacy-form")
    }

    /// The signature block: what ``MailgunWebhookVerifier`` checks.
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
        /// The enhanced status code, e.g. `5.1.1`.
        public var enhancedCode: String?
        /// The server's message.
        public var message: String?
        /// Mailgun's description.
        public var description: String?
        /// Which attempt this was.
        public var attempt: Int?
        /// `hard` or `soft`, when Mailgun classified the bounce.
        public var bounceType: String?
        /// When Mailgun will retry a temporary failure, in seconds.
        public var retrySeconds: Int?
        /// The receiving MX host.
        public var mxHost: String?
    }

    /// The signature block.
    public var signature: Signature
    /// The format the event arrived in.
    public var format: Format
    /// What happened.
    public var kind: Kind
    /// The name the legacy format used when it differs from ``kind`` (`bounced`, `dropped`).
    public var legacyName: String?
    /// The event's id (unique within a day).
    public var id: String?
    /// When it happened (Mailgun sends float seconds).
    public var timestamp: Date?
    /// `info`, `warn` or `error`.
    public var logLevel: String?
    /// The recipient it concerns.
    public var recipient: String?
    /// For failures, whether Mailgun gave up.
    public var severity: Severity?
    /// Mailgun's reason, e.g. `bounce`, `generic` or `suppress-bounce`.
    public var reason: String?
    /// The delivery attempt's outcome.
    public var deliveryStatus: DeliveryStatus?
    /// The stored message's URL, when Mailgun kept it.
    public var storageURL: String?
    /// The stored message's key, when Mailgun kept it.
    public var storageKey: String?
    /// The message's `v:` variables, as strings (JSON values other than strings are written as JSON).
    public var userVariables: [String: String]
    /// Mailgun's explanation when it sent a string instead of the variables (they were truncated
    /// or not valid JSON); `nil` when they arrived.
    public var userVariablesUnavailable: String?
    /// The message's tags.
    public var tags: [String]
    /// The message's headers Mailgun reports (`message-id`, `from`, `to`, `subject`), names lower-cased.
    public var messageHeaders: [String: String]
    /// The message's Message-ID in angle brackets, as `SendReceipt.id` of the send that
    /// produced it has it (events carry it without brackets).
    public var messageID: String?
    /// The link a `clicked` event followed.
    public var url: String?
    /// The client's IP address, for opens, clicks and unsubscribes.
    public var ip: String?

    /// Whether a failure was permanent (Mailgun will not retry; the address is likely suppressed).
    public var isPermanentFailure: Bool { kind == .failed && severity == .permanent }

    /// Decodes a webhook body by its content type: JSON, or the legacy form encodings.
    ///
    /// - Parameters:
    ///   - body: The request body.
    ///   - contentType: The request's `Content-Type`; without one, a body that starts with `{` is
    ///     read as JSON and any other as a URL-encoded form.
    /// - Throws: `MailroomError` with `MailroomError.Code.invalidJSON` (JSON) or
    ///   `MailroomError.Code.invalidValue` (forms) naming the missing or malformed field.
    public init(body: Data, contentType: String?) throws {
        let declared = HeaderParameters.parse(contentType ?? "").value
        let first = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        let sniffed = first == UInt8(ascii: "{") ? "application/json" : "application/x-www-form-urlencoded"
        let type = declared.isEmpty ? sniffed : declared
        switch type {
        case "application/x-www-form-urlencoded", "multipart/form-data":
            let form: FormData?
            do {
                form = try FormData.parse(ByteBuffer(bytes: body), contentType: declared.isEmpty ? sniffed : contentType)
            } catch let error as FormData.MalformedForm {
                throw MailroomError.invalidValue(field: "body", error.reason)
            }
            try self.init(legacyForm: form?.fields ?? [])
        case "application/json":
            try self.init(json: body)
        default:
            throw MailroomError.invalidValue(field: "content-type", "'\(type.prefix(60))' is neither JSON nor a form")
        }
    }

    /// Decodes a JSON webhook body.
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
        format = .json
        kind = Kind(rawValue: try text(data, "event", "event-data.event"))
        id = data["id"] as? String
        timestamp = Self.date(data["timestamp"] as? NSNumber ?? (data["timestamp"] as? String).flatMap(Double.init).map(NSNumber.init(value:)))
        logLevel = data["log-level"] as? String
        recipient = data["recipient"] as? String
        severity = (data["severity"] as? String).map(Severity.init(rawValue:))
        reason = data["reason"] as? String
        if let status = data["delivery-status"] as? [String: Any] {
            deliveryStatus = DeliveryStatus(
                code: Self.integer(status["code"]),
                enhancedCode: status["enhanced-code"] as? String,
                message: status["message"] as? String,
                description: status["description"] as? String,
                attempt: Self.integer(status["attempt-no"]),
                bounceType: status["bounce-type"] as? String,
                retrySeconds: Self.integer(status["retry-seconds"]),
                mxHost: (status["mx-host"] ?? status["mxhost"]) as? String
            )
        }
        let storage = data["storage"] as? [String: Any]
        storageURL = storage?["url"] as? String
        storageKey = storage?["key"] as? String
        switch data["user-variables"] {
        case nil, is NSNull:
            userVariables = [:]
        case let explanation as String:
            userVariables = [:]
            userVariablesUnavailable = explanation
        case let variables as [String: Any]:
            userVariables = variables.mapValues(Self.string)
        default:
            throw MailroomError(code: .invalidJSON, field: "event-data.user-variables", message: "neither an object nor Mailgun's explanation string")
        }
        tags = (data["tags"] as? [Any])?.compactMap { $0 as? String } ?? []
        let headers = (data["message"] as? [String: Any])?["headers"] as? [String: Any] ?? [:]
        messageHeaders = Dictionary(headers.compactMap { key, value in (value as? String).map { (key.lowercased(), $0) } }, uniquingKeysWith: { _, last in last })
        messageID = Self.bracketed(messageHeaders["message-id"])
        url = data["url"] as? String
        ip = data["ip"] as? String
    }

    /// The legacy format's names for the fields Mailgun itself sets; every other field is a custom variable.
    private static let legacyFields: Set<String> = [
        "timestamp", "token", "signature", "event", "recipient", "domain", "message-headers", "message-id", "code",
        "error", "reason", "description", "notification", "tag", "x-mailgun-tag", "ip", "url", "country", "region",
        "city", "user-agent", "device-type", "client-type", "client-name", "client-os", "campaign-id", "campaign-name",
        "mailing-list", "attachment-count", "body-plain", "x-mailgun-sid", "id", "severity", "log-level",
    ]

    /// Decodes the legacy form-encoded format from its fields, in the order received.
    ///
    /// Where a custom variable has the name of one of Mailgun's fields, Mailgun's own value comes
    /// last, so the last value of a field wins.
    ///
    /// - Parameter fields: The form's fields.
    /// - Throws: `MailroomError` with `MailroomError.Code.missingField` naming a missing signature
    ///   field or `event`.
    public init(legacyForm fields: [(name: String, value: String)]) throws {
        var last: [String: String] = [:]
        for (name, value) in fields { last[name.lowercased()] = value }
        func required(_ name: String) throws -> String {
            guard let value = last[name], !value.isEmpty else { throw MailroomError.missingField(name, "the legacy webhook has no \(name)") }
            return value
        }
        signature = Signature(timestamp: try required("timestamp"), token: try required("token"), signature: try required("signature"))
        format = .legacyForm
        let name = try required("event")
        switch name {
        case "bounced":
            kind = .failed
            severity = .permanent
            reason = "bounce"
            legacyName = name
        case "dropped":
            kind = .failed
            severity = .permanent
            reason = last["reason"] ?? "generic"
            legacyName = name
        default:
            kind = Kind(rawValue: name)
            reason = last["reason"]
        }
        id = last["id"]
        timestamp = Double(signature.timestamp).map(Date.init(timeIntervalSince1970:))
        logLevel = last["log-level"]
        recipient = last["recipient"]
        if last["code"] != nil || last["error"] != nil {
            let code = last["code"] ?? ""
            let numeric = Int(code)
            deliveryStatus = DeliveryStatus(
                code: numeric, enhancedCode: numeric == nil && !code.isEmpty ? code : nil,
                message: last["error"], description: last["description"] ?? last["notification"]
            )
        }
        userVariables = [:]
        for (name, value) in fields where !Self.legacyFields.contains(name.lowercased()) {
            userVariables[name] = value
        }
        tags = fields.filter { ["tag", "x-mailgun-tag"].contains($0.name.lowercased()) }.map(\.value)
        messageHeaders = [:]
        if let json = last["message-headers"], let pairs = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]] {
            for pair in pairs where pair.count == 2 {
                if let header = pair[0] as? String, let value = pair[1] as? String { messageHeaders[header.lowercased()] = value }
            }
        }
        messageID = Self.bracketed(last["message-id"] ?? messageHeaders["message-id"])
        url = last["url"]
        ip = last["ip"]
    }

    // MARK: Lenient values

    /// `id@host`, `<id@host>` and half-bracketed forms all become `<id@host>`.
    static func bracketed(_ id: String?) -> String? {
        guard var core = id?.trimmingCharacters(in: .whitespaces)[...], !core.isEmpty else { return nil }
        if core.hasPrefix("<") { core = core.dropFirst() }
        if core.hasSuffix(">") { core = core.dropLast() }
        return core.isEmpty ? nil : "<\(core)>"
    }

    /// Float seconds, as Mailgun sends them; milli- and nanoseconds (as the spec claims) are scaled.
    private static func date(_ number: NSNumber?) -> Date? {
        guard var seconds = number?.doubleValue, seconds.isFinite, seconds >= 0 else { return nil }
        while seconds > 100_000_000_000 { seconds /= 1_000 }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func integer(_ value: Any?) -> Int? {
        if let number = value as? NSNumber, let exact = Int(exactly: number.doubleValue) { return exact }
        return (value as? String).flatMap { Int($0) }
    }

    private static func string(_ value: Any) -> String {
        if let string = value as? String { return string }
        let encoded = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
        return encoded.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }
}
