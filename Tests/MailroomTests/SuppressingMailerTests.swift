import Logging
import Mailroom
import Testing

@Suite struct SuppressingMailerTests {
    let base = RecordingMailer()
    let store = DictionarySuppressionStore()
    var mailer: SuppressingMailer<RecordingMailer, DictionarySuppressionStore> { SuppressingMailer(wrapping: base, store: store) }

    func newsletter(tags: [String] = ["newsletter"]) -> Email {
        var email = Email(
            from: "news@acme.test",
            to: ["ann@example.com", "bob@example.com"],
            cc: ["cat@example.com"],
            bcc: ["dan@example.com"],
            subject: "News",
            text: "Hello"
        )
        email.options.tags = tags
        return email
    }

    @Test func dropsSuppressedRecipientsAndListsThemInTheReceipt() async throws {
        try await store.add(.bounce("bob@example.com", code: "550", error: "No such user"), logger: Logger(label: "test"))
        try await store.add(.complaint("dan@example.com"), logger: Logger(label: "test"))
        let receipt = try await mailer.send(newsletter())
        #expect(receipt.suppressed == ["bob@example.com", "dan@example.com"])
        #expect(receipt.accepted == ["ann@example.com", "cat@example.com"])
        let sent = try #require(await base.emails.first)
        #expect(sent.to == ["ann@example.com"])
        #expect(sent.cc == ["cat@example.com"])
        #expect(sent.bcc.isEmpty)
    }

    @Test func unsubscribesFollowTags() async throws {
        let logger = Logger(label: "test")
        try await store.add(.unsubscribe("ann@example.com", tags: ["newsletter"]), logger: logger)
        try await store.add(.unsubscribe("bob@example.com", tags: ["*"]), logger: logger)
        try await store.add(.unsubscribe("cat@example.com", tags: ["promotions"]), logger: logger)

        let tagged = try await mailer.send(newsletter(tags: ["newsletter"]))
        #expect(tagged.suppressed == ["ann@example.com", "bob@example.com"])

        let other = try await mailer.send(newsletter(tags: ["receipts"]))
        #expect(other.suppressed == ["bob@example.com"], "only '*' applies to other tags")

        let untagged = try await mailer.send(newsletter(tags: []))
        #expect(untagged.suppressed == ["bob@example.com"])
        #expect(try await store.isSuppressed("cat@example.com", taggedWith: ["promotions", "x"]))
        #expect(try await !store.isSuppressed("cat@example.com", taggedWith: ["x"]))
    }

    @Test func sendsNothingWhenEveryRecipientIsSuppressed() async throws {
        for address in ["ann@example.com", "bob@example.com", "cat@example.com", "dan@example.com"] {
            try await store.add(.unsubscribe(try EmailAddress(address)), logger: Logger(label: "test"))
        }
        let receipt = try await mailer.send(newsletter())
        #expect(receipt.id == nil)
        #expect(!receipt.wasSent)
        #expect(receipt.accepted.isEmpty)
        #expect(receipt.suppressed.count == 4)
        #expect(await base.emails.isEmpty)
    }

    @Test func invalidInputIsRejectedBeforeTheStoreOrBaseIsAsked() async throws {
        var email = newsletter()
        email.subject = "bad\r\nBcc: x@y.z"
        let error = await #expect(throws: MailroomError.self) { try await mailer.send(email) }
        #expect(error?.code == .headerInjection)
        #expect(await base.emails.isEmpty)
    }

    @Test func mimeAndBatchSendsAreFilteredToo() async throws {
        try await store.add(.bounce("bob@example.com"), logger: Logger(label: "test"))
        let email = newsletter()
        let receipt = try await mailer.sendMIME(try email.renderMIME(), envelope: Envelope(for: email))
        #expect(receipt.suppressed == ["bob@example.com"])
        #expect(await base.envelopes.first?.recipients == ["ann@example.com", "cat@example.com", "dan@example.com"])

        var batchEmail = email
        batchEmail.to = []
        batchEmail.cc = []
        batchEmail.bcc = []
        let batch = BatchEmail(email: batchEmail, recipients: [.init("ann@example.com", variables: ["n": "1"]), .init("bob@example.com")])
        let receipts = try await mailer.sendBatch(batch)
        #expect(receipts.count == 1)
        #expect(receipts[0].suppressed == ["bob@example.com"])
        #expect(await base.batches.first?.recipients == [.init("ann@example.com", variables: ["n": "1"])])
    }

    @Test func worksThroughExistentials() async throws {
        var composed: any Mailer = base
        composed = SuppressingMailer(wrapping: composed, store: store)
        let receipt = try await composed.send(newsletter())
        #expect(receipt.accepted.count == 4)
    }
}
