/// Public because `Date` appears in this file's public API.
public import Foundation

/// Which archived messages to list: every condition given must hold.
///
/// Entries come newest first (by the second they were recorded in, then in the order they were
/// recorded); with ``text`` set, the best matches come first instead. ``limit``
/// and ``before`` page through a large archive: pass the last id of a page as the next page's
/// ``before`` (for a full-text search, page with ``offset``).
///
/// ```swift
/// let failures = try await store.entries(matching: ArchiveQuery(since: yesterday, state: .failed))
/// let invoices = try await store.entries(matching: ArchiveQuery(text: "invoice march", limit: 20))
/// ```
public struct ArchiveQuery: Sendable, Hashable {
    /// Only this archive id. Default: any.
    public var id: String?
    /// Only messages to this address (To, Cc, Bcc or the envelope), compared without regard to
    /// case. Default: any.
    public var recipient: String?
    /// Only messages from this address (the sender's address, without its display name), compared
    /// without regard to case. Default: any.
    public var sender: String?
    /// Only messages recorded at or after this time. Default: no lower bound.
    public var since: Date?
    /// Only messages recorded before this time. Default: no upper bound.
    public var until: Date?
    /// Only messages with this tag. Default: any.
    public var tag: String?
    /// Only messages in this state. Default: any.
    public var state: ArchiveState?
    /// Only the message the provider knows by this id (Mailgun's `<…@domain>`, with or without the
    /// angle brackets). Default: any.
    public var providerID: String?
    /// Only the message with this `Message-ID` (with or without the angle brackets). Default: any.
    public var messageID: String?
    /// Only messages whose subject, sender, recipients, tags or body text hold every word of this
    /// text (a word ending in `*` matches as a prefix), best matches first. Default: no search.
    public var text: String?
    /// Only entries after the entry with this archive id in the newest-first order: the cursor of
    /// the next page, the last id of the page before (an id no longer in the store matches
    /// nothing). Default: from the newest.
    public var before: String?
    /// At most this many entries, 1 or more. Default: all.
    public var limit: Int?
    /// Skip this many matching entries first. Default 0.
    public var offset: Int

    /// Creates a query; with no arguments it matches everything.
    ///
    /// - Parameters:
    ///   - id: An archive id.
    ///   - recipient: A recipient's address.
    ///   - sender: The sender's address.
    ///   - since: The earliest recording time.
    ///   - until: The time before which messages were recorded.
    ///   - tag: A tag.
    ///   - state: A state.
    ///   - providerID: The provider's id.
    ///   - messageID: The `Message-ID`.
    ///   - text: Words to search for.
    ///   - before: The archive id the page starts after.
    ///   - limit: The page's size.
    ///   - offset: Entries to skip.
    public init(
        id: String? = nil,
        recipient: String? = nil,
        sender: String? = nil,
        since: Date? = nil,
        until: Date? = nil,
        tag: String? = nil,
        state: ArchiveState? = nil,
        providerID: String? = nil,
        messageID: String? = nil,
        text: String? = nil,
        before: String? = nil,
        limit: Int? = nil,
        offset: Int = 0
    ) {
        self.id = id
        self.recipient = recipient
        self.sender = sender
        self.since = since
        self.until = until
        self.tag = tag
        self.state = state
        self.providerID = providerID
        self.messageID = messageID
        self.text = text
        self.before = before
        self.limit = limit
        self.offset = offset
    }

    /// This query without its paging (``before``, ``limit``, ``offset``): what a count counts.
    public var unpaged: ArchiveQuery {
        var query = self
        query.before = nil
        query.limit = nil
        query.offset = 0
        return query
    }
}
