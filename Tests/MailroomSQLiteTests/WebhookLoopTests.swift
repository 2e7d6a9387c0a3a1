import Foundation
import Logging
import MailgunMock
import Mailroom
import MailroomConformance
import MailroomMailgun
import MailroomSQLite
import MailroomTestSupport
import MailroomTesting
import Testing

/// The whole loop over loopback: Mailgun (the mock) reports bounces and complaints to the app's
/// receiver, the receiver fills the SQLite mirror, and the next send skips those recipients
/// without asking Mailgun about suppressions.
@Suite struct WebhookLoopTests {
    static let apiKey = "key-loop-SECRET-42"
    static let signingKey = "whsec-loop-signing-key"
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func eventsFlowBackAndTheNextSendSkipsTheSuppressed() async throws {
        let directory = try TemporaryDirectory()
        let path = (directory.path as NSString).appendingPathComponent("suppressions.sqlite")
        try await SQLiteSuppressionStore.withStore(path: path) { local in
            let receiver = MailgunWebhookReceiver(signingKey: Self.signingKey, store: local)
            try await WebhookTestServer.withRunning(handler: { body, type in
                let response = await receiver.receive(body: body, contentType: type, logger: Self.logger)
                return .init(status: response.status, body: response.body)
            }) { url in
                let mockConfiguration = MailgunMock.Configuration(
                    apiKeys: [Self.apiKey], domains: ["acme.test"], webhooks: .all(to: url + "/webhooks/mailgun", signingKey: Self.signingKey)
                )
                try await MailgunMock.withRunning(mockConfiguration) { mock in
                    await mock.script(.bounce, for: "gone@example.com")
                    await mock.script(.complain, for: "angry@example.com")
                    let mailgun = MailgunMailer(configuration: try MailgunConfiguration(apiKey: Self.apiKey, region: .custom(mock.baseURL), domain: "acme.test", retry: .never))
                    let mirror = MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: mailgun.client), local: local)
                    let mailer = SuppressingMailer(wrapping: mailgun, store: mirror)
                    let recipients: [EmailAddress] = ["ok@example.com", "gone@example.com", "angry@example.com"]
                    let first = try await mailer.send(Email(from: "Acme <hello@acme.test>", to: recipients, subject: "Hello", text: "Hi"), logger: Self.logger)
                    #expect(first.accepted.map(\.mailbox) == recipients.map(\.mailbox))

                    // accepted ×3, delivered (ok), failed (gone), delivered + complained (angry).
                    let deliveries = try await mock.webhookDeliveries(finished: 7)
                    #expect(deliveries.count == 7)
                    #expect(deliveries.allSatisfy { $0.succeeded }, "\(deliveries.map { "\($0.event) \($0.attempts.map(\.status))" })")
                    #expect(deliveries.filter { $0.event == "failed" }.map(\.webhook) == ["permanent_fail"])
                    #expect(Set(deliveries.map(\.messageID)) == [first.id], "every event carries the receipt's Message-ID")

                    let bounce = try await local.get(.bounce, address: "gone@example.com", logger: Self.logger)
                    #expect(bounce?.code == "550")
                    #expect(try await local.get(.complaint, address: "angry@example.com", logger: Self.logger) != nil)

                    let before = await mock.requests().count
                    let second = try await mailer.send(Email(from: "Acme <hello@acme.test>", to: recipients, subject: "Again", text: "Hi"), logger: Self.logger)
                    #expect(second.accepted.map(\.mailbox) == ["ok@example.com"])
                    #expect(second.suppressed.map(\.mailbox) == ["gone@example.com", "angry@example.com"])
                    let during = await mock.requests().dropFirst(before)
                    #expect(during.map { "\($0.method) \($0.path)" } == ["POST /v3/acme.test/messages"])
                    #expect(!during.contains { $0.isSuppressionRequest })
                }
            }
        }
    }

    @Test func aSyncOf2500EntriesAcrossPagesFillsTheMirror() async throws {
        let directory = try TemporaryDirectory()
        let path = (directory.path as NSString).appendingPathComponent("suppressions.sqlite")
        try await MailgunMock.withRunning(.init(apiKeys: [Self.apiKey], domains: ["acme.test"])) { mock in
            let mailgun = MailgunSuppressionStore(client: MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.apiKey, region: .custom(mock.baseURL), domain: "acme.test")))
            let bounces = (0..<2_500).map { Suppression.bounce(EmailAddress(stringLiteral: "b\(String(10_000 + $0).dropFirst())@example.com"), code: "550", error: "gone") }
            try await mailgun.add(contentsOf: bounces, logger: Self.logger)
            try await mailgun.add(.unsubscribe("news@example.com", tags: ["news"]), logger: Self.logger)
            try await SQLiteSuppressionStore.withStore(path: path) { local in
                try await local.add(.complaint("stale@example.com", createdAt: Date(timeIntervalSince1970: 1_000)), logger: Self.logger)
                let mirror = MailgunSuppressionMirror(mailgun: mailgun, local: local)
                let seen = ProgressLog()
                let summary = try await mirror.sync(pageSize: 300, logger: Self.logger) { seen.append($0) }
                #expect(summary.map(\.entries) == [1, 2_500, 0])
                #expect(summary.map(\.pages) == [1, 9, 1], "8 full pages of 300 bounces and one of 100, which ends the list")
                #expect(summary.map(\.removed) == [0, 0, 1], "the complaint Mailgun does not list is removed")
                #expect(seen.values.filter { $0.kind == .bounce }.map(\.entries) == Array(stride(from: 300, through: 2_700, by: 300)).map { min($0, 2_500) })
                let listed = try await local.list(.bounce, pageSize: 1_000, logger: Self.logger).collect()
                #expect(listed.map(\.address.mailbox) == bounces.map(\.address.mailbox))
                #expect(try await local.get(.unsubscribe, address: "news@example.com", logger: Self.logger)?.tags == ["news"])
                #expect(try await local.get(.complaint, address: "stale@example.com", logger: Self.logger) == nil)
            }
        }
    }

    /// The mirror is a `SuppressionStore` like any other: Mailgun (the mock) behind, SQLite in front.
    @Test(arguments: MailroomConformance.suppressionStoreChecks)
    func theMirrorConforms(check: ConformanceCheck) async throws {
        let directory = try TemporaryDirectory()
        try await MailgunMock.withRunning(.init(apiKeys: [Self.apiKey], domains: ["acme.test"])) { mock in
            let client = MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.apiKey, region: .custom(mock.baseURL), domain: "acme.test", retry: .never))
            try await SQLiteSuppressionStore.withStore(path: directory.path + "/mirror.sqlite") { local in
                let mirror = MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: client), local: local)
                try await check.run(on: MailroomImplementation(name: "mirror", mailer: InMemoryMailer(), suppressions: mirror, alerts: InMemoryAlertSink(), delivered: { [] }))
            }
        }
    }

    @Test func writesGoToMailgunAndTheMirror() async throws {
        let directory = try TemporaryDirectory()
        try await MailgunMock.withRunning(.init(apiKeys: [Self.apiKey], domains: ["acme.test"])) { mock in
            let mailgun = MailgunSuppressionStore(client: MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.apiKey, region: .custom(mock.baseURL), domain: "acme.test")))
            try await SQLiteSuppressionStore.withStore(path: directory.path + "/s.sqlite") { local in
                let mirror = MailgunSuppressionMirror(mailgun: mailgun, local: local)
                try await mirror.add(.unsubscribe("ann@example.com", tags: ["news"]), logger: Self.logger)
                #expect(try await mailgun.get(.unsubscribe, address: "ann@example.com", logger: Self.logger)?.tags == ["news"])
                #expect(try await local.get(.unsubscribe, address: "ann@example.com", logger: Self.logger)?.tags == ["news"])
                let requests = await mock.requests().count
                #expect(try await mirror.isSuppressed("ann@example.com", taggedWith: ["news"], logger: Self.logger))
                #expect(await mock.requests().count == requests, "reads are local")
                try await mirror.remove(.unsubscribe, address: "ann@example.com", tag: nil, logger: Self.logger)
                #expect(try await mailgun.get(.unsubscribe, address: "ann@example.com", logger: Self.logger) == nil)
                #expect(try await local.get(.unsubscribe, address: "ann@example.com", logger: Self.logger) == nil)
                // Mailgun lost the entry but the mirror still has it: removal clears it and reports Mailgun's notFound.
                try await local.add(.bounce("ghost@example.com"), logger: Self.logger)
                let error = await #expect(throws: MailroomError.self) { try await mirror.remove(.bounce, address: "ghost@example.com", tag: nil, logger: Self.logger) }
                #expect(error?.code == .notFound)
                #expect(try await local.get(.bounce, address: "ghost@example.com", logger: Self.logger) == nil)
                // A failed write to Mailgun writes nothing locally.
                await mock.inject(MockFault(kind: .status, count: 1, status: 400, message: "bad"))
                await #expect(throws: MailroomError.self) { try await mirror.add(.complaint("c@example.com"), logger: Self.logger) }
                #expect(try await local.get(.complaint, address: "c@example.com", logger: Self.logger) == nil)
            }
        }
    }
}

/// Sync progress reports, collected from the callback.
final class ProgressLog: @unchecked Sendable {
    // Guarded by the lock: the callback may run on any task.
    private let lock = NSLock()
    private var reports: [MailgunSuppressionMirror<SQLiteSuppressionStore>.Progress] = []
    func append(_ report: MailgunSuppressionMirror<SQLiteSuppressionStore>.Progress) { lock.withLock { reports.append(report) } }
    var values: [MailgunSuppressionMirror<SQLiteSuppressionStore>.Progress] { lock.withLock { reports } }
}
