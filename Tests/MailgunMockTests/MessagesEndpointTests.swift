import Foundation
import MailgunMock
import NIOHTTP1
import MailroomTestSupport
import Testing

@Suite struct MessagesEndpointTests {
    @Test func multipartSendKeepsEveryFieldAndFile() async throws {
        try await withMock { mock, client async throws in
            let pdf = (0..<50_000).map { UInt8($0 % 253) }
            let logo: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]
            let fields: [(String, String)] = [
                ("from", "Acme <hello@acme.test>"),
                ("to", "Bob <bob@example.com>, \"Doe, Jane\" <jane@example.com>"),
                ("to", "carl@example.com"),
                ("cc", "cc@example.com"),
                ("bcc", "hidden@example.com"),
                ("subject", "Grüße"),
                ("text", "Hello %recipient.name%"),
                ("html", "<p>Hello <img src=\"cid:logo.png\"></p>"),
                ("o:tag", "welcome"), ("o:tag", "2026"),
                ("o:tracking-clicks", "htmlonly"),
                ("o:deliverytime", "Sat, 21 Nov 2026 10:00:00 +0000"),
                ("h:X-Campaign", "spring"),
                ("h:Reply-To", "support@acme.test"),
                ("v:user-id", "42"),
                ("recipient-variables", #"{"bob@example.com":{"name":"Bob"}}"#),
            ]
            let files = [
                MockClient.File(field: "attachment", filename: "report.pdf", contentType: "application/pdf", content: pdf),
                MockClient.File(field: "inline", filename: "logo.png", contentType: "image/png", content: logo),
            ]
            let reply = try await client.request(.POST, "/v3/acme.test/messages", .multipart(fields, files: files))
            #expect(reply.status == 200)
            #expect(reply.message == "Queued. Thank you.")
            let id = try #require(reply.json()["id"] as? String)
            #expect(id.hasPrefix("<") && id.hasSuffix("@acme.test>"))

            let stored = try #require(await mock.messages().first)
            #expect(stored.id == id)
            #expect(stored.endpoint == "messages")
            #expect(stored.recipients == ["bob@example.com", "jane@example.com", "carl@example.com", "cc@example.com", "hidden@example.com"])
            #expect(stored.values("o:tag") == ["welcome", "2026"])
            #expect(stored.values("v:user-id") == ["42"])
            #expect(stored.values("o:tracking-clicks") == ["htmlonly"])
            #expect(stored.values("recipient-variables") == [#"{"bob@example.com":{"name":"Bob"}}"#])
            #expect(stored.files.map(\.filename) == ["report.pdf", "logo.png"])
            #expect(stored.files[0].content == pdf, "attachments arrive byte-exact")
            #expect(stored.storageURL == "\(mock.baseURL)/v3/domains/acme.test/messages/\(stored.storageKey)")

            let parsed = try await ParsedMessage.parse(stored.mime)
            #expect(parsed.defects.isEmpty)
            #expect(parsed.header("Message-ID") == id, "the answered id is the message's Message-ID")
            #expect(parsed.header("Subject") == "Grüße")
            #expect(parsed.header("X-Campaign") == "spring")
            #expect(parsed.addresses["Reply-To"] == [["", "support@acme.test"]])
            #expect(parsed.header("Bcc") == nil)
            #expect(parsed.part("application/pdf")?.bytes == pdf)
            #expect(parsed.part("image/png")?.contentID == "<logo.png>")
        }
    }

    @Test func urlEncodedSendWorksToo() async throws {
        try await withMock { mock, client async throws in
            let reply = try await client.request(.POST, "/v3/acme.test/messages", .form([
                ("from", "hello@acme.test"), ("to", "a@example.com"), ("to", "b@example.com"),
                ("subject", "Hi & bye"), ("text", "1 + 1 = 2"), ("o:testmode", "yes"),
            ]))
            #expect(reply.status == 200)
            let stored = try #require(await mock.messages().first)
            #expect(stored.recipients == ["a@example.com", "b@example.com"])
            #expect(stored.values("subject") == ["Hi & bye"])
            #expect(stored.values("text") == ["1 + 1 = 2"])
            #expect(stored.values("o:testmode") == ["yes"])
        }
    }

