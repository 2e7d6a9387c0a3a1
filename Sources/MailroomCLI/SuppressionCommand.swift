import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// One of Mailgun's suppression tables, as a command-line noun.
protocol SuppressionTable: SendableMetatype {
    static var kind: Suppression.Kind { get }
    static var singular: String { get }
}

enum UnsubscribesTable: SuppressionTable {
    static let kind = Suppression.Kind.unsubscribe
    static let singular = "unsubscribe"
}

enum BouncesTable: SuppressionTable {
    static let kind = Suppression.Kind.bounce
    static let singular = "bounce"
}

enum ComplaintsTable: SuppressionTable {
    static let kind = Suppression.Kind.complaint
    static let singular = "complaint"
}

/// `mailroom unsubscribes|bounces|complaints list|get|add|import|remove|clear`.
struct SuppressionCommand<Table: SuppressionTable>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Table.kind.description,
            abstract: "List, look up, add, import and remove \(Table.kind) on Mailgun.",
            subcommands: [List.self, Get.self, Add.self, Import.self, Remove.self, Clear.self]
        )
    }

    static func store(_ connection: MailgunConnectionOptions) throws -> MailgunSuppressionStore {
        MailgunSuppressionStore(client: MailgunMailer(configuration: try connection.configuration()).client)
    }

    static func line(_ entry: Suppression) -> String {
        var parts = [entry.address.mailbox]
        if Table.kind == .unsubscribe { parts.append("tags=\(entry.tags.joined(separator: ","))") }
        if Table.kind == .bounce { parts.append("code=\(entry.code ?? "")"); parts.append("error=\(entry.error ?? "")") }
        if let date = entry.createdAt { parts.append(ISO8601DateFormatter().string(from: date)) }
        return parts.joined(separator: "\t")
    }

    static func json(_ entry: Suppression) -> [String: Any] {
        var object: [String: Any] = ["address": entry.address.mailbox]
        if Table.kind == .unsubscribe { object["tags"] = entry.tags }
        if Table.kind == .bounce { object["code"] = entry.code ?? ""; object["error"] = entry.error ?? "" }
        if let date = entry.createdAt { object["created_at"] = ISO8601DateFormatter().string(from: date) }
        return object
    }

    struct List: AsyncParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: "List entries, one page or --all.") }
        @OptionGroup var connection: MailgunConnectionOptions
        @Option(help: "Entries per page, 1 to 1000.") var limit = 100
        @Flag(help: "Follow the pages to the end.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                guard (1...1_000).contains(limit) else { throw MailroomError.invalidValue(field: "limit", "must be between 1 and 1000") }
                var entries: [Suppression] = []
                for try await entry in try SuppressionCommand.store(connection).list(Table.kind, pageSize: limit, logger: CommandLineFailure.logger) {
                    entries.append(entry)
                    if !all && entries.count == limit { break }
                }
                if json { try CommandOutput.json(entries.map(SuppressionCommand.json)) } else { entries.forEach { CommandOutput.say(SuppressionCommand.line($0)) } }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: "Show one address's entry.") }
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The address.") var address: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                let parsed = try EmailAddress(address, field: "address")
                guard let entry = try await SuppressionCommand.store(connection).get(Table.kind, address: parsed, logger: CommandLineFailure.logger) else {
                    throw MailroomError(code: .notFound, field: "address", message: "\(parsed.mailbox) is not in \(Table.kind)")
                }
                if json { try CommandOutput.json(SuppressionCommand.json(entry)) } else { CommandOutput.say(SuppressionCommand.line(entry)) }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: "Add one address.") }
        @OptionGroup var connection: MailgunConnectionOptions
        @Option(help: "Unsubscribes: a tag (default *, all mail); repeatable.") var tag: [String] = []
        @Option(help: "Bounces: the SMTP code (default 550).") var code: String?
        @Option(help: "Bounces: the error text.") var error: String?
        @Argument(help: "The address.") var address: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                if !tag.isEmpty && Table.kind != .unsubscribe { throw MailroomError.invalidValue(field: "tag", "only unsubscribes have tags") }
                if (code != nil || error != nil) && Table.kind != .bounce { throw MailroomError.invalidValue(field: "code", "only bounces have a code and an error") }
                let entry = Suppression(
                    kind: Table.kind, address: try EmailAddress(address, field: "address"),
                    tags: Table.kind == .unsubscribe ? (tag.isEmpty ? [Suppression.allTags] : tag) : [],
                    code: Table.kind == .bounce ? (code ?? "550") : nil, error: Table.kind == .bounce ? (error ?? "") : nil
                )
                try await SuppressionCommand.store(connection).add(entry, logger: CommandLineFailure.logger)
                CommandOutput.say("added \(entry.address.mailbox) to \(Table.kind)")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(abstract: "Add many addresses from a JSON array or a CSV file (header: address[,tags][,code,error][,created_at]).")
        }
        @OptionGroup var connection: MailgunConnectionOptions
        @Argument(help: "The file, .json or .csv.") var file: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                guard let data = FileManager.default.contents(atPath: file) else { throw MailroomError.invalidValue(field: "file", "cannot read \(file)") }
                let entries = try SuppressionImport.entries(from: data, kind: Table.kind, isCSV: file.lowercased().hasSuffix(".csv"))
                try await SuppressionCommand.store(connection).add(contentsOf: entries, logger: CommandLineFailure.logger)
                CommandOutput.say("imported \(entries.count) addresses into \(Table.kind)")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: "Remove an address, or for unsubscribes one tag.") }
        @OptionGroup var connection: MailgunConnectionOptions
        @Option(help: "Unsubscribes: remove only this tag.") var tag: String?
        @Argument(help: "The address.") var address: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                let parsed = try EmailAddress(address, field: "address")
                try await SuppressionCommand.store(connection).remove(Table.kind, address: parsed, tag: tag, logger: CommandLineFailure.logger)
                CommandOutput.say("removed \(parsed.mailbox) from \(Table.kind)" + (tag.map { " (tag \($0))" } ?? ""))
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: "Remove every entry.") }
        @OptionGroup var connection: MailgunConnectionOptions

        func run() async throws {
            try await CommandLineFailure.reporting {
                try await SuppressionCommand.store(connection).removeAll(Table.kind, logger: CommandLineFailure.logger)
                CommandOutput.say("cleared \(Table.kind)")
            }
        }
    }
}
