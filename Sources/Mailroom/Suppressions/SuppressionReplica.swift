/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging

/// A ``SuppressionStore`` kept on this side of the network, that a mirror fills from the
/// provider's lists: the in-memory store, SQLite, PostgreSQL.
///
/// A sync of one list is a sequence of calls that survives being interrupted: ``beginSync(_:startedAt:logger:)``
/// returns the unfinished sync of that list when there is one, so the caller resumes from its
/// cursor; ``applySyncPage(_:of:next:logger:)`` stores a page and the cursor after it together, so a
/// killed process never leaves half a page or a cursor ahead of the data;
/// ``finishSync(_:logger:)`` removes what the provider no longer lists.
///
/// ```swift
/// var checkpoint = try await replica.beginSync(.bounce, startedAt: now, logger: logger)
/// while true {
///     let page = try await provider.page(.bounce, at: checkpoint.cursor)
///     if page.items.isEmpty { break }
///     checkpoint = try await replica.applySyncPage(page.items, of: .bounce, next: page.next, logger: logger)
///     if page.next == nil { break }
/// }
/// let removed = try await replica.finishSync(.bounce, logger: logger)
/// ```
public protocol SuppressionReplica: SuppressionStore {
    /// Starts a sync of the `kind` list, or returns the unfinished one to resume.
    ///
    /// - Parameters:
    ///   - kind: Which list.
    ///   - startedAt: When this sync starts; ignored when an unfinished sync is resumed.
    ///   - logger: Where to log.
    /// - Returns: The sync's checkpoint: its start, the cursor of the next page (`nil` for the first).
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/storage`` when the store fails.
    func beginSync(_ kind: Suppression.Kind, startedAt: Date, logger: Logger) async throws -> SuppressionSyncCheckpoint

    /// Stores one page of the provider's `kind` list, replacing the local entries for its addresses,
    /// and records `next` as the sync's cursor, in one atomic step.
    ///
    /// - Parameters:
    ///   - page: The provider's entries, all of `kind`.
    ///   - kind: Which list.
    ///   - next: The cursor of the page after this one, `nil` at the end.
    ///   - logger: Where to log.
    /// - Returns: The checkpoint after this page.
    /// - Throws: ``MailroomError``: `storage`, or `invalidValue` naming the entry when one is invalid
    ///   or there is no sync of `kind` under way.
    func applySyncPage(_ page: [Suppression], of kind: Suppression.Kind, next: String?, logger: Logger) async throws -> SuppressionSyncCheckpoint

    /// Ends the sync of `kind`: removes the entries this sync did not see, unless they were
    /// written locally after it started (a webhook that arrived during the sync).
    ///
    /// - Parameters:
    ///   - kind: Which list.
    ///   - logger: Where to log.
    /// - Returns: How many local entries were removed.
    /// - Throws: ``MailroomError``: `storage`, or `invalidValue` when there is no sync of `kind` under way.
    func finishSync(_ kind: Suppression.Kind, logger: Logger) async throws -> Int
}

/// Where a sync of one suppression list stands.
public struct SuppressionSyncCheckpoint: Sendable, Hashable {
    /// The list being synced.
    public var kind: Suppression.Kind
    /// When the sync started; local writes after it survive ``SuppressionReplica/finishSync(_:logger:)``.
    public var startedAt: Date
    /// The provider's cursor for the next page; `nil` before the first page.
    public var cursor: String?
    /// How many entries the sync has stored so far.
    public var entriesApplied: Int

    /// Creates a checkpoint.
    ///
    /// - Parameters:
    ///   - kind: The list.
    ///   - startedAt: When the sync started.
    ///   - cursor: The next page's cursor.
    ///   - entriesApplied: Entries stored so far.
    public init(kind: Suppression.Kind, startedAt: Date, cursor: String? = nil, entriesApplied: Int = 0) {
        self.kind = kind
        self.startedAt = startedAt
        self.cursor = cursor
        self.entriesApplied = entriesApplied
    }
}
