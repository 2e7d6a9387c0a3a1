import Foundation
import Mailroom
import MailroomArchive
import MailroomMailgun

// A host app's service depends on `any Mailer` only; which mailer it gets is decided at start-up.
struct SignupService {
    let mailer: any Mailer

    func welcome(name: String, address: EmailAddress) async throws -> SendReceipt {
        var email = Email(from: "Acme <hello@acme.test>", to: [address], subject: "Welcome, \(name)")
        email.text = "Hi \(name), glad you are here."
        email.html = "<p>Hi \(name), glad you are <b>here</b>.</p>"
        email.options.tags = ["welcome"]
        return try await mailer.send(email)
    }
}

// Start-up: Mailgun when a key is configured, else the local outbox (nothing leaves the machine);
// either way archived when MAILROOM_ARCHIVE_DIR is set.
let environment = ProcessInfo.processInfo.environment
let provider: any Mailer =
    if let key = environment["MAILGUN_API_KEY"], !key.isEmpty {
        MailgunMailer(configuration: try .fromEnvironment(environment))
    } else {
        try OutboxMailer(directory: environment["MAILROOM_OUTBOX"] ?? FileArchiveStore.defaultOutboxDirectory)
    }
let service = SignupService(mailer: try provider.archivedFromEnvironment(environment))

let receipt = try await service.welcome(name: "Zoë", address: "Zoë <zoe@example.com>")
print("\(receipt.message) id: \(receipt.id ?? "none"), to \(receipt.accepted.map(\.description).joined(separator: ", "))")
