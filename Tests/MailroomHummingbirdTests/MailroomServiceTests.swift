import Configuration
import Foundation
import Logging
import MailgunMock
import Mailroom
import MailroomHummingbird
import MailroomMailgun
import MailroomSQLite
import MailroomTestSupport
import ServiceLifecycle
import Testing

/// A clock the test moves: each `sleep` waits for the test's next tick.
final class ManualTicks: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let sleeps: AsyncStream<Duration>.Continuation
    let requested: AsyncStream<Duration>

    init() {
        (stream, continuation) = AsyncStream<Void>.makeStream()
        (requested, sleeps) = AsyncStream<Duration>.makeStream()
    }

    /// The service's sleep: reports the wait it asked for, then returns at the next tick (or throws when cancelled).
    func sleep(_ duration: Duration) async throws {
        sleeps.yield(duration)
        var iterator = stream.makeAsyncIterator()
        _ = await iterator.next()
        try Task.checkCancellation()
    }

    func tick() { continuation.yield() }
}

/// Closes are recorded, so a test sees the store closed after shutdown.
actor CloseRecord {
    private(set) var closed = 0
    func close() { closed += 1 }
}

@Suite struct MailroomServiceTests {
    static let key = "key-service-SECRET"
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func syncsAtStartThenEveryIntervalAndClosesOnGracefulShutdown() async throws {
        let directory = try TemporaryDirectory()
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            let client = MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.key, region: .custom(mock.baseURL), domain: "acme.test"))
            let mailgun = MailgunSuppressionStore(client: client)
            try await mailgun.add(.bounce("first@example.com"), logger: Self.logger)
            let local = try await SQLiteSuppressionStore.open(path: directory.path + "/mirror.sqlite")
            let ticks = ManualTicks()
            let closes = CloseRecord()
            let service = MailroomService(
                mirror: MailgunSuppressionMirror(mailgun: mailgun, local: local),
                configuration: .init(interval: .seconds(600)), logger: Self.logger,
                close: { await closes.close(); try await local.close() },
                sleep: { try await ticks.sleep($0) }
            )
            let group = ServiceGroup(configuration: .init(services: [service], logger: Self.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var waits = ticks.requested.makeAsyncIterator()
                // The first sleep is asked for only after the start-up sync.
                #expect(await waits.next() == .seconds(600))
                #expect(try await local.get(.bounce, address: "first@example.com", logger: Self.logger) != nil)
                try await mailgun.add(.complaint("second@example.com"), logger: Self.logger)
                #expect(try await local.get(.complaint, address: "second@example.com", logger: Self.logger) == nil, "no sync before the interval")
                ticks.tick()
                #expect(await waits.next() == .seconds(600))
                #expect(try await local.get(.complaint, address: "second@example.com", logger: Self.logger) != nil, "synced after one interval")
                // Shutdown cancels the pending sleep; no tick is needed and no third sync runs.
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(await closes.closed == 1)
            let listRequests = await mock.requests().filter { $0.method == "GET" && $0.isSuppressionRequest }.count
            // Two syncs of three lists; a list with entries takes its page and the empty page that ends it:
            // first 2 (bounces) + 1 + 1, then 2 (bounces) + 2 (complaints) + 1.
            #expect(listRequests == 9)
        }
    }

    @Test func withoutMailgunItWaitsForShutdownAndCloses() async throws {
        let directory = try TemporaryDirectory()
        let local = try await SQLiteSuppressionStore.open(path: directory.path + "/mirror.sqlite")
        let closes = CloseRecord()
        let service = MailroomService<SQLiteSuppressionStore>(mirror: nil, logger: Self.logger, close: { await closes.close(); try await local.close() })
        let group = ServiceGroup(configuration: .init(services: [service], logger: Self.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(50))
            #expect(await closes.closed == 0, "run() does not return early")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await closes.closed == 1)
    }

    @Test func mailgunConfigurationFromAConfigReader() throws {
        let reader = ConfigReader(provider: InMemoryProvider(values: [
            "mailgun.apiKey": .init(.string(Self.key), isSecret: true),
            "mailgun.domain": "acme.test",
            "mailgun.baseURL": "http://127.0.0.1:8025",
        ]))
        let configuration = try MailgunConfiguration(reader: reader.scoped(to: "mailgun"))
        #expect(configuration.apiKey == Self.key)
        #expect(configuration.domain == "acme.test")
        #expect(configuration.region.baseURL == "http://127.0.0.1:8025")
        #expect(try MailgunConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["mailgun.apiKey": "k", "mailgun.region": "eu"])).scoped(to: "mailgun")).region.baseURL == "https://api.eu.mailgun.net")

        let environment = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: ["MAILGUN_API_KEY": "key-env", "MAILGUN_BASE_URL": "http://mail.example.com"]))
        let error = #expect(throws: MailroomError.self) { try MailgunConfiguration(reader: environment.scoped(to: "mailgun")) }
        #expect(error?.code == .configuration)
        #expect(error?.field == "baseURL")
        #expect(!(error?.description.contains("key-env") ?? true))
        let missing = #expect(throws: MailroomError.self) { try MailgunConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: [:])).scoped(to: "mailgun")) }
        #expect(missing?.field == "apiKey")
    }
}
