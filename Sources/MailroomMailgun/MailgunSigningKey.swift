/// The account's HTTP webhook signing key, the secret ``MailgunWebhookVerifier`` checks webhooks with.
///
/// Its ``description`` is redacted, so printing or logging the value by accident shows nothing;
/// read ``value`` where the key is really needed.
public struct MailgunSigningKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key itself.
    public let value: String

    /// Wraps a key.
    ///
    /// - Parameter value: The key.
    public init(_ value: String) {
        self.value = value
    }

    /// `MailgunSigningKey(<redacted>)`.
    public var description: String { "MailgunSigningKey(<redacted>)" }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// Whether `other` is this key, compared in constant time.
    ///
    /// - Parameter other: A key from elsewhere, e.g. `MAILGUN_WEBHOOK_SIGNING_KEY`.
    /// - Returns: Whether the two are equal.
    public func matches(_ other: String) -> Bool {
        let mine = Array(value.utf8)
        let theirs = Array(other.utf8)
        guard mine.count == theirs.count else { return false }
        return zip(mine, theirs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
