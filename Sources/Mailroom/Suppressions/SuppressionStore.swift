/// Public because `Logger` appears in this file's public API.
public import Logging

/// The lists of addresses that must not receive mail: unsubscribes (per tag), bounces and complaints.
///
/// Mailgun keeps them server-side (`MailroomMailgun`); the in-memory double keeps them per instance.
/// ``SuppressingMailer`` consults a store before every send.
public protocol SuppressionStore: Sendable {
    /// Adds or replaces one entry. Adding an unsubscribe for a new tag keeps the address's other tags.
    ///
    /// - Parameters:
    ///   - suppression: The entry.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` for an invalid entry or a provider failure.
    func add(_ suppression: Suppression, logger: Logger) async throws

    /// Adds many entries of one kind, in requests of at most 1,000.
    ///
    /// - Parameters:
    ///   - suppressions: The entries; all of the same kind.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError``; nothing is added when an entry is invalid.
    func add(contentsOf suppressions: [Suppression], logger: Logger) async throws

    /// The entry for `address` on the `kind` list, or `nil` when there is none.
    ///
    /// - Parameters:
    ///   - kind: Which list.
    ///   - address: The address.
    ///   - logger: Where to log.
    /// - Returns: The entry, or `nil`.
    /// - Throws: ``MailroomError`` for a provider failure.
    func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression?

    /// Removes `address` from the `kind` list; for unsubscribes, only from `tag` when one is given.
    ///
    /// - Parameters:
    ///   - kind: Which list.
    ///   - address: The address.
    ///   - tag: For unsubscribes, the one tag to remove; all when `nil`.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when the address is not listed.
    func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws

    /// Empties the `kind` list.
    ///
    /// - Parameters:
    ///   - kind: Which list.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` for a provider failure.
    func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws

    /// The `kind` list, fetched in pages of `pageSize` as it is iterated.
    ///
    /// - Parameters:
    ///   - kind: Which list.
    ///   - pageSize: Entries per page, 1 to 1,000.
    ///   - logger: Where to log.
    /// - Returns: The entries, in the store's order.
    func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence

    /// Whether a message tagged `tags` must not go to `address`: unsubscribed from `*` or from one of
    /// the tags, bounced, or complained. The default asks ``get(_:address:logger:)`` for each list.
    ///
    /// - Parameters:
    ///   - address: The recipient.
    ///   - tags: The message's tags.
    ///   - logger: Where to log.
    /// - Returns: The suppression that applies, or `nil` when the address may receive the message.
    /// - Throws: ``MailroomError`` for a provider failure.
    func suppression(for address: EmailAddress, taggedWith tags: [String], logger: Logger) async throws -> Suppression?

    /// The suppression that applies to each of `addresses` for a message tagged `tags`, in the
    /// order given. The default asks ``suppression(for:taggedWith:logger:)`` once per address;
    /// local stores answer a whole batch with one query.
    ///
    /// - Parameters:
    ///   - addresses: The recipients.
    ///   - tags: The message's tags.
    ///   - logger: Where to log.
    /// - Returns: One element per address: the suppression that applies, or `nil`.
    /// - Throws: ``MailroomError`` for an invalid address or a provider failure.
    func suppressions(for addresses: [EmailAddress], taggedWith tags: [String], logger: Logger) async throws -> [Suppression?]
}

extension SuppressionStore {
    /// Asks each list in turn: complaints and bounces always apply, unsubscribes by tag.
    public func suppression(for address: EmailAddress, taggedWith tags: [String], logger: Logger) async throws -> Suppression? {
        for kind in [Suppression.Kind.complaint, .bounce, .unsubscribe] {
            if let entry = try await get(kind, address: address, logger: logger), entry.applies(toMessageTagged: tags) {
                return entry
            }
        }
        return nil
    }

    /// Asks ``suppression(for:taggedWith:logger:)`` for each address in turn.
    public func suppressions(for addresses: [EmailAddress], taggedWith tags: [String], logger: Logger) async throws -> [Suppression?] {
        for (index, address) in addresses.enumerated() { try address.validate(field: "addresses[\(index)]") }
        var found: [Suppression?] = []
        found.reserveCapacity(addresses.count)
        for address in addresses {
            found.append(try await suppression(for: address, taggedWith: tags, logger: logger))
        }
        return found
    }

    /// Whether a message tagged `tags` must not go to `address`.
    ///
    /// - Parameters:
    ///   - address: The recipient.
    ///   - tags: The message's tags. Default: none.
    ///   - logger: Where to log. Default: nowhere.
    /// - Returns: `true` when a suppression applies.
    /// - Throws: ``MailroomError`` for a provider failure.
    public func isSuppressed(_ address: EmailAddress, taggedWith tags: [String] = [], logger: Logger = .mailroomDisabled) async throws -> Bool {
        try await suppression(for: address, taggedWith: tags, logger: logger) != nil
    }

    /// The `kind` list in pages of 100, without logging.
    ///
    /// - Parameter kind: Which list.
    /// - Returns: The entries.
    public func list(_ kind: Suppression.Kind) -> SuppressionSequence {
        list(kind, pageSize: 100, logger: .mailroomDisabled)
    }
}
