import Foundation
import MailgunMock
import Mailroom
import MailroomMailgun
import MailroomTestSupport
import NIOHTTP1
import Testing

/// Answers scripted per request, in order; 200 once the script runs out. Records every body.
actor ScriptedReceiver {
    private var statuses: [Int]
    private(set) var bodies: [String] = []
    init(_ statuses: [Int]) { self.statuses = statuses }
    func answer(_ body: Data) -> Int {
        bodies.append(String(decoding: body, as: UTF8.self))
        return statuses.isEmpty ? 200 : statuses.removeFirst()
    }
}

@Suite struct WebhookDeliveryTests {
    static let signingKey = "whsec-mock-deliveries"

    static func withMockPostingTo(_ receiver: ScriptedReceiver, retryDelays: [Duration] = [.milliseconds(1), .milliseconds(1)], _ body: (MailgunMock, MockClient, String) async throws -> Void) async throws {
        try await WebhookTestServer.withRunning(handler: { data, _ in .init(status: await receiver.answer(data)) }) { url in
            var settings = MockWebhookSettings.all(to: url + "/hooks", signingKey: Self.signingKey)
            settings.retryDelays = retryDelays
            let configuration = MailgunMock.Configuration(apiKeys: ["key-test"], domains: ["acme.test"], webhooks: settings)
            try await MailgunMock.withRunning(configuration) { mock in
                try await body(mock, MockClient(baseURL: mock.baseURL, apiKey: "key-test"), url + "/hooks")
            }
        }
    }

    static func send(_ client: MockClient, to recipients: [String], tags: [String] = []) async throws -> String {
        let fields = [("from", "Acme <hello@acme.test>"), ("subject", "Hi"), ("text", "Hello"), ("v:user-id", "42")]
            + recipients.map { ("to", $0) } + tags.map { ("o:tag", $0) }
        let reply = try await client.request(.POST, "/v3/acme.test/messages", .form(fields))
        #expect(reply.status == 200)
        return reply.json()["id"] as? String ?? ""
    }

    @Test func acceptedSendsPostSignedAcceptedAndDeliveredEvents() async throws {
        let receiver = ScriptedReceiver([])
        try await Self.withMockPostingTo(receiver) { mock, client, url in
            let id = try await Self.send(client, to: ["bob@example.com"], tags: ["welcome"])
            let deliveries = try await mock.webhookDeliveries(finished: 2)
            #expect(deliveries.map(\.event) == ["accepted", "delivered"])
            #expect(deliveries.allSatisfy { $0.url == url && $0.messageID == id && $0.recipient == "bob@example.com" && $0.succeeded })
            // The receiver's side: each body verifies with the signing key and decodes.
            let verifier = MailgunWebhookVerifier(signingKey: Self.signingKey)
            let events = try await receiver.bodies.map { try verifier.verify(payload: Data($0.utf8)) }
            #expect(events.map(\.kind) == [.accepted, .delivered])
            #expect(events.allSatisfy { $0.messageID == id && $0.tags == ["welcome"] && $0.userVariables == ["user-id": "42"] })
            #expect(events[1].deliveryStatus?.code == 250)
            #expect(events[0].messageHeaders["subject"] == "Hi")
            #expect(events[0].storageURL?.hasPrefix(mock.baseURL) == true)
        }
    }

