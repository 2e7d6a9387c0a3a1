import Foundation
import Logging
import Mailroom
import MailroomConformance
import MailroomSQLite
import MailroomTestSupport
import MailroomTesting
import Testing

/// The SQLite mirror: the conformance suites, persistence, batch look-ups and several writers.
@Suite struct SQLiteSuppressionStoreTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs `body` with a store on a fresh file in a temporary directory.
    static func withStore<T: Sendable>(_ body: (SQLiteSuppressionStore, String) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory()
        let path = (directory.path as NSString).appendingPathComponent("nested/suppressions.sqlite")
        return try await SQLiteSuppressionStore.withStore(path: path) { store in try await body(store, path) }
    }

    static func implementation(_ store: SQLiteSuppressionStore) -> MailroomImplementation {
        MailroomImplementation(name: "sqlite", mailer: InMemoryMailer(), suppressions: store, alerts: InMemoryAlertSink(), delivered: { [] })
    }

    @Test(arguments: MailroomConformance.suppressionStoreChecks + MailroomConformance.replicaChecks)
    func conforms(check: ConformanceCheck) async throws {
        try await Self.withStore { store, _ in try await check.run(on: Self.implementation(store)) }
    }

    @Test(arguments: MailroomConformance.replicaChecks + [MailroomConformance.suppressionStoreChecks.last].compactMap { $0 })
    func theInMemoryReplicaConforms(check: ConformanceCheck) async throws {
        let implementation = MailroomImplementation(
            name: "in-memory", mailer: InMemoryMailer(), suppressions: InMemorySuppressionStore(), alerts: InMemoryAlertSink(), delivered: { [] }
        )
        try await check.run(on: implementation)
    }

    @Test func entriesSurviveReopeningAndTheFileIsWAL() async throws {
        let directory = try TemporaryDirectory()
        let path = (directory.path as NSString).appendingPathComponent("suppressions.sqlite")
        try await SQLiteSuppressionStore.withStore(path: path) { store in
            try await store.add(.bounce("Bob@Example.com", code: "550", error: "5.1.1 no such user"), logger: Self.logger)
            try await store.add(.unsubscribe("ann@example.com", tags: ["news"]), logger: Self.logger)
            try await store.add(.unsubscribe("ann@example.com", tags: ["promo", "news"]), logger: Self.logger)
        }
        try await SQLiteSuppressionStore.withStore(path: path) { store in
            let bounce = try await store.get(.bounce, address: "bob@example.com", logger: Self.logger)
            #expect(bounce?.address.mailbox == "Bob@Example.com")
            #expect(bounce?.code == "550")
            #expect(bounce?.error == "5.1.1 no such user")
            #expect(try await store.get(.unsubscribe, address: "ann@example.com", logger: Self.logger)?.tags == ["news", "promo"])
        }
        // The journal mode is persistent in the file: read it back with Python's sqlite3, an independent reader.
        let mode = try await Executable.run("python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('pragma journal_mode').fetchone()[0])", path])
        #expect(mode.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
    }

    @Test func aBatchOfAThousandIsAnsweredInOrder() async throws {
        try await Self.withStore { store, _ in
            let addresses = (0..<1_000).map { EmailAddress(stringLiteral: "r\($0)@example.com") }
            try await store.add(contentsOf: addresses.enumerated().filter { $0.offset % 10 == 0 }.map { .bounce($0.element) }, logger: Self.logger)
            try await store.add(contentsOf: addresses.enumerated().filter { $0.offset % 10 == 5 }.map { .unsubscribe($0.element, tags: ["news"]) }, logger: Self.logger)
            let news = try await store.suppressions(for: addresses, taggedWith: ["news"], logger: Self.logger)
            #expect(news.count == 1_000)
            #expect(news.enumerated().allSatisfy { index, verdict in (verdict != nil) == (index % 5 == 0) })
            #expect(news[10]?.kind == .bounce && news[15]?.kind == .unsubscribe)
            let other = try await store.suppressions(for: addresses, taggedWith: ["receipts"], logger: Self.logger)
            #expect(other.compactMap { $0 }.count == 100)
        }
    }

    @Test func twoStoresOnOneFileShareEveryWrite() async throws {
        try await Self.withStore { first, path in
            try await SQLiteSuppressionStore.withStore(path: path) { second in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<100 {
                        let store = index.isMultiple(of: 2) ? first : second
                        group.addTask { try await store.add(.unsubscribe(EmailAddress(stringLiteral: "shared@example.com"), tags: ["t\(index)"]), logger: Self.logger) }
                        group.addTask { try await store.add(.complaint(EmailAddress(stringLiteral: "c\(index)@example.com")), logger: Self.logger) }
                    }
                    try await group.waitForAll()
                }
                let tags = try await second.get(.unsubscribe, address: "shared@example.com", logger: Self.logger)?.tags ?? []
                #expect(Set(tags) == Set((0..<100).map { "t\($0)" }), "no tag lost between the two writers")
                #expect(try await first.list(.complaint).collect().count == 100)
            }
        }
    }

    @Test func aFileThatCannotBeCreatedIsAStorageError() async throws {
        let directory = try TemporaryDirectory()
        let blocker = try directory.write([1], named: "file")
        let error = await #expect(throws: MailroomError.self) {
            _ = try await SQLiteSuppressionStore.open(path: blocker + "/suppressions.sqlite")
        }
        #expect(error?.code == .storage)
        #expect(error?.field == "path")
    }
}

extension SQLiteSuppressionStoreTests {
    @Test func aStoreReleasedWithoutCloseClosesItselfAndCloseTwiceIsHarmless() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/s.sqlite"
        do {
            let dropped = try await SQLiteSuppressionStore.open(path: path)
            try await dropped.add(.complaint("a@example.com"), logger: Self.logger)
        }
        let store = try await SQLiteSuppressionStore.open(path: path)
        #expect(try await store.get(.complaint, address: "a@example.com", logger: Self.logger) != nil)
        try await store.close()
        try await store.close()
    }
}

extension SQLiteSuppressionStoreTests {
    /// sqlite-nio's calls throw when their task is cancelled; a write cancelled between `BEGIN`
    /// and `COMMIT` used to leave the connection inside the transaction, so every later write
    /// failed. Writes now finish (or roll back) whatever the caller's task does.
    @Test func cancellingWritersNeverLeavesATransactionOpen() async throws {
        try await Self.withStore { store, _ in
            for trial in 0..<20 {
                let writer = Task {
                    for index in 0..<200 {
                        try await store.add(.unsubscribe(EmailAddress(stringLiteral: "t\(trial)-\(index)@example.com"), tags: ["a", "b"]), logger: Self.logger)
                    }
                }
                try await Task.sleep(for: .milliseconds(trial % 5))
                writer.cancel()
                _ = await writer.result
                // Every write after the cancellation works, and the sync bookkeeping too.
                try await store.add(.complaint(EmailAddress(stringLiteral: "after\(trial)@example.com")), logger: Self.logger)
                _ = try await store.beginSync(.bounce, startedAt: Date(), logger: Self.logger)
                _ = try await store.finishSync(.bounce, logger: Self.logger)
            }
            #expect(try await store.list(.complaint).collect().count == 20)
        }
    }
}
