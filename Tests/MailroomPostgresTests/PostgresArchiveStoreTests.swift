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

    static func storedBytes(_ id: String, schema: String, client: PostgresClient) async throws -> [UInt8]? {
        var found: [UInt8]?
        for try await bytes in try await client.query("SELECT gzip FROM \(unescaped: schema).archive_bodies WHERE id = \(id)", logger: logger).decode(ByteBuffer.self) {
            found = Array(buffer: bytes)
        }
        return found
    }
}
