import AsyncHTTPClient
import Foundation
import Logging
import MailgunMock
import Mailroom
import MailroomTestSupport
import MailroomTesting
import MailroomVapor
import SignupSample
import Testing
import Vapor
import VaporSample
import VaporTesting

/// The sample app as its users test theirs: the routes with the in-memory provider, and the whole
/// app live against MailgunMock, whose webhooks reach the running app.
@Suite struct VaporSampleTests {
    static func signup(_ tester: any TestingApplicationTester, _ json: String) async throws -> (status: Int, json: [String: Any]) {
        let response = try await tester.sendRequest(.POST, "signup", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: json))
        return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:])
    }

    @Test func signupSendsThroughTheConfiguredMailer() async throws {
        let suppressions = InMemorySuppressionStore()
        try await suppressions.add(.bounce("gone@example.com"), logger: Logger(label: "test"))
        try await withApp(configure: { app in
            app.mailroom.use(.memory)
            app.mailroom.suppressions.use(.store(suppressions))
            try routes(app)
        }) { app in
            let tester = try app.testing()
            let sent = try await Self.signup(tester, #"{"name":"Zoë","email":"zoe@example.com"}"#)
            #expect(sent.status == 202)
            #expect(sent.json["accepted"] as? [String] == ["zoe@example.com"])
            #expect(sent.json["suppressed"] as? [String] == [])
            #expect(sent.json["id"] as? String == app.mailroom.memory.sent.last?.receipt.id)
            #expect(app.mailroom.memory.sent.last?.email?.subject == "Welcome, Zoë")
            #expect(app.mailroom.memory.sent.last?.email?.to.first?.displayName == "Zoë")

            let skipped = try await Self.signup(tester, #"{"name":"Gone","email":"gone@example.com"}"#)
            #expect(skipped.status == 202)
            #expect(skipped.json["suppressed"] as? [String] == ["gone@example.com"])
            #expect(skipped.json["id"] is NSNull)

            for (body, field) in HTTPAnswerCases.refusedSignups {
                let refused = try await Self.signup(tester, body)
                #expect(refused.status == 400, "\(body)")
                #expect(refused.json["field"] as? String == field, "\(body): \(refused.json)")
            }
            try await tester.test(.GET, "health") { response in
                #expect(response.status == .ok)
                #expect(response.body.string == "ok")
            }
            try await tester.test(.POST, "webhooks/mailgun") { response in
                #expect(response.status == .notFound, "no signing key, no webhooks")
            }
            #expect(app.mailroom.memory.sent.count == 1)
        }
    }

    @Test func theWholeLoopLive() async throws {
        let directory = try TemporaryDirectory()
        let key = "key-vapor-sample-SECRET"
        let signingKey = "whsec-vapor-sample"
        try await MailgunMock.withRunning(.init(apiKeys: [key], domains: ["acme.test"])) { mock in
            try await withApp(configure: { app in
                try configure(app, environment: [
                    "MAILGUN_API_KEY": key, "MAILGUN_DOMAIN": "acme.test", "MAILGUN_BASE_URL": mock.baseURL,
                    "MAILGUN_WEBHOOK_SIGNING_KEY": signingKey, "MAILROOM_SUPPRESSIONS_DB": directory.path + "/suppressions.sqlite",
                ])
            }) { app in
                try await app.asyncBoot()
                // The server stays up between requests, so the mock's webhooks reach it.
                try await app.server.start(address: .hostname("127.0.0.1", port: 0))
                do {
                    let port = try #require(app.http.server.shared.localAddress?.port)
                    await mock.setWebhooks(.all(to: "http://127.0.0.1:\(port)/webhooks/mailgun", signingKey: signingKey))
                    await mock.script(.complain, for: "angry@example.com")
                    let first = try await Self.post(port: port, #"{"name":"Angry","email":"angry@example.com"}"#)
                    #expect(first == SignupAnswer(id: first.id, accepted: ["angry@example.com"], suppressed: []))
                    // accepted, delivered, complained: the complaint reaches the app's mirror.
                    let deliveries = try await mock.webhookDeliveries(finished: 3)
                    #expect(deliveries.map { "\($0.event) \($0.attempts.last?.status ?? 0)" } == ["accepted 200", "delivered 200", "complained 200"])
                    let second = try await Self.post(port: port, #"{"name":"Angry","email":"angry@example.com"}"#)
                    #expect(second == SignupAnswer(id: nil, accepted: [], suppressed: ["angry@example.com"]))
                    #expect(await mock.messages().count == 1, "the second signup reached no provider")
                } catch {
                    await app.server.shutdown()
                    throw error
                }
                await app.server.shutdown()
            }
        }
    }

    @Test func withoutAnAPIKeyTheOutboxIsUsed() async throws {
        let directory = try TemporaryDirectory()
        try await withApp(configure: { app in
            try configure(app, environment: [
                "MAILROOM_SUPPRESSIONS_DB": directory.path + "/s.sqlite", "MAILROOM_OUTBOX": directory.path + "/outbox",
            ])
        }) { app in
            let sent = try await Self.signup(try app.testing(), #"{"name":"Zoë","email":"zoe@example.com"}"#)
            #expect(sent.status == 202)
            #expect((sent.json["id"] as? String)?.isEmpty == false)
        }
        let files = FileManager.default.enumerator(atPath: directory.path + "/outbox")?.compactMap { $0 as? String }.filter { $0.hasSuffix(".eml.gz") } ?? []
        #expect(files.count == 1)
    }

    @Test func malformedVariablesAreRefusedByName() async throws {
        for (variables, field) in [(["PORT": "http"], "PORT"), (["MAILROOM_SYNC_INTERVAL_SECONDS": "-1"], "MAILROOM_SYNC_INTERVAL_SECONDS")] {
            try await withApp { app in
                let error = #expect(throws: MailroomError.self) { try configure(app, environment: variables) }
                #expect(error?.field == field)
            }
        }
    }

    static func post(port: Int, _ json: String) async throws -> SignupAnswer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/signup")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .accepted)
        let body = try await response.body.collect(upTo: 1 << 16)
        return try JSONDecoder().decode(SignupAnswer.self, from: Data(body.readableBytesView))
    }
}
