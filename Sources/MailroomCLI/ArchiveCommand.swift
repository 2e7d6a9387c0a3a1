import ArgumentParser
import Foundation
import Mailroom
import MailroomArchive

/// `mailroom archive list|search|show|export|verify|reindex|prune`: the archive, or the local outbox.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "List, search, show, export, verify, reindex or prune archived messages (--archive-url or --dir, MAILROOM_ARCHIVE_URL or MAILROOM_ARCHIVE_DIR, else the local outbox).",
        subcommands: [List.self, Search.self, Show.self, Export.self, Verify.self, Reindex.self, Prune.self]
    )

    /// The conditions `list` and `search` share.
    struct Filters: ParsableArguments {
        @Option(help: "Only messages to this address.")
        var to: String?

        @Option(help: "Only messages from this address.")
        var from: String?

        @Option(help: "Only messages recorded at or after this time: 2026-11-21 or RFC 3339.")
        var since: String?

        @Option(help: "Only messages recorded before this time: 2026-11-21 or RFC 3339.")
        var until: String?

        @Option(help: "Only messages with this tag.")
        var tag: String?

        @Option(help: "Only messages in this state: pending, sent, failed, suppressed or outbox.")
        var state: String?

        @Option(name: .customLong("provider-id"), help: "Only the message Mailgun knows by this id.")
        var providerID: String?

        @Option(name: .customLong("message-id"), help: "Only the message with this Message-ID.")
        var messageID: String?

        @Option(help: "At most this many messages.")
        var limit: Int?

        @Option(help: "Skip this many matching messages first.")
        var offset: Int = 0

        @Flag(help: "Print how many messages match instead of listing them.")
        var count = false

        @Flag(help: "Print the entries as JSON.")
        var json = false

        func query() throws -> ArchiveQuery {
            var query = ArchiveQuery(tag: tag, providerID: providerID, messageID: messageID, limit: limit, offset: offset)
            if let to { query.recipient = try EmailAddress(to, field: "to").mailbox }
            if let from { query.sender = try EmailAddress(from, field: "from").mailbox }
            if let since { query.since = try ArchiveCommand.parseDay(since, field: "since") }
            if let until { query.until = try ArchiveCommand.parseDay(until, field: "until") }
            if let state { query.state = try ArchiveState.named(state, field: "state") }
            return query
        }

        /// Prints the matching entries (or their count) of `query` in `location`.
        func show(_ query: ArchiveQuery, in location: ArchiveLocation) async throws {
            try await location.withStore { store in
                if count {
                    let total = try await store.count(matching: query)
                    CommandOutput.say(json ? "{\"count\":\(total)}" : "\(total)")
                    return
                }
                let entries = try await store.entries(matching: query)
                if json {
                    FileHandle.standardOutput.write(try ArchiveCommand.encoder.encode(entries) + Data("\n".utf8))
                } else if entries.isEmpty {
                    CommandOutput.say("No archived messages in \(try location.target().name) match.")
                } else {
                    entries.forEach { CommandOutput.say(ArchiveCommand.line($0)) }
                }
                if let limit, entries.count == limit, let last = entries.last, query.text == nil {
                    CommandOutput.note("More: add --before \(last.id) for the next page.")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List archived messages, newest first.")

        @OptionGroup var location: ArchiveLocation
        @OptionGroup var filters: Filters

        @Option(help: "Only messages older than this archive id: the cursor `list --limit` prints for the next page.")
        var before: String?

        func run() async throws {
            try await CommandLineFailure.reporting {
                var query = try filters.query()
                query.before = before
                try await filters.show(query, in: location)
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search subjects, senders, recipients, tags and body text; best matches first. Every word must match; end one with * for a prefix."
        )

        @OptionGroup var location: ArchiveLocation

        @Argument(help: "The words to search for, e.g. \"invoice march\".")
        var text: String

        @OptionGroup var filters: Filters

        func run() async throws {
            try await CommandLineFailure.reporting {
                var query = try filters.query()
                query.text = text
                try await filters.show(query, in: location)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a message's record, or its MIME with --raw (checked against its SHA-256).")

        @OptionGroup var location: ArchiveLocation

        @Argument(help: "The archive id, as `list` prints it.")
        var id: String

        @Flag(help: "Print the message itself, as sent.")
        var raw = false

        @Flag(help: "Print the record as JSON.")
        var json = false

        func run() async throws {
            try await CommandLineFailure.reporting { try await location.withStore { store in
                let bytes = try await store.contents(of: id)
                if raw {
                    FileHandle.standardOutput.write(Data(bytes))
                    return
                }
                guard let entry = try await store.entries(matching: ArchiveQuery(id: id)).first else {
                    throw MailroomError(code: .notFound, field: "id", message: "no archived message '\(id)'")
                }
                if json {
                    FileHandle.standardOutput.write(try ArchiveCommand.encoder.encode(entry) + Data("\n".utf8))
                    return
                }
                let rows: [(String, String?)] = [
                    ("id", entry.id),
                    ("state", entry.state.name),
                    ("failure", entry.failure),
                    ("date", ArchiveCommand.format(entry.date)),
                    ("message id", entry.messageID),
                    ("provider id", entry.providerID),
                    ("from", entry.from),
                    ("recipients", entry.recipients.joined(separator: ", ")),
                    ("subject", entry.subject),
                    ("tags", entry.tags.isEmpty ? nil : entry.tags.joined(separator: ", ")),
                    ("size", "\(entry.size) bytes, \(entry.compressedSize) compressed"),
                    ("sha256", "\(entry.sha256) (verified)"),
                ]
                for case let (name, value?) in rows {
                    CommandOutput.say(name.padding(toLength: 12, withPad: " ", startingAt: 0) + value)
                }
            } }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a message, checked against its SHA-256, to an .eml file.")

        @OptionGroup var location: ArchiveLocation

        @Argument(help: "The archive id.")
        var id: String

        @Option(help: "The file to write, e.g. message.eml.")
        var out: String?

        func run() async throws {
            try await CommandLineFailure.reporting {
                guard let out, !out.isEmpty else { throw MailroomError.missingField("out", "give the file to write with --out FILE.eml") }
                let bytes = try await location.withStore { try await $0.contents(of: id) }
                do {
                    try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
                } catch {
                    throw MailroomError(code: .storage, field: "out", message: "could not write '\(out)': \(error.localizedDescription)")
                }
                CommandOutput.say("Exported \(id) to \(out) (\(bytes.count) bytes).")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read every message back and check it; exit 1 if any is damaged (corrupt or missing)."
        )

        @OptionGroup var location: ArchiveLocation

        func run() async throws {
            try await CommandLineFailure.reporting {
                let report = try await location.withStore { try await $0.verify() }
                report.findings.forEach { CommandOutput.say($0.description) }
                let notes = report.findings.count - report.damage.count
                guard report.isIntact else {
                    throw MailroomError(
                        code: .corrupted,
                        field: "archive",
                        message: "\(report.damage.count) damaged of \(report.checked + report.damage.filter { $0.kind == .missing }.count) messages in \(try location.target().name)"
                    )
                }
                CommandOutput.say("Verified \(report.checked) message\(report.checked == 1 ? "" : "s") in \(try location.target().name): intact\(notes > 0 ? " (\(notes) notes above)" : "").")
            }
        }
    }

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the index from the message files: index the files it lacks as pending; a damaged index is moved aside and rebuilt."
        )

        @OptionGroup var location: ArchiveLocation

        func run() async throws {
            try await CommandLineFailure.reporting {
                guard case .directory(let directory) = try location.target() else {
                    throw MailroomError.invalidValue(
                        field: "archive-url", "reindex rebuilds a directory's index from its message files; a PostgreSQL archive keeps entries and bytes together"
                    )
                }
                let (added, total) = try await FileArchiveStore.withStore(directory: directory) { store in
                    (try await store.reindex(), try await store.count(matching: ArchiveQuery()))
                }
                added.forEach { CommandOutput.say("indexed \($0.id): \($0.subject)") }
                CommandOutput.say("Reindexed \(try location.target().name): \(added.count) message\(added.count == 1 ? "" : "s") added from their files, \(total) in the index.")
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove messages recorded longer ago than --older-than (e.g. 30d, 12h, 2w).")

        @OptionGroup var location: ArchiveLocation

        @Option(name: .customLong("older-than"), help: "The age: a number and d (days), h (hours), m (minutes) or w (weeks).")
        var olderThan: String?

        func run() async throws {
            try await CommandLineFailure.reporting {
                guard let olderThan else { throw MailroomError.missingField("older-than", "give the age to keep, e.g. --older-than 30d") }
                let age = try ArchiveCommand.parseAge(olderThan)
                let cutoff = Date().addingTimeInterval(-age)
                let pruned = try await location.withStore { try await $0.prune(olderThan: cutoff) }
                CommandOutput.say("Pruned \(pruned.count) message\(pruned.count == 1 ? "" : "s") recorded before \(ArchiveCommand.format(cutoff)).")
            }
        }
    }

    // MARK: Formatting and parsing

    /// `ID  DATE  STATE  RECIPIENTS  SUBJECT`.
    static func line(_ entry: ArchiveEntry) -> String {
        let shown = entry.recipients.prefix(2).joined(separator: ", ")
        let more = entry.recipients.count > 2 ? " +\(entry.recipients.count - 2)" : ""
        return [entry.id, format(entry.date), entry.state.name.padding(toLength: 10, withPad: " ", startingAt: 0), shown + more, entry.subject]
            .joined(separator: "  ")
    }

    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// `2026-11-21` (midnight UTC) or an RFC 3339 time.
    static func parseDay(_ text: String, field: String) throws -> Date {
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if text.count == 10, let date = day.date(from: text) { return date }
        do {
            return try CommandDate.parse(text, field: field)
        } catch {
            throw MailroomError.invalidValue(field: field, "'\(text.prefix(40))' is not a date such as 2026-11-21 or 2026-11-21T10:00:00Z")
        }
    }

    /// `30d`, `12h`, `90m`, `2w` in seconds.
    static func parseAge(_ text: String) throws -> TimeInterval {
        let units: [Character: TimeInterval] = ["m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count >= 0 else {
            throw MailroomError.invalidValue(field: "older-than", "'\(text.prefix(20))' is not an age such as 30d, 12h, 90m or 2w")
        }
        return TimeInterval(count) * unit
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
