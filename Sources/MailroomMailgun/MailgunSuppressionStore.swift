/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `SuppressionStore` and its values are this file's public API.
public import Mailroom
import Foundation
import NIOHTTP1

/// Mailgun's unsubscribes, bounces and complaints tables as a `SuppressionStore`.
///
/// Lists follow `paging.next` as Mailgun gives it (only to Mailgun hosts or the configured base
/// URL) until a page comes back shorter than its limit. Batch adds go as JSON in requests of at most 1,000.
/// Addresses are percent-encoded in paths, so `a+b@x.io` and Unicode local parts reach the right
/// record.
///
/// ```swift
/// let store = MailgunSuppressionStore(client: mailer.client)
/// try await store.add(.unsubscribe("zoe@example.com", tags: ["newsletter"]), logger: logger)
/// for try await bounce in store.list(.bounce) { … }
/// ```
public struct MailgunSuppressionStore: SuppressionStore {
    /// The most entries one batch request carries.
    public static let batchSize = 1_000

    /// The client the store talks through.
    public let client: MailgunClient
    /// The domain whose tables are used; the configuration's default when `nil`.
    public let domain: String?

    /// Creates a store.
    ///
    /// - Parameters:
    ///   - client: The Mailgun client, e.g. a ``MailgunMailer``'s.
    ///   - domain: The domain whose tables to use; the configuration's default when `nil`.
    public init(client: MailgunClient, domain: String? = nil) {
        self.client = client
        self.domain = domain
    }

    /// Adds one entry with a form request (several unsubscribe tags go as one JSON entry).
    public func add(_ suppression: Suppression, logger: Logger) async throws {
        try suppression.validate(field: "suppression")
        if suppression.kind == .unsubscribe && suppression.tags.count > 1 {
            try await add(contentsOf: [suppression], logger: logger)
            return
        }
        var fields = [("address", suppression.address.mailbox)]
        if suppression.kind == .unsubscribe { fields.append(("tag", suppression.tags.first ?? Suppression.allTags)) }
        if suppression.kind == .bounce {
            fields.append(("code", suppression.code ?? "550"))
            fields.append(("error", suppression.error ?? ""))
        }
        if let date = suppression.createdAt { fields.append(("created_at", MailgunDates().format(date))) }
        let body = MultipartFormBody(parts: fields.map { .field(name: $0.0, value: $0.1) })
        _ = try await client.execute(.init(method: .POST, target: try path(suppression.kind), body: .form(body)), logger: logger)
    }

    /// Adds entries of one kind as JSON, in requests of at most 1,000; nothing is sent when one is invalid.
    public func add(contentsOf suppressions: [Suppression], logger: Logger) async throws {
        guard let kind = try Suppression.validate(batch: suppressions) else { return }
        let target = try path(kind)
        let dates = MailgunDates()
        for start in stride(from: 0, to: suppressions.count, by: Self.batchSize) {
            let chunk = suppressions[start..<min(start + Self.batchSize, suppressions.count)]
            let items: [[String: Any]] = chunk.map { suppression in
                var item: [String: Any] = ["address": suppression.address.mailbox]
                if kind == .unsubscribe { item["tags"] = suppression.tags.isEmpty ? [Suppression.allTags] : suppression.tags }
                if kind == .bounce {
                    item["code"] = suppression.code ?? "550"
                    item["error"] = suppression.error ?? ""
                }
                if let date = suppression.createdAt { item["created_at"] = dates.format(date) }
                return item
            }
            let json = try JSONSerialization.data(withJSONObject: items, options: [.sortedKeys])
            _ = try await client.execute(.init(method: .POST, target: target, body: .json(Array(json))), logger: logger)
        }
    }

    /// The entry for `address`, or `nil` when Mailgun answers 404.
    public func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? {
        do {
            let response = try await client.execute(.init(method: .GET, target: try path(kind, address: address)), logger: logger)
            return try Self.suppression(kind, from: try response.json(), dates: MailgunDates())
        } catch let error as MailroomError where error.code == .notFound {
            return nil
        }
    }

