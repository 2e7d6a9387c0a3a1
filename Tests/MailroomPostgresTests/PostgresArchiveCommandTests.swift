import Foundation
import Logging
import MailgunMock
import Mailroom
import MailroomArchive
import MailroomPostgres
import MailroomTestSupport
import PostgresNIO
import Testing

/// `mailroom send` and the `mailroom archive` verbs on a PostgreSQL archive (`MAILROOM_ARCHIVE_URL`
/// or `--archive-url`), run as processes; standard tools (`psql`, `base64`, `gunzip`) read a
/// stored message back.
@Suite(.enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipNote))
struct PostgresArchiveCommandTests {
    static let key = "key-postgres-archive-SECRET"
    static let logger = PostgresTestServer.logger

    @Test func theOutboxAndEveryArchiveVerbWorkOnAPostgresArchiveWithoutShowingThePassword() async throws {
        let url = try PostgresTestServer.configuredURL()
        let raw = try #require(PostgresTestServer.url)
        let password = try #require(url.password)
        let directory = try TemporaryDirectory()
        try await PostgresTestServer.withSchema { client, schema in
            let environment = MailroomProcess.environment(["MAILROOM_ARCHIVE_URL": raw, "MAILROOM_ARCHIVE_SCHEMA": schema])
            func mailroom(_ arguments: [String], _ environment: [String: String] = environment) async throws -> MailroomProcess.Result {
                let result = try await MailroomProcess.run(arguments, environment: environment, directory: directory.path)
                #expect(!(result.output + result.stderr).contains(password), "the password never shows: \(arguments)")
                return result
            }

            let sent = try await mailroom([
                "send", "--from", "Acme Billing <billing@acme.test>", "--to", "Zoë <zoe@example.com>", "--subject", "Invoice March", "--text", "Your invoice for March.",
            ])
            #expect(sent.status == 0, "\(sent.stderr)")
            #expect(sent.stderr.contains("kept in the outbox of the archive at \(url.description) (schema \(schema)), not delivered"), "\(sent.stderr)")
            let id = try #require(sent.output.components(separatedBy: "id: ").last?.components(separatedBy: ",").first)
            #expect(!FileManager.default.fileExists(atPath: directory.path + "/.mailroom"), "nothing goes to the directory outbox")

            let listed = try await mailroom(["archive", "list", "--json"])
            #expect(listed.status == 0, "\(listed.stderr)")
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout)) as? [[String: Any]])
            #expect(entries.map { $0["id"] as? String } == [id])
            #expect(entries.first?["state"] as? String == "outbox")
            #expect(try await mailroom(["archive", "search", "invoice march", "--count"]).output == "1\n")
            #expect(try await mailroom(["archive", "search", "april", "--count"]).output == "0\n")

            // The flag names the same archive as the variable.
            let flagged = try await mailroom(["archive", "list", "--archive-url", raw, "--archive-schema", schema], MailroomProcess.environment([:]))
            #expect(flagged.output.hasPrefix(id), "\(flagged.output) \(flagged.stderr)")

            let export = directory.path + "/message.eml"
            #expect(try await mailroom(["archive", "export", id, "--out", export]).status == 0)
            let exported = try Data(contentsOf: URL(fileURLWithPath: export))
            #expect(String(decoding: exported, as: UTF8.self).contains("Subject: Invoice March"))
            // psql, base64 and gunzip give the same message, as Postgres.md documents.
            let read = try await Executable.run("sh", [
                "-c", "psql \"$1\" -Atc \"SELECT encode(gzip, 'base64') FROM $2.archive_bodies WHERE id = '$3'\" | base64 -d | gunzip", "sh", raw, schema, id,
            ])
            #expect(Data(read.utf8) == exported)

            let verified = try await mailroom(["archive", "verify"])
            #expect(verified.status == 0, "\(verified.stderr)")
            #expect(verified.output == "Verified 1 message in \(url.description) (schema \(schema)): intact.\n")
            // The message's bytes damaged in the database: verify fails naming it.
            try await client.query("UPDATE \(unescaped: schema).archive_bodies SET gzip = substring(gzip FROM 1 FOR 40)", logger: Self.logger)
            let damaged = try await mailroom(["archive", "verify"])
            #expect(damaged.status != 0)
            #expect(damaged.output.contains("corrupt \(id)"), "\(damaged.output)")

            let reindex = try await mailroom(["archive", "reindex"])
            #expect(reindex.status != 0)
            #expect(reindex.stderr.contains("archive-url"), "\(reindex.stderr)")
            let both = try await mailroom(["archive", "list", "--dir", directory.path, "--archive-url", raw])
            #expect(both.status != 0)
            #expect(both.stderr.contains("--dir or --archive-url"), "\(both.stderr)")
            #expect(try await mailroom(["archive", "prune", "--older-than", "1d"]).output.contains("0 message"))
        }
    }

    @Test func aMalformedArchiveURLIsAnErrorNamingTheVariableWithoutThePassword() async throws {
        let directory = try TemporaryDirectory()
        for (arguments, variables, field) in [
            (["archive", "list"], ["MAILROOM_ARCHIVE_URL": "mysql://user:hunter2-SECRET@db/mail"], "MAILROOM_ARCHIVE_URL"),
            (["archive", "list", "--archive-url", "postgres://user:hunter2-SECRET@/"], [:], "archive-url"),
            (["send", "--from", "a@acme.test", "--to", "b@example.com", "--subject", "s", "--text", "t"], ["MAILROOM_ARCHIVE_URL": "postgres://user:hunter2-SECRET@db:notaport/mail"], "MAILROOM_ARCHIVE_URL"),
        ] {
            let result = try await MailroomProcess.run(arguments, environment: MailroomProcess.environment(variables), directory: directory.path)
            #expect(result.status != 0)
            #expect(result.stderr.contains(field), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/.mailroom"), "nothing was kept anywhere")
    }

    @Test func sendsThroughMailgunAreArchivedInPostgresWithTheProvidersID() async throws {
        let raw = try #require(PostgresTestServer.url)
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            try await PostgresTestServer.withSchema { client, schema in
                let environment = MailroomProcess.environment([
                    "MAILGUN_API_KEY": Self.key, "MAILGUN_BASE_URL": mock.baseURL, "MAILGUN_DOMAIN": "acme.test",
                    "MAILROOM_ARCHIVE_URL": raw, "MAILROOM_ARCHIVE_SCHEMA": schema,
                ])
                let sent = try await MailroomProcess.run(
                    ["send", "--from", "hello@acme.test", "--to", "bob@example.com", "--subject", "Archived in PostgreSQL", "--text", "Hi", "--json"],
                    environment: environment
                )
                #expect(sent.status == 0, "\(sent.stderr)")
                let receipt = try #require(try JSONSerialization.jsonObject(with: Data(sent.stdout)) as? [String: Any])
                let providerID = try #require(receipt["id"] as? String)
                #expect(await mock.messages().count == 1)

                let store = try await PostgresArchiveStore.open(client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger)
                let entries = try await store.entries(matching: ArchiveQuery())
                #expect(entries.map(\.state) == [.sent])
                #expect(entries.first?.providerID == providerID)
                #expect(entries.first?.subject == "Archived in PostgreSQL")
                #expect(!sent.stderr.contains(Self.key))
            }
        }
    }
}
