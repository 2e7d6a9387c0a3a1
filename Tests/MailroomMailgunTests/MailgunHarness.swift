import AsyncHTTPClient
import Foundation
import InMemoryLogging
import Logging
import MailgunMock
import Mailroom
import MetricsTestKit

@testable import MailroomMailgun

/// Records the waits a retry policy asks for, without waiting (an injected clock).
actor SleepRecorder {
    private(set) var delays: [Duration] = []
    func record(_ delay: Duration) { delays.append(delay) }
}

/// A mock, a mailer pointed at it, and what the mailer did: waits, log lines and metrics.
struct MailgunHarness: Sendable {
    static let apiKey = "key-SECRET-0123456789abcdef"

    let mock: MailgunMock
    let mailer: MailgunMailer
    let sleeps: SleepRecorder
    let logs: InMemoryLogHandler
    let metrics: TestMetrics

    var logger: Logger {
        var logger = Logger(label: "test", factory: { _ in logs })
        logger.logLevel = .trace
        return logger
    }

    /// Runs `body` against a fresh mock with domains `acme.test` and `other.test`.
    static func run<T: Sendable>(
        maximumMessageSize: Int = 25 * 1_024 * 1_024,
        retry configure: (inout MailgunConfiguration.RetryPolicy) -> Void = { _ in },
        _ body: (MailgunHarness) async throws -> T
    ) async throws -> T {
        let mockConfiguration = MailgunMock.Configuration(apiKeys: [apiKey], domains: ["acme.test", "other.test"], maximumMessageSize: maximumMessageSize)
        return try await MailgunMock.withRunning(mockConfiguration) { mock async throws in
            let sleeps = SleepRecorder()
            var retry = MailgunConfiguration.RetryPolicy(sleep: { await sleeps.record($0) }, jitter: { $0 })
            configure(&retry)
            let metrics = TestMetrics()
            let configuration = try MailgunConfiguration(
                apiKey: apiKey, region: .custom(mock.baseURL), domain: "acme.test", retry: retry, metricsFactory: metrics
            )
            let harness = MailgunHarness(
                mock: mock, mailer: MailgunMailer(configuration: configuration), sleeps: sleeps, logs: InMemoryLogHandler(), metrics: metrics
            )
            return try await body(harness)
        }
    }

    /// Everything the mailer logged, flattened to text (messages and metadata).
    var loggedText: String {
        logs.entries.map { "\($0.level) \($0.message) \($0.metadata)" }.joined(separator: "\n")
    }
}

extension Email {
    /// A small valid message from acme.test.
    static func sample(to recipients: [EmailAddress] = ["bob@example.com"], subject: String = "Hello") -> Email {
        Email(from: "Acme <hello@acme.test>", to: recipients, subject: subject, text: "Hi there")
    }
}
