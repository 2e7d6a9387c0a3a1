import Foundation
import Logging
import Mailroom
import MailroomConformance
import MailroomPostgres
import MailroomTestSupport
import MailroomTesting
import PostgresNIO
import Testing

/// The mirror on a real PostgreSQL: the conformance suites, sharing between instances, migrations
/// applied once when instances start together, and errors that never show the password.
@Suite(.enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipNote))
struct PostgresSuppressionStoreTests {
    static let logger = PostgresTestServer.logger

    @Test(arguments: MailroomConformance.suppressionStoreChecks + MailroomConformance.replicaChecks)
    func conforms(check: ConformanceCheck) async throws {
        try await PostgresTestServer.withSchema { client, schema in
            let store = try await PostgresSuppressionStore.open(client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger)
            let implementation = MailroomImplementation(name: "postgres", mailer: InMemoryMailer(), suppressions: store, alerts: InMemoryAlertSink(), delivered: { [] })
            try await check.run(on: implementation)
        }
    }

    @Test func anEntryWrittenByOneInstanceIsSeenByTheNextSendOfAnother() async throws {
        let url = try PostgresTestServer.configuredURL()
        try await PostgresTestServer.withSchema { client, schema in
            let first = try await PostgresSuppressionStore.open(client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger)
            // A second instance: a client and a store of its own.
            try await PostgresSuppressionStore.withStore(url: url, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger) { second in
                try await first.add(Suppression(kind: .bounce, address: "Gone@Example.com", code: "550"), logger: Self.logger)
                try await first.add(Suppression(kind: .unsubscribe, address: "zoe@example.com", tags: ["newsletter"]), logger: Self.logger)
                try await second.add(Suppression(kind: .unsubscribe, address: "zoe@example.com", tags: ["offers"]), logger: Self.logger)
                let found = try await second.suppressions(
                    for: ["gone@example.com", "zoe@example.com", "bob@example.com"], taggedWith: ["newsletter"], logger: Self.logger
                )
                #expect(found.map { $0?.kind } == [.bounce, .unsubscribe, nil])
                #expect(found[0]?.code == "550")
                #expect(try await first.get(.unsubscribe, address: "zoe@example.com", logger: Self.logger)?.tags == ["newsletter", "offers"], "merged, not replaced")
            }
        }
    }

    @Test func instancesStartingAtOnceApplyTheMigrationsOnce() async throws {
        try await PostgresTestServer.withSchema { client, schema in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask { _ = try await PostgresSuppressionStore.open(client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: Self.logger) }
                }
                try await group.waitForAll()
            }
            var rows: [(String, Int32)] = []
            for try await row in try await client.query(
                "SELECT component, version FROM \(unescaped: schema).mailroom_migrations", logger: Self.logger
            ).decode((String, Int32).self) {
                rows.append(row)
            }
            #expect(rows.count == 1 && rows.first?.0 == "suppressions" && rows.first?.1 == 1)
        }
    }

    @Test func aSchemaNameThatIsNotAnIdentifierIsRefused() async throws {
        try await PostgresTestServer.withSchema { client, _ in
            for name in ["", "Mailroom", "x; DROP TABLE users", "1abc", String(repeating: "a", count: 64)] {
                await #expect { try await PostgresSuppressionStore.open(client: client, configuration: .init(schema: name), logger: Self.logger) } throws: { error in
                    (error as? MailroomError)?.field == "schema"
                }
            }
        }
    }

    @Test func aWrongPasswordIsAStorageErrorThatDoesNotShowIt() async throws {
        var url = try PostgresTestServer.configuredURL()
        url.password = "wrong-password-4f1c2a"
        let error = await #expect(throws: MailroomError.self) {
            try await PostgresSuppressionStore.withStore(url: url, configuration: .init(openTimeout: .seconds(3)), logger: Self.logger) { _ in }
        }
        #expect(error?.code == .storage)
        #expect(error.map { !"\($0)".contains("wrong-password-4f1c2a") } == true)
    }
}

/// `PostgresURL`, no server needed.
@Suite struct PostgresURLTests {
    @Test func aURLIsReadAndItsPasswordNeverShown() throws {
        let url = try PostgresURL("postgres://mailroom:s%40cret@db.internal:6543/app?sslmode=require")
        #expect(url.host == "db.internal" && url.port == 6543 && url.username == "mailroom" && url.password == "s@cret" && url.database == "app")
        #expect(url.sslMode == "require")
        #expect(url.description == "postgres://mailroom:***@db.internal:6543/app?sslmode=require")
        let plain = try PostgresURL("postgresql://app@127.0.0.1")
        #expect(plain.port == 5432 && plain.database == "app" && plain.password == nil && plain.sslMode == "prefer")
    }

    @Test func badURLsAreRefusedNamingTheVariableWithoutThePassword() {
        for bad in ["mysql://u:p@h/d", "postgres://:hunter2@h/d", "postgres://u:hunter2@/d", "postgres://u:hunter2@h/d?sslmode=always",
                    "postgres://u:hunter2@h/d?application_name=x", "postgres://u:hunter2@h/a/b", "not a url"] {
            #expect { try PostgresURL(bad) } throws: { error in
                guard let error = error as? MailroomError else { return false }
                return error.field == "MAILROOM_POSTGRES_URL" && error.code == .invalidValue && !error.description.contains("hunter2")
            }
        }
    }
}
