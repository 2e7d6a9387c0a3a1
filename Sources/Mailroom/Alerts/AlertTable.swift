/// Package because `Date` appears in this file's package API.
package import Foundation

/// Send alerts kept in memory with Mailgun's rules: unique names, ids and timestamps set on
/// creation, full-replace updates that keep the id and creation time.
///
/// Shared by the in-memory double and the local Mailgun mock, which may not depend on each other.
package struct AlertTable: Sendable {
    /// How a replace ended.
    package enum ReplaceOutcome: Sendable { case replaced, notFound, nameTaken }

    /// The alerts, oldest first.
    package private(set) var alerts: [SendAlert] = []

    package init() {}

    package func alert(named name: String) -> SendAlert? {
        alerts.first { $0.name == name }
    }

    /// Stores a new alert with a fresh id and timestamps; `nil` when the name is taken.
    package mutating func create(_ alert: SendAlert, at date: Date) -> SendAlert? {
        guard self.alert(named: alert.name) == nil else { return nil }
        var stored = alert
        stored.id = UUID().uuidString.lowercased()
        stored.createdAt = date
        stored.updatedAt = date
        stored.lastChecked = date
        alerts.append(stored)
        return stored
    }

    /// Replaces the alert called `name` whole, keeping its id, creation and last-check times.
    package mutating func replace(named name: String, with alert: SendAlert, at date: Date) -> ReplaceOutcome {
        guard let index = alerts.firstIndex(where: { $0.name == name }) else { return .notFound }
        if alert.name != name && self.alert(named: alert.name) != nil { return .nameTaken }
        var stored = alert
        stored.id = alerts[index].id
        stored.createdAt = alerts[index].createdAt
        stored.lastChecked = alerts[index].lastChecked
        stored.updatedAt = date
        alerts[index] = stored
        return .replaced
    }

    /// Deletes the alert called `name`; `false` when there is none.
    package mutating func delete(named name: String) -> Bool {
        guard let index = alerts.firstIndex(where: { $0.name == name }) else { return false }
        alerts.remove(at: index)
        return true
    }
}
