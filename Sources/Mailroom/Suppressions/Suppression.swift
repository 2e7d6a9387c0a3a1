/// Public because `Date` appears in this file's public API.
public import Foundation

/// An address that must not receive mail: unsubscribed (from some tags or all), bounced, or
/// complained.
public struct Suppression: Sendable, Hashable {
    /// Which list a suppression is on; compare with the static members.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The list's name in Mailgun's API: `unsubscribes`, `bounces` or `complaints`.
        public var description: String { name }
        /// The recipient unsubscribed, from some tags or from all (`*`).
        public static let unsubscribe = Kind("unsubscribes")
        /// Delivery failed permanently.
        public static let bounce = Kind("bounces")
        /// The recipient reported the mail as spam.
        public static let complaint = Kind("complaints")
        /// The three lists.
        public static let all: [Kind] = [.unsubscribe, .bounce, .complaint]

        /// The list called `name` in Mailgun's API (`unsubscribes`, `bounces`, `complaints`), or
        /// `nil` for any other name.
        ///
        /// - Parameter name: The list's name.
        public init?(listName name: String) {
            guard let kind = Self.all.first(where: { $0.name == name }) else { return nil }
            self = kind
        }
    }

    /// The tag that stands for every tag in an unsubscribe.
    public static let allTags = "*"

    /// Which list this is on.
    public var kind: Kind
    /// The suppressed address.
    public var address: EmailAddress
    /// For unsubscribes, the tags unsubscribed from; `["*"]` means all mail. Empty for other kinds.
    public var tags: [String]
    /// For bounces, the SMTP code, e.g. `550`.
    public var code: String?
    /// For bounces, the server's error text.
    public var error: String?
    /// When the suppression was recorded; set by the store when `nil`.
    public var createdAt: Date?

    /// Creates a suppression; prefer the static factories.
    ///
    /// - Parameters:
    ///   - kind: Which list.
    ///   - address: The suppressed address.
    ///   - tags: Unsubscribed tags; `["*"]` for all.
    ///   - code: A bounce's SMTP code.
    ///   - error: A bounce's error text.
    ///   - createdAt: When it was recorded.
    public init(kind: Kind, address: EmailAddress, tags: [String] = [], code: String? = nil, error: String? = nil, createdAt: Date? = nil) {
        self.kind = kind
        self.address = address
        self.tags = tags
        self.code = code
        self.error = error
        self.createdAt = createdAt
    }

    /// An unsubscribe from `tags`, all mail by default.
    public static func unsubscribe(_ address: EmailAddress, tags: [String] = [allTags], createdAt: Date? = nil) -> Suppression {
        Suppression(kind: .unsubscribe, address: address, tags: tags, createdAt: createdAt)
    }

    /// A bounce with its SMTP code and error text.
    public static func bounce(_ address: EmailAddress, code: String = "550", error: String = "", createdAt: Date? = nil) -> Suppression {
        Suppression(kind: .bounce, address: address, code: code, error: error, createdAt: createdAt)
    }

    /// A spam complaint.
    public static func complaint(_ address: EmailAddress, createdAt: Date? = nil) -> Suppression {
        Suppression(kind: .complaint, address: address, createdAt: createdAt)
    }

    /// Whether this suppression stops a message carrying `tags` (Mailgun's rules): an unsubscribe
    /// from `*` or from any of the tags, or any bounce or complaint.
    ///
    /// - Parameter tags: The message's tags.
    /// - Returns: `true` when the message must not go to ``address``.
    public func applies(toMessageTagged tags: [String]) -> Bool {
        guard kind == .unsubscribe else { return true }
        return self.tags.contains(Self.allTags) || self.tags.contains(where: tags.contains)
    }

    /// Checks the address and, for unsubscribes, the tags.
    ///
    /// - Parameter field: The name used in errors, e.g. `suppressions[3]`.
    /// - Throws: ``MailroomError`` naming `field.address` or `field.tags[i]`.
    public func validate(field: String) throws {
        try address.validate(field: "\(field).address")
        for (index, tag) in tags.enumerated() {
            try HeaderText.check(tag, field: "\(field).tags[\(index)]")
            if tag.isEmpty { throw MailroomError.invalidValue(field: "\(field).tags[\(index)]", "a tag must not be empty") }
        }
        if let code { try HeaderText.check(code, field: "\(field).code") }
    }

    /// Checks a batch: every entry valid, all of one kind (as Mailgun's batch import requires).
    ///
    /// - Parameter batch: The entries, reported as `suppressions[i]`.
    /// - Returns: The batch's kind, or `nil` for an empty batch.
    /// - Throws: ``MailroomError`` naming the first entry at fault.
    @discardableResult
    public static func validate(batch: [Suppression]) throws -> Kind? {
        guard let kind = batch.first?.kind else { return nil }
        for (index, suppression) in batch.enumerated() {
            try suppression.validate(field: "suppressions[\(index)]")
            if suppression.kind != kind {
                throw MailroomError.invalidValue(field: "suppressions[\(index)]", "a batch holds one kind; this is \(suppression.kind), the first is \(kind)")
            }
        }
        return kind
    }
}
