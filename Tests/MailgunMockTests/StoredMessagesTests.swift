import Foundation
import MailgunMock
import NIOHTTP1
import MailroomTestSupport
import Testing

@Suite struct StoredMessagesTests {
    func sendOne(_ client: MockClient) async throws -> MockClient.Reply {
        try await client.request(.POST, "/v3/acme.test/messages", .multipart(
            [("from", "Zoë <zoe@acme.test>"), ("to", "bob@example.com"), ("subject", "Grüße"), ("text", "Plain body"), ("html", "<p>Rich</p>"), ("h:X-Campaign", "spring")],
            files: [MockClient.File(field: "attachment", filename: "a.bin", contentType: "application/octet-stream", content: [1, 2, 3, 4])]
        ))
    }

    @Test func jsonViewHasMailgunsShape() async throws {
        try await withMock { mock, client async throws in
            _ = try await sendOne(client)
            let stored = try #require(await mock.messages().first)
            let reply = try await client.request(.GET, "/v3/domains/acme.test/messages/\(stored.storageKey)")
            #expect(reply.status == 200)
            let view = reply.json()
            #expect(view["subject"] as? String == "Grüße")
            #expect(view["Subject"] as? String == "Grüße")
            #expect(view["from"] as? String == "Zoë <zoe@acme.test>")
            #expect(view["sender"] as? String == "zoe@acme.test")
            #expect(view["recipients"] as? String == "bob@example.com")
            #expect(view["Message-Id"] as? String == stored.id)
            #expect(view["Mime-Version"] as? String == "1.0")
            #expect(view["X-Campaign"] as? String == "spring")
            #expect(view["body-plain"] as? String == "Plain body")
            #expect(view["body-html"] as? String == "<p>Rich</p>")
            let headers = try #require(view["message-headers"] as? [[String]])
            #expect(headers.contains(["X-Campaign", "spring"]))
            let attachments = try #require(view["attachments"] as? [[String: Any]])
            #expect(attachments.count == 1)
            #expect(attachments.first?["name"] as? String == "a.bin")
            #expect(attachments.first?["size"] as? Int == 4)
            let url = try #require(attachments.first?["url"] as? String)
            #expect(url.hasPrefix(stored.storageURL))
            let download = try await client.request(.GET, url)
            #expect(download.body == [1, 2, 3, 4])
        }
    }

    @Test func rawViewCarriesTheMIME() async throws {
        try await withMock { mock, client async throws in
            _ = try await sendOne(client)
            let stored = try #require(await mock.messages().first)
            let reply = try await client.request(.GET, stored.storageURL, headers: [("Accept", "message/rfc2822")])
            #expect(reply.status == 200)
            let mime = try #require(reply.json()["body-mime"] as? String)
            #expect(Array(mime.utf8) == stored.mime)
            let parsed = try await ParsedMessage.parse(Array(mime.utf8))
            #expect(parsed.header("Subject") == "Grüße")
        }
    }

    @Test func resendStoresACopyForNewRecipients() async throws {
        try await withMock { mock, client async throws in
            _ = try await sendOne(client)
            let original = try #require(await mock.messages().first)
            let reply = try await client.request(.POST, original.storageURL, .form([("to", "new@example.com")]))
            #expect(reply.status == 200)
            #expect(reply.message == "Queued. Thank you.")
            let messages = await mock.messages()
            #expect(messages.count == 2)
            #expect(messages[1].endpoint == "resend")
            #expect(messages[1].recipients == ["new@example.com"])
            #expect(messages[1].mime == original.mime)
            #expect(messages[1].id == reply.json()["id"] as? String)

            let noTo = try await client.request(.POST, original.storageURL, .form([]))
            #expect(noTo.status == 400)
        }
    }

    @Test func unknownKeysAndDomainsAre404() async throws {
        try await withMock { mock, client async throws in
            _ = try await sendOne(client)
            let key = try #require(await mock.messages().first?.storageKey)
            let missing = try await client.request(.GET, "/v3/domains/acme.test/messages/nope")
            #expect(missing.status == 404)
            #expect(missing.message == "Message not found")
            let otherDomain = try await client.request(.GET, "/v3/domains/other.test/messages/\(key)")
            #expect(otherDomain.status == 404)
        }
    }
}
