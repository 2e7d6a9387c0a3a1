import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Mailroom

/// The settings of a domain, for ``MailgunDomains/create(_:settings:logger:)`` and
/// ``MailgunDomains/update(_:settings:logger:)``: only the fields set are sent.
///
/// Some fields can be given only when a domain is created (`dkim_*`, `force_*`, `pool_id`, `ips`,
/// `encrypt_incoming_message`), one only on update (`mailfrom_host`); ``validate(for:)`` says so
/// by field name before anything is sent. The SMTP password never appears in ``description``.
public struct MailgunDomainSettings: Sendable, Hashable, CustomStringConvertible {
    /// Which request the settings are for.
    public enum Operation: Sendable {
        /// `POST /v4/domains`.
        case create
        /// `PUT /v4/domains/{name}`.
        case update
    }

    /// `smtp_password`.
    public var smtpPassword: String?
    /// `spam_action`: `disabled`, `block` or `tag`.
    public var spamAction: String?
    /// `wildcard`.
    public var wildcard: Bool?
    /// `web_scheme`: `http` or `https`.
    public var webScheme: String?
    /// `web_prefix`: the tracking host's first label.
    public var webPrefix: String?
    /// `require_tls`.
    public var requireTLS: Bool?
    /// `skip_verification`.
    public var skipVerification: Bool?
    /// `use_automatic_sender_security`.
    public var useAutomaticSenderSecurity: Bool?
    /// `archive_to`: an http(s) URL that receives a copy of each delivered message.
    public var archiveTo: String?
    /// `message_ttl`, in seconds.
    public var messageTTL: Int?
    /// `mailfrom_host` (update only): the MAIL FROM host, in lower case.
    public var mailFromHost: String?
    /// `dkim_key_size` (create only): 1024 or 2048.
    public var dkimKeySize: Int?
    /// `dkim_selector` (create only).
    public var dkimSelector: String?
    /// `dkim_host_name` (create only).
    public var dkimHostName: String?
    /// `force_dkim_authority` (create only).
    public var forceDKIMAuthority: Bool?
    /// `force_root_dkim_host` (create only).
    public var forceRootDKIMHost: Bool?
    /// `encrypt_incoming_message` (create only).
    public var encryptIncomingMessage: Bool?
    /// `pool_id` (create only).
    public var poolID: String?
    /// `ips` (create only): the dedicated IPs to send from.
    public var ips: [String]?

    /// Settings with nothing set.
    public init() {}

    /// The field names that only one of the operations takes.
    static let createOnly: Set<String> = ["dkim_key_size", "dkim_selector", "dkim_host_name", "force_dkim_authority", "force_root_dkim_host", "encrypt_incoming_message", "pool_id", "ips"]
    static let updateOnly: Set<String> = ["mailfrom_host"]

    /// The fields set, by their API names, in the spec's order.
    public var fields: [(name: String, value: String)] {
        let all: [(String, String?)] = [
            ("smtp_password", smtpPassword), ("spam_action", spamAction), ("wildcard", wildcard.map(String.init)),
            ("web_scheme", webScheme), ("web_prefix", webPrefix), ("require_tls", requireTLS.map(String.init)),
            ("skip_verification", skipVerification.map(String.init)),
            ("use_automatic_sender_security", useAutomaticSenderSecurity.map(String.init)),
            ("archive_to", archiveTo), ("message_ttl", messageTTL.map(String.init)), ("mailfrom_host", mailFromHost),
            ("dkim_key_size", dkimKeySize.map(String.init)), ("dkim_selector", dkimSelector), ("dkim_host_name", dkimHostName),
            ("force_dkim_authority", forceDKIMAuthority.map(String.init)), ("force_root_dkim_host", forceRootDKIMHost.map(String.init)),
            ("encrypt_incoming_message", encryptIncomingMessage.map(String.init)), ("pool_id", poolID), ("ips", ips?.joined(separator: ",")),
        ]
        return all.compactMap { name, value in value.map { (name, $0) } }
    }

    /// Checks every field set; errors name the field by its API name.
    ///
    /// - Parameter operation: The request the settings are for.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/invalidValue`` or ``MailroomError/Code/headerInjection``.
    public func validate(for operation: Operation) throws {
        for (name, value) in fields {
            if operation == .update, Self.createOnly.contains(name) {
                throw MailroomError.invalidValue(field: name, "can only be set when the domain is created")
            }
            if operation == .create, Self.updateOnly.contains(name) {
                throw MailroomError.invalidValue(field: name, "can only be changed on an existing domain")
            }
            if value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) { throw MailroomError.headerInjection(field: name) }
            if value.isEmpty, name != "archive_to" { throw MailroomError.invalidValue(field: name, "must not be empty") }
        }
        try Self.check(spamAction, in: ["disabled", "block", "tag"], field: "spam_action")
        try Self.check(webScheme, in: ["http", "https"], field: "web_scheme")
        if let dkimKeySize, ![1_024, 2_048].contains(dkimKeySize) { throw MailroomError.invalidValue(field: "dkim_key_size", "must be 1024 or 2048, not \(dkimKeySize)") }
        if let messageTTL, messageTTL <= 0 { throw MailroomError.invalidValue(field: "message_ttl", "must be a positive number of seconds") }
        if let webPrefix, !Self.isLabel(webPrefix) { throw MailroomError.invalidValue(field: "web_prefix", "'\(webPrefix)' is not one DNS label (letters, digits, hyphens)") }
        if let mailFromHost, !MailgunDomains.isDomainName(mailFromHost) || mailFromHost != mailFromHost.lowercased() {
            throw MailroomError.invalidValue(field: "mailfrom_host", "'\(mailFromHost)' is not a host name in lower case")
        }
        if let archiveTo, !archiveTo.isEmpty {
            guard let url = URLComponents(string: archiveTo), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
                throw MailroomError.invalidValue(field: "archive_to", "'\(archiveTo.prefix(100))' is not an http(s) URL")
            }
        }
        for (index, ip) in (ips ?? []).enumerated() where !Self.isIP(ip) {
            throw MailroomError.invalidValue(field: "ips[\(index)]", "'\(ip.prefix(60))' is not an IP address")
        }
    }

    /// The fields set, with the SMTP password hidden.
    public var description: String {
        let shown = fields.map { "\($0.name)=\($0.name == "smtp_password" ? "<redacted>" : $0.value)" }
        return "MailgunDomainSettings(\(shown.joined(separator: ", ")))"
    }

    private static func check(_ value: String?, in allowed: [String], field: String) throws {
        guard let value, !allowed.contains(value) else { return }
        throw MailroomError.invalidValue(field: field, "'\(value.prefix(40))' is not one of \(allowed.joined(separator: ", "))")
    }

    private static func isLabel(_ text: String) -> Bool {
        (1...63).contains(text.utf8.count) && text.first != "-" && text.last != "-"
            && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }
    }

    private static func isIP(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
