import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomPostgres
import MailroomTestSupport
import MailroomTesting
import MailroomVapor
import PostgresNIO
import Testing
import Vapor
import VaporTesting

/// A Vapor app on the PostgreSQL stores shared by its instances: the suppression mirror and the
/// archive on one `PostgresClient` the app runs, given to `app.mailroom` as stores.
@Suite(.enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipNote))
struct PostgresStoresTests {
    @Test func routesSendThroughThePostgresMirrorAndArchive() async throws {
        try await PostgresTestServer.withSchema { client, schema in
            let logger = PostgresTestServer.logger
            let suppressions = try await PostgresSuppressionStore.open(
                client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: logger
            )
            let archive = try await PostgresArchiveStore.open(
                client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: logger
            )
            // Written by another instance: this one's next send sees it.
            try await suppressions.add(.complaint("angry@example.com"), logger: logger)
            try await withMailroomApp(configure: { app in
                app.mailroom.use(.memory)
                app.mailroom.suppressions.use(.store(suppressions))
                app.mailroom.archive.use(.store(archive))
                addSendingRoutes(to: app)
            }) { app in
                try await app.testing().test(.POST, "welcome?to=angry@example.com") { response in
                    #expect(response.body.string == #"- [] ["angry@example.com"]"#)
                }
                try await app.testing().test(.POST, "welcome?to=zoe@example.com") { response in
                    #expect(response.status == .ok)
                }
                #expect(app.mailroom.memory.sent.count == 1)
            }
            // Suppressions first: only the message that went out is archived, as sent.
            let entries = try await archive.entries(matching: ArchiveQuery())
            #expect(entries.map(\.recipients) == [["zoe@example.com"]])
            #expect(entries.map(\.state) == [.sent])
        }
    }
}
