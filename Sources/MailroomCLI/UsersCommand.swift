import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// `mailroom users list|get|me`: the people on the Mailgun account.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "List the Mailgun account's users.",
        subcommands: [List.self, Get.self, Me.self]
    )

    static func api(_ connection: MailgunConnectionOptions) throws -> MailgunUsers {
        MailgunUsers(client: MailgunMailer(configuration: try connection.configuration()).client)
    }

    static func json(_ user: MailgunUser) -> [String: Any] {
        var object: [String: Any] = ["id": user.id]
        let optional: [(String, Any?)] = [
            ("name", user.name), ("email", user.email), ("role", user.role?.rawValue), ("account_id", user.accountID),
            ("activated", user.isActivated), ("is_disabled", user.isDisabled), ("is_master", user.isOwner),
            ("tfa_active", user.twoFactorActive), ("time_zone", user.timeZone), ("password_updated_at", user.passwordUpdatedAt.map(CommandDate.string)),
        ]
        for (key, value) in optional { if let value { object[key] = value } }
        return object
    }

    static func print(_ users: [MailgunUser], json asJSON: Bool) throws {
        if asJSON { return try CommandOutput.json(users.map(json)) }
        var table = CommandTable("ID", "NAME", "EMAIL", "ROLE", "OWNER")
        for user in users { table.add(user.id, user.name ?? "", user.email ?? "", user.role?.rawValue ?? "", user.isOwner == true ? "yes" : "") }
        table.print(empty: "no users")
    }

    static func show(_ user: MailgunUser, json asJSON: Bool) throws {
        if asJSON { try CommandOutput.json(json(user)) } else { try print([user], json: false) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users, one page or --all.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Option(help: "basic, billing, support, developer or admin.") var role: String?
        @OptionGroup var paging: ListPageOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let api = try UsersCommand.api(connection)
                let role = role.map(MailgunUser.Role.init(rawValue:))
                let users = try await paging.entries(
                    pages: { api.list(role: role, pageSize: $0, logger: CommandLineFailure.logger) },
                    page: { try await api.page(role: role, skip: $0, limit: $1, logger: CommandLineFailure.logger).items }
                )
                try UsersCommand.print(users, json: json)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The user's id.") var id: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                try UsersCommand.show(try await UsersCommand.api(connection).get(id, logger: CommandLineFailure.logger), json: json)
            }
        }
    }

    struct Me: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the user the key belongs to (needs a web key).")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                try UsersCommand.show(try await UsersCommand.api(connection).me(logger: CommandLineFailure.logger), json: json)
            }
        }
    }
}
