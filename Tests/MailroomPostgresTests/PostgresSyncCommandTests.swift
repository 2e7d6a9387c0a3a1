import Foundation
import Logging
import MailgunMock
import Mailroom
import MailroomMailgun
import MailroomPostgres
import MailroomTestSupport
import Testing

/// `mailroom suppressions sync --postgres URL`, run as a process against MailgunMock and a real
/// PostgreSQL.
@Suite(.enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipNote))
struct PostgresSyncCommandTests {
    static let key = "key-postgres-sync-SECRET"
    static let logger = PostgresTestServer.logger

    @Test func syncFillsThePostgresMirrorAndShowsNoSecret() async throws {
        let url = try PostgresTestServer.configuredURL()
        let raw = try #require(PostgresTestServer.url)
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            let mailgun = MailgunSuppressionStore(client: MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.key, region: .custom(mock.baseURL), domain: "acme.test")))
            try await mailgun.add(contentsOf: (0..<30).map { .bounce(EmailAddress(stringLiteral: "b\($0)@example.com")) }, logger: Self.logger)
            try await mailgun.add(.unsubscribe("news@example.com", tags: ["news"]), logger: Self.logger)
            try await PostgresTestServer.withSchema { client, schema in
                let environment = MailroomProcess.environment(["MAILGUN_API_KEY": Self.key, "MAILGUN_BASE_URL": mock.baseURL, "MAILGUN_DOMAIN": "acme.test"])
                let result = try await MailroomProcess.run(
                    ["suppressions", "sync", "--postgres", raw, "--postgres-schema", schema, "--page-size", "20", "--json"], environment: environment
                )
                #expect(result.status == 0, "\(result.stderr)")
                let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
                #expect(summary["database"] as? String == url.description, "the URL without its password")
                let printed = result.output + result.stderr
                #expect(!printed.contains(url.password ?? "no password") && !printed.contains(Self.key))
                let lists = summary["lists"] as? [[String: Any]] ?? []
                #expect(lists.map { "\($0["list"] ?? "") \($0["entries"] ?? "")" } == ["unsubscribes 1", "bounces 30", "complaints 0"])

                let store = try await PostgresSuppressionStore.open(client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger)
                #expect(try await store.get(.bounce, address: "b7@example.com", logger: Self.logger) != nil)
                #expect(try await store.get(.unsubscribe, address: "news@example.com", logger: Self.logger)?.tags == ["news"])
            }
        }
    }
}
