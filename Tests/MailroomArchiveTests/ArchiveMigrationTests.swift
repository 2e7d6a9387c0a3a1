import Foundation
import Mailroom
import MailroomArchive
import MailroomTestSupport
import Testing

@Suite("FileArchiveStore: the first layout, migrated")
struct ArchiveMigrationTests {
    /// `Tests/Fixtures/archive-v1`: written by `mailroom send` before the index moved into SQLite.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/archive-v1").path

    /// A copy of the fixture to migrate, so the committed one stays as written.
    static func copy() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try FileManager.default.removeItem(atPath: directory.path)
        try FileManager.default.copyItem(atPath: fixture, toPath: directory.path)
        try? FileManager.default.removeItem(atPath: "\(directory.path)/README.md")
        return directory
    }

    @Test("an archive in the first layout is migrated when opened: every entry and outcome kept, the old index files removed")
    func migratesFixture() async throws {
        let directory = try Self.copy()
        let messages = ArchiveFixtures.files(in: directory.path).filter { $0.hasSuffix(".eml.gz") }
        let before = try messages.map { try Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/\($0)")) }
        #expect(messages.count == 4)

        let store = try FileArchiveStore(directory: directory.path)
        let entries = try await store.entries(matching: ArchiveQuery())
        let byID = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0) })
        #expect(entries.count == 4)
        #expect(entries.map(\.id) == byID.keys.sorted().reversed())
        #expect(byID["20261201-213134-56d757aa6805"]?.state == .outbox)  // its metadata file was gone: the day index held it
        #expect(byID["20261201-213134-56d757aa6805"]?.subject == "Invoice March")
        #expect(byID["20261201-213134-56d757aa6805"]?.tags == ["billing"])
        #expect(byID["20261201-213134-2cc7c635c560"]?.recipients == ["ann@example.com", "bob@example.com"])
        let sent = try #require(byID["20261201-213134-81fe400fb9ae"])
        #expect(sent.state == .sent)
        #expect(sent.providerID == "<1796160694855.1.770283a2@mg.example.com>")
        #expect(sent.revision == 2)
        let failed = try #require(byID["20261201-213134-646b3c7d2240"])
        #expect(failed.state == .failed)
        #expect(failed.failure == "Mailgun rejected the API key (HTTP 401): Forbidden")

        // The old index files are gone; the messages are byte for byte as they were.
        let files = ArchiveFixtures.files(in: directory.path)
        #expect(!files.contains { $0.hasSuffix(".json") || $0 == "index.lock" })
        #expect(try messages.map { try Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/\($0)")) } == before)
        let verification = try await store.verify()
        #expect(verification.checked == 4)
        #expect(verification.findings.isEmpty)

        // The migrated messages are searchable by their bodies, and a reopened store sees the same.
        #expect(try await store.entries(matching: ArchiveQuery(text: "total EUR")).map(\.id) == ["20261201-213134-56d757aa6805"])
        #expect(try await store.entries(matching: ArchiveQuery(tag: "onboarding", text: "welcome")).map(\.id) == ["20261201-213134-2cc7c635c560"])
        #expect(try await FileArchiveStore(directory: directory.path).entries(matching: ArchiveQuery()) == entries)
    }

    @Test("two stores opening the first layout at once migrate it once")
    func concurrentMigration() async throws {
        let directory = try Self.copy()
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask { try await FileArchiveStore(directory: directory.path).count(matching: ArchiveQuery()) }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == [4, 4, 4, 4])
        #expect(try await FileArchiveStore(directory: directory.path).entries(matching: ArchiveQuery(state: .sent)).count == 1)
    }
}
