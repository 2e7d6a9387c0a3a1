/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `SuppressionStore` and its values are this file's public API.
public import Mailroom

/// A `SuppressionStore` in memory with Mailgun's semantics: unsubscribes gather tags
/// (`*` for all), removing a tag that is not there is not found, lists page in address order and
/// end at the first empty page, batches take one kind.
public actor InMemorySuppressionStore: SuppressionStore {
    private var tables: [Suppression.Kind: [String: Suppression]] = [:]
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
        guard let kind = try Suppression.validate(batch: suppressions) else { return }
        suppressions.forEach(insert)
    }

    /// The entry for `address`, or `nil`.
    public func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? {
        try address.validate(field: "address")
        return tables[kind]?[address.mailbox.lowercased()]
    }

    /// Removes `address`, or for unsubscribes one `tag`.
    public func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        try address.validate(field: "address")
        if tag != nil && kind != .unsubscribe { throw MailroomError.invalidValue(field: "tag", "only unsubscribes have tags") }
        let key = address.mailbox.lowercased()
        guard var entry = tables[kind]?[key] else {
            throw MailroomError(code: .notFound, field: "address", message: "\(address.mailbox) is not in \(kind)")
        }
        guard let tag else {
            tables[kind]?[key] = nil
            return
        }
        guard let position = entry.tags.firstIndex(of: tag) else {
            throw MailroomError(code: .notFound, field: "tag", message: "\(address.mailbox) is not unsubscribed from \(tag)")
        }
        entry.tags.remove(at: position)
        tables[kind]?[key] = entry.tags.isEmpty ? nil : entry
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

    private func page(_ kind: Suppression.Kind, after cursor: String?, size: Int) -> [Suppression] {
        let sorted = (tables[kind] ?? [:]).sorted { $0.key < $1.key }
        return Array(sorted.filter { cursor == nil || $0.key > cursor ?? "" }.prefix(size).map(\.value))
    }

    private func insert(_ suppression: Suppression) {
        var entry = suppression
        if entry.createdAt == nil { entry.createdAt = now() }
        if entry.kind == .unsubscribe && entry.tags.isEmpty { entry.tags = [Suppression.allTags] }
        let key = entry.address.mailbox.lowercased()
        if entry.kind == .unsubscribe, var existing = tables[.unsubscribe]?[key] {
            for tag in entry.tags where !existing.tags.contains(tag) { existing.tags.append(tag) }
            tables[.unsubscribe]?[key] = existing
        } else {
            tables[entry.kind, default: [:]][key] = entry
        }
    }
}