    /// Removes `address`, or for unsubscribes only `tag`.
    public func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        var target = try path(kind, address: address)
        if let tag {
            guard kind == .unsubscribe else { throw MailroomError.invalidValue(field: "tag", "only unsubscribes have tags") }
            target += "?tag=\(MailgunPath.encoded(tag))"
        }
        _ = try await client.execute(.init(method: .DELETE, target: target), logger: logger)
    }

    /// Empties the table.
    public func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws {
        _ = try await client.execute(.init(method: .DELETE, target: try path(kind)), logger: logger)
    }

    /// The table in pages of `pageSize` (1 to 1,000), following `paging.next` as given.
    public func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence {
        let store = self
        return SuppressionSequence { cursor in try await store.page(kind, at: cursor, pageSize: pageSize, logger: logger) }
    }

    /// One page of the table: the first for a `nil` cursor, else the page at a `paging.next` URL
    /// Mailgun gave (followed only to Mailgun hosts or the configured base URL).
    ///
    /// - Parameters:
    ///   - kind: Which table.
    ///   - cursor: `nil`, or a `next` URL from an earlier page.
    ///   - pageSize: Entries per page for the first page, 1 to 1,000.
    ///   - logger: Where to log.
    /// - Returns: The entries and the next page's URL; an empty page is the end.
    /// - Throws: `MailroomError` for a provider failure or a refused URL.
    public func page(_ kind: Suppression.Kind, at cursor: String?, pageSize: Int = 1_000, logger: Logger) async throws -> SuppressionSequence.Page {
        let target: String
        let limit: Int
        if let cursor {
            (target, limit) = try Self.nextPage(cursor)
        } else {
            limit = min(max(pageSize, 1), 1_000)
            target = try path(kind) + "?limit=\(limit)"
        }
        let json = try await client.execute(.init(method: .GET, target: target), logger: logger).json()
        guard let items = json["items"] as? [[String: Any]] else {
            throw MailroomError(code: .invalidJSON, message: "Mailgun's \(kind) page has no items")
        }
        // A short page is the last: asking for the next one would only bring back an empty page.
        let next = items.count < limit ? nil : (json["paging"] as? [String: Any])?["next"] as? String
        let dates = MailgunDates()
        return SuppressionSequence.Page(items: try items.map { try Self.suppression(kind, from: $0, dates: dates) }, next: next)
    }

    /// A `paging.next` URL checked before it is followed, and the page size it asks for
    /// (Mailgun's default, 100, when it names none).
    static func nextPage(_ cursor: String) throws -> (target: String, limit: Int) {
        // Printable ASCII without the characters RFC 3986 never allows unescaped (space, quotes, <>…):
        // Foundation's parser accepts some of them, and the request would then fail far from here.
        let legal = cursor.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"\"<>\\^`{|}".unicodeScalars.contains($0) }
        guard legal, cursor.hasPrefix("https://") || cursor.hasPrefix("http://"), let components = URLComponents(string: cursor), components.host?.isEmpty == false else {
            throw MailroomError.invalidValue(field: "paging.next", "Mailgun's next-page URL '\(cursor.prefix(300))' is not an absolute http(s) URL")
        }
        let limit = components.queryItems?.first { $0.name == "limit" }?.value.flatMap(Int.init) ?? 100
        return (cursor, max(limit, 1))
    }

    // MARK: Wire forms

    private func path(_ kind: Suppression.Kind, address: EmailAddress? = nil) throws -> String {
        let domain = try client.domain(domain)
        let base = "/v3/\(domain)/\(kind)"
        guard let address else { return base }
        try address.validate(field: "address")
        return base + "/" + MailgunPath.encoded(address.mailbox)
    }

    static func suppression(_ kind: Suppression.Kind, from json: [String: Any], dates: MailgunDates) throws -> Suppression {
        guard let address = json["address"] as? String else {
            throw MailroomError(code: .invalidJSON, field: "address", message: "a \(kind) record without an address")
        }
        let parsed = (try? EmailAddress(address)) ?? EmailAddress(stringLiteral: address)
        let code = (json["code"] as? String) ?? (json["code"] as? Int).map(String.init)
        return Suppression(
            kind: kind,
            address: parsed,
            tags: kind == .unsubscribe ? (json["tags"] as? [String] ?? []) : [],
            code: kind == .bounce ? code : nil,
            error: kind == .bounce ? json["error"] as? String : nil,
            createdAt: (json["created_at"] as? String).flatMap(dates.parse)
        )
    }
}
