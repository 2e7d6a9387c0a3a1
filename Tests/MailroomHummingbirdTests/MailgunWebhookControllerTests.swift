import Foundation
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import MailgunMock
import Mailroom
import MailroomHummingbird
import MailroomMailgun
import MailroomTestSupport
import MailroomTesting
import NIOCore
import Testing

/// The controller and the error middleware, through HummingbirdTesting.
@Suite struct MailgunWebhookControllerTests {
    static let key = "whsec-hummingbird-tests"
    static let timestamp = String(Int(Date().timeIntervalSince1970))

    static func app(store: (any SuppressionStore)?, limit: Int = 1_048_576, logs: InMemoryLogHandler = InMemoryLogHandler(), handler: MailgunWebhookReceiver.Handler? = nil) -> some ApplicationProtocol {
        let receiver = MailgunWebhookReceiver(signingKey: key, store: store, configuration: .init(maximumBodySize: limit), handler: handler)
        let router = Router()
        MailgunWebhookController<BasicRequestContext>(receiver: receiver).addRoutes(to: router)
        return Application(router: router, logger: Logger(label: "test", factory: { _ in logs }))
    }

    @Test func aSignedEventIsAppliedAndAnswered200() async throws {
        let store = InMemorySuppressionStore()
        let body = try await WebhookFixtures.signedJSON("failed-permanent-bounce", key: Self.key, timestamp: Self.timestamp)
        try await Self.app(store: store).test(.router) { client in
            try await client.execute(uri: "/webhooks/mailgun", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "handled failed")
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            }
        }
        #expect(try await store.get(.bounce, address: "gone@example.com", logger: Logger(label: "x"))?.code == "550")
    }

    @Test func eachStatusOfTheReceiversPolicyReachesTheClient() async throws {
        let store = FlakySuppressionStore(failures: 1)
        let bounce = try await WebhookFixtures.signedJSON("failed-permanent-bounce", key: Self.key, timestamp: Self.timestamp)
        let forged = try await WebhookFixtures.signedJSON("complained", key: "not-the-key", timestamp: Self.timestamp)
        try await Self.app(store: store, limit: 4_096).test(.live) { client in
            func post(_ body: Data, _ type: String = "application/json") async throws -> (Int, String) {
                try await client.execute(uri: "/webhooks/mailgun", method: .post, headers: [.contentType: type], body: ByteBuffer(bytes: body)) {
                    (Int($0.status.code), String(buffer: $0.body))
                }
            }
            #expect(try await post(bounce) == (503, "try again later: storage"))
            #expect(try await post(bounce) == (200, "handled failed"), "Mailgun's retry is accepted")
            #expect(try await post(bounce).0 == 406, "then it is a replay")
            let refused = try await post(forged)
            #expect(refused.0 == 406 && refused.1.hasPrefix("rejected: signature:"))
            #expect(try await post(Data(repeating: 0x61, count: 4_097)) == (413, "too large: the body is 4097 bytes; at most 4096 are accepted"))
            #expect(try await post(Data(repeating: 0x61, count: 100_000)) == (413, "too large: the body is over 4096 bytes"))
            #expect(try await post(Data("{}".utf8)).0 == 406)
        }
    }

    @Test func theRequestsLoggerCarriesTheDelivery() async throws {
        let logs = InMemoryLogHandler()
        let body = try await WebhookFixtures.signedJSON("complained", key: Self.key, timestamp: Self.timestamp)
        try await Self.app(store: InMemorySuppressionStore(), logs: logs).test(.router) { client in
            try await client.execute(uri: "/webhooks/mailgun", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .ok)
            }
        }
        let line = try #require(logs.entries.first { $0.message.description == "webhook handled" })
        #expect(line.metadata["mailgun.event"] == "complained")
        #expect(line.metadata["hb.request.id"] != nil, "logged with the request's logger")
        #expect(!logs.entries.map { "\($0.message) \($0.metadata)" }.joined().contains(Self.key))
    }
}

@Suite struct MailroomErrorMiddlewareTests {
    static func app(throwing error: MailroomError) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: MailroomErrorMiddleware())
        router.get("/fail") { _, _ -> String in throw error }
        router.get("/other") { _, _ -> String in throw HTTPError(.notFound) }
        return Application(router: router)
    }

    @Test(arguments: HTTPAnswerCases.errors)
    func errorsBecomeTheAnswersUsersExpect(error: MailroomError, status: Int, retryAfter: String?) async throws {
        try await Self.app(throwing: error).test(.router) { client in
            try await client.execute(uri: "/fail", method: .get) { response in
                #expect(Int(response.status.code) == status)
                #expect(response.headers[.retryAfter] == retryAfter)
                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
                #expect(json?["error"] == error.message)
                #expect(json?["code"] == "\(error.code)")
                #expect(json?["field"] == error.field)
            }
            try await client.execute(uri: "/other", method: .get) { response in
                #expect(response.status == .notFound, "other errors pass through")
            }
        }
    }

    @Test func theAPIKeyNeverReachesTheBody() async throws {
        let key = "key-SECRET-middleware"
        try await MailgunMock.withRunning(.init(apiKeys: [key], domains: ["acme.test"])) { mock in
            let configuration = try MailgunConfiguration(apiKey: key, region: .custom(mock.baseURL), domain: "acme.test", retry: .never)
            let mailer = MailgunMailer(configuration: configuration)
            let router = Router()
            router.add(middleware: MailroomErrorMiddleware())
            router.post("/send") { _, _ -> String in
                _ = try await mailer.send(Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Hi", text: "x"))
                return "sent"
            }
            await mock.inject(MockFault(kind: .rateLimited, count: 1, retryAfter: 30))
            await mock.inject(MockFault(kind: .serviceUnavailable, count: 1))
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/send", method: .post) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == "30")
                    #expect(!String(buffer: response.body).contains(key))
                }
                try await client.execute(uri: "/send", method: .post) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == nil)
                    #expect(!String(buffer: response.body).contains(key))
                }
                try await client.execute(uri: "/send", method: .post) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }
}
