import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// `mailroom send-mime`: sends a message already rendered as MIME (a `.eml` file) through Mailgun.
struct SendMIMECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-mime",
        abstract: "Send an RFC 5322 file as is through Mailgun's messages.mime to the given recipients (without MAILGUN_API_KEY, keep it in the local outbox)."
    )

    @Option(help: "A recipient; repeatable or comma-separated. Headers in the file are not read for recipients.")
    var to: [String] = []

    @Option(help: "A tag; repeatable.")
    var tag: [String] = []

    @Option(name: .customLong("option"), help: "Any Mailgun o:, h:, v: or t: field, 'NAME=VALUE'; repeatable.")
    var fields: [String] = []

    @OptionGroup var connection: MailgunConnectionOptions

    @Option(name: .customLong("suppressions-db"), help: "Skip recipients the local suppression mirror lists (default: MAILROOM_SUPPRESSIONS_DB; none when unset).")
    var suppressionsDB: String?

    @OptionGroup var archive: ArchiveDatabaseOptions

    @Flag(help: "Print the receipt as JSON.")
    var json = false

    @Argument(help: "The MIME file.")
    var file: String

    func run() async throws {
        try await CommandLineFailure.reporting {
            let recipients = to.isEmpty ? [] : try EmailAddress.list(to.joined(separator: ","), field: "to")
            var envelope = Envelope(recipients: recipients)
            envelope.options.tags = tag
            envelope.options.mailgun.extra = try SendCommand.parseFields(fields)
            try envelope.validate()
            guard let data = FileManager.default.contents(atPath: file) else {
                throw MailroomError.invalidValue(field: "file", "cannot read \(file)")
            }
            let receipts = try await CommandMailer(connection, suppressionsDB: suppressionsDB, archiveURL: archive.url, archiveSchema: archive.schema).sending { mailer in
                [try await mailer.sendMIME(MIMEMessage(bytes: [UInt8](data)), envelope: envelope, logger: CommandLineFailure.logger)]
            }
            try ReceiptPrinter.print(receipts, json: json)
        }
    }
}
