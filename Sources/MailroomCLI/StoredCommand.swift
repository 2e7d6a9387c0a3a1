import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// `mailroom stored get|resend`: messages Mailgun keeps for a few days after sending.
struct StoredCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stored",
        abstract: "Fetch or resend a message Mailgun stored.",
        subcommands: [Get.self, Resend.self]
    )

    /// `--key K [--domain D]` or `--url URL`.
    struct Location: ParsableArguments {
        @Option(help: "The storage key.")
        var key: String?

        @Option(help: "The storage URL from an event or a response.")
        var url: String?

        func location() throws -> MailgunMailer.StoredMessageLocation {
            switch (key, url) {
            case (let key?, nil): return .key(key)
            case (nil, let url?): return .url(url)
            default: throw MailroomError.invalidValue(field: "key", "give --key or --url, exactly one")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a stored message: Mailgun's JSON view, or its MIME with --raw.")

        @OptionGroup var location: Location
        @OptionGroup var connection: MailgunConnectionOptions

        @Flag(help: "Print the raw MIME instead of the parsed view.")
        var raw = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let mailer = MailgunMailer(configuration: try connection.configuration())
                if raw {
                    let mime = try await mailer.rawStoredMessage(try location.location(), logger: CommandLineFailure.logger)
                    FileHandle.standardOutput.write(Data(mime))
                    return
                }
                let message = try await mailer.storedMessage(try location.location(), logger: CommandLineFailure.logger)
                let object: [String: Any] = [
                    "subject": message.subject,
                    "from": message.from,
                    "sender": message.sender,
                    "recipients": message.recipients,
                    "body-plain": message.bodyPlain,
                    "body-html": message.bodyHTML ?? NSNull(),
                    "message-headers": message.headers.map { [$0.name, $0.value] },
                    "attachments": message.attachments.map { ["name": $0.name, "content-type": $0.contentType, "size": $0.size, "url": $0.url] },
                ]
                try CommandOutput.json(object, pretty: true)
            }
        }
    }

    struct Resend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a stored message again to new recipients.")

        @OptionGroup var location: Location
        @OptionGroup var connection: MailgunConnectionOptions

        @Option(help: "A recipient; repeatable or comma-separated.")
        var to: [String] = []

        @Flag(help: "Print the receipt as JSON.")
        var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let recipients = to.isEmpty ? [] : try EmailAddress.list(to.joined(separator: ","), field: "to")
                let mailer = MailgunMailer(configuration: try connection.configuration())
                let receipt = try await mailer.resendStoredMessage(try location.location(), to: recipients, logger: CommandLineFailure.logger)
                try ReceiptPrinter.print([receipt], json: json)
            }
        }
    }
}
