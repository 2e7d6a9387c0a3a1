/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `AlertSink` and `SendAlert` are this file's public API.
public import Mailroom

/// A `AlertSink` in memory with Mailgun's rules: validation before anything is stored,
/// unique names, full-replace updates that keep the id and creation time, not found for unknown names.
public actor InMemoryAlertSink: AlertSink {
    private var table = AlertTable()
    private var recordedHits: [SendAlertHit] = []
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
        guard let stored = table.create(alert, at: now()) else { throw nameTaken(alert.name) }
        return stored
    }

    /// Every alert, oldest first.
    public func list(logger: Logger) async throws -> [SendAlert] { table.alerts }

    /// The alert called `name`.
    public func get(named name: String, logger: Logger) async throws -> SendAlert {
        guard let alert = table.alert(named: name) else { throw notFound(name) }
        return alert
    }

    /// Replaces the alert called `name` whole.
    public func update(named name: String, to alert: SendAlert, logger: Logger) async throws {
        try alert.validate()
        switch table.replace(named: name, with: alert, at: now()) {
        case .replaced: return
        case .notFound: throw notFound(name)
        case .nameTaken: throw nameTaken(alert.name)
        }
    }

    /// Deletes the alert called `name`.
    public func delete(named name: String, logger: Logger) async throws {
        guard table.delete(named: name) else { throw notFound(name) }
    }

    /// The hits recorded with ``recordHit(_:)``, most recently updated first.
    public func hits(logger: Logger) async throws -> [SendAlertHit] {
        recordedHits.sorted { ($0.updatedAt ?? .distantPast) > ($1.updatedAt ?? .distantPast) }
    }

    /// Records that an alert fired, as Mailgun would when its metric crosses the limit; tests use
    /// it to drive code that reads ``hits(logger:)``.
    ///
    /// - Parameter hit: The hit; its alert need not exist.
    public func recordHit(_ hit: SendAlertHit) {
        recordedHits.append(hit)
    }

    private func notFound(_ name: String) -> MailroomError {
        MailroomError(code: .notFound, field: "name", message: "no alert named '\(name)'")
    }

    private func nameTaken(_ name: String) -> MailroomError {
        MailroomError(code: .alreadyExists, field: "name", message: "an alert named '\(name)' already exists")
    }
}
