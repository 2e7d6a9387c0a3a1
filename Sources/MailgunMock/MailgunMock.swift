public import Foundation
public import Hummingbird
public import Logging
/// Public because `SendAlertHit` appears in this file's public API.
public import Mailroom
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A stateful, local, Mailgun-compatible HTTP server for tests and local development.
///
/// It speaks Mailgun's API — sending (`messages`, `messages.mime`), stored messages, unsubscribes,
/// bounces, complaints and send alerts — with Mailgun's validation and error messages, checks HTTP
/// Basic credentials, keeps everything it accepts for inspection, and can be told to fail. Like
/// Mailgun, it posts signed events (`accepted`, `delivered`, `failed`, …) to configured webhook
/// URLs, with outcomes scripted per recipient (``script(_:for:)``) and retries.
///
/// ```swift
/// try await MailgunMock.withRunning(.init(apiKeys: ["key-test"], domains: ["acme.test"])) { mock in
///     // point a client at mock.baseURL (http://127.0.0.1:PORT)
///     let sent = await mock.messages()
/// }
/// ```
///
/// For a long-running mock, run ``makeApplication(logger:onStart:)`` as a swift-service-lifecycle
/// service, or the `mailgun-mock` executable.
public struct MailgunMock: Sendable {
    /// How the mock listens and what it accepts.
    public struct Configuration: Sendable {
        /// The API keys accepted as the Basic password (user `api`).
        public var apiKeys: [String]
        /// Keys with a user on them (Mailgun's `web` keys), accepted like ``apiKeys``; only these
        /// may ask `/v5/users/me`, which answers the seeded owner. Default none.
        public var webKeys: [String]
        /// The domains that exist at the start, active with valid DNS records; others answer 404
        /// until created through the API.
        public var domains: [String]
        /// The address to listen on. Default `127.0.0.1`.
        public var host: String
        /// The port; `0` picks a free one. Default `0`.
        public var port: Int
        /// The largest request body accepted before 413. Default 25 MB, as Mailgun.
        public var maximumMessageSize: Int
        /// Where events are posted and how they are signed. Default: nowhere.
        public var webhooks: MockWebhookSettings
        /// The clock for timestamps. Default: the system clock.
        public var now: @Sendable () -> Date

        /// Creates a configuration; every member has the default its documentation states.
        public init(
            apiKeys: [String],
            webKeys: [String] = [],
            domains: [String],
            host: String = "127.0.0.1",
            port: Int = 0,
            maximumMessageSize: Int = 25 * 1_024 * 1_024,
            webhooks: MockWebhookSettings = MockWebhookSettings(),
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.apiKeys = apiKeys
            self.webKeys = webKeys
            self.domains = domains
            self.host = host
            self.port = port
            self.maximumMessageSize = maximumMessageSize
            self.webhooks = webhooks
            self.now = now
        }
    }

    /// The configuration the mock was made with.
    public let configuration: Configuration
    let state: MailgunMockState
    private let listening = NIOLockedValueBox<String?>(nil)
    private let jobs: AsyncStream<WebhookDispatcher.Job>
    private let queue: AsyncStream<WebhookDispatcher.Job>.Continuation

    /// Creates a mock; it listens once its application runs.
    ///
    /// - Parameter configuration: Keys, domains, address, limits and webhooks.
    public init(configuration: Configuration) {
        self.configuration = configuration
        self.state = MailgunMockState(domains: configuration.domains, webhooks: configuration.webhooks, now: configuration.now)
        (jobs, queue) = AsyncStream<WebhookDispatcher.Job>.makeStream()
    }

    /// `http://HOST:PORT` once the server is listening; empty before.
    public var baseURL: String { listening.withLockedValue { $0 } ?? "" }

    /// Every message accepted since the start or the last ``reset()``, in order.
    public func messages() async -> [MockMessage] { await state.messages }

    /// Forgets messages, suppressions, alerts, pending faults, scripted outcomes, webhook
    /// deliveries and the request log; keeps the webhook settings.
    public func reset() async { await state.reset() }

    /// Every API request answered since the start or the last ``reset()``, in order (the
    /// inspection API's own requests are not listed).
    public func requests() async -> [MockRequest] { await state.requests }

    /// Replaces where events are posted and how they are signed.
    ///
    /// - Parameter settings: The URLs per webhook type, the signing key and the retry schedule.
    public func setWebhooks(_ settings: MockWebhookSettings) async { await state.setWebhooks(settings) }

    /// Makes every later message to `recipient` end as `outcome`, delivered as events and
    /// applied to the suppression tables.
    ///
    /// - Parameters:
    ///   - outcome: What happens, e.g. ``MockOutcome/bounce``.
    ///   - recipient: The bare address.
    public func script(_ outcome: MockOutcome, for recipient: String) async { await state.script(outcome, for: recipient) }

    /// Every webhook delivery so far, in the order they started, with their attempts.
    public func webhookDeliveries() async -> [MockWebhookDelivery] { await state.deliveries }

