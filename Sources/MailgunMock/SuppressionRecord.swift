import Foundation

/// One entry of a domain's unsubscribes, bounces or complaints table.
struct SuppressionRecord: Sendable {
    var address: String
    var tags: [String]
    var code: String
    var error: String
    var createdAt: Date

    /// The record as Mailgun writes it for `table` (`unsubscribes`, `bounces`, `complaints`).
    func json(for table: String) -> [String: Any] {
        var object: [String: Any] = ["address": address, "created_at": MockDates.rfc822(createdAt)]
        switch table {
        case "unsubscribes": object["tags"] = tags
        case "bounces":
            object["code"] = code
            object["error"] = error
        default: break
        }
        return object
    }
}
