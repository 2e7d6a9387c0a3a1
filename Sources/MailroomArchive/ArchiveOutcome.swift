/// Public because `SendReceipt` appears in this file's public API.
public import Mailroom

/// What happened to an archived message's send, recorded after it.
///
/// ```swift
/// try await store.settle(entry.id, outcome: .sent(providerID: receipt.id))
/// ```
public struct ArchiveOutcome: Sendable, Hashable {
    /// The state it leaves the message in.
    public var state: ArchiveState
    /// The provider's id, for a sent message.
    public var providerID: String?
    /// Why the send failed, for a failed one.
    public var failure: String?

    private init(state: ArchiveState, providerID: String? = nil, failure: String? = nil) {
        self.state = state
        self.providerID = providerID
        self.failure = failure
    }

    /// The provider accepted the message.
    ///
    /// - Parameter providerID: The provider's id for it.
    public static func sent(providerID: String?) -> ArchiveOutcome {
        ArchiveOutcome(state: .sent, providerID: providerID)
    }

    /// The send failed.
    ///
    /// - Parameter reason: Why; never include credentials (a `MailroomError`'s description has none).
    public static func failed(_ reason: String) -> ArchiveOutcome {
        ArchiveOutcome(state: .failed, failure: reason)
    }

    /// Nothing was sent because every recipient is suppressed.
    public static let suppressed = ArchiveOutcome(state: .suppressed)

    /// Kept in the local outbox, never delivered.
    public static let outbox = ArchiveOutcome(state: .outbox)

    /// The outcome a receipt reports: sent with its id, or suppressed when nothing went out.
    ///
    /// - Parameter receipt: The wrapped mailer's receipt.
    public init(_ receipt: SendReceipt) {
        self = receipt.wasSent ? .sent(providerID: receipt.id) : .suppressed
    }
}
