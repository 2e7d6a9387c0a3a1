import Foundation
import MailgunMock
import Mailroom
import MetricsTestKit
import NIOHTTP1
import MailroomTestSupport
import Testing

@testable import MailroomMailgun

@Suite struct SendingTests {
    @Test func everyOptionReachesTheWireAsMailgunExpects() async throws {
        try await MailgunHarness.run { harness async throws in
            var email = Email(
                from: "Acme <hello@acme.test>",
                to: ["Bob <bob@example.com>", "\"Doe, Jane\" <jane@example.com>"],
                cc: ["cc@example.com"],
                bcc: ["hidden@example.com"],
                subject: "Grüße",
                text: "Plain",
                html: "<p>Rich</p>"
            )
            email.ampHTML = "<html ⚡4email></html>"
            email.replyTo = ["support@acme.test"]
            email.headers = [EmailHeader("X-Campaign", "spring")]
            email.options.tags = ["welcome", "2026"]
            email.options.variables = ["user-id": "42", "plan": "pro"]
            email.options.deliveryTime = Date(timeIntervalSince1970: 1_795_255_200)   // 2026-11-21 10:00 UTC
            email.options.testMode = true
            email.options.tracking = Tracking(enabled: true, opens: false, clicks: .htmlOnly)
            email.options.requireTLS = true
            email.options.skipVerification = false
            email.options.mailgun.deliveryTimeZone = try #require(TimeZone(identifier: "Europe/Berlin"))
            email.options.mailgun.deliveryTimeOptimizePeriod = 48
            email.options.mailgun.timeZoneLocalize = "09:30AM"
            email.options.mailgun.dkim = true
            email.options.mailgun.secondaryDKIM = "acme.test/s2"
            email.options.mailgun.secondaryDKIMPublic = "alias.test/s3"
            email.options.mailgun.sendingIP = "192.0.2.10"
            email.options.mailgun.sendingIPPool = "pool-1"
            email.options.mailgun.trackingPixelLocationTop = "htmlonly"
            email.options.mailgun.archiveTo = "https://archive.acme.test/hook"
            email.options.mailgun.suppressHeaders = ["X-Mailgun-Tag", "X-Mailgun-Variables"]
            email.options.mailgun.extra = [MailgunField("o:custom-thing", "on")]

            let receipt = try await harness.mailer.send(email, logger: harness.logger)
            let stored = try #require(await harness.mock.messages().first)
            #expect(receipt.id == stored.id)
            #expect(receipt.message == "Queued. Thank you.")
            #expect(receipt.accepted == email.recipients)
            #expect(stored.fields == [
                ["from", "Acme <hello@acme.test>"],
                ["to", "Bob <bob@example.com>"], ["to", "\"Doe, Jane\" <jane@example.com>"],
                ["cc", "cc@example.com"], ["bcc", "hidden@example.com"],
                ["subject", "Grüße"], ["text", "Plain"], ["html", "<p>Rich</p>"], ["amp-html", "<html ⚡4email></html>"],
                ["h:Reply-To", "support@acme.test"],
                ["h:X-Campaign", "spring"],
                ["o:tag", "welcome"], ["o:tag", "2026"],
                ["o:deliverytime", "Sat, 21 Nov 2026 11:00:00 +0100"],
                ["o:deliverytime-optimize-period", "48h"],
                ["o:time-zone-localize", "09:30AM"],
                ["o:testmode", "yes"],
                ["o:tracking", "yes"], ["o:tracking-clicks", "htmlonly"], ["o:tracking-opens", "no"],
                ["o:require-tls", "yes"], ["o:skip-verification", "no"],
                ["o:dkim", "yes"], ["o:secondary-dkim", "acme.test/s2"], ["o:secondary-dkim-public", "alias.test/s3"],
                ["o:sending-ip", "192.0.2.10"], ["o:sending-ip-pool", "pool-1"],
                ["o:tracking-pixel-location-top", "htmlonly"], ["o:archive-to", "https://archive.acme.test/hook"],
                ["o:suppress-headers", "X-Mailgun-Tag,X-Mailgun-Variables"],
                ["v:plan", "pro"], ["v:user-id", "42"],
                ["o:custom-thing", "on"],
            ])
        }
    }

    @Test func attachmentsArriveByteExactAndStreamFromDisk() async throws {
        try await MailgunHarness.run { harness async throws in
            let directory = try TemporaryDirectory()
            var generator = SystemRandomNumberGenerator()
            let content = (0..<700_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let path = try directory.write(content, named: "report.pdf")
            var email = Email.sample()
            email.html = #"<img src="cid:logo">"#
            email.attachments = [try .file(at: path), .inline(.bytes([1, 2, 3], filename: "logo.png"), contentID: "logo")]
            _ = try await harness.mailer.send(email, logger: harness.logger)
            let stored = try #require(await harness.mock.messages().first)
            #expect(stored.files.map(\.field) == ["attachment", "inline"])
            #expect(stored.files[0].filename == "report.pdf")
            #expect(stored.files[0].contentType == "application/pdf")
            #expect(stored.files[0].content == content)
            #expect(stored.files[1].filename == "logo", "an inline part's file name is its Content-ID")
            #expect(stored.files[1].content == [1, 2, 3])
            let parsed = try await ParsedMessage.parse(stored.mime)
            #expect(parsed.part("image/png")?.contentID == "<logo>")
        }
    }

    @Test func templatesTravelAsTFields() async throws {
        try await MailgunHarness.run { harness async throws in
            var email = Email(from: "hello@acme.test", to: ["bob@example.com"])
            email.template = try EmailTemplate(name: "welcome", version: "v2", variables: ["name": "Zoë"], rendersText: true)
            _ = try await harness.mailer.send(email, logger: harness.logger)
            let stored = try #require(await harness.mock.messages().first)
            #expect(stored.values("template") == ["welcome"])
            #expect(stored.values("t:version") == ["v2"])
            #expect(stored.values("t:text") == ["yes"])
            #expect(stored.values("t:variables") == [#"{"name":"Zoë"}"#])
            #expect(stored.values("subject").isEmpty)
        }
    }

    @Test func perMessageDomainOverridesTheDefault() async throws {
        try await MailgunHarness.run { harness async throws in
            var email = Email.sample()
            email.options.mailgun.domain = "other.test"
            _ = try await harness.mailer.send(email, logger: harness.logger)
            #expect(await harness.mock.messages().first?.domain == "other.test")
        }
    }

    @Test func mimeSendsUploadTheRenderedBytes() async throws {
        try await MailgunHarness.run { harness async throws in
            var email = Email.sample(to: ["bob@example.com"])
            email.bcc = ["hidden@example.com"]
            email.options.tags = ["raw"]
            let message = try email.renderMIME()
            let bytes = try await message.collect()
            let receipt = try await harness.mailer.sendMIME(message, envelope: Envelope(for: email), logger: harness.logger)
            let stored = try #require(await harness.mock.messages().first)
            #expect(stored.endpoint == "messages.mime")
            #expect(stored.mime == bytes)
            #expect(stored.recipients == ["bob@example.com", "hidden@example.com"])
            #expect(stored.values("o:tag") == ["raw"])
            #expect(receipt.id == message.messageID)
        }
    }

    @Test func batchesSplitAtOneThousandWithTheirOwnRecipientVariables() async throws {
        try await MailgunHarness.run { harness async throws in
            var email = Email.sample(to: [], subject: "Hi %recipient.name%")
            email.options.tags = ["newsletter"]
            let recipients = try (0..<2_500).map { BatchEmail.Recipient(try EmailAddress("r\($0)@example.com"), variables: ["name": "R\($0)"]) }
            let receipts = try await harness.mailer.sendBatch(BatchEmail(email: email, recipients: recipients), logger: harness.logger)
            #expect(receipts.count == 3)
            let stored = await harness.mock.messages()
            #expect(stored.map(\.recipients.count) == [1_000, 1_000, 500])
            #expect(receipts.map(\.id) == stored.map(\.id))
            #expect(receipts.map(\.accepted.count) == [1_000, 1_000, 500])
            for (index, message) in stored.enumerated() {
                let json = try #require(message.values("recipient-variables").first)
                let variables = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: String]])
                #expect(variables.count == message.recipients.count, "each request carries only its own recipients' variables")
                #expect(variables["r\(index * 1_000)@example.com"] == ["name": "R\(index * 1_000)"])
                #expect(message.values("o:tag") == ["newsletter"])
            }
        }
    }

    @Test func aFailedBatchRequestReportsWhatWasSentAndWhatWasNot() async throws {
        try await MailgunHarness.run { harness async throws in
            await harness.mock.inject(.status(400, message: "Invalid request", skip: 1))
            let recipients = try (0..<2_500).map { BatchEmail.Recipient(try EmailAddress("r\($0)@example.com")) }
            let error = try await #require(throws: BatchSendError.self) {
                try await harness.mailer.sendBatch(BatchEmail(email: .sample(to: []), recipients: recipients), logger: harness.logger)
            }
            #expect(error.receipts.count == 1)
            #expect(error.failedRequest == 1)
            #expect(error.unsent.count == 1_500)
            #expect(error.unsent.first?.address == "r1000@example.com")
            #expect(error.underlying.status == 400)
            #expect(await harness.mock.messages().count == 1, "the accepted chunk is not resent")
        }
    }

    @Test func badInputIsRejectedBeforeAnyRequest() async throws {
        try await MailgunHarness.run { harness async throws in
            var injected = Email.sample()
            injected.subject = "Hi\r\nBcc: victim@example.com"
            let injection = await #expect(throws: MailroomError.self) { try await harness.mailer.send(injected, logger: harness.logger) }
            #expect(injection?.code == .headerInjection)

            var period = Email.sample()
            period.options.mailgun.deliveryTimeOptimizePeriod = 96
            let periodError = await #expect(throws: MailroomError.self) { try await harness.mailer.send(period, logger: harness.logger) }
            #expect(periodError?.field == "mailgun.deliveryTimeOptimizePeriod")

            var local = Email.sample()
            local.options.mailgun.timeZoneLocalize = "25:00"
            let localError = await #expect(throws: MailroomError.self) { try await harness.mailer.send(local, logger: harness.logger) }
            #expect(localError?.field == "mailgun.timeZoneLocalize")

            var big = Email.sample()
            big.options.variables = ["a": String(repeating: "x", count: 17_000)]
            let sizeError = await #expect(throws: MailroomError.self) { try await harness.mailer.send(big, logger: harness.logger) }
            #expect(sizeError?.field == "options")

            var noDomain = Email.sample()
            noDomain.options.mailgun.domain = "bad domain"
            let domainError = await #expect(throws: MailroomError.self) { try await harness.mailer.send(noDomain, logger: harness.logger) }
            #expect(domainError?.field == "domain")

            #expect(await harness.mock.messages().isEmpty)
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total") == 0, "no request was made")
        }
    }

    @Test func localTimesAreValidated() {
        for good in ["09:00", "23:59", "00:00", "12:30PM", "01:05am"] { #expect(MailgunOptions.isLocalTime(good), "\(good)") }
        for bad in ["24:00", "9:00", "13:00PM", "00:00AM", "12:60", "noon", "12:30XM"] { #expect(!MailgunOptions.isLocalTime(bad), "\(bad)") }
    }
}
