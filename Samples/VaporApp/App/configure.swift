public import Foundation
import Mailroom
import MailroomMailgun
import MailroomVapor
public import Vapor

/// Configures the app from the environment, with the same variables as Samples/HummingbirdApp:
/// `PORT`, `HOST`, `MAILGUN_API_KEY`, `MAILGUN_DOMAIN`, `MAILGUN_REGION`, `MAILGUN_BASE_URL`,
/// `MAILGUN_WEBHOOK_SIGNING_KEY`, `MAILROOM_SUPPRESSIONS_DB`, `MAILROOM_OUTBOX`,
/// `MAILROOM_SYNC_INTERVAL_SECONDS` (0 turns the periodic sync off) and `MAILROOM_ARCHIVE_DIR`.
/// Without an API key the app uses the local outbox and says so once.
///
/// - Parameters:
///   - app: The application.
///   - environment: The variables; tests pass their own.
/// - Throws: `MailroomError` naming a malformed variable.
public func configure(_ app: Application, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
    if let port = environment["PORT"], !port.isEmpty {
        guard let number = Int(port), (0...65_535).contains(number) else {
            throw MailroomError(code: .configuration, field: "PORT", message: "'\(port.prefix(20))' is not a port; use a number from 0 to 65535")
        }
        app.http.server.configuration.port = number
    }
    if let host = environment["HOST"], !host.isEmpty { app.http.server.configuration.hostname = host }
    var interval = 3_600
    if let seconds = environment["MAILROOM_SYNC_INTERVAL_SECONDS"], !seconds.isEmpty {
        guard let value = Int(seconds), value >= 0 else {
            throw MailroomError(code: .configuration, field: "MAILROOM_SYNC_INTERVAL_SECONDS", message: "'\(seconds.prefix(20))' is not a number of seconds")
        }
        interval = value
    }
    // Mailroom's pieces, opened when the app boots and closed at shutdown: suppressions are
    // checked first, then the archive, then the provider.
    app.mailroom.use(.fromEnvironment(environment))
    app.mailroom.suppressions.use(.fromEnvironment(environment), sync: .init(interval: interval > 0 ? .seconds(interval) : nil))
    app.mailroom.archive.use(.fromEnvironment(environment))
    app.mailroom.webhooks.use(.fromEnvironment(environment))
    try routes(app)
}

/// The app's routes over whatever `app.mailroom` is configured with: what a unit test builds
/// with `app.mailroom.use(.memory)`.
///
/// - Parameter app: The application.
public func routes(_ app: Application) throws {
    app.middleware.use(MailroomErrorMiddleware())
    app.get("health") { _ in "ok" }
    try app.register(collection: SignupController())
    try app.register(collection: MailgunWebhookRoutes())
}
