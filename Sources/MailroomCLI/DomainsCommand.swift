import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// `mailroom domains list|get|create|update|verify|delete`: Mailgun's sending domains.
struct DomainsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains",
        abstract: "Manage Mailgun sending domains and see the DNS records they need.",
        subcommands: [List.self, Get.self, Create.self, Update.self, Verify.self, Delete.self]
    )

    static func api(_ connection: MailgunConnectionOptions) throws -> MailgunDomains {
        MailgunDomains(client: MailgunMailer(configuration: try connection.configuration()).client)
    }

    static func json(_ domain: MailgunDomain) -> [String: Any] {
        var object: [String: Any] = ["name": domain.name, "state": domain.state.rawValue]
        let optional: [(String, Any?)] = [
            ("id", domain.id), ("type", domain.type), ("created_at", domain.createdAt.map(CommandDate.string)), ("is_disabled", domain.isDisabled),
            ("require_tls", domain.requireTLS), ("skip_verification", domain.skipVerification), ("smtp_login", domain.smtpLogin),
            ("spam_action", domain.spamAction), ("use_automatic_sender_security", domain.useAutomaticSenderSecurity),
            ("web_prefix", domain.webPrefix), ("web_scheme", domain.webScheme), ("wildcard", domain.wildcard),
            ("tracking_host", domain.trackingHost), ("subaccount_id", domain.subaccountID), ("archive_to", domain.archiveTo),
            ("encrypt_incoming_message", domain.encryptIncomingMessage), ("message_ttl", domain.messageTTL),
        ]
        for (key, value) in optional { if let value { object[key] = value } }
        object["sending_dns_records"] = domain.sendingRecords.map(json)
        object["receiving_dns_records"] = domain.receivingRecords.map(json)
        return object
    }

    static func json(_ record: MailgunDNSRecord) -> [String: Any] {
        var object: [String: Any] = ["record_type": record.recordType, "value": record.value, "valid": record.validity, "cached": record.cached]
        if let name = record.name { object["name"] = name }
        if let priority = record.priority { object["priority"] = priority }
        if let active = record.isActive { object["is_active"] = active }
        return object
    }

    /// The domain's records as a table: what to publish and whether Mailgun found it.
    static func recordTable(_ records: [MailgunDNSRecord]) -> CommandTable {
        var table = CommandTable("TYPE", "NAME", "VALUE", "VALID")
        for record in records {
            let value = record.priority.map { "\($0) \(record.value)" } ?? record.value
            table.add(record.recordType, record.name ?? "(the domain)", value, record.validity)
        }
        return table
    }

    static func show(_ domain: MailgunDomain, json asJSON: Bool) throws {
        if asJSON { return try CommandOutput.json(json(domain)) }
        CommandOutput.say("\(domain.name)  \(domain.state)\(domain.createdAt.map { "  created \(CommandDate.string($0))" } ?? "")")
        let settings: [(String, String?)] = [
            ("spam_action", domain.spamAction), ("web_scheme", domain.webScheme), ("web_prefix", domain.webPrefix),
            ("wildcard", domain.wildcard.map(String.init)), ("require_tls", domain.requireTLS.map(String.init)),
            ("skip_verification", domain.skipVerification.map(String.init)), ("message_ttl", domain.messageTTL.map(String.init)),
            ("archive_to", domain.archiveTo),
        ]
        let set = settings.compactMap { name, value in value.map { "\(name)=\($0)" } }
        if !set.isEmpty { CommandOutput.say(set.joined(separator: " ")) }
        CommandOutput.say("\nSending records:")
        recordTable(domain.sendingRecords).print(empty: "(none)")
        CommandOutput.say("\nReceiving records:")
        recordTable(domain.receivingRecords).print(empty: "(none)")
    }

    /// The settings both `create` and `update` take, as the API's field names in kebab case.
    struct CommonSettings: ParsableArguments {
        @Option(name: .customLong("smtp-password"), help: "The SMTP password (5 to 32 characters); never printed.") var smtpPassword: String?
        @Flag(name: .customLong("smtp-password-stdin"), help: "Read the SMTP password from standard input (its first line), out of the process list and the shell's history.")
        var smtpPasswordFromStandardInput = false
        @Option(name: .customLong("spam-action"), help: "disabled, block or tag.") var spamAction: String?
        @Option(help: "true or false: whether subdomains may send.") var wildcard: Bool?
        @Option(name: .customLong("web-scheme"), help: "http or https for tracking links.") var webScheme: String?
        @Option(name: .customLong("web-prefix"), help: "The tracking host's first label (default email).") var webPrefix: String?
        @Option(name: .customLong("require-tls"), help: "true or false.") var requireTLS: Bool?
        @Option(name: .customLong("skip-verification"), help: "true or false: skip certificate checks when delivering.") var skipVerification: Bool?
        @Option(name: .customLong("use-automatic-sender-security"), help: "true or false.") var useAutomaticSenderSecurity: Bool?
        @Option(name: .customLong("archive-to"), help: "An http(s) URL that receives a copy of each received message.") var archiveTo: String?
        @Option(name: .customLong("message-ttl"), help: "How long messages are kept, in seconds.") var messageTTL: Int?

        func validate() throws {
            if smtpPassword != nil && smtpPasswordFromStandardInput {
                throw ValidationError("--smtp-password and --smtp-password-stdin exclude each other")
            }
        }

        /// The settings given; the SMTP password read from standard input when asked.
        func settings() throws -> MailgunDomainSettings {
            var settings = MailgunDomainSettings()
            settings.smtpPassword = smtpPasswordFromStandardInput ? try Self.passwordFromStandardInput() : smtpPassword
            settings.spamAction = spamAction
            settings.wildcard = wildcard
            settings.webScheme = webScheme
            settings.webPrefix = webPrefix
            settings.requireTLS = requireTLS
            settings.skipVerification = skipVerification
            settings.useAutomaticSenderSecurity = useAutomaticSenderSecurity
            settings.archiveTo = archiveTo
            settings.messageTTL = messageTTL
            return settings
        }

        /// The first line of standard input, without its line break. Read before any request, in
        /// a command-line process, so blocking on it holds up nothing else.
        private static func passwordFromStandardInput() throws -> String {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let password = String(input.prefix { !$0.isNewline })
            guard !password.isEmpty else { throw MailroomError.invalidValue(field: "smtp_password", "standard input held no password (--smtp-password-stdin)") }
            return password
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List domains, one page or --all.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Option(help: "active, unverified or disabled.") var state: String?
        @Option(help: "name, name:asc or name:desc.") var sort: String?
        @Option(help: "Only domains whose name contains this.") var search: String?
        @Option(help: "Only domains with this DKIM authority.") var authority: String?
        @Flag(name: .customLong("include-subaccounts"), help: "Include subaccounts' domains.") var includeSubaccounts = false
        @OptionGroup var paging: ListPageOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let query = MailgunDomains.Query(
                    state: state.map { .init(rawValue: $0) }, sort: sort, search: search, authority: authority,
                    includeSubaccounts: includeSubaccounts ? true : nil
                )
                let api = try DomainsCommand.api(connection)
                let domains = try await paging.entries(
                    pages: { api.list(query, pageSize: $0, logger: CommandLineFailure.logger) },
                    page: { try await api.page(query, skip: $0, limit: $1, logger: CommandLineFailure.logger).items }
                )
                if json { return try CommandOutput.json(domains.map(DomainsCommand.json)) }
                var table = CommandTable("NAME", "STATE", "TYPE", "CREATED")
                for domain in domains { table.add(domain.name, domain.state.rawValue, domain.type ?? "", domain.createdAt.map(CommandDate.string) ?? "") }
                table.print(empty: "no domains")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a domain with its sending and receiving DNS records.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The domain name.") var name: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                try DomainsCommand.show(try await DomainsCommand.api(connection).get(name, logger: CommandLineFailure.logger), json: json)
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a domain and print the DNS records to publish.")
        @OptionGroup var connection: MailgunConnectionOptions
        @OptionGroup var common: CommonSettings
        @Option(name: .customLong("dkim-key-size"), help: "1024 or 2048.") var dkimKeySize: Int?
        @Option(name: .customLong("dkim-selector"), help: "The DKIM selector.") var dkimSelector: String?
        @Option(name: .customLong("dkim-host-name"), help: "The DKIM host name.") var dkimHostName: String?
        @Option(name: .customLong("force-dkim-authority"), help: "true or false.") var forceDKIMAuthority: Bool?
        @Option(name: .customLong("force-root-dkim-host"), help: "true or false.") var forceRootDKIMHost: Bool?
        @Option(name: .customLong("encrypt-incoming-message"), help: "true or false.") var encryptIncomingMessage: Bool?
        @Option(name: .customLong("pool-id"), help: "The IP pool to send from.") var poolID: String?
        @Option(help: "Dedicated IPs to send from, comma-separated.") var ips: String?
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The new domain's name.") var name: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                var settings = try common.settings()
                settings.dkimKeySize = dkimKeySize
                settings.dkimSelector = dkimSelector
                settings.dkimHostName = dkimHostName
                settings.forceDKIMAuthority = forceDKIMAuthority
                settings.forceRootDKIMHost = forceRootDKIMHost
                settings.encryptIncomingMessage = encryptIncomingMessage
                settings.poolID = poolID
                settings.ips = ips.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                let domain = try await DomainsCommand.api(connection).create(name, settings: settings, logger: CommandLineFailure.logger)
                try DomainsCommand.show(domain, json: json)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a domain's settings; only the options given are sent.")
        @OptionGroup var connection: MailgunConnectionOptions
        @OptionGroup var common: CommonSettings
        @Option(name: .customLong("mailfrom-host"), help: "The MAIL FROM host, in lower case.") var mailFromHost: String?
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The domain name.") var name: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                var settings = try common.settings()
                settings.mailFromHost = mailFromHost
                let domain = try await DomainsCommand.api(connection).update(name, settings: settings, logger: CommandLineFailure.logger)
                try DomainsCommand.show(domain, json: json)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask Mailgun to look up the domain's DNS records again.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The domain name.") var name: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                try DomainsCommand.show(try await DomainsCommand.api(connection).verify(name, logger: CommandLineFailure.logger), json: json)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a domain (Mailgun removes it in the background).")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The domain name.") var name: String

        func run() async throws {
            try await CommandLineFailure.reporting {
                try await DomainsCommand.api(connection).delete(name, logger: CommandLineFailure.logger)
                if json { try CommandOutput.json(["deleted": name]) } else { CommandOutput.say("deleted \(name)") }
            }
        }
    }
}
