import Foundation
import InMemoryLogging
import Logging
import MailgunMock
import Mailroom
import MailroomTestSupport
import Testing

@testable import MailroomMailgun

/// Users, domain and account webhooks, and the HTTP signing key against MailgunMock over loopback.
@Suite struct AccountAPITests {
    static let webKey = "web-key-SECRET-42"

    /// A mock that also accepts a web key, and a client for each key.
    func withWebKeyMock(_ body: (MailgunMock, MailgunClient, MailgunClient) async throws -> Void) async throws {
        let configuration = MailgunMock.Configuration(apiKeys: [MailgunHarness.apiKey], webKeys: [Self.webKey], domains: ["acme.test"])
        try await MailgunMock.withRunning(configuration) { mock async throws in
            let api = MailgunMailer(configuration: try MailgunConfiguration(apiKey: MailgunHarness.apiKey, region: .custom(mock.baseURL), domain: "acme.test"))
            let web = MailgunMailer(configuration: try MailgunConfiguration(apiKey: Self.webKey, region: .custom(mock.baseURL), domain: "acme.test"))
            try await body(mock, api.client, web.client)
        }
    }

    // MARK: Users

    @Test func usersPageToTheEndAndFilterByRole() async throws {
        try await MailgunHarness.run { harness async throws in
            let users = MailgunUsers(client: harness.mailer.client)
            let all = try await users.list(pageSize: 4, logger: harness.logger).collect()
            #expect(all.count == 6, "the owner and one per role")
            #expect(all.filter { $0.isOwner == true }.map(\.name) == ["Olivia Owner"])
            #expect(Set(all.compactMap(\.role)) == Set(MailgunUser.Role.known))
            #expect(await harness.mock.requests().filter { $0.path == "/v5/users" }.count == 2, "4 then 2 of 6: the total ends it")

            let admins = try await users.list(role: .admin, logger: harness.logger).collect()
            #expect(admins.map(\.name) == ["Olivia Owner", "Ada Admin"])
            let page = try await users.page(skip: 5, limit: 10, logger: harness.logger)
            #expect(page.items.map(\.name) == ["Ada Admin"])
            #expect(page.total == 6)

            let one = try await users.get("5f3c9e2a1b0d4c7e8f9a0b5a", logger: harness.logger)
            #expect(one.name == "Dev Developer")
            #expect(one.role == .developer)
            #expect(one.email == "dev@acme.test")
            #expect(one.passwordUpdatedAt != nil, "ISO 8601 without a zone parses")

            let missing = await #expect(throws: MailroomError.self) { try await users.get("0000", logger: harness.logger) }
            #expect(missing?.code == .notFound)
            #expect(missing?.providerMessage == "No such user exists")
            let traversal = await #expect(throws: MailroomError.self) { try await users.get("me/../x y", logger: harness.logger) }
            #expect(traversal?.field == "id")
            let role = await #expect(throws: MailroomError.self) { try await users.page(role: .init(rawValue: "root"), logger: harness.logger) }
            #expect(role?.field == "role")
        }
    }

    @Test func meNeedsAWebKeyAndSaysSo() async throws {
        try await withWebKeyMock { _, api, web in
            let logger = Logger(label: "test")
            let me = try await MailgunUsers(client: web).me(logger: logger)
            #expect(me.name == "Olivia Owner")
            #expect(me.isOwner == true)

            let refused = await #expect(throws: MailroomError.self) { try await MailgunUsers(client: api).me(logger: logger) }
            #expect(refused?.code == .unauthorized)
            #expect(refused?.status == 403)
            #expect(refused?.message == "/v5/users/me needs a key with a user on it (a web key, made with POST /v1/keys and kind=web); Mailgun refused this key (HTTP 403): Incompatible key for this endpoint")
            #expect(refused.map { "\($0)" }?.contains("SECRET") == false)
        }
    }

    // MARK: Domain webhooks

