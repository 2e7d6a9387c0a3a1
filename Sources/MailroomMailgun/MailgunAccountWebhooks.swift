/// Public because `Logger` appears in this file's public API.
public import Logging
import Mailroom
import NIOHTTP1

/// Mailgun's account webhooks (`/v1/webhooks`, kept separately for the US and EU regions; changes
/// can take minutes to apply at Mailgun).
public struct MailgunAccountWebhooks: Sendable {
    /// The client the API talks through.
    public let client: MailgunClient

    /// Creates the API.
    ///
    /// - Parameter client: The Mailgun client, e.g. a ``MailgunMailer``'s.
    public init(client: MailgunClient) {
        self.client = client
    }

    static let collection = "/v1/webhooks"

    /// Every account webhook, or those with the given ids.
    ///
    /// - Parameters:
    ///   - ids: Only these webhooks; all when empty.
    ///   - logger: Where to log.
    /// - Returns: The webhooks.
    /// - Throws: ``MailroomError`` for a bad id or a provider failure.
    public func list(ids: [String] = [], logger: Logger) async throws -> [MailgunAccountWebhook] {
        for (index, id) in ids.enumerated() { try Self.check(id: id, field: "webhook_ids[\(index)]") }
        let target = MailgunPath.target(Self.collection, query: [("webhook_ids", ids.isEmpty ? nil : ids.joined(separator: ","))])
        let json = MailgunJSON(try await client.execute(.init(method: .GET, target: target), logger: logger).json(), what: "Mailgun's account webhook list")
        return try json.objects("webhooks").map(MailgunAccountWebhook.init(json:))
    }

    /// The webhook with `id`.
    ///
    /// - Parameters:
    ///   - id: The webhook's id.
    ///   - logger: Where to log.
    /// - Returns: The webhook.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when there is none.
    public func get(_ id: String, logger: Logger) async throws -> MailgunAccountWebhook {
        let json = try await client.execute(.init(method: .GET, target: try Self.path(id)), logger: logger).json()
        let answer = MailgunJSON(json, what: "Mailgun's account webhook")
        return try MailgunAccountWebhook(json: answer.object["webhook"] is [String: Any] ? try answer.object("webhook") : answer)
    }

    /// Creates an account webhook.
    ///
    /// - Parameters:
    ///   - webhook: The URL, event types and description.
    ///   - logger: Where to log.
    /// - Returns: The new webhook's id.
    /// - Throws: ``MailroomError`` for a bad field or a provider failure.
    public func create(_ webhook: MailgunAccountWebhook, logger: Logger) async throws -> String {
        try webhook.validate()
        let json = try await client.execute(.init(method: .POST, target: Self.collection, body: .form(Self.form(webhook))), logger: logger).json()
        return try MailgunJSON(json, what: "Mailgun's account webhook answer").string("webhook_id")
    }

    /// Replaces the webhook with `id` whole (fields left out are cleared).
    ///
    /// - Parameters:
    ///   - id: The webhook's id.
    ///   - webhook: The new URL, event types and description.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` for a bad field, ``MailroomError/Code/notFound``, or a provider failure.
    public func update(_ id: String, to webhook: MailgunAccountWebhook, logger: Logger) async throws {
        let target = try Self.path(id)
        try webhook.validate()
        _ = try await client.execute(.init(method: .PUT, target: target, body: .form(Self.form(webhook))), logger: logger)
    }

    /// Deletes the webhook with `id`.
    ///
    /// - Parameters:
    ///   - id: The webhook's id.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when there is none.
    public func delete(_ id: String, logger: Logger) async throws {
        _ = try await client.execute(.init(method: .DELETE, target: try Self.path(id)), logger: logger)
    }

    /// Deletes the webhooks with the given ids, or every account webhook when `ids` is empty and
    /// `all` is true.
    ///
    /// - Parameters:
    ///   - ids: The ids to delete.
    ///   - all: Must be true to delete every webhook (with no ids).
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` for no ids without `all`, a bad id, or a provider failure.
    public func delete(ids: [String], all: Bool = false, logger: Logger) async throws {
        for (index, id) in ids.enumerated() { try Self.check(id: id, field: "webhook_ids[\(index)]") }
        guard !ids.isEmpty || all else { throw MailroomError.missingField("webhook_ids", "name the webhooks to delete, or pass all: true") }
        let query = ids.isEmpty ? [("all", Optional("true"))] : [("webhook_ids", Optional(ids.joined(separator: ",")))]
        _ = try await client.execute(.init(method: .DELETE, target: MailgunPath.target(Self.collection, query: query)), logger: logger)
    }

    private static func form(_ webhook: MailgunAccountWebhook) -> MultipartFormBody {
        var parts: [MultipartFormBody.Part] = [.field(name: "url", value: webhook.url)]
        parts += webhook.eventTypes.map { .field(name: "event_types", value: $0) }
        if let description = webhook.description { parts.append(.field(name: "description", value: description)) }
        return MultipartFormBody(parts: parts)
    }

    private static func path(_ id: String) throws -> String {
        try check(id: id, field: "id")
        return collection + "/" + id
    }

    private static func check(id: String, field: String) throws {
        guard !id.isEmpty, id.count <= 100, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }) else {
            throw MailroomError.invalidValue(field: field, "'\(id.prefix(60))' is not a webhook id")
        }
    }
}
