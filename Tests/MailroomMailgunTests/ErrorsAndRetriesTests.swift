import Foundation
import MailgunMock
import Mailroom
import MailroomTestSupport
import MetricsTestKit
import NIOHTTP1
import Testing

@testable import MailroomMailgun

@Suite struct ErrorsAndRetriesTests {
    @Test(arguments: [
        (400, MailroomError.Code.rejected, false),
        (402, .rejected, false),
        (404, .notFound, false),
        (420, .rateLimited, true),
        (500, .providerUnavailable, true),
        (503, .providerUnavailable, true),
    ])
    func statusesMapIntoTheErrorVocabulary(status: Int, code: MailroomError.Code, transient: Bool) async throws {
        try await MailgunHarness.run(retry: { $0.maximumAttempts = 1 }) { harness async throws in
            await harness.mock.inject(.status(status, message: "mailgun says \(status)"))
            let error = await #expect(throws: MailroomError.self) { try await harness.mailer.send(.sample(), logger: harness.logger) }
            #expect(error?.code == code)
            #expect(error?.status == status)
            #expect(error?.providerMessage == "mailgun says \(status)")
            #expect(error?.isTransient == transient)
            #expect(error?.message.contains("HTTP \(status)") == true)
        }
    }

    @Test func unauthorizedHandlesThePlainTextBody() async throws {
        try await MailgunMock.withRunning(.init(apiKeys: ["other-key"], domains: ["acme.test"])) { mock async throws in
            let configuration = try MailgunConfiguration(apiKey: MailgunHarness.apiKey, region: .custom(mock.baseURL), domain: "acme.test")
            let error = await #expect(throws: MailroomError.self) { try await MailgunMailer(configuration: configuration).send(.sample()) }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            #expect(error?.providerMessage == "Forbidden")
            #expect(error?.isTransient == false)
        }
    }

    @Test func unknownDomainsAndOversizeMessages() async throws {
        try await MailgunHarness.run(maximumMessageSize: 50_000) { harness async throws in
            var elsewhere = Email.sample()
            elsewhere.options.mailgun.domain = "nowhere.test"
            let missing = await #expect(throws: MailroomError.self) { try await harness.mailer.send(elsewhere, logger: harness.logger) }
            #expect(missing?.code == .notFound)
            #expect(missing?.providerMessage == "Domain not found: nowhere.test")

            var big = Email.sample()
            big.attachments = [.bytes([UInt8](repeating: 7, count: 80_000), filename: "big.bin")]
            let tooLarge = await #expect(throws: MailroomError.self) { try await harness.mailer.send(big, logger: harness.logger) }
            #expect(tooLarge?.code == .messageTooLarge)
            #expect(tooLarge?.status == 413)
        }
    }

    @Test func rateLimitsAreRetriedAfterTheAdvisedDelay() async throws {
        try await MailgunHarness.run { harness async throws in
            await harness.mock.inject(.rateLimited(retryAfter: 7, count: 2))
            let receipt = try await harness.mailer.send(.sample(), logger: harness.logger)
            #expect(receipt.wasSent)
            #expect(await harness.sleeps.delays == [.seconds(7), .seconds(7)])
            #expect(await harness.mock.messages().count == 1)
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total", dimensions: [("method", "POST"), ("status", "429")]) == 2)
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total", dimensions: [("method", "POST"), ("status", "200")]) == 1)
            let timers = harness.metrics.timers(label: "mailroom_mailgun_request_duration_seconds")
            #expect(timers.first { $0.dimensions.contains { $0 == ("method", "POST") } }?.values.count == 3)
            #expect(timers.filter { !$0.dimensions.contains { $0 == ("method", "POST") } }.allSatisfy { $0.values.isEmpty }, "only the POSTs timed")
        }
    }

    @Test func advisedDelaysAreBoundedAndAttemptsLimited() async throws {
        try await MailgunHarness.run(retry: { $0.maximumBackoff = .seconds(30); $0.maximumAttempts = 2 }) { harness async throws in
            await harness.mock.inject(.rateLimited(retryAfter: 120, count: 5))
            let error = await #expect(throws: MailroomError.self) { try await harness.mailer.send(.sample(), logger: harness.logger) }
            #expect(error?.code == .rateLimited)
            #expect(error?.retryAfter == .seconds(120))
            #expect(await harness.sleeps.delays == [.seconds(30)])
            #expect(await harness.mock.messages().isEmpty)
        }
    }

    @Test func sendsAreNotRetriedOnServerErrorsUnlessOptedIn() async throws {
        try await MailgunHarness.run { harness async throws in
            await harness.mock.inject(.serverError(status: 500))
            let error = await #expect(throws: MailroomError.self) { try await harness.mailer.send(.sample(), logger: harness.logger) }
            #expect(error?.code == .providerUnavailable)
            #expect(await harness.sleeps.delays.isEmpty, "a duplicate email is worse than an error")
            #expect(await harness.mock.messages().isEmpty)
        }
        try await MailgunHarness.run(retry: { $0.retriesSendsOnServerErrors = true }) { harness async throws in
            await harness.mock.inject(.serverError(status: 500))
            let receipt = try await harness.mailer.send(.sample(), logger: harness.logger)
            #expect(receipt.wasSent)
            #expect(await harness.sleeps.delays == [.milliseconds(500)])
        }
    }

