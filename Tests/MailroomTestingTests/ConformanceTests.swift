import MailgunMock
import Logging
import Mailroom
import MailroomConformance
import MailroomMailgun
import MailroomTesting
import Testing

/// The one conformance suite, run against the in-memory trio and against Mailgun over MailgunMock.
@Suite struct ConformanceTests {
    static func inMemory() -> MailroomImplementation {
        let mailer = InMemoryMailer()
        return MailroomImplementation(
            name: "in-memory", mailer: mailer, suppressions: InMemorySuppressionStore(), alerts: InMemoryAlertSink(),
            delivered: { mailer.sent.map { $0.envelope.recipients.map(\.mailbox) } }
        )
    }

    static func withMailgun(_ body: (MailroomImplementation) async throws -> Void) async throws {
        try await MailgunMock.withRunning(.init(apiKeys: ["key-conformance"], domains: ["acme.test"])) { mock async throws in
            let configuration = try MailgunConfiguration(apiKey: "key-conformance", region: .custom(mock.baseURL), domain: "acme.test", retry: .never)
            let mailer = MailgunMailer(configuration: configuration)
            try await body(MailroomImplementation(
                name: "mailgun", mailer: mailer, suppressions: MailgunSuppressionStore(client: mailer.client), alerts: MailgunAlertSink(client: mailer.client),
                delivered: { await mock.messages().map(\.recipients) }
            ))
        }
    }

    @Test(arguments: MailroomConformance.checks)
    func inMemoryConforms(check: ConformanceCheck) async throws {
        try await check.run(on: Self.inMemory())
    }

    @Test(arguments: MailroomConformance.checks)
    func mailgunConforms(check: ConformanceCheck) async throws {
        try await Self.withMailgun { try await check.run(on: $0) }
    }

    @Test func theSuiteReachesEveryProtocolRequirement() {
        let names = MailroomConformance.checks.map(\.name).joined(separator: "\n")
        for requirement in ["send ", "sendMIME", "sendBatch", "SuppressingMailer", "round-trip each kind", "tags gather", "batches of 2,500", "alerts round-trip", "alerts refuse"] {
            #expect(names.contains(requirement), "\(requirement)")
        }
    }
}

/// Code written against the protocols sees the same results with the double and with Mailgun.
@Suite struct SwapTests {
    /// A small service as an app would write it: it knows only the protocols.
    struct NewsletterService {
        let mailer: any Mailer
        let suppressions: any SuppressionStore

        func publish(to subscribers: [EmailAddress], unsubscribed: [EmailAddress]) async throws -> [String] {
            for address in unsubscribed {
                try await suppressions.add(.unsubscribe(address, tags: ["newsletter"]), logger: .init(label: "app"))
            }
            var email = Email(from: "News <news@acme.test>", to: subscribers, subject: "This week", text: "Hello")
            email.options.tags = ["newsletter"]
            let receipt = try await SuppressingMailer(wrapping: mailer, store: AnySuppressionStore(suppressions)).send(email)
            var invalid = email
            invalid.subject = "Bad\nsubject"
            let failure: String
            do {
                _ = try await mailer.send(invalid)
                failure = "none"
            } catch let error as MailroomError {
                failure = "\(error.code) \(error.field ?? "")"
            }
            return receipt.accepted.map(\.mailbox) + ["|"] + receipt.suppressed.map(\.mailbox) + ["|", failure]
        }
    }

    @Test func theSameCodeSeesTheSameResults() async throws {
        let subscribers: [EmailAddress] = ["ann@example.com", "bob@example.com", "cat@example.com"]
        let double = ConformanceTests.inMemory()
        let withDouble = try await NewsletterService(mailer: double.mailer, suppressions: double.suppressions)
            .publish(to: subscribers, unsubscribed: ["bob@example.com"])
        var withMailgun: [String] = []
        try await ConformanceTests.withMailgun { mailgun in
            withMailgun = try await NewsletterService(mailer: mailgun.mailer, suppressions: mailgun.suppressions)
                .publish(to: subscribers, unsubscribed: ["bob@example.com"])
        }
        #expect(withDouble == ["ann@example.com", "cat@example.com", "|", "bob@example.com", "|", "headerInjection subject"])
        #expect(withMailgun == withDouble)
    }
}
