import Foundation

/// An account webhook the mock keeps (`/v1/webhooks`); it receives its event types for every domain.
struct MockAccountWebhook: Sendable {
    var id: String
    var url: String
    var eventTypes: [String]
    var description: String?
    var createdAt: Date

    /// The answer's shape, `created_at` in RFC 3339.
    func json() -> [String: Any] {
        var object: [String: Any] = ["webhook_id": id, "url": url, "event_types": eventTypes, "created_at": MockDates.rfc3339(createdAt)]
        object["description"] = description ?? ""
        return object
    }
}
