/// Public because `Logger` appears in this file's public API.
public import Logging

/// Where send alerts are kept: Mailgun's thresholds API, or the in-memory double.
///
/// Alerts are identified by their unique ``SendAlert/name``. Every method validates before it
/// sends anything, so an invalid alert is rejected with the field at fault.
public protocol AlertSink: Sendable {
    /// Creates an alert.
    ///
    /// - Parameters:
    ///   - alert: The alert; its name must be new.
    ///   - logger: Where to log.
    /// - Returns: The alert as stored, with its id and timestamps.
    /// - Throws: ``MailroomError``: invalid fields, ``MailroomError/Code/alreadyExists``, or a provider failure.
    func create(_ alert: SendAlert, logger: Logger) async throws -> SendAlert

    /// Every alert.
    ///
    /// - Parameter logger: Where to log.
    /// - Returns: The alerts.
    /// - Throws: ``MailroomError`` for a provider failure.
    func list(logger: Logger) async throws -> [SendAlert]

    /// The alert called `name`.
    ///
    /// - Parameters:
    ///   - name: The alert's name.
    ///   - logger: Where to log.
    /// - Returns: The alert.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when there is none.
    func get(named name: String, logger: Logger) async throws -> SendAlert

    /// Replaces the alert called `name` with `alert` as a whole (fields left out are cleared).
    ///
    /// - Parameters:
    ///   - name: The current name.
    ///   - alert: The new definition; it may rename the alert.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError``: invalid fields, ``MailroomError/Code/notFound``, or a provider failure.
    func update(named name: String, to alert: SendAlert, logger: Logger) async throws

    /// Deletes the alert called `name`.
    ///
    /// - Parameters:
    ///   - name: The alert's name.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when there is none.
    func delete(named name: String, logger: Logger) async throws

    /// The alerts that have fired and not yet expired, most recently updated first.
    ///
    /// - Parameter logger: Where to log.
    /// - Returns: The hits.
    /// - Throws: ``MailroomError`` for a provider failure.
    func hits(logger: Logger) async throws -> [SendAlertHit]
}
