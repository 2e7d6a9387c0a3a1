/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `AlertSink` and `SendAlert` are this file's public API.
public import Mailroom

/// A `AlertSink` in memory with Mailgun's rules: validation before anything is stored,
/// unique names, full-replace updates that keep the id and creation time, not found for unknown names.
public actor InMemoryAlertSink: AlertSink {
    private var alerts: [SendAlert] = []
    private let now: @Sendable () -> Date

    /// Creates an empty sink.
    ///
    /// - Parameter now: The clock for timestamps. Default: the system clock.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// Stores a new alert with an id and timestamps.
    public func create(_ alert: SendAlert, logger: Logger) async throws -> SendAlert {
        try alert.validate()
        guard !alerts.contains(where: { $0.name == alert.name }) else {
            throw MailroomError(code: .alreadyExists, field: "name", message: "an alert named '\(alert.name)' already exists")
        }
        var stored = alert
        let date = now()
        stored.id = UUID().uuidString.lowercased()
        stored.createdAt = date
        stored.updatedAt = date
        stored.lastChecked = date
        alerts.append(stored)
        return stored
    }

    /// Every alert, oldest first.
    public func list(logger: Logger) async throws -> [SendAlert] { alerts }

    /// The alert called `name`.
    public func get(named name: String, logger: Logger) async throws -> SendAlert {
        guard let alert = alerts.first(where: { $0.name == name }) else { throw notFound(name) }
        return alert
    }

    /// Replaces the alert called `name` whole.
    public func update(named name: String, to alert: SendAlert, logger: Logger) async throws {
        try alert.validate()
        guard let index = alerts.firstIndex(where: { $0.name == name }) else { throw notFound(name) }
        if alert.name != name && alerts.contains(where: { $0.name == alert.name }) {
            throw MailroomError(code: .alreadyExists, field: "name", message: "an alert named '\(alert.name)' already exists")
        }
        var stored = alert
        stored.id = alerts[index].id
        stored.createdAt = alerts[index].createdAt
        stored.lastChecked = alerts[index].lastChecked
        stored.updatedAt = now()
        alerts[index] = stored
    }

    /// Deletes the alert called `name`.
    public func delete(named name: String, logger: Logger) async throws {
        guard let index = alerts.firstIndex(where: { $0.name == name }) else { throw notFound(name) }
        alerts.remove(at: index)
    }

    private func notFound(_ name: String) -> MailroomError {
        MailroomError(code: .notFound, field: "name", message: "no alert named '\(name)'")
    }
}