    @Test func v3WebhooksByEventTypeWithAtMostThreeURLs() async throws {
        try await MailgunHarness.run { harness async throws in
            let webhooks = MailgunWebhooks(client: harness.mailer.client)
            #expect(try await webhooks.list(logger: harness.logger).isEmpty)
            let created = try await webhooks.create("unsubscribed", urls: ["https://hooks.acme.test/a", "https://hooks.acme.test/b"], logger: harness.logger)
            #expect(created == ["https://hooks.acme.test/a", "https://hooks.acme.test/b"])
            #expect(try await webhooks.get("unsubscribed", logger: harness.logger) == created)

            let again = await #expect(throws: MailroomError.self) {
                try await webhooks.create("unsubscribed", urls: ["https://hooks.acme.test/c"], logger: harness.logger)
            }
            #expect(again?.code == .alreadyExists)
            #expect(again?.providerMessage == "Webhook already exists")

            let four = (1...4).map { "https://hooks.acme.test/\($0)" }
            let tooMany = await #expect(throws: MailroomError.self) { try await webhooks.update("unsubscribed", urls: four, logger: harness.logger) }
            #expect(tooMany?.field == "url")
            #expect(tooMany?.message == "at most 3 URLs per event type, not 4")
            let sent = await harness.mock.requests().count

            let updated = try await webhooks.update("unsubscribed", urls: Array(four.prefix(3)), logger: harness.logger)
            #expect(updated.count == 3)
            #expect(try await webhooks.list(logger: harness.logger) == ["unsubscribed": Array(four.prefix(3))])
            #expect(await harness.mock.requests().count == sent + 2, "the refused update sent nothing")

            try await webhooks.delete("unsubscribed", logger: harness.logger)
            let gone = await #expect(throws: MailroomError.self) { try await webhooks.get("unsubscribed", logger: harness.logger) }
            #expect(gone?.code == .notFound)
            #expect(gone?.providerMessage == "Webhook not found")

            let badType = await #expect(throws: MailroomError.self) { try await webhooks.get("bounced", logger: harness.logger) }
            #expect(badType?.field == "event")
            let badURL = await #expect(throws: MailroomError.self) {
                try await webhooks.create("clicked", urls: ["javascript:alert(1)"], logger: harness.logger)
            }
            #expect(badURL?.field == "url")
            let otherDomain = await #expect(throws: MailroomError.self) {
                try await MailgunWebhooks(client: harness.mailer.client, domain: "nowhere.test").list(logger: harness.logger)
            }
            #expect(otherDomain?.code == .notFound)
        }
    }

    @Test func v4WebhooksByURLForSeveralEventTypes() async throws {
        try await MailgunHarness.run { harness async throws in
            let webhooks = MailgunWebhooks(client: harness.mailer.client, domain: "other.test")
            let url = "https://hooks.acme.test/mailgun?source=v4&x=1"
            let added = try await webhooks.add(url: url, eventTypes: ["unsubscribed", "complained", "permanent_fail"], logger: harness.logger)
            #expect(added == ["unsubscribed": [url], "complained": [url], "permanent_fail": [url]])

            let replaced = try await webhooks.replace(url: url, eventTypes: ["delivered"], logger: harness.logger)
            #expect(replaced == ["delivered": [url]])
            #expect(try await webhooks.get("delivered", logger: harness.logger) == [url], "v3 reads what v4 wrote")

            for index in 1...2 { _ = try await webhooks.add(url: "https://hooks.acme.test/\(index)", eventTypes: ["delivered"], logger: harness.logger) }
            let fourth = await #expect(throws: MailroomError.self) {
                try await webhooks.add(url: "https://hooks.acme.test/4", eventTypes: ["delivered"], logger: harness.logger)
            }
            #expect(fourth?.code == .rejected)
            #expect(fourth?.providerMessage == "delivered already has 3 URLs")

            try await webhooks.remove(urls: [url, "https://hooks.acme.test/1"], logger: harness.logger)
            #expect(try await webhooks.list(logger: harness.logger) == ["delivered": ["https://hooks.acme.test/2"]])

            let noTypes = await #expect(throws: MailroomError.self) { try await webhooks.add(url: url, eventTypes: [], logger: harness.logger) }
            #expect(noTypes?.field == "event_types")
            let badType = await #expect(throws: MailroomError.self) { try await webhooks.add(url: url, eventTypes: ["opened", "read"], logger: harness.logger) }
            #expect(badType?.field == "event_types[1]")
            let unknownURL = await #expect(throws: MailroomError.self) {
                try await webhooks.replace(url: "https://hooks.acme.test/never", eventTypes: ["opened"], logger: harness.logger)
            }
            #expect(unknownURL?.code == .notFound)
        }
    }

    @Test func webhooksConfiguredThroughTheAPIReceiveTheMocksEventsSignedWithTheRotatedKey() async throws {
        try await MailgunHarness.run { harness async throws in
            try await WebhookTestServer.withRunning(handler: { _, _ in .init(status: 200) }) { url in
                let webhooks = MailgunWebhooks(client: harness.mailer.client)
                let key = try await webhooks.rotateSigningKey(logger: harness.logger)
                _ = try await webhooks.create("delivered", urls: [url + "/mailgun"], logger: harness.logger)
                _ = try await harness.mailer.send(.sample(), logger: harness.logger)
                let deliveries = try await harness.mock.webhookDeliveries(finished: 1)
                #expect(deliveries.map(\.url) == [url + "/mailgun"])
                #expect(deliveries.map(\.webhook) == ["delivered"])
                let delivery = try #require(deliveries.first)
                #expect(delivery.succeeded)
                let event = try MailgunWebhookVerifier(signingKey: key.value).verify(payload: Data(delivery.body.utf8))
                #expect(event.recipient == "bob@example.com")
            }
        }
    }

    // MARK: Account webhooks

    @Test func accountWebhooksCreateListGetUpdateDelete() async throws {
        try await MailgunHarness.run { harness async throws in
            let account = MailgunAccountWebhooks(client: harness.mailer.client)
            let id = try await account.create(.init(url: "https://hooks.acme.test/all", eventTypes: ["unsubscribed", "complained"], description: "suppressions"), logger: harness.logger)
            let second = try await account.create(.init(url: "https://hooks.acme.test/fail", eventTypes: ["permanent_fail"]), logger: harness.logger)

            let listed = try await account.list(logger: harness.logger)
            #expect(Set(listed.compactMap(\.id)) == [id, second])
            let fetched = try await account.get(id, logger: harness.logger)
            #expect(fetched.url == "https://hooks.acme.test/all")
            #expect(fetched.eventTypes == ["unsubscribed", "complained"])
            #expect(fetched.description == "suppressions")
            #expect(fetched.createdAt != nil)
            #expect(try await account.list(ids: [second], logger: harness.logger).map(\.url) == ["https://hooks.acme.test/fail"])

            try await account.update(id, to: .init(url: "https://hooks.acme.test/v2", eventTypes: ["delivered"]), logger: harness.logger)
            let updated = try await account.get(id, logger: harness.logger)
            #expect(updated.url == "https://hooks.acme.test/v2")
            #expect(updated.eventTypes == ["delivered"])
            #expect(updated.description == nil, "PUT replaces whole")

            try await account.delete(id, logger: harness.logger)
            let gone = await #expect(throws: MailroomError.self) { try await account.get(id, logger: harness.logger) }
            #expect(gone?.code == .notFound)
            let noIDs = await #expect(throws: MailroomError.self) { try await account.delete(ids: [], logger: harness.logger) }
            #expect(noIDs?.field == "webhook_ids")
            try await account.delete(ids: [], all: true, logger: harness.logger)
            #expect(try await account.list(logger: harness.logger).isEmpty)

            let bad = await #expect(throws: MailroomError.self) {
                try await account.create(.init(url: "https://hooks.acme.test/x", eventTypes: ["delivered"], description: "a\r\nb"), logger: harness.logger)
            }
            #expect(bad?.code == .headerInjection)
            let badID = await #expect(throws: MailroomError.self) { try await account.get("../v3/domains", logger: harness.logger) }
            #expect(badID?.field == "id")
        }
    }

    // MARK: Signing key

    @Test func signingKeyRotatesAndNeverShows() async throws {
        try await MailgunHarness.run { harness async throws in
            let webhooks = MailgunWebhooks(client: harness.mailer.client)
            let missing = await #expect(throws: MailroomError.self) { try await webhooks.signingKey(logger: harness.logger) }
            #expect(missing?.code == .notFound, "the mock has none until one is configured or rotated")

            let first = try await webhooks.rotateSigningKey(logger: harness.logger)
            #expect(try await webhooks.signingKey(logger: harness.logger) == first)
            let second = try await webhooks.rotateSigningKey(logger: harness.logger)
            #expect(second != first)
            #expect(second.value.count >= 32)
            #expect(second.matches(second.value))
            #expect(!second.matches(first.value))
            #expect("\(second)" == "MailgunSigningKey(<redacted>)")
            #expect(String(reflecting: second) == "MailgunSigningKey(<redacted>)")
            #expect(!harness.loggedText.contains(first.value))
            #expect(!harness.loggedText.contains(second.value))
        }
    }
}
