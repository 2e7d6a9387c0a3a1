/// Public because `Date` appears in this file's public API.
public import Foundation

/// A person on the Mailgun account (`/v5/users`).
public struct MailgunUser: Sendable, Hashable {
    /// A user's role: `basic` (shown as analyst), `billing`, `support`, `developer`, `admin`.
    public struct Role: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// Mailgun's spelling.
        public let rawValue: String
        /// Wraps a spelling.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Read-only access (the analyst role).
        public static let basic = Role(rawValue: "basic")
        /// Billing.
        public static let billing = Role(rawValue: "billing")
        /// Support.
        public static let support = Role(rawValue: "support")
        /// Developer.
        public static let developer = Role(rawValue: "developer")
        /// Administrator.
        public static let admin = Role(rawValue: "admin")
        /// The roles the list filter accepts.
        public static let known: [Role] = [.basic, .billing, .support, .developer, .admin]
        /// The spelling.
        public var description: String { rawValue }
    }

    /// Mailgun's id.
    public var id: String
    /// The user's name.
    public var name: String?
    /// The user's email address.
    public var email: String?
    /// The role.
    public var role: Role?
    /// The account the user belongs to.
    public var accountID: String?
    /// Whether the user activated the account.
    public var isActivated: Bool?
    /// Whether the user is disabled.
    public var isDisabled: Bool?
    /// Whether this is the account's owner.
    public var isOwner: Bool?
    /// Whether two-factor authentication is set up and active.
    public var twoFactorActive: Bool?
    /// The user's time zone preference.
    public var timeZone: String?
    /// When the password last changed.
    public var passwordUpdatedAt: Date?

    /// Creates a user value.
    ///
    /// - Parameters:
    ///   - id: Mailgun's id.
    ///   - name: The name.
    ///   - email: The address.
    ///   - role: The role.
    public init(id: String, name: String? = nil, email: String? = nil, role: Role? = nil) {
        self.id = id
        self.name = name
        self.email = email
        self.role = role
    }

    /// A `User` object; dates are ISO 8601 without a zone, meaning UTC (MAILGUN-API-NOTES errata 1).
    init(json: MailgunJSON) throws {
        self.init(id: try json.string("id"), name: json.optionalString("name"), email: json.optionalString("email"), role: json.optionalString("role").map(Role.init))
        accountID = json.optionalString("account_id")
        isActivated = json.bool("activated")
        isDisabled = json.bool("is_disabled")
        isOwner = json.bool("is_master")
        twoFactorActive = json.bool("tfa_active")
        timeZone = (json.object["preferences"] as? [String: Any])?["time_zone"] as? String
        passwordUpdatedAt = json.optionalString("password_updated_at").flatMap(Self.date)
    }

    /// `2022-12-20T16:52:01.892000`, or any RFC 3339 time.
    static func date(_ text: String) -> Date? {
        RFC3339.date(text) ?? RFC3339.date(text + "Z")
    }
}