    @Test func templateSendsNeedNoBody() async throws {
        try await withMock { mock, client async throws in
            let reply = try await client.request(.POST, "/v3/acme.test/messages", .form([
                ("from", "hello@acme.test"), ("to", "a@example.com"), ("template", "welcome"),
                ("t:version", "v2"), ("t:variables", #"{"name":"Zoë"}"#), ("t:text", "yes"),
            ]))
            #expect(reply.status == 200)
            #expect(await mock.messages().first?.values("t:variables") == [#"{"name":"Zoë"}"#])
        }
    }

    @Test(arguments: [
        ([("to", "a@example.com"), ("subject", "s"), ("text", "t")], "from parameter is missing"),
        ([("from", "hello@acme.test"), ("subject", "s"), ("text", "t")], "to parameter is missing"),
        ([("from", "hello@acme.test"), ("to", "a@example.com"), ("text", "t")], "subject parameter is missing"),
        ([("from", "hello@acme.test"), ("to", "a@example.com"), ("subject", "s")],
         "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified."),
        ([("from", "hello@acme.test"), ("to", "not-an-address"), ("subject", "s"), ("text", "t")],
         "to parameter is not a valid address. please check documentation"),
        ([("from", "hello at acme"), ("to", "a@example.com"), ("subject", "s"), ("text", "t")],
         "from parameter is not a valid address. please check documentation"),
        ([("from", "hello@acme.test"), ("to", "a@example.com"), ("cc", "bad@"), ("subject", "s"), ("text", "t")],
         "cc parameter is not a valid address. please check documentation"),
        ([("from", "hello@acme.test"), ("to", "a@example.com"), ("subject", "s"), ("html", "<p>"), ("template", "t")],
         "Only one parameters 'html' or 'template' is allowed."),
        ([("from", "hello@acme.test"), ("to", "a@example.com"), ("subject", "s"), ("text", "t"), ("recipient-variables", "{nope")],
         "recipient-variables parameter is not a valid JSON"),
        ([("from", "hello@acme.test"), ("to", "a@example.com"), ("subject", "s"), ("text", "t"), ("h:X-Evil", "a\r\nBcc: x@y.z")],
         "headers[X-Evil]: must not contain a line break (CR or LF)"),
    ] as [([(String, String)], String)])
    func validationErrorsUseMailgunsMessages(fields: [(String, String)], message: String) async throws {
        try await withMock { mock, client async throws in
            let reply = try await client.request(.POST, "/v3/acme.test/messages", .multipart(fields))
            #expect(reply.status == 400)
            #expect(reply.message == message)
            #expect(await mock.messages().isEmpty, "nothing is stored")
        }
    }

    @Test func moreThanOneThousandRecipientsIsRejected() async throws {
        try await withMock { mock, client async throws in
            let many = (0..<1_001).map { "r\($0)@example.com" }
            let rejected = try await client.request(.POST, "/v3/acme.test/messages", .form(
                [("from", "hello@acme.test"), ("subject", "s"), ("text", "t")] + many.map { ("to", $0) }
            ))
            #expect(rejected.status == 400)
            #expect(rejected.message?.contains("at most 1000") == true)
            let accepted = try await client.request(.POST, "/v3/acme.test/messages", .form(
                [("from", "hello@acme.test"), ("subject", "s"), ("text", "t"), ("to", many.prefix(1_000).joined(separator: ","))]
            ))
            #expect(accepted.status == 200)
            #expect(await mock.messages().first?.recipients.count == 1_000)
        }
    }

    @Test func sendOptionsAreLimitedTo16KB() async throws {
        try await withMock { mock, client async throws in
            let base = [("from", "hello@acme.test"), ("to", "a@example.com"), ("subject", "s"), ("text", "t")]
            let big = String(repeating: "x", count: 8_200)
            let rejected = try await client.request(.POST, "/v3/acme.test/messages", .form(base + [("v:a", big), ("h:X-B", big)]))
            #expect(rejected.status == 400)
            #expect(rejected.message == "Send options (parameters starting with o:, h:, or v:) are limited to 16 kB total")
            let fine = try await client.request(.POST, "/v3/acme.test/messages", .form(base + [("v:a", big)]))
            #expect(fine.status == 200)
            #expect(await mock.messages().count == 1)
        }
    }

    @Test func oversizeMessagesAre413() async throws {
        #expect(MailgunMock.Configuration(apiKeys: [], domains: []).maximumMessageSize == 25 * 1_024 * 1_024, "Mailgun's 25 MB by default")
        try await withMock(maximumMessageSize: 100_000) { mock, client async throws in
            let file = MockClient.File(field: "attachment", filename: "big.bin", contentType: "application/octet-stream", content: [UInt8](repeating: 1, count: 150_000))
            let reply = try await client.request(.POST, "/v3/acme.test/messages", .multipart(
                [("from", "hello@acme.test"), ("to", "a@example.com"), ("subject", "s"), ("text", "t")], files: [file]
            ))
            #expect(reply.status == 413)
            #expect(reply.message?.contains("exceeds") == true)
            #expect(await mock.messages().isEmpty)
        }
    }

    @Test func unknownDomainsAre404() async throws {
        try await withMock { _, client async throws in
            let reply = try await client.request(.POST, "/v3/nowhere.test/messages", .form([("from", "a@b.co")]))
            #expect(reply.status == 404)
            #expect(reply.message == "Domain not found: nowhere.test")
        }
    }

    @Test func mimeSendsStoreTheUploadedMessage() async throws {
        try await withMock { mock, client async throws in
            let mime = Array("Message-ID: <given-1@acme.test>\r\nFrom: hello@acme.test\r\nTo: a@example.com\r\nSubject: Raw\r\n\r\nBody\r\n".utf8)
            let reply = try await client.request(.POST, "/v3/acme.test/messages.mime", .multipart(
                [("to", "a@example.com"), ("to", "hidden@example.com"), ("o:tag", "raw")],
                files: [MockClient.File(field: "message", filename: "message.mime", contentType: "message/rfc822", content: mime)]
            ))
            #expect(reply.status == 200)
            #expect(reply.json()["id"] as? String == "<given-1@acme.test>")
            let stored = try #require(await mock.messages().first)
            #expect(stored.endpoint == "messages.mime")
            #expect(stored.mime == mime)
            #expect(stored.recipients == ["a@example.com", "hidden@example.com"])
            #expect(stored.values("o:tag") == ["raw"])

            let missing = try await client.request(.POST, "/v3/acme.test/messages.mime", .multipart([("to", "a@example.com")]))
            #expect(missing.status == 400)
            #expect(missing.message == "message parameter is missing")
            let noTo = try await client.request(.POST, "/v3/acme.test/messages.mime", .multipart(
                [], files: [MockClient.File(field: "message", filename: "m", contentType: "message/rfc822", content: mime)]
            ))
            #expect(noTo.message == "to parameter is missing")
        }
    }

    @Test func concurrentSendsAreNeitherLostNorDuplicated() async throws {
        try await withMock { mock, client async throws in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let reply = try await client.request(.POST, "/v3/acme.test/messages", .form([
                            ("from", "hello@acme.test"), ("to", "r\(index)@example.com"), ("subject", "n\(index)"), ("text", "t"),
                        ]))
                        return reply.json()["id"] as? String ?? "failed \(reply.status)"
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let stored = await mock.messages()
            #expect(Set(ids).count == 50)
            #expect(Set(stored.map(\.id)) == Set(ids))
            #expect(Set(stored.flatMap { $0.values("subject") }) == Set((0..<50).map { "n\($0)" }))
            #expect(Set(stored.map(\.storageKey)).count == 50)
        }
    }
}
