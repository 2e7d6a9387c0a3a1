/// Public because `Date` appears in this file's public API.
public import Foundation

/// A sending domain as Mailgun describes it, with the DNS records it needs when fetched one at a time.
///
/// Fields the spec marks required but real answers leave out are optional here (MAILGUN-API-NOTES
/// errata 3). The SMTP password Mailgun returns is not kept, so it cannot reach a log or a printout.
public struct MailgunDomain: Sendable, Hashable {
    /// A domain's state: `active`, `unverified`, `disabled` (other SDKs also know `inactive`).
    public struct State: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// Mailgun's spelling.
        public let rawValue: String
        /// Wraps a spelling.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Verified and sending.
        public static let active = State(rawValue: "active")
        /// Waiting for its DNS records.
        public static let unverified = State(rawValue: "unverified")
        /// Disabled by Mailgun.
        public static let disabled = State(rawValue: "disabled")
        /// The states the list filter accepts.
        public static let known: [State] = [.active, .unverified, .disabled]
        /// The spelling.
        public var description: String { rawValue }
    }

    /// Mailgun's id.
    public var id: String?
    /// The domain name.
    public var name: String
    /// The state.
    public var state: State
    /// `custom` or `sandbox`.
    public var type: String?
    /// When the domain was added.
    public var createdAt: Date?
    /// Whether Mailgun disabled it.
    public var isDisabled: Bool?
    /// Whether messages must go over TLS.
    public var requireTLS: Bool?
    /// Whether certificate checks are skipped.
    public var skipVerification: Bool?
    /// The SMTP login (can be empty).
    public var smtpLogin: String?
    /// `disabled`, `block` or `tag`.
    public var spamAction: String?
    /// Whether Mailgun manages sender security (DKIM rotation).
    public var useAutomaticSenderSecurity: Bool?
    /// The tracking host's prefix (`email`).
    public var webPrefix: String?
    /// `http` or `https` for tracking links.
    public var webScheme: String?
    /// Whether subdomains may send.
    public var wildcard: Bool?
    /// The tracking host.
    public var trackingHost: String?
    /// The subaccount owning the domain.
    public var subaccountID: String?
    /// Where copies of received messages go.
    public var archiveTo: String?
    /// Whether received messages are stored encrypted.
    public var encryptIncomingMessage: Bool?
    /// How long messages are kept, in seconds.
    public var messageTTL: Int?
    /// The records for sending (SPF, DKIM, tracking CNAME); empty in lists.
    public var sendingRecords: [MailgunDNSRecord]
    /// The records for receiving (MX); empty in lists.
    public var receivingRecords: [MailgunDNSRecord]

    /// Creates a domain value.
    ///
    /// - Parameters:
    ///   - name: The domain name.
    ///   - state: The state.
    ///   - sendingRecords: The sending records.
    ///   - receivingRecords: The receiving records.
    public init(name: String, state: State, sendingRecords: [MailgunDNSRecord] = [], receivingRecords: [MailgunDNSRecord] = []) {
        self.name = name
        self.state = state
        self.sendingRecords = sendingRecords
        self.receivingRecords = receivingRecords
    }

    /// The sending records Mailgun has not found as they should be.
    public var missingSendingRecords: [MailgunDNSRecord] { sendingRecords.filter { !$0.isValid } }

    /// A `{"domain", "sending_dns_records", "receiving_dns_records"}` answer, or a bare domain object from a list.
    init(answer json: MailgunJSON, dates: MailgunDates) throws {
        let domain = json.object["domain"] is [String: Any] ? try json.object("domain") : json
        self.init(name: try domain.string("name"), state: State(rawValue: domain.optionalString("state") ?? "unverified"))
        id = domain.optionalString("id")
        type = domain.optionalString("type")
        createdAt = domain.optionalString("created_at").flatMap(dates.parse)
        isDisabled = domain.bool("is_disabled")
        requireTLS = domain.bool("require_tls")
        skipVerification = domain.bool("skip_verification")
        smtpLogin = domain.optionalString("smtp_login")
        spamAction = domain.optionalString("spam_action")
        useAutomaticSenderSecurity = domain.bool("use_automatic_sender_security")
        webPrefix = domain.optionalString("web_prefix")
        webScheme = domain.optionalString("web_scheme")
        wildcard = domain.bool("wildcard")
        trackingHost = domain.optionalString("tracking_host")
        subaccountID = domain.optionalString("subaccount_id")
        archiveTo = domain.optionalString("archive_to")
        encryptIncomingMessage = domain.bool("encrypt_incoming_message")
        messageTTL = domain.int("message_ttl")
        sendingRecords = try json.objects("sending_dns_records").map(MailgunDNSRecord.init(json:))
        receivingRecords = try json.objects("receiving_dns_records").map(MailgunDNSRecord.init(json:))
    }
}
