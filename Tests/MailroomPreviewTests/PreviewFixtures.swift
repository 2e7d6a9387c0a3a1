import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomTestSupport

/// An archive in a temporary directory with messages recorded the way the app records them.
struct PreviewFixtures {
    let directory: TemporaryDirectory
    let store: FileArchiveStore
    let logger = Logger(label: "preview-tests")

    init() throws {
        directory = try TemporaryDirectory()
        store = try FileArchiveStore(directory: directory.path + "/outbox")
    }

    /// Records `email` as the outbox does.
    @discardableResult
    func record(_ email: Email, outcome: ArchiveOutcome = .outbox) async throws -> ArchiveEntry {
        try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: outcome, logger: logger)
    }

    /// Records a pre-rendered message (odd encodings, hostile markup) as `send-mime` does.
    @discardableResult
    func record(raw: String, to recipients: [String] = ["zoe@example.com"]) async throws -> ArchiveEntry {
        let bytes = Array(raw.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let head = Array(bytes.prefix(4_096))
        let details = ArchiveDetails(head: head, envelope: Envelope(recipients: try recipients.map { try EmailAddress($0, field: "to") }))
        return try await store.record(MIMEMessage(bytes: bytes), details: details, outcome: .outbox, logger: logger)
    }

    static func email(subject: String, to: String = "zoe@example.com", text: String? = "Hello", html: String? = nil, tags: [String] = []) throws -> Email {
        var email = Email(from: "Acme <hello@acme.test>", to: [try EmailAddress(to, field: "to")], subject: subject)
        email.text = text
        email.html = html
        email.options.tags = tags
        return email
    }
}
