/// Public because `Date` appears in this file's public API.
public import Foundation

/// Which archived messages to list: every condition given must hold.
///
/// ```swift
/// let failures = try await store.entries(matching: ArchiveQuery(since: yesterday, state: .failed))
/// ```
public struct ArchiveQuery: Sendable, Hashable {
    /// Only this archive id. Default: any.
    public var id: String?
    /// Only messages to this address (To, Cc, Bcc or the envelope), compared without regard to
    /// case. Default: any.
    public var recipient: String?
    /// Only messages recorded at or after this time. Default: no lower bound.
    public var since: Date?
    /// Only messages recorded before this time. Default: no upper bound.
    public var until: Date?
    /// Only messages with this tag. Default: any.
    public var tag: String?
    /// Only messages in this state. Default: any.
    public var state: ArchiveState?

    /// Creates a query; with no arguments it matches everything.
    ///
    /// - Parameters:
    ///   - id: An archive id.
    ///   - recipient: A recipient's address.
    ///   - since: The earliest recording time.
    ///   - until: The time before which messages were recorded.
    ///   - tag: A tag.
    ///   - state: A state.
    public init(
        id: String? = nil,
        recipient: String? = nil,
        since: Date? = nil,
        until: Date? = nil,
        tag: String? = nil,
        state: ArchiveState? = nil
    ) {
        self.id = id
        self.recipient = recipient
        self.since = since
        self.until = until
        self.tag = tag
        self.state = state
    }

    /// Whether `entry` meets every condition.
    ///
    /// - Parameter entry: An index entry.
    /// - Returns: `true` when it matches.
    public func matches(_ entry: ArchiveEntry) -> Bool {
        if let id, entry.id != id { return false }
        if let recipient, !entry.recipients.contains(recipient.lowercased()) { return false }
        if let since, entry.date < since { return false }
        if let until, entry.date >= until { return false }
        if let tag, !entry.tags.contains(tag) { return false }
        if let state, entry.state != state { return false }
        return true
    }
}
