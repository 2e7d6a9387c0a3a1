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
        let mailroom = try #require(Executable.besideTests("mailroom"), "build the mailroom executable first (swift build)")
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            let mailgun = MailgunSuppressionStore(client: MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.key, region: .custom(mock.baseURL), domain: "acme.test")))
            try await mailgun.add(contentsOf: (0..<30).map { .bounce(EmailAddress(stringLiteral: "b\($0)@example.com")) }, logger: Self.logger)
            try await mailgun.add(.unsubscribe("news@example.com", tags: ["news"]), logger: Self.logger)
            try await PostgresTestServer.withSchema { client, schema in
                var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MAILGUN_") && !$0.key.hasPrefix("MAILROOM_") }
                environment.merge(["MAILGUN_API_KEY": Self.key, "MAILGUN_BASE_URL": mock.baseURL, "MAILGUN_DOMAIN": "acme.test"]) { _, new in new }
                let (status, stdout, stderr) = try await Self.run(
                    mailroom, ["suppressions", "sync", "--postgres", raw, "--postgres-schema", schema, "--page-size", "20", "--json"], environment: environment
                )
                #expect(status == 0, "\(stderr)")
                let summary = try #require(try JSONSerialization.jsonObject(with: Data(stdout)) as? [String: Any])
                #expect(summary["database"] as? String == url.description, "the URL without its password")
                let printed = String(decoding: stdout, as: UTF8.self) + stderr
                #expect(!printed.contains(url.password ?? "no password") && !printed.contains(Self.key))
                let lists = summary["lists"] as? [[String: Any]] ?? []
                #expect(lists.map { "\($0["list"] ?? "") \($0["entries"] ?? "")" } == ["unsubscribes 1", "bounces 30", "complaints 0"])

                let store = try await PostgresSuppressionStore.open(client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger)
                #expect(try await store.get(.bounce, address: "b7@example.com", logger: Self.logger) != nil)
                #expect(try await store.get(.unsubscribe, address: "news@example.com", logger: Self.logger)?.tags == ["news"])
            }
        }
    }

    /// Runs `executable` on a thread of its own: waiting on the concurrency pool would starve the
    /// mock server in this process that the child talks to.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]) async throws -> (Int32, [UInt8], String) {
        try await OwnThread.run {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.environment = environment
            let output = Pipe()
            let errors = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString).err")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: errors) }
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            let stdout = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, Array(stdout), (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
        }
    }
}
