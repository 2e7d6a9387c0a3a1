import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// `mailroom signing-key show|rotate`: the account's HTTP webhook signing key.
///
/// The key is printed only with `--reveal`, alone on stdout so that a script can capture it;
/// otherwise the commands say whether it matches `MAILGUN_WEBHOOK_SIGNING_KEY`, and its last four
/// characters, which is enough to tell keys apart in a terminal's scrollback without leaking one.
struct SigningKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signing-key",
        abstract: "Show or rotate the webhook signing key (printed only with --reveal).",
        subcommands: [Show.self, Rotate.self]
    )

    static func api(_ connection: MailgunConnectionOptions) throws -> MailgunWebhooks {
        MailgunWebhooks(client: MailgunMailer(configuration: try connection.configuration()).client)
    }

    /// `…abcd`, and whether the environment's key is the same one.
    static func summary(_ key: MailgunSigningKey, environment: [String: String] = ProcessInfo.processInfo.environment) -> (text: String, matches: Bool?) {
        let local = environment["MAILGUN_WEBHOOK_SIGNING_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let matches = local.map(key.matches)
        let tail = "…" + key.value.suffix(4)
        switch matches {
        case true?: return ("\(tail) (equals MAILGUN_WEBHOOK_SIGNING_KEY)", true)
        case false?: return ("\(tail) (differs from MAILGUN_WEBHOOK_SIGNING_KEY)", false)
        case nil: return ("\(tail) (MAILGUN_WEBHOOK_SIGNING_KEY is not set)", nil)
        }
    }

    static func print(_ key: MailgunSigningKey, reveal: Bool, json asJSON: Bool) throws {
        let summary = summary(key)
        if asJSON {
            var object: [String: Any] = ["last4": String(key.value.suffix(4))]
            if let matches = summary.matches { object["matches_environment"] = matches }
            if reveal { object["http_signing_key"] = key.value }
            try CommandOutput.json(object)
        } else if reveal {
            CommandOutput.say(key.value)
        } else {
            CommandOutput.say(summary.text)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the signing key's last four characters, or the whole key with --reveal.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print the whole key (alone, for a script to capture).") var reveal = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                try SigningKeyCommand.print(try await SigningKeyCommand.api(connection).signingKey(logger: CommandLineFailure.logger), reveal: reveal, json: json)
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace the signing key; webhooks signed with the old one stop verifying.")
        @OptionGroup var connection: MailgunConnectionOptions
        @Flag(help: "Print the new key (alone, for a script to capture).") var reveal = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let key = try await SigningKeyCommand.api(connection).rotateSigningKey(logger: CommandLineFailure.logger)
                CommandLineFailure.writeNotice("rotated the webhook signing key; update MAILGUN_WEBHOOK_SIGNING_KEY wherever webhooks are verified")
                try SigningKeyCommand.print(key, reveal: reveal, json: json)
            }
        }
    }
}
