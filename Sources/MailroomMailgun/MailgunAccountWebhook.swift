/// Public because `Date` appears in this file's public API.
public import Foundation
import Mailroom

/// An account webhook (`/v1/webhooks`): one URL that receives the chosen events of every domain.
public struct MailgunAccountWebhook: Sendable, Hashable {
    /// Mailgun's id; `nil` before it is created.
    public var id: String?
    /// Where events are posted.
    public var url: String
    /// The event types it receives, from ``MailgunWebhooks/eventTypes``.
    public var eventTypes: [String]
    /// A description for people.
    public var description: String?
    /// When it was created.
    public var createdAt: Date?

    /// Creates a webhook value.
    ///
    /// - Parameters:
    ///   - url: Where events are posted.
    ///   - eventTypes: The event types.
    ///   - description: A description.
    public init(url: String, eventTypes: [String], description: String? = nil) {
        self.url = url
        self.eventTypes = eventTypes
        self.description = description
    }

    /// Checks the URL, the event types and the description.
    ///
    /// - Throws: ``MailroomError`` naming the field.
    public func validate() throws {
        try MailgunWebhooks.check(urls: [url])
        guard !eventTypes.isEmpty else { throw MailroomError.missingField("event_types", "at least one event type") }
        for (index, type) in eventTypes.enumerated() { try MailgunWebhooks.check(eventType: type, field: "event_types[\(index)]") }
        if let description, description.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            throw MailroomError.headerInjection(field: "description")
        }
    }

    init(json: MailgunJSON) throws {
        self.init(url: try json.string("url"), eventTypes: json.strings("event_types"), description: json.optionalString("description").flatMap { $0.isEmpty ? nil : $0 })
        id = try json.string("webhook_id")
        createdAt = json.optionalString("created_at").flatMap(RFC3339.date)
    }
}
