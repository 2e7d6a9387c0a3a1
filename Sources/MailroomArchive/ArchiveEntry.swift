/// Public because `Date` appears in this file's public API.
public import Foundation

/// What the archive knows about one message: its row in the index.
///
/// ```swift
/// for entry in try await store.entries(matching: ArchiveQuery(recipient: "zoe@example.com")) {
///     logger.info("\(entry.id) \(entry.state): \(entry.subject)")
/// }
/// ```
public struct ArchiveEntry: Sendable, Hashable, Codable {
    /// The archive's id, e.g. `20261121-093000-4f1c2a9e7b3d`: the UTC time it was recorded and a
    /// random part. It names the message's file.
    public var id: String
    /// The message's `Message-ID` header, when known.
    public var messageID: String?
    /// The provider's id once sent (Mailgun's `<…@domain>`).
    public var providerID: String?
    /// When the message was recorded, to the second.
    public var date: Date
    /// The sender as written in the message.
    public var from: String
    /// Every recipient's address (To, Cc and Bcc, or the envelope's), lowercased.
    public var recipients: [String]
    /// The subject as given (for a pre-rendered message, the raw header value).
    public var subject: String
    /// The message's tags.
    public var tags: [String]
    /// The uncompressed size in bytes.
    public var size: Int
    /// The size of the gzip file in bytes.
    public var compressedSize: Int
    /// The SHA-256 of the uncompressed bytes, lowercase hexadecimal.
    public var sha256: String
    /// Where the message stands.
    public var state: ArchiveState
    /// Why the send failed, for ``ArchiveState/failed``.
    public var failure: String?
    /// How many times the entry was written: 1 when recorded, more as it is settled; 0 for an
    /// entry recovered from its message file alone (`reindex`), which the record that wrote the
    /// file replaces.
    public var revision: Int

    /// Creates an entry; stores make these, callers read them.
    ///
    /// - Parameters:
    ///   - id: The archive id.
    ///   - messageID: The `Message-ID` header.
    ///   - providerID: The provider's id.
    ///   - date: When it was recorded.
    ///   - from: The sender.
    ///   - recipients: The recipients' addresses.
    ///   - subject: The subject.
    ///   - tags: The tags.
    ///   - size: Uncompressed bytes.
    ///   - compressedSize: Compressed bytes.
    ///   - sha256: The uncompressed bytes' SHA-256, hexadecimal.
    ///   - state: Where it stands.
    ///   - failure: Why the send failed.
    ///   - revision: The write count.
    public init(
        id: String,
        messageID: String?,
        providerID: String?,
        date: Date,
        from: String,
        recipients: [String],
        subject: String,
        tags: [String],
        size: Int,
        compressedSize: Int,
        sha256: String,
        state: ArchiveState,
        failure: String? = nil,
        revision: Int = 1
    ) {
        self.id = id
        self.messageID = messageID
        self.providerID = providerID
        self.date = date
        self.from = from
        self.recipients = recipients
        self.subject = subject
        self.tags = tags
        self.size = size
        self.compressedSize = compressedSize
        self.sha256 = sha256
        self.state = state
        self.failure = failure
        self.revision = revision
    }

    /// This entry with `outcome` applied and its revision raised.
    ///
    /// - Parameter outcome: What happened to the send.
    /// - Returns: The settled entry.
    public func settled(_ outcome: ArchiveOutcome) -> ArchiveEntry {
        var entry = self
        entry.state = outcome.state
        entry.providerID = outcome.providerID ?? providerID
        entry.failure = outcome.failure
        entry.revision = revision + 1
        return entry
    }
}