    @Test func scriptedOutcomesAreDeliveredAndApplied() async throws {
        let receiver = ScriptedReceiver([])
        try await Self.withMockPostingTo(receiver) { mock, client, _ in
            await mock.script(.bounce, for: "gone@example.com")
            await mock.script(.complain, for: "angry@example.com")
            let scripted = try await client.request(.POST, "/mock/outcomes", .json(#"{"recipient":"leaver@example.com","outcome":"unsubscribe"}"#), credentials: .none)
            #expect(scripted.status == 200)
            await mock.script(.temporaryFailure, for: "slow@example.com")
            _ = try await Self.send(client, to: ["gone@example.com", "angry@example.com", "leaver@example.com", "slow@example.com"], tags: ["news"])
            let deliveries = try await mock.webhookDeliveries(finished: 10)
            let byRecipient = Dictionary(grouping: deliveries, by: \.recipient).mapValues { $0.map(\.webhook) }
            #expect(byRecipient["gone@example.com"] == ["accepted", "permanent_fail"])
            #expect(byRecipient["angry@example.com"] == ["accepted", "delivered", "complained"])
            #expect(byRecipient["leaver@example.com"] == ["accepted", "delivered", "unsubscribed"])
            #expect(byRecipient["slow@example.com"] == ["accepted", "temporary_fail"])
            #expect(try await client.request(.GET, "/v3/acme.test/bounces/gone@example.com").json()["code"] as? String == "550")
            #expect(try await client.request(.GET, "/v3/acme.test/complaints/angry@example.com").status == 200)
            #expect(try await client.request(.GET, "/v3/acme.test/unsubscribes/leaver@example.com").json()["tags"] as? [String] == ["news"])
            #expect(try await client.request(.GET, "/v3/acme.test/bounces/slow@example.com").status == 404)

            // Like Mailgun, a listed address is not delivered to: a permanent failure with a suppress-* reason.
            _ = try await Self.send(client, to: ["gone@example.com"])
            let next = try await mock.webhookDeliveries(finished: 12).suffix(2)
            let verifier = MailgunWebhookVerifier(signingKey: Self.signingKey, configuration: .init(freshness: .seconds(3_600)))
            let failure = try verifier.verify(payload: Data(try #require(next.last).body.utf8))
            #expect(failure.reason == "suppress-bounce" && failure.deliveryStatus?.code == 605 && failure.severity == .permanent)
        }
    }

    @Test func non200AnswersAreRetriedExcept406AndDelivered() async throws {
        // accepted: 503 then 200; delivered: 503 (never retried); second message's accepted: 406 (final).
        let receiver = ScriptedReceiver([503, 200, 503, 406])
        try await Self.withMockPostingTo(receiver) { mock, client, _ in
            _ = try await Self.send(client, to: ["bob@example.com"])
            _ = try await mock.webhookDeliveries(finished: 2)
            await mock.script(.bounce, for: "gone@example.com")
            _ = try await Self.send(client, to: ["gone@example.com"])
            let deliveries = try await mock.webhookDeliveries(finished: 4)
            #expect(deliveries.map { "\($0.event) \($0.attempts.map { $0.status ?? 0 })" } == [
                "accepted [503, 200]", "delivered [503]", "accepted [406]", "failed [200]",
            ])
            // The same signed body on every attempt, as Mailgun retries with the same signature.
            let bodies = await receiver.bodies
            #expect(bodies[0] == bodies[1])
        }
    }

    @Test func retriesStopAfterTheSchedule() async throws {
        let receiver = ScriptedReceiver([500, 500, 500, 500])
        try await Self.withMockPostingTo(receiver, retryDelays: [.milliseconds(1), .milliseconds(1)]) { mock, client, _ in
            await mock.script(.temporaryFailure, for: "slow@example.com")
            _ = try await Self.send(client, to: ["slow@example.com"])
            let deliveries = try await mock.webhookDeliveries(finished: 2)
            #expect(deliveries[0].attempts.map(\.status) == [500, 500, 500], "one attempt and two retries")
            #expect(!deliveries[0].succeeded)
        }
    }

    @Test func waitingForMoreDeliveriesThanHappenSaysHowManyFinished() async throws {
        let receiver = ScriptedReceiver([])
        try await Self.withMockPostingTo(receiver) { mock, client, _ in
            _ = try await Self.send(client, to: ["bob@example.com"])
            _ = try await mock.webhookDeliveries(finished: 2)
            let error = await #expect(throws: MockDeliveryTimeout.self) { try await mock.webhookDeliveries(finished: 3, timeout: .milliseconds(50)) }
            #expect(error?.expected == 3 && error?.finished == 2)
            #expect(error?.description == "waited 0.05 seconds for 3 finished webhook deliveries; 2 finished")
            // A cancelled wait ends at once, as cancelled, however long its timeout.
            let waiting = Task { try await mock.webhookDeliveries(finished: 3, timeout: .seconds(600)) }
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
        }
    }

    @Test func theInspectionAPIShowsSettingsWithoutTheKeyAndLogsRequests() async throws {
        try await withMock { mock, client in
            let put = try await client.request(.PUT, "/mock/webhooks", .json(#"{"signingKey":"whsec-x","urls":{"delivered":["http://127.0.0.1:9/h"]},"retryDelaysMilliseconds":[5]}"#), credentials: .none)
            #expect(put.status == 200)
            let settings = try await client.request(.GET, "/mock/webhooks", credentials: .none)
            #expect(!settings.text.contains("whsec-x"))
            #expect(settings.json()["signingKey"] as? String == "<set>")
            #expect(!"\(MockWebhookSettings(signingKey: "whsec-x"))".contains("whsec-x"))
            #expect(settings.json()["urls"] as? [String: [String]] == ["delivered": ["http://127.0.0.1:9/h"]])
            let unknown = try await client.request(.PUT, "/mock/webhooks", .json(#"{"urls":{"bogus":["http://x"]}}"#), credentials: .none)
            #expect(unknown.status == 400)
            #expect(unknown.text.contains("bogus"))
            let badOutcome = try await client.request(.POST, "/mock/outcomes", .json(#"{"recipient":"a@example.com","outcome":"explode"}"#), credentials: .none)
            #expect(badOutcome.status == 400)
            _ = try await client.request(.GET, "/v3/acme.test/bounces")
            _ = try await client.request(.GET, "/v3/acme.test/bounces", credentials: .none)
            let log = try await client.request(.GET, "/mock/requests", credentials: .none).json()["items"] as? [[String: Any]] ?? []
            #expect(log.map { "\($0["method"] ?? "") \($0["path"] ?? "") \($0["status"] ?? "")" } == ["GET /v3/acme.test/bounces 200", "GET /v3/acme.test/bounces 401"])
            #expect(await mock.requests().allSatisfy { $0.isSuppressionRequest })
            await mock.reset()
            #expect(await mock.requests().isEmpty)
        }
    }
}