    /// Waits until `count` webhook deliveries have finished (answered 200 or 406, or out of retries).
    ///
    /// - Parameters:
    ///   - count: How many finished deliveries to wait for.
    ///   - timeout: How long to wait at most: a guard against a delivery that never ends, not a
    ///     measure (a loaded machine running many tests at once can be slow). Default 60 seconds.
    /// - Returns: Every delivery so far.
    /// - Throws: ``MockDeliveryTimeout`` when the timeout passes first, with how many had finished;
    ///   `CancellationError` when the waiting task is cancelled.
    public func webhookDeliveries(finished count: Int, timeout: Duration = .seconds(60)) async throws -> [MockWebhookDelivery] {
        guard await state.waitForFinishedDeliveries(count, timeout: timeout) else {
            try Task.checkCancellation()
            throw MockDeliveryTimeout(expected: count, finished: await state.finishedDeliveries, timeout: timeout)
        }
        return await state.deliveries
    }

    /// Scripts what a domain's DNS really holds: its records (or those of `recordType`) are
    /// published correctly or not. Mailgun's answers show it after the next verify, which then
    /// makes the domain active when every sending record is valid.
    ///
    /// - Parameters:
    ///   - published: Whether the records are published correctly.
    ///   - domain: The domain.
    ///   - recordType: Only records of this type (`TXT`, `CNAME`, `MX`); all when `nil`.
    /// - Returns: Whether the domain exists.
    @discardableResult
    public func setDNS(published: Bool, domain: String, recordType: String? = nil) async -> Bool {
        await state.updateDomain(named: domain) { domain in
            for index in domain.sending.indices where recordType == nil || domain.sending[index].type == recordType {
                domain.sending[index].published = published
            }
            for index in domain.receiving.indices where recordType == nil || domain.receiving[index].type == recordType {
                domain.receiving[index].published = published
            }
        } != nil
    }

    /// A domain's setting as last sent in Mailgun's form field `field` (e.g. `smtp_password`,
    /// which the API never echoes): what a test checks arrived.
    ///
    /// - Parameters:
    ///   - field: The form field's name.
    ///   - domain: The domain.
    /// - Returns: The value, or `nil` when the domain or the setting does not exist.
    public func domainSetting(_ field: String, of domain: String) async -> String? {
        await state.domain(named: domain)?.settings[field]
    }

    /// Records that a send alert fired; `GET /v1/thresholds/hits` lists it.
    ///
    /// - Parameter hit: The hit.
    public func recordAlertHit(_ hit: SendAlertHit) async { await state.recordHit(hit) }

    /// How many uses the queued faults have left, in all.
    public var pendingFaultCount: Int {
        get async { await state.pendingFaults.reduce(0) { $0 + $1.count } }
    }

    /// Queues a fault for the next matching requests.
    ///
    /// - Parameter fault: What to do instead of answering, and for which requests.
    public func inject(_ fault: MockFault) async { await state.inject(fault) }

    /// The Hummingbird application serving the mock; run it as a `Service` or with `runService()`.
    ///
    /// - Parameters:
    ///   - logger: Where the server logs.
    ///   - onStart: Called with the base URL once the server is listening.
    /// - Returns: The application.
    public func makeApplication(logger: Logger, onStart: @escaping @Sendable (String) async -> Void = { _ in }) -> some ApplicationProtocol {
        let responder = MailgunMockResponder(
            state: state,
            apiKeys: Set(configuration.apiKeys),
            webKeys: Set(configuration.webKeys),
            maximumMessageSize: configuration.maximumMessageSize,
            webhookQueue: queue
        )
        let dispatcher = WebhookDispatcher(state: state, jobs: jobs, logger: logger)
        let host = configuration.host
        let listening = self.listening
        let state = self.state
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "mailgun-mock"),
            services: [dispatcher],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                listening.withLockedValue { $0 = url }
                await state.setBaseURL(url)
                await onStart(url)
            },
            logger: logger
        )
    }

    /// Starts a mock on `configuration`'s address, runs `body` with it, and shuts it down.
    ///
    /// - Parameters:
    ///   - configuration: Keys, domains, address and limits; port `0` picks a free port.
    ///   - logger: Where the server logs. Default: nowhere.
    ///   - body: Work to do while the mock listens; ``baseURL`` is set.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or the server's start-up error.
    public static func withRunning<Result: Sendable>(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "mailgun-mock", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (MailgunMock) async throws -> Result
    ) async throws -> Result {
        let mock = MailgunMock(configuration: configuration)
        let (started, continuation) = AsyncStream<Void>.makeStream()
        let application = mock.makeApplication(logger: logger) { _ in continuation.finish() }
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await services.run()
            }
            for await _ in started {}
            guard !mock.baseURL.isEmpty else {
                try await tasks.waitForAll()
                throw CancellationError()
            }
            do {
                let result = try await body(mock)
                await services.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
