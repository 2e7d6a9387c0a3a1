import AsyncHTTPClient
import Foundation
import MailgunMock
import NIOHTTP1
import Testing

@Suite struct AuthAndFaultTests {
    let send: MockClient.Body = .form([("from", "hello@acme.test"), ("to", "a@example.com"), ("subject", "s"), ("text", "t")])

    @Test(arguments: [
        MockClient.Credentials.none,
        .basic(user: "api", password: "wrong"),
        .basic(user: "root", password: "key-test"),
    ])
    func badCredentialsAre401Forbidden(credentials: MockClient.Credentials) async throws {
        try await withMock { mock, client async throws in
            let reply = try await client.request(.POST, "/v3/acme.test/messages", send, credentials: credentials)
            #expect(reply.status == 401)
            #expect(reply.text == "Forbidden", "a plain-text body, as Mailgun's")
            #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true)
            #expect(await mock.messages().isEmpty)
        }
    }

    @Test func everyConfiguredKeyIsAccepted() async throws {
        try await withMock { _, client async throws in
            let second = try await client.request(.POST, "/v3/acme.test/messages", send, credentials: .basic(user: "api", password: "key-second"))
            #expect(second.status == 200)
        }
    }

    @Test func rateLimitFaultsAdvertiseRetryAfter() async throws {
        try await withMock { mock, client async throws in
            await mock.inject(.rateLimited(retryAfter: 120, count: 2, method: "POST", path: "/v3/acme.test/messages"))
            let unmatched = try await client.request(.GET, "/v3/acme.test/bounces")
            #expect(unmatched.status == 200, "faults apply only to matching requests")
            for _ in 0..<2 {
                let limited = try await client.request(.POST, "/v3/acme.test/messages", send)
                #expect(limited.status == 429)
                #expect(limited.headers.first(name: "Retry-After") == "120")
                #expect(limited.message == "Domain acme.test is not allowed to send: account-requests-per-sec limit exceeded, try again after 120 seconds")
            }
            let recovered = try await client.request(.POST, "/v3/acme.test/messages", send)
            #expect(recovered.status == 200)
            #expect(await mock.messages().count == 1, "a rate-limited request is not accepted")
        }
    }

    @Test(arguments: [500, 503])
    func serverErrorFaults(status: Int) async throws {
        try await withMock { mock, client async throws in
            await mock.inject(.serverError(status: status))
            let failed = try await client.request(.POST, "/v3/acme.test/messages", send)
            #expect(failed.status == status)
            #expect(await mock.messages().isEmpty)
            #expect(try await client.request(.POST, "/v3/acme.test/messages", send).status == 200)
        }
    }

    @Test func delayFaultsAnswerNormallyAfterwards() async throws {
        try await withMock { mock, client async throws in
            await mock.inject(.delay(milliseconds: 5))
            let reply = try await client.request(.POST, "/v3/acme.test/messages", send)
            #expect(reply.status == 200)
            #expect(await mock.messages().count == 1)
            let faults = try await client.request(.GET, "/mock/faults")
            #expect(faults.text == "[]", "the fault was used up")
        }
    }

    @Test func droppedConnectionsReachTheClientAsErrors() async throws {
        try await withMock { mock, client async throws in
            await mock.inject(.dropConnection())
            await #expect(throws: (any Error).self) { try await client.request(.POST, "/v3/acme.test/messages", send) }
            #expect(await mock.messages().isEmpty)
            #expect(try await client.request(.POST, "/v3/acme.test/messages", send).status == 200)
        }
    }

    @Test func faultsAndResetOverTheAdminAPI() async throws {
        try await withMock { mock, client async throws in
            let queued = try await client.request(.POST, "/mock/faults", .json(#"{"kind":"503","count":1,"path":"/v3/"}"#), credentials: .none)
            #expect(queued.status == 200)
            #expect(try await client.request(.POST, "/v3/acme.test/messages", send).status == 503)
            let unknown = try await client.request(.POST, "/mock/faults", .json(#"{"kind":"teapot","count":1}"#), credentials: .none)
            #expect(unknown.status == 400)

            _ = try await client.request(.POST, "/v3/acme.test/messages", send)
            _ = try await client.request(.POST, "/v3/acme.test/bounces", .form([("address", "a@example.com")]))
            let listed = try await client.request(.GET, "/mock/messages", credentials: .none).json()
            #expect(listed["total"] as? Int == 1)
            let item = try #require((listed["items"] as? [[String: Any]])?.first)
            #expect(item["storage-url"] as? String == (await mock.messages().first?.storageURL))

            let reset = try await client.request(.POST, "/mock/reset", credentials: .none)
            #expect(reset.status == 200)
            #expect(await mock.messages().isEmpty)
            #expect(try await client.request(.GET, "/v3/acme.test/bounces/a@example.com").status == 404)
        }
    }
}
