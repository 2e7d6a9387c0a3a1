import Mailroom
import Testing

@Suite struct BatchEmailTests {
    let message = Email(from: "news@acme.test", to: [], subject: "Hi %recipient.name%", text: "Hello %recipient.name%")

    @Test func splitsIntoRequestsOfAtMostOneThousand() throws {
        let recipients = try (0..<2_500).map { BatchEmail.Recipient(try EmailAddress("r\($0)@example.com"), variables: ["name": "R\($0)"]) }
        let batch = BatchEmail(email: message, recipients: recipients)
        try batch.validate()
        let chunks = batch.chunked()
        #expect(chunks.map(\.recipients.count) == [1_000, 1_000, 500])
        #expect(chunks.flatMap(\.recipients) == recipients, "order and variables are kept per chunk")
        #expect(chunks[2].requestEmail.to.first == "r2000@example.com")
        #expect(batch.chunked(by: 999).count == 3)
    }

    @Test func validatesRecipientsAndTheMessage() throws {
        let empty = #expect(throws: MailroomError.self) { try BatchEmail(email: message).validate() }
        #expect(empty?.field == "recipients")

        let bad = #expect(throws: MailroomError.self) {
            try BatchEmail(email: message, recipients: [.init("ok@example.com"), .init("nope")]).validate()
        }
        #expect(bad?.field == "recipients[1]")

        var withTo = message
        withTo.to = ["x@example.com"]
        let own = #expect(throws: MailroomError.self) { try BatchEmail(email: withTo, recipients: [.init("a@example.com")]).validate() }
        #expect(own?.field == "to")

        var noBody = message
        noBody.text = nil
        let body = #expect(throws: MailroomError.self) { try BatchEmail(email: noBody, recipients: [.init("a@example.com")]).validate() }
        #expect(body?.field == "text")

        let variable = #expect(throws: MailroomError.self) {
            try BatchEmail(email: message, recipients: [.init("a@example.com", variables: ["a\nb": "x"])]).validate()
        }
        #expect(variable?.code == .headerInjection)
    }

    @Test func envelopesValidateLikeMessages() throws {
        #expect(throws: MailroomError.self) { try Envelope(recipients: []).validate() }
        let addresses = try (0..<1_001).map { try EmailAddress("r\($0)@example.com") }
        let tooMany = #expect(throws: MailroomError.self) { try Envelope(recipients: addresses).validate() }
        #expect(tooMany?.code == .tooManyRecipients)
        #expect(tooMany?.field == "recipients")
        let email = Email(from: "a@acme.test", to: ["t@example.com"], bcc: ["b@example.com"], subject: "s", text: "t")
        #expect(Envelope(for: email).recipients == ["t@example.com", "b@example.com"])
    }
}
