import Configuration
import Foundation
import Hummingbird
import HummingbirdSample
import HummingbirdTesting
import Logging
import MailgunMock
import Mailroom
import MailroomTestSupport
import MailroomTesting
import NIOCore
import Testing

/// The sample app as its users test theirs: the router with an in-memory mailer, and the whole
/// app live against MailgunMock, whose webhooks reach the running app.
@Suite struct HummingbirdSampleTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func post(_ client: some TestClientProtocol, _ json: String) async throws -> (status: Int, json: [String: Any]) {
        try await client.execute(uri: "/signup", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)) { response in
            (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:])
        }
    }

    @Test func signupSendsThroughTheInjectedMailer() async throws {
        let mailer = InMemoryMailer()
        let suppressions = InMemorySuppressionStore()
        try await suppressions.add(.bounce("gone@example.com"), logger: Self.logger)
        let dependencies = AppDependencies(mailer: SuppressingMailer(wrapping: mailer, store: suppressions), receiver: nil)
        let app = Application(router: buildRouter(dependencies), logger: Self.logger)
        try await app.test(.router) { client in
            let sent = try await Self.post(client, #"{"name":"Zoë","email":"zoe@example.com"}"#)
            #expect(sent.status == 202)
            #expect(sent.json["accepted"] as? [String] == ["zoe@example.com"])
            #expect(sent.json["suppressed"] as? [String] == [])
            #expect(sent.json["id"] as? String == mailer.sent.last?.receipt.id)
            #expect(mailer.sent.last?.email?.subject == "Welcome, Zoë")
            #expect(mailer.sent.last?.email?.to.first?.displayName == "Zoë")

            let skipped = try await Self.post(client, #"{"name":"Gone","email":"gone@example.com"}"#)
            #expect(skipped.status == 202)
            #expect(skipped.json["suppressed"] as? [String] == ["gone@example.com"])
            #expect(skipped.json["id"] is NSNull)

            for (body, field) in HTTPAnswerCases.refusedSignups {
                let refused = try await Self.post(client, body)
                #expect(refused.status == 400, "\(body)")
                #expect(refused.json["field"] as? String == field, "\(body): \(refused.json)")
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
            }
            try await client.execute(uri: "/webhooks/mailgun", method: .post) { response in
                #expect(response.status == .notFound, "no signing key, no webhook route")
            }
        }
        #expect(mailer.sent.count == 1)
    }

    @Test func theWholeLoopLive() async throws {
        let directory = try TemporaryDirectory()
        let key = "key-sample-SECRET"
        let signingKey = "whsec-sample"
        try await MailgunMock.withRunning(.init(apiKeys: [key], domains: ["acme.test"])) { mock in
            let reader = ConfigReader(provider: InMemoryProvider(values: [
                "host": "127.0.0.1", "port": 0,
                "mailgun.apiKey": .init(.string(key), isSecret: true), "mailgun.domain": "acme.test", "mailgun.baseURL": .init(.string(mock.baseURL), isSecret: false),
                "mailgun.webhookSigningKey": .init(.string(signingKey), isSecret: true),
                "mailroom.suppressionsDB": .init(.string(directory.path + "/suppressions.sqlite"), isSecret: false),
            ]))
            let app = try await buildApplication(reader: reader, environment: [:], logger: Self.logger)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                await mock.setWebhooks(.all(to: "http://127.0.0.1:\(port)/webhooks/mailgun", signingKey: signingKey))
                await mock.script(.bounce, for: "gone@example.com")
                let first = try await Self.post(client, #"{"name":"Gone","email":"gone@example.com"}"#)
                #expect(first.status == 202)
                #expect(first.json["accepted"] as? [String] == ["gone@example.com"])
                let deliveries = try await mock.webhookDeliveries(finished: 2)
                #expect(deliveries.map { "\($0.event) \($0.attempts.last?.status ?? 0)" } == ["accepted 200", "failed 200"])
                let second = try await Self.post(client, #"{"name":"Gone","email":"gone@example.com"}"#)
                #expect(second.json["suppressed"] as? [String] == ["gone@example.com"])
                #expect(second.json["id"] is NSNull)
                let sends = await mock.messages().count
                #expect(sends == 1, "the second signup reached no provider")
            }
        }
    }

    @Test func withoutAnAPIKeyTheOutboxIsUsed() async throws {
        let directory = try TemporaryDirectory()
        let reader = ConfigReader(provider: InMemoryProvider(values: [
            "host": "127.0.0.1", "port": 0,
            "mailroom.suppressionsDB": .init(.string(directory.path + "/s.sqlite"), isSecret: false),
            "mailroom.outbox": .init(.string(directory.path + "/outbox"), isSecret: false),
        ]))
        let app = try await buildApplication(reader: reader, environment: [:], logger: Self.logger)
        try await app.test(.router) { client in
            let sent = try await Self.post(client, #"{"name":"Zoë","email":"zoe@example.com"}"#)
            #expect(sent.status == 202)
            #expect((sent.json["id"] as? String)?.isEmpty == false)
            // The outbox in the browser, under /_mailroom.
            try await client.execute(uri: "/_mailroom/", method: .get) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.contains(">Welcome, Zoë</a>") && page.contains("zoe@example.com"))
                #expect(page.contains("href=\"/_mailroom/assets/preview.css\""))
            }
            try await client.execute(uri: "/_mailroom/api/v1/messages?to=zoe@example.com", method: .get) { response in
                #expect(String(buffer: response.body).contains("\"total\":1"))
            }
        }
        let files = FileManager.default.enumerator(atPath: directory.path + "/outbox")?.compactMap { $0 as? String }.filter { $0.hasSuffix(".eml.gz") } ?? []
        #expect(files.count == 1)
    }
}