    @Test func idempotentReadsAreRetriedWithExponentialBackoff() async throws {
        try await MailgunHarness.run { harness async throws in
            _ = try await harness.mailer.send(.sample(), logger: harness.logger)
            let key = try #require(await harness.mock.messages().first?.storageKey)
            await harness.mock.inject(.serverError(status: 503, count: 2, method: "GET"))
            let stored = try await harness.mailer.storedMessage(.key(key), logger: harness.logger)
            #expect(stored.subject == "Hello")
            #expect(await harness.sleeps.delays == [.milliseconds(500), .seconds(1)])
        }
    }

    @Test func timeoutsAndDroppedConnectionsAreTransportErrors() async throws {
        try await MailgunHarness.run { harness async throws in
            await harness.mock.inject(.dropConnection())
            let error = await #expect(throws: MailroomError.self) { try await harness.mailer.send(.sample(), logger: harness.logger) }
            #expect(error?.code == .transport || error?.code == .timeout)
            #expect(error?.isTransient == true)
            #expect(await harness.sleeps.delays.isEmpty, "a send whose outcome is unknown is not repeated")
        }
    }

    @Test func slowAnswersTimeOutAndSendsAreNotRepeated() async throws {
        try await MailgunMock.withRunning(.init(apiKeys: [MailgunHarness.apiKey], domains: ["acme.test"])) { mock async throws in
            await mock.inject(.delay(milliseconds: 40))
            var configuration = try MailgunConfiguration(apiKey: MailgunHarness.apiKey, region: .custom(mock.baseURL), domain: "acme.test")
            configuration.timeouts.request = .milliseconds(5)
            let error = await #expect(throws: MailroomError.self) { try await MailgunMailer(configuration: configuration).send(.sample()) }
            #expect(error?.code == .timeout)
            #expect(error?.isTransient == true)
        }
    }

    @Test func cancellationStopsAWaitingRetry() async throws {
        try await MailgunMock.withRunning(.init(apiKeys: [MailgunHarness.apiKey], domains: ["acme.test"])) { mock async throws in
            await mock.inject(.rateLimited(retryAfter: 600, count: 5))
            let configuration = try MailgunConfiguration(apiKey: MailgunHarness.apiKey, region: .custom(mock.baseURL), domain: "acme.test")
            let mailer = MailgunMailer(configuration: configuration)
            let task = Task { try await mailer.send(.sample()) }
            while await mock.pendingFaultCount == 5 { await Task.yield() }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
        }
    }

    /// A send whose body streams (a file attachment) goes through AsyncHTTPClient's writer-based
    /// body: timeouts and cancellation end it as they end a small send.
    @Test func streamedSendsTimeOutAndCancelAsSmallOnesDo() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write((0..<300_000).map { UInt8($0 % 251) }, named: "report.bin")
        var email = Email.sample()
        email.attachments = [try .file(at: path)]
        #expect(try MailgunForm.body(for: email, mailgun: MailgunOptions()).buffered == nil, "this body streams")
        try await MailgunMock.withRunning(.init(apiKeys: [MailgunHarness.apiKey], domains: ["acme.test"])) { mock async throws in
            var configuration = try MailgunConfiguration(apiKey: MailgunHarness.apiKey, region: .custom(mock.baseURL), domain: "acme.test")
            configuration.timeouts.request = .milliseconds(20)
            await mock.inject(.delay(milliseconds: 400))
            let timedOut = await #expect(throws: MailroomError.self) { try await MailgunMailer(configuration: configuration).send(email) }
            #expect(timedOut?.code == .timeout)
            #expect(timedOut?.isTransient == true)

            configuration.timeouts.request = .seconds(30)
            let mailer = MailgunMailer(configuration: configuration)
            await mock.inject(.delay(milliseconds: 1_500))
            let streamed = email
            let task = Task { try await mailer.send(streamed) }
            while await mock.pendingFaultCount == 1 { await Task.yield() }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }

            let receipt = try await mailer.send(email)
            let stored = try #require(await mock.messages().last)
            #expect(receipt.id == stored.id)
            #expect(stored.files.first?.content == (0..<300_000).map { UInt8($0 % 251) }, "byte-exact after the failures")
        }
    }

    @Test func retryAfterIsReadFromEveryPlaceMailgunPutsIt() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func advised(_ headers: [(String, String)], _ message: String = "") -> Duration? {
            MailgunResponseError.retryAfter(headers: .init(headers), message: message, now: now)
        }
        #expect(advised([("Retry-After", "12")]) == .seconds(12))
        #expect(advised([("Retry-After", "Fri, 15 Jan 2027 08:00:30 GMT")]) == .seconds(30))
        #expect(advised([("X-RateLimit-Reset", "1800000045")]) == .seconds(45))
        #expect(advised([("X-RateLimit-Reset", "1800000045000")]) == .seconds(45))
        #expect(advised([], "Domain acme.test is not allowed to send: limit exceeded, try again after 120 seconds") == .seconds(120))
        #expect(advised([]) == nil)
    }
}
