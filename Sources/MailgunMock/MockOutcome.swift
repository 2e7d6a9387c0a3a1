/// What happens to a recipient after the mock accepts a message for it, scripted per recipient
/// with ``MailgunMock/script(_:for:)`` or `POST /mock/outcomes`.
///
/// Each outcome is delivered as Mailgun's events (`accepted` first) and, where Mailgun would,
/// applied to the mock's own suppression tables.
public struct MockOutcome: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The outcome's name in the inspection API: `delivered`, `bounce`, `complain`, `unsubscribe`
    /// or `temporary-failure`.
    public let name: String

    private init(_ name: String) { self.name = name }

    /// The outcome called `name`, or `nil` for an unknown name.
    ///
    /// - Parameter name: One of the names above.
    public init?(name: String) {
        guard let outcome = Self.all.first(where: { $0.name == name }) else { return nil }
        self = outcome
    }

    /// The name.
    public var description: String { name }

    /// `accepted`, then `delivered` (the default).
    public static let delivered = MockOutcome("delivered")
    /// `accepted`, then a permanent `failed` with reason `bounce` (550); the address joins the bounces table.
    public static let bounce = MockOutcome("bounce")
    /// `accepted`, `delivered`, then `complained`; the address joins the complaints table.
    public static let complain = MockOutcome("complain")
    /// `accepted`, `delivered`, then `unsubscribed` (from the message's tags, or all mail without
    /// tags); the address joins the unsubscribes table.
    public static let unsubscribe = MockOutcome("unsubscribe")
    /// `accepted`, then a temporary `failed` (reason `generic`, 451); nothing is suppressed.
    public static let temporaryFailure = MockOutcome("temporary-failure")
    /// Every outcome.
    public static let all: [MockOutcome] = [.delivered, .bounce, .complain, .unsubscribe, .temporaryFailure]

    /// Decodes the name.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let outcome = MockOutcome(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown outcome '\(name)'; one of \(Self.all.map(\.name))"))
        }
        self = outcome
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
