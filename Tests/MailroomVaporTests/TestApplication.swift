import InMemoryLogging
import Logging
import Mailroom
import MailroomVapor
import Vapor

/// A testing application whose log lines are kept, booted the way `app.execute()` boots it and
/// always shut down asynchronously.
@discardableResult
func withMailroomApp<Result>(
    logs: InMemoryLogHandler = InMemoryLogHandler(),
    configure: (Application) async throws -> Void,
    boot: Bool = true,
    _ test: (Application) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "test", factory: { _ in logs })
    logger.logLevel = .debug
    let app = try await Application.make(.testing, logger: logger)
    do {
        try await configure(app)
        if boot { try await app.asyncBoot() }
        let result = try await test(app)
        try await app.asyncShutdown()
        return result
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}

/// The routes the provider tests share: whichever provider is configured, a route sends through
/// `req.mailroom.mailer` and answers with the receipt.
func addSendingRoutes(to app: Application) {
    app.middleware.use(MailroomErrorMiddleware())
    app.post("welcome") { req async throws -> String in
        let to = try req.query.get(String.self, at: "to")
        let receipt = try await req.mailroom.mailer.send(Email(from: "Acme <hello@acme.test>", to: [EmailAddress(to, field: "to")], subject: "Welcome", text: "Hi"))
        return "\(receipt.id ?? "-") \(receipt.accepted.map(\.mailbox)) \(receipt.suppressed.map(\.mailbox))"
    }
}
