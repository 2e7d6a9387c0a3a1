import Foundation

/// A domain the mock knows: its settings as Mailgun's form fields, and DNS records whose real
/// validity the inspection API scripts (`PUT /mock/domains/{name}/dns`), shown once verified.
struct MockDomain: Sendable {
    struct Record: Sendable {
        var type: String
        var name: String?
        var value: String
        var priority: String?
        /// Whether the record is published correctly, as the inspection API scripts it.
        var published: Bool
        /// What Mailgun shows: `unknown` until a verify looks, then `valid` or `invalid`.
        var shown: String
    }

    var id: String
    var name: String
    var state: String
    var createdAt: Date
    /// Form fields as sent (`spam_action`, `web_scheme`, …), with the defaults Mailgun fills in.
    var settings: [String: String]
    var sending: [Record]
    var receiving: [Record]

    /// The update fields of `PUT /v4/domains/{name}` and the create fields of `POST /v4/domains`.
    static let updateFields: Set<String> = [
        "archive_to", "mailfrom_host", "message_ttl", "require_tls", "skip_verification", "smtp_password", "spam_action",
        "use_automatic_sender_security", "web_scheme", "web_prefix", "wildcard",
    ]
    static let createFields: Set<String> = [
        "name", "smtp_password", "spam_action", "wildcard", "web_scheme", "web_prefix", "require_tls", "skip_verification",
        "use_automatic_sender_security", "dkim_key_size", "dkim_selector", "dkim_host_name", "force_dkim_authority",
        "force_root_dkim_host", "encrypt_incoming_message", "pool_id", "ips", "archive_to", "message_ttl",
    ]
    static let booleanFields: Set<String> = [
        "require_tls", "skip_verification", "use_automatic_sender_security", "wildcard", "force_dkim_authority",
        "force_root_dkim_host", "encrypt_incoming_message",
    ]

    /// A new domain: unverified, every record unpublished and shown `unknown`; or, for the domains
    /// the mock starts with, active with every record valid.
    init(name: String, id: String, createdAt: Date, settings: [String: String] = [:], verified: Bool) {
        self.id = id
        self.name = name
        self.state = verified ? "active" : "unverified"
        self.createdAt = createdAt
        self.settings = ["spam_action": "disabled", "web_scheme": "http", "web_prefix": "email", "require_tls": "false",
                         "skip_verification": "false", "wildcard": "false", "use_automatic_sender_security": "false"]
            .merging(settings) { _, given in given }
        let selector = self.settings["dkim_selector"] ?? "mx"
        let prefix = self.settings["web_prefix"] ?? "email"
        let shown = verified ? "valid" : "unknown"
        sending = [
            Record(type: "TXT", name: name, value: "v=spf1 include:mailgun.org ~all", published: verified, shown: shown),
            Record(type: "TXT", name: "\(selector)._domainkey.\(name)", value: "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC\(id.prefix(12))", published: verified, shown: shown),
            Record(type: "CNAME", name: "\(prefix).\(name)", value: "mailgun.org", published: verified, shown: shown),
        ]
        receiving = ["mxa.mailgun.org", "mxb.mailgun.org"].map {
            Record(type: "MX", name: nil, value: $0, priority: "10", published: verified, shown: shown)
        }
    }

    /// Looks at the records as a verify does: each shown as published or not; active when every
    /// sending record is valid.
    mutating func verify() {
        for index in sending.indices { sending[index].shown = sending[index].published ? "valid" : "invalid" }
        for index in receiving.indices { receiving[index].shown = receiving[index].published ? "valid" : "invalid" }
        if state != "disabled" { state = sending.allSatisfy(\.published) ? "active" : "unverified" }
    }

    /// The `Domain` object, dates in RFC 1123; the SMTP password is never echoed.
    func json() -> [String: Any] {
        var object: [String: Any] = [
            "id": id, "name": name, "state": state, "type": "custom", "created_at": MockDates.rfc1123(createdAt),
            "is_disabled": state == "disabled", "smtp_login": "postmaster@\(name)", "tracking_host": "\(settings["web_prefix"] ?? "email").\(name)",
        ]
        for (key, value) in settings where key != "smtp_password" && key != "name" {
            if Self.booleanFields.contains(key) {
                object[key] = value == "true"
            } else if key == "message_ttl" || key == "dkim_key_size" {
                object[key] = Int(value) ?? value
            } else {
                object[key] = value
            }
        }
        return object
    }

    /// `{"domain", "sending_dns_records", "receiving_dns_records"}`, MX records without a name.
    func answer(message: String? = nil) -> [String: Any] {
        func record(_ record: Record) -> [String: Any] {
            var object: [String: Any] = ["record_type": record.type, "value": record.value, "valid": record.shown, "is_active": record.published,
                                         "cached": record.published && record.shown == "valid" ? [record.value] : []]
            if let name = record.name { object["name"] = name }
            if let priority = record.priority { object["priority"] = priority }
            return object
        }
        var object: [String: Any] = ["domain": json(), "sending_dns_records": sending.map(record), "receiving_dns_records": receiving.map(record)]
        if let message { object["message"] = message }
        return object
    }
}
