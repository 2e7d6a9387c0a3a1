import Foundation
import InMemoryLogging
import Logging
import Mailroom
import MailroomMailgun
import MailroomTestSupport
import MailroomTesting
import MailroomVapor
import Testing
import Vapor
import VaporTesting

/// `MailgunWebhookRoutes`: each status of the receiver's policy, the body limit, the path, and the
/// request's logger.
@Suite struct MailgunWebhookRoutesTests {
    static let key = "whsec-vapor-tests"
    static var now: String { String(Int(Date().timeIntervalSince1970)) }

    static func post(_ tester: any TestingApplicationTester, _ body: Data, path: String = "webhooks/mailgun", type: String = "application/json") async throws -> (Int, String) {
        let response = try await tester.sendRequest(.POST, path, headers: ["Content-Type": type], body: ByteBuffer(bytes: body))
        return (Int(response.status.code), response.body.string)
    }

    @Test func eachStatusOfTheReceiversPolicy() async throws {
        let store = FlakySuppressionStore(failures: 1)
        let logs = InMemoryLogHandler()
        let bounce = try await WebhookFixtures.signedJSON("failed-permanent-bounce", key: Self.key, timestamp: Self.now)
        let forged = try await WebhookFixtures.signedJSON("complained", key: "not-the-key", timestamp: Self.now)
        let stale = try await WebhookFixtures.signedJSON("complained", key: Self.key, timestamp: String(Int(Date().timeIntervalSince1970) - 10 * 3_600))
        let form = try await WebhookFixtures.signedForm("legacy-unsubscribed", key: Self.key, timestamp: Self.now)
        try await withMailroomApp(logs: logs, configure: { app in
            app.mailroom.use(.memory)
            app.mailroom.suppressions.use(.store(store))
            app.mailroom.webhooks.use(.signingKey(Self.key))
            try app.register(collection: MailgunWebhookRoutes())
        }) { app in
            let tester = try app.testing()
            #expect(try await Self.post(tester, bounce) == (503, "try again later: storage"))
            #expect(try await Self.post(tester, bounce) == (200, "handled failed"), "Mailgun's retry is accepted")
            #expect(try await Self.post(tester, bounce).0 == 406, "then it is a replay")
            let refused = try await Self.post(tester, forged)
            #expect(refused.0 == 406 && refused.1.hasPrefix("rejected: signature:"), "\(refused)")
            #expect(try await Self.post(tester, stale).0 == 406)
            #expect(try await Self.post(tester, Data("{}".utf8)).0 == 406)
            #expect(try await Self.post(tester, form, type: "application/x-www-form-urlencoded").0 == 200)
            let response = try await tester.sendRequest(.POST, "webhooks/mailgun", headers: ["Content-Type": "application/json"], body: ByteBuffer(bytes: bounce))
            #expect(response.headers.first(name: .contentType) == "text/plain; charset=utf-8")
        }
        #expect(try await store.base.get(.bounce, address: "gone@example.com", logger: Logger(label: "test"))?.code == "550")
        #expect(await store.writes == 2, "the bounce once, the unsubscribe once")
        let text = logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!text.contains(Self.key))
        let handled = try #require(logs.entries.first { $0.message.description == "webhook handled" })
        #expect(handled.metadata["request-id"] != nil, "logged with the request's logger")
    }

    @Test func eventsOverVaporsDefault16KBAreAcceptedUpToTheLimit() async throws {
        let store = InMemorySuppressionStore()
        // A complaint carrying 40 KB of extra fields, as large user variables make it.
        let token = WebhookFixtures.randomToken()
        let timestamp = Self.now
        let signature = try await WebhookFixtures.pythonSignature(key: Self.key, timestamp: timestamp, token: token)
        let padding = String(repeating: "x", count: 40_000)
        let large = Data(#"{"signature":{"timestamp":"\#(timestamp)","token":"\#(token)","signature":"\#(signature)"},"event-data":\#(try WebhookFixtures.eventData("complained")),"padding":"\#(padding)"}"#.utf8)
        try await withMailroomApp(configure: { app in
            app.mailroom.use(.memory)
            app.mailroom.suppressions.use(.store(store))
            app.mailroom.webhooks.use(.signingKey(Self.key))
            try app.register(collection: MailgunWebhookRoutes())
            try app.register(collection: MailgunWebhookRoutes(path: ["small"], maximumBodySize: "1kb"))
        }) { app in
            for tester in [try app.testing(), try app.testing(method: .running(hostname: "127.0.0.1", port: 0))] {
                #expect(try await Self.post(tester, Data(repeating: 0x61, count: 1_025), path: "small") == (413, "too large: the body is over 1024 bytes"))
                #expect(try await Self.post(tester, Data(repeating: 0x61, count: 200_000), path: "small") == (413, "too large: the body is over 1024 bytes"))
            }
            // Live, so the body is streamed to the route as Mailgun sends it.
            let live = try app.testing(method: .running(hostname: "127.0.0.1", port: 0))
            #expect(try await Self.post(live, large) == (200, "handled complained"))
            #expect(try await Self.post(live, Data(repeating: 0x61, count: 1_048_577)) == (413, "too large: the body is over 1048576 bytes"))
        }
        #expect(try await store.get(.complaint, address: "angry@example.com", logger: Logger(label: "test")) != nil)
    }

    @Test func withoutASigningKeyTheRouteAnswers404() async throws {
        let logs = InMemoryLogHandler()
        try await withMailroomApp(logs: logs, configure: { app in
            app.mailroom.use(.memory)
            app.mailroom.webhooks.use(.fromEnvironment([:]))
            try app.register(collection: MailgunWebhookRoutes())
        }) { app in
            let body = try await WebhookFixtures.signedJSON("complained", key: Self.key, timestamp: Self.now)
            #expect(try await Self.post(try app.testing(), body).0 == 404)
        }
        #expect(logs.entries.filter { $0.level == .warning }.map(\.message.description) == [
            "MAILGUN_WEBHOOK_SIGNING_KEY is not set: Mailgun's webhooks are answered with 404",
            "webhook refused: no signing key is configured (app.mailroom.webhooks.use(...))",
        ], "one warning at boot, then one per refused delivery")
    }

    @Test func theHandlerSeesEveryVerifiedEvent() async throws {
        let seen = LockedBox<[String]>([])
        try await withMailroomApp(configure: { app in
            app.mailroom.use(.memory)
            app.mailroom.webhooks.use(.fromEnvironment(["MAILGUN_WEBHOOK_SIGNING_KEY": Self.key], handler: { event, _ in
                seen.withLock { $0.append(event.kind.rawValue) }
            }))
            try app.register(collection: MailgunWebhookRoutes())
        }) { app in
            let tester = try app.testing()
            for name in ["delivered", "opened"] {
                let body = try await WebhookFixtures.signedJSON(name, key: Self.key, timestamp: Self.now)
                #expect(try await Self.post(tester, body).0 == 200)
            }
        }
        #expect(seen.withLock { $0 } == ["delivered", "opened"])
    }
}

/// A value shared with a `@Sendable` closure.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
