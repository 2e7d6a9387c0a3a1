/// What a ``Mailer`` reports after a send: the provider's id and message, and who was accepted or
/// left out because of a suppression.
public struct SendReceipt: Sendable, Hashable {
    /// The provider's id for the message (Mailgun's `<…@domain>` Message-ID); `nil` when nothing was
    /// sent because every recipient was suppressed.
    public var id: String?
    /// The provider's message, e.g. `Queued. Thank you.`
    public var message: String
    /// The recipients the provider accepted.
    public var accepted: [EmailAddress]
    /// The recipients left out because a ``SuppressionStore`` suppresses them.
    public var suppressed: [EmailAddress]

    /// Creates a receipt.
    ///
    /// - Parameters:
    ///   - id: The provider's id, or `nil` when nothing was sent.
    ///   - message: The provider's message.
    ///   - accepted: The recipients accepted.
    ///   - suppressed: The recipients left out.
    public init(id: String?, message: String, accepted: [EmailAddress], suppressed: [EmailAddress] = []) {
        self.id = id
        self.message = message
        self.accepted = accepted
        self.suppressed = suppressed
    }

    /// Whether a message went to the provider.
    public var wasSent: Bool { id != nil }
}
