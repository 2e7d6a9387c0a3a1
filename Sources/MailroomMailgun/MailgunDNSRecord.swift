/// A DNS record Mailgun asks a domain to publish, with what Mailgun last saw of it.
///
/// Real MX records carry no name and `priority` is a string (MAILGUN-API-NOTES errata 3).
public struct MailgunDNSRecord: Sendable, Hashable {
    /// `TXT`, `MX`, `CNAME` or `A`.
    public var recordType: String
    /// The host the record belongs to; `nil` for MX records, which Mailgun lists without one.
    public var name: String?
    /// The value to publish.
    public var value: String
    /// Mailgun's verdict: `valid`, `unknown` or `invalid`.
    public var validity: String
    /// Whether Mailgun uses the record.
    public var isActive: Bool?
    /// The MX priority, as Mailgun writes it (`"10"`).
    public var priority: String?
    /// The values Mailgun found when it last looked.
    public var cached: [String]

    /// Creates a record.
    ///
    /// - Parameters:
    ///   - recordType: `TXT`, `MX`, `CNAME` or `A`.
    ///   - name: The host, `nil` for MX records.
    ///   - value: The value to publish.
    ///   - validity: `valid`, `unknown` or `invalid`.
    ///   - isActive: Whether Mailgun uses it.
    ///   - priority: The MX priority.
    ///   - cached: What Mailgun last found.
    public init(recordType: String, name: String?, value: String, validity: String, isActive: Bool? = nil, priority: String? = nil, cached: [String] = []) {
        self.recordType = recordType
        self.name = name
        self.value = value
        self.validity = validity
        self.isActive = isActive
        self.priority = priority
        self.cached = cached
    }

    /// Whether Mailgun found the record as it should be.
    public var isValid: Bool { validity == "valid" }

    init(json: MailgunJSON) throws {
        self.init(
            recordType: try json.string("record_type"),
            name: json.optionalString("name").flatMap { $0.isEmpty ? nil : $0 },
            value: try json.string("value"),
            validity: json.optionalString("valid") ?? "unknown",
            isActive: json.bool("is_active"),
            priority: json.optionalString("priority"),
            cached: json.strings("cached")
        )
    }
}
