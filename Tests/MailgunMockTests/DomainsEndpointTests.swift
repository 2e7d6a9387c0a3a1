import Foundation
import MailgunMock
import NIOHTTP1
import Testing

/// The mock's domains API in the v3 forms older clients call, and its validation in Mailgun's shapes.
@Suite struct DomainsEndpointTests {
    @Test func theV3FormsWorkLikeV4() async throws {
        try await withMock { mock, client async throws in
            let created = try await client.request(.POST, "/v3/domains", .form([("name", "old.acme.test"), ("spam_action", "tag"), ("smtp_password", "pw-SECRET")]))
            #expect(created.status == 200)
            #expect(created.message == "Domain DNS records have been created")
            #expect(!String(decoding: created.body, as: UTF8.self).contains("pw-SECRET"), "the SMTP password is never echoed")
            let domain = try #require(created.json()["domain"] as? [String: Any])
            #expect(domain["state"] as? String == "unverified")
            #expect(domain["spam_action"] as? String == "tag")
            let createdAt = try #require(domain["created_at"] as? String)
            #expect(createdAt.range(of: #"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$"#, options: .regularExpression) != nil, "RFC 1123: \(createdAt)")

            let listed = try await client.request(.GET, "/v3/domains?limit=10").json()
            #expect(listed["total_count"] as? Int == 3)
            #expect((listed["items"] as? [[String: Any]])?.first?["name"] as? String == "old.acme.test", "newest first")

            let updated = try await client.request(.PUT, "/v3/domains/old.acme.test", .form([("web_scheme", "https")]))
            #expect(updated.status == 200)
            #expect((updated.json()["domain"] as? [String: Any])?["web_scheme"] as? String == "https")
            #expect((updated.json()["domain"] as? [String: Any])?["spam_action"] as? String == "tag")

            #expect(await mock.setDNS(published: true, domain: "old.acme.test"))
            let verified = try await client.request(.PUT, "/v3/domains/old.acme.test/verify")
            #expect((verified.json()["domain"] as? [String: Any])?["state"] as? String == "active")
            let fetched = try await client.request(.GET, "/v3/domains/old.acme.test").json()
            let records = try #require(fetched["receiving_dns_records"] as? [[String: Any]])
            #expect(records.allSatisfy { $0["name"] == nil && $0["priority"] as? String == "10" && $0["valid"] as? String == "valid" })
        }
    }

    @Test func badInputAnswersInMailgunsShapes() async throws {
        try await withMock { mock, client async throws in
            let unknownField = try await client.request(.PUT, "/v4/domains/acme.test", .form([("dkim_selector", "s2")]))
            #expect(unknownField.status == 400)
            #expect(unknownField.json()["Field"] as? String == "dkim_selector")
            let badValue = try await client.request(.PUT, "/v4/domains/acme.test", .form([("wildcard", "maybe")]))
            #expect(badValue.json()["Value"] as? String == "must be true or false")
            let nothing = try await client.request(.PUT, "/v4/domains/acme.test", .form([("name", "acme.test")]))
            #expect(nothing.status == 400)
            #expect(nothing.message == "at least one field must be updated")
            let taken = try await client.request(.POST, "/v4/domains", .multipart([("name", "acme.test")]))
            #expect(taken.message == "This domain name is already taken")
            let state = try await client.request(.GET, "/v4/domains?state=gone")
            #expect(state.json()["Field"] as? String == "state")
            let limit = try await client.request(.GET, "/v4/domains?limit=1001")
            #expect(limit.status == 400)
            let missing = try await client.request(.GET, "/v4/domains/nowhere.test")
            #expect(missing.status == 404)
            #expect(missing.message == "Domain not found")
            let webhook = try await client.request(.GET, "/v3/domains/acme.test/webhooks/clicked")
            #expect(webhook.status == 404)
            #expect(webhook.json()["Description"] as? String == "Webhook not found")
            let type = try await client.request(.GET, "/v3/domains/acme.test/webhooks/read")
            #expect(type.json()["Reason"] as? String == "invalid webhook type 'read'")
            let users = try await client.request(.GET, "/v5/users/me")
            #expect(users.status == 403)
            #expect(users.message == "Incompatible key for this endpoint")
            let noKey = try await client.request(.GET, "/v4/domains", credentials: .none)
            #expect(noKey.status == 401)
            #expect(String(decoding: noKey.body, as: UTF8.self) == "Forbidden")

            await mock.reset()
            let afterReset = try await client.request(.GET, "/v4/domains").json()
            #expect((afterReset["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.sorted() == ["acme.test", "other.test"])
        }
    }
}
