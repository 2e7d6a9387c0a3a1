import ArgumentParser
import Foundation
import Logging
import Mailroom
import MailroomMailgun
import MailroomPostgres
import MailroomSQLite

/// `mailroom suppressions sync`: Mailgun's three suppression lists into the local SQLite mirror,
/// or (`--postgres URL`) into the PostgreSQL mirror every instance shares.
struct SuppressionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppressions",
        abstract: "The suppression mirror (SQLite, or PostgreSQL with --postgres) that sends check instead of Mailgun.",
        subcommands: [Sync.self]
    )

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy Mailgun's unsubscribes, bounces and complaints into the mirror; an interrupted sync resumes where it stopped.",
            discussion: "Progress and counts go to stderr; --json prints a summary on stdout."
        )

        @Option(help: "The mirror's SQLite file (default: MAILROOM_SUPPRESSIONS_DB, else .mailroom/suppressions.sqlite).")
        var db: String?

        @Option(help: "Sync into the PostgreSQL mirror at this postgres:// URL instead of the SQLite file.")
        var postgres: String?

        @Option(name: .customLong("postgres-schema"), help: "The PostgreSQL mirror's schema.")
        var postgresSchema = "mailroom"

        @Option(name: .customLong("page-size"), help: "Entries per Mailgun request, 1 to 1000.")
        var pageSize = 1_000

        @OptionGroup var connection: MailgunConnectionOptions

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                guard (1...1_000).contains(pageSize) else { throw MailroomError.invalidValue(field: "page-size", "must be between 1 and 1000, got \(pageSize)") }
                let client = MailgunClient(configuration: try connection.configuration())
                let pageSize = self.pageSize
                let database: String
                let summaries: [Synced]
                if let postgres {
                    let url = try PostgresURL(postgres, field: "postgres")
                    database = url.description
                    summaries = try await PostgresSuppressionStore.withStore(
                        url: url, configuration: .init(schema: postgresSchema), logger: CommandLineFailure.logger
                    ) { local in
                        try await Self.sync(MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: client), local: local), pageSize: pageSize)
                    }
                } else {
                    database = SuppressionsDatabaseLocation.resolved(db)
                    summaries = try await SQLiteSuppressionStore.withStore(path: database) { local in
                        try await Self.sync(MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: client), local: local), pageSize: pageSize)
                    }
                }
                for summary in summaries {
                    let resumed = summary.resumed ? ", resumed" : ""
                    CommandLineFailure.writeNotice("\(summary.kind) synced: \(summary.entries) entries, \(summary.removed) removed, \(summary.pages) requests\(resumed)")
                }
                if json {
                    try CommandOutput.json([
                        "database": database,
                        "lists": summaries.map { ["list": "\($0.kind)", "entries": $0.entries, "removed": $0.removed, "requests": $0.pages, "resumed": $0.resumed] as [String: Any] },
                    ])
                }
            }
        }

        /// One list's summary, whichever store the mirror writes.
        private struct Synced: Sendable {
            var kind: String
            var entries: Int
            var removed: Int
            var pages: Int
            var resumed: Bool
        }

        private static func sync(_ mirror: MailgunSuppressionMirror<some SuppressionReplica>, pageSize: Int) async throws -> [Synced] {
            try await mirror.sync(pageSize: pageSize, logger: CommandLineFailure.logger) { progress in
                CommandLineFailure.writeNotice("\(progress.kind): \(progress.entries) entries")
            }.map { Synced(kind: "\($0.kind)", entries: $0.entries, removed: $0.removed, pages: $0.pages, resumed: $0.resumed) }
        }
    }
}
