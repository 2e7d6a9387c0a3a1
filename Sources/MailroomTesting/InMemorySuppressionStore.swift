/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `SuppressionStore` and its values are this file's public API.
public import Mailroom

/// A `SuppressionStore` in memory with Mailgun's semantics: unsubscribes gather tags
/// (`*` for all), removing a tag that is not there is not found, lists page in address order and
/// end at the first empty page, batches take one kind.
///
/// It is also a `SuppressionReplica`, so a mirror can sync into it in tests exactly as it syncs
/// into SQLite.
public actor InMemorySuppressionStore: SuppressionReplica {
    /// One stored entry and what a sync needs to know about it.
    private struct Row {
        var suppression: Suppression
        /// When it was last written locally or by a sync.
        var updatedAt: Date
        /// The start of the last sync that saw it.
        var seenBySync: Date?
    }

    private var tables: [Suppression.Kind: [String: Row]] = [:]
    private var syncs: [Suppression.Kind: SuppressionSyncCheckpoint] = [:]
    private let now: @Sendable () -> Date

    /// Creates an empty store.
    ///
    /// - Parameter now: The clock for entries without a date. Default: the system clock.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// Adds or merges one entry; an unsubscribe for a listed address gains the new tags.
    public func add(_ suppression: Suppression, logger: Logger) async throws {
        try suppression.validate(field: "suppression")
        insert(suppression)
    }

    /// Adds entries of one kind; nothing is added when one is invalid.
    public func add(contentsOf suppressions: [Suppression], logger: Logger) async throws {
        guard try Suppression.validate(batch: suppressions) != nil else { return }
        suppressions.forEach { insert($0) }
    }

    /// The entry for `address`, or `nil`.
    public func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? {
        try address.validate(field: "address")
        return tables[kind]?[address.mailbox.lowercased()]?.suppression
    }

    /// Answers every address from memory, with no further suspension.
    public func suppressions(for addresses: [EmailAddress], taggedWith tags: [String], logger: Logger) async throws -> [Suppression?] {
        for (index, address) in addresses.enumerated() { try address.validate(field: "addresses[\(index)]") }
        return addresses.map { address in
            let key = address.mailbox.lowercased()
            return [Suppression.Kind.complaint, .bounce, .unsubscribe].lazy
                .compactMap { self.tables[$0]?[key]?.suppression }
                .first { $0.applies(toMessageTagged: tags) }
        }
    }

    /// Removes `address`, or for unsubscribes one `tag`.
    public func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        try address.validate(field: "address")
        if tag != nil && kind != .unsubscribe { throw MailroomError.invalidValue(field: "tag", "only unsubscribes have tags") }
        let key = address.mailbox.lowercased()
        guard var row = tables[kind]?[key] else {
            throw MailroomError(code: .notFound, field: "address", message: "\(address.mailbox) is not in \(kind)")
        }
        guard let tag else {
            tables[kind]?[key] = nil
            return
        }
        guard let position = row.suppression.tags.firstIndex(of: tag) else {
            throw MailroomError(code: .notFound, field: "tag", message: "\(address.mailbox) is not unsubscribed from \(tag)")
        }
        row.suppression.tags.remove(at: position)
        row.updatedAt = now()
        tables[kind]?[key] = row.suppression.tags.isEmpty ? nil : row
    }

    /// Empties the table.
    public func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws {
        tables[kind] = [:]
    }

    /// The table in address order, `pageSize` (1 to 1,000) per page.
    public nonisolated func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence {
        let size = min(max(pageSize, 1), 1_000)
        return SuppressionSequence { cursor in
            let page = await self.page(kind, after: cursor, size: size)
            return SuppressionSequence.Page(items: page, next: page.last?.address.mailbox.lowercased() ?? cursor)
        }
    }

    // MARK: SuppressionReplica

    /// Starts a sync of `kind`, or returns the unfinished one.
    public func beginSync(_ kind: Suppression.Kind, startedAt: Date, logger: Logger) async throws -> SuppressionSyncCheckpoint {
        if let unfinished = syncs[kind] { return unfinished }
        let checkpoint = SuppressionSyncCheckpoint(kind: kind, startedAt: startedAt)
        syncs[kind] = checkpoint
        return checkpoint
    }

    /// Replaces the page's entries with the provider's and moves the cursor.
    public func applySyncPage(_ page: [Suppression], of kind: Suppression.Kind, next: String?, logger: Logger) async throws -> SuppressionSyncCheckpoint {
        guard var checkpoint = syncs[kind] else {
            throw MailroomError.invalidValue(field: "kind", "no sync of \(kind) is under way; call beginSync first")
        }
        for (index, entry) in page.enumerated() {
            try entry.validate(field: "page[\(index)]")
            if entry.kind != kind { throw MailroomError.invalidValue(field: "page[\(index)]", "a \(entry.kind) entry in a page of \(kind)") }
        }
        for entry in page {
            let row = Row(suppression: Self.normalised(entry, now: now()), updatedAt: now(), seenBySync: checkpoint.startedAt)
            tables[kind, default: [:]][entry.address.mailbox.lowercased()] = row
        }
        checkpoint.cursor = next
        checkpoint.entriesApplied += page.count
        syncs[kind] = checkpoint
        return checkpoint
    }

    /// Removes what the sync did not see and nobody wrote since it started.
    public func finishSync(_ kind: Suppression.Kind, logger: Logger) async throws -> Int {
        guard let checkpoint = syncs.removeValue(forKey: kind) else {
            throw MailroomError.invalidValue(field: "kind", "no sync of \(kind) is under way; call beginSync first")
        }
        let stale = (tables[kind] ?? [:]).filter { $0.value.seenBySync != checkpoint.startedAt && $0.value.updatedAt < checkpoint.startedAt }
        for key in stale.keys { tables[kind]?[key] = nil }
        return stale.count
    }

    // MARK: Storage

    private func page(_ kind: Suppression.Kind, after cursor: String?, size: Int) -> [Suppression] {
        let sorted = (tables[kind] ?? [:]).sorted { $0.key < $1.key }
        return Array(sorted.filter { cursor == nil || $0.key > cursor ?? "" }.prefix(size).map(\.value.suppression))
    }

    private func insert(_ suppression: Suppression) {
        let entry = Self.normalised(suppression, now: now())
        let key = entry.address.mailbox.lowercased()
        if entry.kind == .unsubscribe, var existing = tables[.unsubscribe]?[key] {
            for tag in entry.tags where !existing.suppression.tags.contains(tag) { existing.suppression.tags.append(tag) }
            existing.updatedAt = now()
            tables[.unsubscribe]?[key] = existing
        } else {
            tables[entry.kind, default: [:]][key] = Row(suppression: entry, updatedAt: now(), seenBySync: nil)
        }
    }

    private static func normalised(_ suppression: Suppression, now: Date) -> Suppression {
        var entry = suppression
        if entry.createdAt == nil { entry.createdAt = now }
        if entry.kind == .unsubscribe && entry.tags.isEmpty { entry.tags = [Suppression.allTags] }
        return entry
    }
}
