import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// `mailroom alerts list|get|create|update|delete|hits|apply`: Mailgun send alerts, the ones that
/// fired, and alerts as code.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Manage Mailgun send alerts.",
        subcommands: [List.self, Get.self, Create.self, Update.self, Delete.self, Hits.self, Apply.self]
    )

    static func sink(_ connection: MailgunConnectionOptions) throws -> MailgunAlertSink {
        MailgunAlertSink(client: MailgunMailer(configuration: try connection.configuration()).client)
    }

    static func json(_ alert: SendAlert) -> [String: Any] {
        var object: [String: Any] = [
            "name": alert.name, "metric": alert.metric.rawValue, "comparator": alert.comparator.rawValue,
            "limit": alert.limit, "dimension": alert.dimension.rawValue, "alert_channels": alert.channels.map(\.rawValue),
            "filters": alert.filters.map { ["dimension": $0.dimension.rawValue, "comparator": $0.comparator.rawValue, "values": $0.values] },
        ]
        if let id = alert.id { object["id"] = id }
        if let period = alert.period { object["period"] = period }
        if let description = alert.description { object["description"] = description }
        if let date = alert.createdAt { object["created_at"] = ISO8601DateFormatter().string(from: date) }
        return object
    }

    static func line(_ alert: SendAlert) -> String {
        "\(alert.name)\t\(alert.metric) \(alert.comparator) \(alert.limit) by \(alert.dimension)\t\(alert.channels.map(\.rawValue).joined(separator: ","))"
    }

    /// The flags that define an alert, shared by `create` and `update`.
    struct Definition: ParsableArguments {
        @Option(help: "The alert's unique name.") var name: String?
        @Option(help: "hard_bounce_rate, temporary_fail_rate, delivered_rate or complained_rate.") var metric: String?
        @Option(help: "=, !=, <, <=, > or >=.") var comparator: String?
        @Option(help: "The threshold, a decimal such as .05.") var limit: String?
        @Option(help: "domain, ip, ip_pool, recipient_provider or subaccount.") var dimension: String?
        @Option(help: "email, webhook or slack; repeatable.") var channel: [String] = []
        @Option(help: "The period, e.g. 1h or 1d.") var period: String?
        @Option(help: "'DIMENSION COMPARATOR v1,v2', e.g. 'domain not contains test.example'; repeatable.") var filter: [String] = []
        @Option(help: "A description for people.") var description: String?

        func alert(defaultName: String? = nil) throws -> SendAlert {
            func required(_ value: String?, _ field: String) throws -> String {
                guard let value else { throw MailroomError.missingField(field, "--\(field) is required") }
                return value
            }
            let alert = SendAlert(
                name: try required(name ?? defaultName, "name"),
                metric: .init(rawValue: try required(metric, "metric")),
                comparator: .init(rawValue: try required(comparator, "comparator")),
                limit: try required(limit, "limit"),
                dimension: .init(rawValue: try required(dimension, "dimension")),
                channels: channel.map { .init(rawValue: $0) },
                period: period,
                filters: try filter.enumerated().map { try Self.parseFilter($1, field: "filter[\($0)]") },
                description: description
            )
            try alert.validate()
            return alert
        }

        /// `domain not contains a,b` → dimension `domain`, comparator `not contains`, values `a`, `b`.
        static func parseFilter(_ text: String, field: String) throws -> SendAlert.Filter {
            let words = text.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2 else { throw MailroomError.invalidValue(field: field, "expected 'DIMENSION COMPARATOR v1,v2'") }
            var rest = words[1].trimmingCharacters(in: .whitespaces)
            let comparator: String
            if rest.hasPrefix("not contains ") {
                comparator = "not contains"
                rest = String(rest.dropFirst("not contains ".count))
            } else {
                let pieces = rest.split(separator: " ", maxSplits: 1).map(String.init)
                guard pieces.count == 2 else { throw MailroomError.invalidValue(field: field, "expected 'DIMENSION COMPARATOR v1,v2'") }
                comparator = pieces[0]
                rest = pieces[1]
            }
            let values = rest.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return SendAlert.Filter(dimension: .init(rawValue: words[0]), comparator: .init(rawValue: comparator), values: values)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every alert.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let alerts = try await AlertsCommand.sink(connection).list(logger: CommandLineFailure.logger)
                if json { try CommandOutput.json(alerts.map(AlertsCommand.json)) } else { alerts.forEach { CommandOutput.say(AlertsCommand.line($0)) } }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one alert as JSON.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Argument(help: "The alert's name.") var name: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                let alert = try await AlertsCommand.sink(connection).get(named: name, logger: CommandLineFailure.logger)
                try CommandOutput.json(AlertsCommand.json(alert))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an alert.")
        @OptionGroup var connection: MailgunConnectionOptions
        @OptionGroup var definition: Definition

        func run() async throws {
            try await CommandLineFailure.reporting {
                let created = try await AlertsCommand.sink(connection).create(try definition.alert(), logger: CommandLineFailure.logger)
                try CommandOutput.json(AlertsCommand.json(created))
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace an alert whole (fields not given are cleared).")
        @OptionGroup var connection: MailgunConnectionOptions
        @OptionGroup var definition: Definition
        @Argument(help: "The alert's current name.") var current: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                try await AlertsCommand.sink(connection).update(named: current, to: try definition.alert(defaultName: current), logger: CommandLineFailure.logger)
                CommandOutput.say("updated \(current)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an alert.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Argument(help: "The alert's name.") var name: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                try await AlertsCommand.sink(connection).delete(named: name, logger: CommandLineFailure.logger)
                CommandOutput.say("deleted \(name)")
            }
        }
    }
    struct Hits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the alerts that fired, most recently updated first.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let hits = try await AlertsCommand.sink(connection).hits(logger: CommandLineFailure.logger)
                if json {
                    return try CommandOutput.json(hits.map { hit in
                        var object: [String: Any] = [
                            "id": hit.id, "name": hit.name, "metric": hit.metric.rawValue, "comparator": hit.comparator.rawValue,
                            "limit": hit.limit, "latest_value": hit.latestValue, "dimension": hit.dimension.rawValue, "triggered": hit.isTriggered,
                        ]
                        if let date = hit.createdAt { object["created_at"] = CommandDate.string(date) }
                        if let date = hit.updatedAt { object["updated_at"] = CommandDate.string(date) }
                        if let date = hit.expiresAt { object["expires_at"] = CommandDate.string(date) }
                        return object
                    })
                }
                var table = CommandTable("NAME", "CONDITION", "VALUE", "TRIGGERED", "UPDATED")
                for hit in hits {
                    table.add(
                        hit.name, "\(hit.metric) \(hit.comparator) \(hit.limit) by \(hit.dimension)", hit.latestValue, hit.isTriggered ? "yes" : "no",
                        hit.updatedAt.map(CommandDate.string) ?? ""
                    )
                }
                table.print(empty: "no alerts have fired")
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make Mailgun's send alerts match a JSON or YAML file, printing the plan first.",
            discussion: "Alerts are matched by name. Without --prune, alerts the file does not name are left alone. Applying twice changes nothing the second time."
        )
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(name: .customLong("dry-run"), help: "Print the plan and change nothing.") var dryRun = false
        @Flag(help: "Delete alerts the file does not name.") var prune = false
        @Flag(help: "Print the plan as JSON.") var json = false
        @Argument(help: "The alerts file (.json, or YAML).") var file: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                let wanted = try AlertFile.read(file)
                let sink = try AlertsCommand.sink(connection)
                let plan = try await AlertPlan.make(wanted: wanted, sink: sink, prune: prune, logger: CommandLineFailure.logger)
                if json {
                    let changes: [[String: Any]] = plan.changes.map { change in
                        switch change {
                        case .create(let alert): ["action": "create", "name": alert.name]
                        case .update(let alert): ["action": "update", "name": alert.name]
                        case .delete(let name): ["action": "delete", "name": name]
                        }
                    }
                    try CommandOutput.json(["changes": changes, "unchanged": plan.unchanged, "applied": !dryRun && !plan.isEmpty])
                } else {
                    CommandOutput.say(plan.summary)
                }
                guard !dryRun else {
                    if !json, !plan.isEmpty { CommandLineFailure.writeNotice("dry run: nothing was changed") }
                    return
                }
                try await plan.apply(to: sink, logger: CommandLineFailure.logger)
                if !json, !plan.isEmpty { CommandOutput.say("applied") }
            }
        }
    }
}
