import ArgumentParser
import Foundation
import Logging
import Mailroom
import MailroomMailgun
import MailroomSQLite

/// `mailroom suppressions sync`: Mailgun's three suppression lists into the local SQLite mirror.
struct SuppressionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppressions",
        abstract: "The local suppression mirror (SQLite) that sends check instead of Mailgun.",
        subcommands: [Sync.self]
    )

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy Mailgun's unsubscribes, bounces and complaints into the mirror; an interrupted sync resumes where it stopped.",
            discussion: "Progress and counts go to stderr; --json prints a summary on stdout."
        )

        @Option(help: "The mirror's SQLite file (default: MAILROOM_SUPPRESSIONS_DB, else .mailroom/suppressions.sqlite).")
        var db: String?

        @Option(name: .customLong("page-size"), help: "Entries per Mailgun request, 1 to 1000.")
        var pageSize = 1_000

        @OptionGroup var connection: MailgunConnectionOptions

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                guard (1...1_000).contains(pageSize) else { throw MailroomError.invalidValue(field: "page-size", "must be between 1 and 1000, got \(pageSize)") }
                let client = MailgunClient(configuration: try connection.configuration())
                let path = SuppressionsDatabaseLocation.resolved(db)
                let summaries = try await SQLiteSuppressionStore.withStore(path: path) { local in
                    let mirror = MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: client), local: local)
                    return try await mirror.sync(pageSize: pageSize, logger: CommandLineFailure.logger) { progress in
                        CommandLineFailure.writeNotice("\(progress.kind): \(progress.entries) entries")
                    }
                }
                for summary in summaries {
                    let resumed = summary.resumed ? ", resumed" : ""
                    CommandLineFailure.writeNotice("\(summary.kind) synced: \(summary.entries) entries, \(summary.removed) removed, \(summary.pages) requests\(resumed)")
                }
                if json {
                    try CommandOutput.json([
                        "database": path,
                        "lists": summaries.map { ["list": "\($0.kind)", "entries": $0.entries, "removed": $0.removed, "requests": $0.pages, "resumed": $0.resumed] as [String: Any] },
                    ])
                }
            }
        }
    }
}
