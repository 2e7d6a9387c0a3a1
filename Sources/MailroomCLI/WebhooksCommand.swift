import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// `mailroom webhooks list|get|create|update|delete`: the URLs Mailgun posts events to, per domain
/// (by event type, or by URL for several types) or for the whole account (`--account`).
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Manage the webhooks Mailgun posts events to.",
        discussion: """
            Domain webhooks are kept per event type, up to three URLs each: `create --event TYPE --url U`, \
            `get TYPE`, `update TYPE --url U`, `delete TYPE`. Several --event with one --url adds or replaces \
            that URL for each type at once; `delete --url U` removes a URL from every type. With --account, \
            the account's webhooks, by id.
            """,
        subcommands: [List.self, Get.self, Create.self, Update.self, Delete.self]
    )

    static func client(_ connection: MailgunConnectionOptions) throws -> MailgunClient {
        MailgunMailer(configuration: try connection.configuration()).client
    }

    static func domainAPI(_ connection: MailgunConnectionOptions) throws -> MailgunWebhooks {
        MailgunWebhooks(client: try client(connection))
    }

    static func accountAPI(_ connection: MailgunConnectionOptions) throws -> MailgunAccountWebhooks {
        MailgunAccountWebhooks(client: try client(connection))
    }

    static func printMap(_ map: [String: [String]], json asJSON: Bool) throws {
        if asJSON { return try CommandOutput.json(map.mapValues { ["urls": $0] }) }
        var table = CommandTable("EVENT", "URL")
        for type in MailgunWebhooks.eventTypes + map.keys.filter({ !MailgunWebhooks.eventTypes.contains($0) }).sorted() {
            for url in map[type] ?? [] { table.add(type, url) }
        }
        table.print(empty: "no webhooks")
    }

    static func json(_ webhook: MailgunAccountWebhook) -> [String: Any] {
        var object: [String: Any] = ["url": webhook.url, "event_types": webhook.eventTypes]
        if let id = webhook.id { object["webhook_id"] = id }
        if let description = webhook.description { object["description"] = description }
        if let date = webhook.createdAt { object["created_at"] = CommandDate.string(date) }
        return object
    }

    static func printAccount(_ webhooks: [MailgunAccountWebhook], json asJSON: Bool) throws {
        if asJSON { return try CommandOutput.json(webhooks.map(json)) }
        var table = CommandTable("ID", "URL", "EVENTS", "DESCRIPTION")
        for webhook in webhooks { table.add(webhook.id ?? "", webhook.url, webhook.eventTypes.joined(separator: ","), webhook.description ?? "") }
        table.print(empty: "no account webhooks")
    }

    /// The positional argument, required: an event type, or an id with `--account`.
    static func required(_ name: String?, account: Bool) throws -> String {
        guard let name, !name.isEmpty else {
            throw MailroomError.missingField(account ? "id" : "event", account ? "give the account webhook's id" : "give the event type, e.g. delivered")
        }
        return name
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the domain's webhooks, or the account's with --account.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "The account's webhooks instead of the domain's.") var account = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                if account {
                    try WebhooksCommand.printAccount(try await WebhooksCommand.accountAPI(connection).list(logger: CommandLineFailure.logger), json: json)
                } else {
                    try WebhooksCommand.printMap(try await WebhooksCommand.domainAPI(connection).list(logger: CommandLineFailure.logger), json: json)
                }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one event type's URLs, or an account webhook by id.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "NAME is an account webhook's id.") var account = false
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The event type (delivered, opened, …), or with --account the webhook's id.") var name: String?

        func run() async throws {
            try await CommandLineFailure.reporting {
                let name = try WebhooksCommand.required(name, account: account)
                if account {
                    let webhook = try await WebhooksCommand.accountAPI(connection).get(name, logger: CommandLineFailure.logger)
                    if json { try CommandOutput.json(WebhooksCommand.json(webhook)) } else { try WebhooksCommand.printAccount([webhook], json: false) }
                } else {
                    let urls = try await WebhooksCommand.domainAPI(connection).get(name, logger: CommandLineFailure.logger)
                    try WebhooksCommand.printMap([name: urls], json: json)
                }
            }
        }
    }

    /// What `create` and `update` take.
    struct Definition: ParsableArguments {
        @Option(help: "An event type; repeatable (several with one --url set that URL for each).") var event: [String] = []
        @Option(help: "An http(s) URL; repeatable, up to three per event type.") var url: [String] = []
        @Option(help: "With --account: a description for people.") var description: String?

        /// The account webhook the options describe: one URL, its event types, the description.
        func accountWebhook() throws -> MailgunAccountWebhook {
            guard url.count == 1 else { throw MailroomError.invalidValue(field: "url", "an account webhook has exactly one URL") }
            return MailgunAccountWebhook(url: url[0], eventTypes: event, description: description)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add URLs for an event type, one URL for several types, or an account webhook.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Create an account webhook.") var account = false
        @OptionGroup var definition: Definition
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let logger = CommandLineFailure.logger
                if account {
                    let webhook = try definition.accountWebhook()
                    let id = try await WebhooksCommand.accountAPI(connection).create(webhook, logger: logger)
                    if json { try CommandOutput.json(["webhook_id": id]) } else { CommandOutput.say("created account webhook \(id)") }
                    return
                }
                guard definition.description == nil else { throw MailroomError.invalidValue(field: "description", "only account webhooks have a description") }
                let api = try WebhooksCommand.domainAPI(connection)
                switch definition.event.count {
                case 0:
                    throw MailroomError.missingField("event", "give --event TYPE")
                case 1:
                    let urls = try await api.create(definition.event[0], urls: definition.url, logger: logger)
                    try WebhooksCommand.printMap([definition.event[0]: urls], json: json)
                default:
                    guard definition.url.count == 1 else { throw MailroomError.invalidValue(field: "url", "several event types take exactly one URL") }
                    try WebhooksCommand.printMap(try await api.add(url: definition.url[0], eventTypes: definition.event, logger: logger), json: json)
                }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace an event type's URLs, the types a URL receives, or an account webhook.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "NAME is an account webhook's id, replaced whole.") var account = false
        @OptionGroup var definition: Definition
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The event type whose URLs are replaced, or with --account the webhook's id; leave out with several --event.") var name: String?

        func run() async throws {
            try await CommandLineFailure.reporting {
                let logger = CommandLineFailure.logger
                if account {
                    let id = try WebhooksCommand.required(name, account: true)
                    let webhook = try definition.accountWebhook()
                    try await WebhooksCommand.accountAPI(connection).update(id, to: webhook, logger: logger)
                    if json { try CommandOutput.json(["webhook_id": id]) } else { CommandOutput.say("updated account webhook \(id)") }
                    return
                }
                guard definition.description == nil else { throw MailroomError.invalidValue(field: "description", "only account webhooks have a description") }
                let api = try WebhooksCommand.domainAPI(connection)
                if let name {
                    guard definition.event.isEmpty else { throw MailroomError.invalidValue(field: "event", "give the event type once, as the argument") }
                    try WebhooksCommand.printMap([name: try await api.update(name, urls: definition.url, logger: logger)], json: json)
                } else {
                    guard !definition.event.isEmpty else { throw MailroomError.missingField("event", "give the event type as the argument, or --event with one --url") }
                    guard definition.url.count == 1 else { throw MailroomError.invalidValue(field: "url", "--event takes exactly one URL") }
                    try WebhooksCommand.printMap(try await api.replace(url: definition.url[0], eventTypes: definition.event, logger: logger), json: json)
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an event type's URLs, URLs from every type, or account webhooks.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "NAME is an account webhook's id.") var account = false
        @Flag(help: "With --account and no id: delete every account webhook.") var all = false
        @Option(help: "Remove this URL from every event type; repeatable.") var url: [String] = []
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The event type, or with --account the webhook's id.") var name: String?

        func run() async throws {
            try await CommandLineFailure.reporting {
                let logger = CommandLineFailure.logger
                func done(_ line: String, _ object: [String: Any]) throws {
                    if json { try CommandOutput.json(object) } else { CommandOutput.say(line) }
                }
                if account {
                    let api = try WebhooksCommand.accountAPI(connection)
                    if all, name == nil {
                        try await api.delete(ids: [], all: true, logger: logger)
                        try done("deleted every account webhook", ["deleted": "all"])
                    } else {
                        let id = try WebhooksCommand.required(name, account: true)
                        try await api.delete(id, logger: logger)
                        try done("deleted account webhook \(id)", ["deleted": id])
                    }
                    return
                }
                let api = try WebhooksCommand.domainAPI(connection)
                switch (name, url.isEmpty) {
                case (let type?, true):
                    try await api.delete(type, logger: logger)
                    try done("deleted the \(type) webhook", ["deleted": type])
                case (nil, false):
                    try await api.remove(urls: url, logger: logger)
                    try done("removed \(url.joined(separator: ", ")) from every event type", ["removed": url])
                case (.some, false):
                    throw MailroomError.invalidValue(field: "url", "give an event type or --url, not both")
                case (nil, true):
                    throw MailroomError.missingField("event", "give the event type, or --url to remove a URL from every type")
                }
            }
        }
    }
}
