import Foundation
import MailgunMock
import Mailroom
import MetricsTestKit
import NIOHTTP1
import MailroomTestSupport
import Testing

@testable import MailroomMailgun

@Suite struct StoredMessagesTests {
    @Test func fetchByKeyAndByURLParsedAndRaw() async throws {
        try await MailgunHarness.run { harness async throws in
            var email = Email.sample(subject: "Grüße")
            email.html = "<p>Rich</p>"
            email.headers = [EmailHeader("X-Campaign", "spring")]
            email.attachments = [.bytes([9, 8, 7], filename: "a.bin")]
            _ = try await harness.mailer.send(email, logger: harness.logger)
            let original = try #require(await harness.mock.messages().first)

            let byKey = try await harness.mailer.storedMessage(.key(original.storageKey), logger: harness.logger)
            let byURL = try await harness.mailer.storedMessage(.url(original.storageURL), logger: harness.logger)
            #expect(byKey == byURL)
            #expect(byKey.subject == "Grüße")
            #expect(byKey.from == "Acme <hello@acme.test>")
            #expect(byKey.sender == "hello@acme.test")
            #expect(byKey.recipients == ["bob@example.com"])
            #expect(byKey.bodyPlain == "Hi there")
            #expect(byKey.bodyHTML == "<p>Rich</p>")
            #expect(byKey.header("X-Campaign") == "spring")
            #expect(byKey.attachments.map(\.name) == ["a.bin"])
            #expect(byKey.attachments.first?.size == 3)

            let raw = try await harness.mailer.rawStoredMessage(.url(original.storageURL), logger: harness.logger)
            #expect(raw == original.mime)
        }
    }

    @Test func resendGoesToNewRecipients() async throws {
        try await MailgunHarness.run { harness async throws in
            _ = try await harness.mailer.send(.sample(), logger: harness.logger)
            let original = try #require(await harness.mock.messages().first)
            let receipt = try await harness.mailer.resendStoredMessage(.key(original.storageKey), to: ["new@example.com"], logger: harness.logger)
            let messages = await harness.mock.messages()
            #expect(messages.count == 2)
            #expect(receipt.id == messages[1].id)
            #expect(messages[1].recipients == ["new@example.com"])
            #expect(messages[1].mime == original.mime)

            let none = await #expect(throws: MailroomError.self) {
                try await harness.mailer.resendStoredMessage(.key(original.storageKey), to: [], logger: harness.logger)
            }
            #expect(none?.field == "recipients")
        }
    }

    @Test func missingMessagesAreNotFound() async throws {
        try await MailgunHarness.run { harness async throws in
            let error = await #expect(throws: MailroomError.self) { try await harness.mailer.storedMessage(.key("nope"), logger: harness.logger) }
            #expect(error?.code == .notFound)
            #expect(error?.providerMessage == "Message not found")
            let badKey = await #expect(throws: MailroomError.self) { try await harness.mailer.storedMessage(.key("../../v3/x"), logger: harness.logger) }
            #expect(badKey?.field == "key")
        }
    }

    @Test func foreignHostsNeverSeeTheKey() async throws {
        try await MailgunHarness.run { harness async throws in
            for url in [
                "https://evil.example.com/v3/domains/acme.test/messages/k",
                "https://mailgun.net.evil.example/v3/domains/acme.test/messages/k",
                "http://api.mailgun.net/v3/domains/acme.test/messages/k",
                "http://127.0.0.2:1/v3/domains/acme.test/messages/k",
            ] {
                let error = await #expect(throws: MailroomError.self) { try await harness.mailer.storedMessage(.url(url), logger: harness.logger) }
                #expect(error?.field == "url", "\(url)")
                #expect(error?.message.contains("refusing to send Mailgun credentials") == true)
            }
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total") == 0, "no request left the process")
            let client = harness.mailer.client
            #expect(try client.url(for: "https://storage-us-east4.api.mailgun.net/v3/domains/acme.test/messages/k").hasPrefix("https://storage-us-east4"))
            #expect(try client.url(for: "https://api.eu.mailgun.net/v3/x") == "https://api.eu.mailgun.net/v3/x")
            #expect(try client.url(for: "\(harness.mock.baseURL)/v3/x") == "\(harness.mock.baseURL)/v3/x")
        }
    }
}
