import Foundation
import Mailroom
import MailroomVapor
import Vapor

// Every piece of MailroomVapor's API a Vapor app touches, as the adapter's documentation writes it.
var environment = try Environment.detect()
try LoggingSystem.bootstrap(from: &environment)
let app = try await Application.make(environment)
app.mailroom.use(.fromEnvironment)
app.mailroom.suppressions.use(.sqlite(), sync: .init(interval: .seconds(600)))
app.mailroom.archive.use(.fromEnvironment)
app.mailroom.webhooks.use(.fromEnvironment(nil, handler: { event, logger in
    logger.info("webhook", metadata: ["event": "\(event.kind)"])
}))
if environment == .testing {
    app.mailroom.use(.memory)
    app.mailroom.use { application in application.mailroom.memory }
}
app.middleware.use(MailroomErrorMiddleware())
try app.register(collection: MailgunWebhookRoutes(path: ["hooks", "mailgun"], maximumBodySize: "512kb"))
app.post("welcome") { req async throws -> HTTPStatus in
    let email = Email(from: "Acme <hello@acme.test>", to: [try EmailAddress("zoe@example.com", field: "to")], subject: "Welcome", text: "Hi")
    let receipt = try await req.mailroom.mailer.send(email)
    guard !receipt.accepted.isEmpty else { throw MailroomErrorResponse(MailroomError(code: .rejected, message: "nobody accepted")) }
    return .accepted
}
app.get("sent") { req -> String in
    "\(req.application.mailroom.memory.sent.count)"
}
do {
    try await app.execute()
} catch {
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()
