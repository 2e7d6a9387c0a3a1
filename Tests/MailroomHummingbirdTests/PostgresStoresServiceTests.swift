import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Mailroom
import MailroomArchive
import MailroomHummingbird
import MailroomPostgres
import MailroomTestSupport
import MailroomTesting
import PostgresNIO
import Testing

/// A Hummingbird app that owns a `PostgresClient`, run as a `Service` in its service group beside
/// `MailroomService`, and sends through the PostgreSQL mirror and archive on it.
@Suite(.enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipNote))
struct PostgresStoresServiceTests {
    @Test func anAppRunsItsClientAsAServiceAndSendsThroughThePostgresStores() async throws {
        let url = try PostgresTestServer.configuredURL()
        let logger = PostgresTestServer.logger
        try await PostgresTestServer.withSchema { _, schema in
            let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
            let provider = InMemoryMailer()
            let suppressions = PostgresSuppressionStore.Configuration(schema: schema, openTimeout: PostgresTestServer.openTimeout)
            let archiveConfiguration = PostgresArchiveStore.Configuration(schema: schema, openTimeout: PostgresTestServer.openTimeout)
            let router = Router()
            router.post("welcome") { request, _ -> String in
                // Opening applies nothing once the migrations ran; the client is the app's service.
                let local = try await PostgresSuppressionStore.open(client: client, configuration: suppressions, logger: logger)
                let archive = try await PostgresArchiveStore.open(client: client, configuration: archiveConfiguration, logger: logger)
                let mailer = SuppressingMailer(wrapping: ArchivingMailer(wrapping: provider, store: archive), store: local)
                let to = try EmailAddress(request.uri.queryParameters["to"].map(String.init) ?? "", field: "to")
                let receipt = try await mailer.send(Email(from: "Acme <hello@acme.test>", to: [to], subject: "Welcome", text: "Hi"), logger: logger)
                return "\(receipt.accepted.map(\.mailbox)) \(receipt.suppressed.map(\.mailbox))"
            }
            let service = MailroomService<PostgresSuppressionStore>(mirror: nil, logger: logger)
            let app = Application(router: router, services: [client, service], logger: logger)
            try await app.test(.live) { http in
                // Another instance's write: this app's next send sees it.
                let other = try await PostgresSuppressionStore.open(client: client, configuration: suppressions, logger: logger)
                try await other.add(.complaint("angry@example.com"), logger: logger)
                try await http.execute(uri: "/welcome?to=angry@example.com", method: .post) { response in
                    #expect(String(buffer: response.body) == #"[] ["angry@example.com"]"#)
                }
                try await http.execute(uri: "/welcome?to=zoe@example.com", method: .post) { response in
                    #expect(String(buffer: response.body) == #"["zoe@example.com"] []"#)
                }
                let archive = try await PostgresArchiveStore.open(client: client, configuration: archiveConfiguration, logger: logger)
                let entries = try await archive.entries(matching: ArchiveQuery())
                #expect(entries.map(\.recipients) == [["zoe@example.com"]])
                #expect(entries.map(\.state) == [.sent])
            }
            #expect(provider.sent.count == 1)
        }
    }
}
