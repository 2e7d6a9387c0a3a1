/// Package because `Date` appears in this file's package API.
package import Foundation

/// What every database-backed mirror (`MailroomSQLite`, `MailroomPostgres`) does the same way,
/// whatever holds its rows: the key an address is stored under, the defaults a stored entry gets,
/// how a batch merges with the unsubscribes already listed, and which listed entry a send obeys.
package enum SuppressionRows {
    /// The key an address is stored under: its mailbox, lower-cased (Mailgun matches addresses so).
    package static func key(_ address: EmailAddress) -> String { address.mailbox.lowercased() }

    /// Defaults a store fills in: a date, `*` for an unsubscribe without tags, no tags otherwise.
    package static func normalised(_ suppression: Suppression, now: Date) -> Suppression {
        var entry = suppression
        if entry.createdAt == nil { entry.createdAt = now }
        if entry.kind == .unsubscribe && entry.tags.isEmpty { entry.tags = [Suppression.allTags] }
        if entry.kind != .unsubscribe { entry.tags = [] }
        return entry
    }

    /// The rows to write for a batch of one kind, one per address in the batch's order: a later
    /// entry replaces an earlier one, except that an unsubscribe gains the tags it lacks (from the
    /// batch, and from `listed`, the unsubscribes already stored for those addresses, by key).
    package static func merged(_ batch: [Suppression], of kind: Suppression.Kind, listed: [String: Suppression], now: Date) -> [Suppression] {
        var merged = kind == .unsubscribe ? listed : [:]
        var order: [String] = []
        var seen: Set<String> = []
        for suppression in batch {
            let entry = normalised(suppression, now: now)
            let key = key(entry.address)
            if seen.insert(key).inserted { order.append(key) }
            if kind == .unsubscribe, var existing = merged[key] {
                for tag in entry.tags where !existing.tags.contains(tag) { existing.tags.append(tag) }
                merged[key] = existing
            } else {
                merged[key] = entry
            }
        }
        return order.compactMap { merged[$0] }
    }

    /// For each key, the entry a message tagged `tags` obeys among `listed` (every list's entries
    /// for those keys): the first that applies of complaint, bounce, unsubscribe.
    package static func obeyed(for keys: [String], listed: [Suppression], taggedWith tags: [String]) -> [Suppression?] {
        var entries: [String: [Suppression]] = [:]
        for entry in listed { entries[key(entry.address), default: []].append(entry) }
        let precedence = [Suppression.Kind.complaint, .bounce, .unsubscribe]
        return keys.map { key in
            let found = entries[key] ?? []
            return precedence.lazy.compactMap { kind in found.first { $0.kind == kind } }.first { $0.applies(toMessageTagged: tags) }
        }
    }
}
