import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomConformance
import MailroomPostgres
import MailroomTestSupport
import NIOCore
import PostgresNIO
import Testing

/// The archive on a real PostgreSQL: the conformance suite (damage done to the rows), bytes that
/// standard tools read back, and migrations applied once when instances start together.
@Suite(.enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipNote))
struct PostgresArchiveStoreTests {
    static let logger = PostgresTestServer.logger

    @Test(arguments: ArchiveConformance.checks)
    func conforms(check: ArchiveConformanceCheck) async throws {
        try await PostgresTestServer.withSchema { client, schema in
            let clock = ConformanceClock()
            let store = try await PostgresArchiveStore.open(client: client, configuration: .init(schema: schema, now: { clock.now }, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger)
            let subject = ArchiveSubject(
                name: "postgres",
                store: store,
                clock: clock,
                reopen: { try await PostgresArchiveStore.open(client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger) },
                storedBytes: { id in try await Self.storedBytes(id, schema: schema, client: client) },
                replaceStoredBytes: { id, bytes in
                    if let bytes {
                        try await client.query("UPDATE \(unescaped: schema).archive_bodies SET gzip = \(ByteBuffer(bytes: bytes)) WHERE id = \(id)", logger: Self.logger)
                    } else {
                        try await client.query("DELETE FROM \(unescaped: schema).archive_bodies WHERE id = \(id)", logger: Self.logger)
                    }
                }
            )
            try await check.run(on: subject)
        }
    }

    /// The server crashing between running a write and committing it, as the relay shows it: the
    /// statement's `CommandComplete` arrives, its `ReadyForQuery` never does. The store reports the
    /// write as failed (nothing the caller was told is archived can be lost) and nothing of it is
    /// committed.
    @Test func aWriteIsReportedOnlyOnceTheServerCommittedIt() async throws {
        let url = try PostgresTestServer.configuredURL()
        try await PostgresTestServer.withSchema { direct, schema in
            try await CommitCuttingProxy.with(upstreamHost: url.host, port: url.port) { proxy in
                // Plain bytes through the relay, which reads the server's messages.
                var relayedURL = url
                relayedURL.host = "127.0.0.1"
                relayedURL.port = proxy.port
                relayedURL.sslMode = "disable"
                try await relayedURL.withClient(logger: Self.logger) { relayed in
                    let configuration = PostgresArchiveStore.Configuration(schema: schema, openTimeout: PostgresTestServer.openTimeout, queryTimeout: .seconds(8))
                    let store = try await PostgresArchiveStore.open(client: relayed, configuration: configuration, logger: Self.logger)
                    let observer = try await PostgresArchiveStore.open(client: direct, configuration: configuration, logger: Self.logger)
                    let email = Email(from: "Ops <ops@acme.test>", to: [try EmailAddress("ada@example.com", field: "to")], subject: "Cut", text: "Hello.")

                    proxy.arm("INSERT")
                    let refused = await #expect(throws: MailroomError.self) {
                        try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: Self.logger)
                    }
                    #expect(proxy.cuts == ["INSERT 0 1"])
                    Self.expectTransientStorageError(refused, doing: "recording a message")
                    #expect(try await observer.count(matching: ArchiveQuery()) == 0, "the cut transaction is not committed")

                    let entry = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: Self.logger)
                    proxy.arm("UPDATE")
                    let unsettled = await #expect(throws: MailroomError.self) {
                        try await store.settle(entry.id, outcome: .sent(providerID: "<1@mailgun.test>"), logger: Self.logger)
                    }
                    #expect(proxy.cuts == ["INSERT 0 1", "UPDATE 1"])
                    Self.expectTransientStorageError(unsettled, doing: "settling a message")
                    let stored = try await observer.entries(matching: ArchiveQuery(id: entry.id))
                    #expect(stored.map(\.state) == [.pending] && stored.map(\.revision) == [1])

                    proxy.arm("DELETE")
                    let unpruned = await #expect(throws: MailroomError.self) {
                        try await store.prune(olderThan: Date(timeIntervalSinceNow: 3_600))
                    }
                    #expect(proxy.cuts == ["INSERT 0 1", "UPDATE 1", "DELETE 1"])
                    Self.expectTransientStorageError(unpruned, doing: "pruning the archive")
                    #expect(try await observer.count(matching: ArchiveQuery()) == 1)

                    // Uncut, every write goes through the relay as before.
                    let settled = try await store.settle(entry.id, outcome: .sent(providerID: "<1@mailgun.test>"), logger: Self.logger)
                    #expect(settled.state == .sent && settled.revision == 2)
                    #expect(try await store.prune(olderThan: Date(timeIntervalSinceNow: 3_600)).map(\.id) == [entry.id])
                    #expect(proxy.cuts.count == 3)
                }
            }
        }
    }

    /// A cut write's error: transient storage, naming what failed. Either postgres-nio reports the
    /// closed connection ("PostgreSQL failed …") or the `COMMIT` it sent stays suspended
    /// (PostgresDeadline) and the query timeout answers ("PostgreSQL did not answer …").
    static func expectTransientStorageError(_ error: MailroomError?, doing: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error?.code == .storage && error?.isTransient == true, sourceLocation: sourceLocation)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("PostgreSQL failed \(doing)") || message.hasPrefix("PostgreSQL did not answer \(doing)"), "\(message)", sourceLocation: sourceLocation)
    }

    static func storedBytes(_ id: String, schema: String, client: PostgresClient) async throws -> [UInt8]? {
        var found: [UInt8]?
        for try await bytes in try await client.query("SELECT gzip FROM \(unescaped: schema).archive_bodies WHERE id = \(id)", logger: logger).decode(ByteBuffer.self) {
            found = Array(buffer: bytes)
        }
        return found
    }
}
