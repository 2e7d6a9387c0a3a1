import Foundation
import Logging
import Mailroom
import MailroomTesting
import Testing

/// Records waits without waiting.
actor Waits {
    private(set) var recorded: [Duration] = []
    func record(_ duration: Duration) { recorded.append(duration) }
}

@Suite struct InMemoryMailerTests {
    func welcome(_ to: EmailAddress = "zoe@example.com") -> Email {
        var email = Email(from: "Acme <hello@acme.test>", to: [to], subject: "Welcome, Zoë", text: "Hi Zoë", html: "<p>Hi</p>")
        email.options.tags = ["welcome"]
        email.options.variables = ["user-id": "42"]
        email.attachments = [.bytes([1, 2, 3], filename: "terms.pdf")]
        return email
    }

    @Test func recordsRenderedSendsWithReadableAssertions() async throws {
        let clock = Date(timeIntervalSince1970: 1_800_000_000)
        let mailer = InMemoryMailer(configuration: .init(now: { clock }))
        #expect(mailer.nothingSent)
        let receipt = try await mailer.send(welcome())
        #expect(mailer.count == 1)
        let sent = try #require(mailer.last)
        #expect(sent.receipt == receipt)
        #expect(receipt.id?.hasSuffix("@acme.test>") == true)
        #expect(sent.date == clock)
        #expect(sent.isAddressed(to: "ZOE@example.com"))
        #expect(sent.subjectContains("Welcome"))
        #expect(sent.bodyContains("Hi Zoë"))
        #expect(sent.hasAttachment(named: "terms.pdf", bytes: [1, 2, 3]))
        #expect(!sent.hasAttachment(named: "terms.pdf", bytes: [9]))
        #expect(sent.hasTag("welcome"))
        #expect(sent.variable("user-id") == "42")
        #expect(sent.mimeText.contains("Subject: =?utf-8?"), "the MIME is rendered as production would")
        #expect(mailer.messages(to: "zoe@example.com").count == 1)
        #expect(mailer.messages(to: "other@example.com").isEmpty)
        #expect(mailer.first?.receipt.id == receipt.id)
        mailer.reset()
        #expect(mailer.nothingSent)
    }

    @Test func validatesLikeProduction() async throws {
        let mailer = InMemoryMailer()
        var bad = welcome()
        bad.subject = "Hi\r\nBcc: x@y.z"
        let error = await #expect(throws: MailroomError.self) { try await mailer.send(bad) }
        #expect(error?.code == .headerInjection)
        #expect(error?.field == "subject")
        let big = InMemoryMailer(configuration: .init(maximumMessageSize: 1_000))
        var large = welcome()
        large.attachments = [.bytes([UInt8](repeating: 1, count: 5_000), filename: "big.bin")]
        let tooLarge = await #expect(throws: MailroomError.self) { try await big.send(large) }
        #expect(tooLarge?.code == .messageTooLarge)
        #expect(mailer.nothingSent && big.nothingSent)
    }

    @Test func scriptedOutcomesApplyInOrderAndPerRecipient() async throws {
        let waits = Waits()
        let mailer = InMemoryMailer(configuration: .init(sleep: { await waits.record($0) }))
        mailer.script(.rateLimited(retryAfter: .seconds(30)))
        mailer.script(.delay(.milliseconds(250)))
        mailer.script(.fail(MailroomError(code: .rejected, message: "no bob")), forRecipient: "bob@example.com")

        let limited = await #expect(throws: MailroomError.self) { try await mailer.send(welcome()) }
        #expect(limited?.code == .rateLimited)
        #expect(limited?.status == 429)
        #expect(limited?.retryAfter == .seconds(30))
        #expect(limited?.isTransient == true)
        #expect(mailer.nothingSent, "a failed send is not recorded")

        _ = try await mailer.send(welcome())
        #expect(await waits.recorded == [.milliseconds(250)])
        #expect(mailer.count == 1)

        let bob = await #expect(throws: MailroomError.self) { try await mailer.send(welcome("bob@example.com")) }
        #expect(bob?.message == "no bob")
        _ = try await mailer.send(welcome("bob@example.com"))
        #expect(mailer.count == 2, "a recipient script is used once")
    }

    @Test func honoursAnAttachedSuppressionStore() async throws {
        let store = InMemorySuppressionStore()
        try await store.add(.unsubscribe("bob@example.com", tags: ["welcome"]), logger: .init(label: "t"))
        let mailer = InMemoryMailer(suppressions: store)
        var email = welcome()
        email.to = ["bob@example.com", "zoe@example.com"]
        let receipt = try await mailer.send(email)
        #expect(receipt.suppressed == ["bob@example.com"])
        #expect(mailer.last?.envelope.recipients == ["zoe@example.com"])
        let nothing = try await mailer.send(welcome("bob@example.com"))
        #expect(!nothing.wasSent)
        #expect(mailer.count == 1)
    }

    @Test func retentionIsBoundedAndInstancesAreIndependent() async throws {
        let small = InMemoryMailer(configuration: .init(maximumRetained: 3))
        let other = InMemoryMailer()
        for index in 0..<5 { _ = try await small.send(welcome(EmailAddress(stringLiteral: "r\(index)@example.com"))) }
        #expect(small.count == 3)
        #expect(small.first?.isAddressed(to: "r2@example.com") == true)
        #expect(other.nothingSent)
    }

    @Test func batchesAndMIMESendsAreRecordedPerRequest() async throws {
        let mailer = InMemoryMailer()
        let recipients = (0..<1_500).map { BatchEmail.Recipient(EmailAddress(stringLiteral: "r\($0)@example.com")) }
        var email = welcome()
        email.to = []
        let receipts = try await mailer.sendBatch(BatchEmail(email: email, recipients: recipients))
        #expect(receipts.map(\.accepted.count) == [1_000, 500])
        #expect(mailer.sent.map(\.envelope.recipients.count) == [1_000, 500])
        let mime = MIMEMessage(bytes: Array("Subject: raw\r\n\r\nbody\r\n".utf8))
        _ = try await mailer.sendMIME(mime, envelope: Envelope(recipients: ["x@example.com"]))
        #expect(mailer.last?.email == nil)
        #expect(mailer.last?.bodyContains("body") == true)
    }
}
