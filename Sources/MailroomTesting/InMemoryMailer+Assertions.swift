/// Public because `EmailAddress` appears in this file's public API.
public import Mailroom

extension InMemoryMailer {
    /// How many sends were accepted (and are still retained).
    public var count: Int { sent.count }

    /// Whether nothing was sent.
    public var nothingSent: Bool { sent.isEmpty }

    /// The oldest retained send.
    public var first: SentMessage? { sent.first }

    /// The newest send.
    public var last: SentMessage? { sent.last }

    /// Every retained send whose envelope includes `address` (case-insensitive).
    public func messages(to address: EmailAddress) -> [SentMessage] {
        sent.filter { $0.isAddressed(to: address) }
    }
}
