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
            // Two syncs of three lists, one request each: every page is shorter than its limit, which ends the list.
            #expect(listRequests == 6)
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

/// A SQLite replica that calls `afterPage` once a given number of sync pages were stored.
final class ObservedReplica: SuppressionReplica {
    let base: SQLiteSuppressionStore
    private let pages = ManagedCounter()
    private let trigger: Int
    private let afterPage: @Sendable () async -> Void

    init(base: SQLiteSuppressionStore, trigger: Int, afterPage: @escaping @Sendable () async -> Void) {
        self.base = base
        self.trigger = trigger
        self.afterPage = afterPage
    }

    func add(_ suppression: Suppression, logger: Logger) async throws { try await base.add(suppression, logger: logger) }
    func add(contentsOf suppressions: [Suppression], logger: Logger) async throws { try await base.add(contentsOf: suppressions, logger: logger) }
    func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? { try await base.get(kind, address: address, logger: logger) }
    func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws { try await base.remove(kind, address: address, tag: tag, logger: logger) }
    func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws { try await base.removeAll(kind, logger: logger) }
    func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence { base.list(kind, pageSize: pageSize, logger: logger) }
    func beginSync(_ kind: Suppression.Kind, startedAt: Date, logger: Logger) async throws -> SuppressionSyncCheckpoint {
        try await base.beginSync(kind, startedAt: startedAt, logger: logger)
    }
    func applySyncPage(_ page: [Suppression], of kind: Suppression.Kind, next: String?, logger: Logger) async throws -> SuppressionSyncCheckpoint {
        let checkpoint = try await base.applySyncPage(page, of: kind, next: next, logger: logger)
        if await pages.increment() == trigger { await afterPage() }
        return checkpoint
    }
    func finishSync(_ kind: Suppression.Kind, logger: Logger) async throws -> Int { try await base.finishSync(kind, logger: logger) }
}

actor ManagedCounter {
    private var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}

extension MailroomServiceTests {
    @Test func gracefulShutdownDuringASyncKeepsWholePagesAndTheNextSyncResumes() async throws {
        let directory = try TemporaryDirectory()
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            let client = MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.key, region: .custom(mock.baseURL), domain: "acme.test"))
            let mailgun = MailgunSuppressionStore(client: client)
            try await mailgun.add(contentsOf: (0..<2_500).map { .bounce(EmailAddress(stringLiteral: "b\(String(10_000 + $0).dropFirst())@example.com")) }, logger: Self.logger)
            let local = try await SQLiteSuppressionStore.open(path: directory.path + "/mirror.sqlite")
            let groupBox = GroupBox()
            // Unsubscribes and complaints are empty; the bounces' second page triggers the shutdown.
            let observed = ObservedReplica(base: local, trigger: 2) { await groupBox.shutdown() }
            let service = MailroomService(
                mirror: MailgunSuppressionMirror(mailgun: mailgun, local: observed),
                configuration: .init(interval: nil, pageSize: 250), logger: Self.logger
            )
            let group = ServiceGroup(configuration: .init(services: [service], logger: Self.logger))
            await groupBox.set(group)
            try await group.run()

            let stored = try await local.list(.bounce, pageSize: 1_000, logger: Self.logger).collect().count
            let checkpoint = try await local.beginSync(.bounce, startedAt: Date(), logger: Self.logger)
            #expect(stored == checkpoint.entriesApplied, "the checkpoint counts exactly what was committed")
            #expect(stored >= 500 && stored < 2_500 && stored % 250 == 0, "whole pages only: \(stored)")
            let summaries = try await MailgunSuppressionMirror(mailgun: mailgun, local: local).sync(pageSize: 250, logger: Self.logger)
            let bounces = try #require(summaries.first { $0.kind == .bounce })
            #expect(bounces.resumed && bounces.entries == 2_500)
            #expect(try await local.list(.bounce, pageSize: 1_000, logger: Self.logger).collect().count == 2_500)
            try await local.close()
        }
    }
}

/// Holds the service group so a callback inside it can trigger its graceful shutdown.
actor GroupBox {
    private var group: ServiceGroup?
    func set(_ group: ServiceGroup) { self.group = group }
    func shutdown() async { await group?.triggerGracefulShutdown() }
}
