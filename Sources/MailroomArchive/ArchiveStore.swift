/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `MIMEMessage` appears in this file's public API.
public import Mailroom

/// Somewhere archived messages are kept: their bytes, an index to query, and their outcomes.
///
/// ``ArchivingMailer`` records each message before the send and settles it after; ``OutboxMailer``
/// records messages that are never delivered. ``FileArchiveStore`` is the implementation on disk.
///
/// Every method throws `MailroomError`: `MailroomError.Code.storage` when the store cannot be
/// read or written, `MailroomError.Code.notFound` for an unknown id, and
/// `MailroomError.Code.corrupted` when stored bytes fail their check.
public protocol ArchiveStore: Sendable {
    /// Stores a message and indexes it.
    ///
    /// - Parameters:
    ///   - message: The message's bytes, streamed.
    ///   - details: Sender, recipients, subject and tags for the index.
    ///   - outcome: The outcome if already known; `nil` records the message as ``ArchiveState/pending``.
    ///   - logger: Where to log.
    /// - Returns: The new entry.
    func record(_ message: MIMEMessage, details: ArchiveDetails, outcome: ArchiveOutcome?, logger: Logger) async throws -> ArchiveEntry

    /// Records what happened to a message's send.
    ///
    /// - Parameters:
    ///   - id: The entry's archive id.
    ///   - outcome: What happened.
    ///   - logger: Where to log.
    /// - Returns: The settled entry.
    func settle(_ id: String, outcome: ArchiveOutcome, logger: Logger) async throws -> ArchiveEntry

    /// The entries that match `query`, newest first (best matches first for a text search),
    /// paged as the query says.
    ///
    /// - Parameter query: The conditions.
    /// - Returns: The matching entries.
    func entries(matching query: ArchiveQuery) async throws -> [ArchiveEntry]

    /// How many entries match `query`, paging ignored.
    ///
    /// - Parameter query: The conditions.
    /// - Returns: The count.
    func count(matching query: ArchiveQuery) async throws -> Int

    /// A message's bytes, decompressed and checked against the recorded size and SHA-256.
    ///
    /// - Parameter id: The archive id.
    /// - Returns: The message exactly as recorded.
    func contents(of id: String) async throws -> [UInt8]

    /// Checks every message in the store against its recorded size and SHA-256.
    ///
    /// - Returns: What was checked and found.
    func verify() async throws -> ArchiveVerification

    /// Removes every message recorded before `date`.
    ///
    /// - Parameter date: The cut-off.
    /// - Returns: The entries removed.
    func prune(olderThan date: Date) async throws -> [ArchiveEntry]
}
