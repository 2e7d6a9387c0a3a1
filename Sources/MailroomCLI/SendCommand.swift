import ArgumentParser
import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomMailgun

/// `mailroom send`: sends a message through Mailgun (or keeps it in the local outbox when no API key
/// is set) and prints the receipt.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message through Mailgun (MAILGUN_API_KEY, MAILGUN_DOMAIN, MAILGUN_REGION, MAILGUN_BASE_URL), archived in --archive-url/MAILROOM_ARCHIVE_URL or MAILROOM_ARCHIVE_DIR when set; without MAILGUN_API_KEY, keep it in the local outbox (the PostgreSQL archive when one is named, else MAILROOM_OUTBOX or .mailroom/outbox)."
    )

    @OptionGroup var message: MessageOptions
    @OptionGroup var connection: MailgunConnectionOptions

    @Option(name: .customLong("option"), help: "Any Mailgun o:, h:, v: or t: field, 'NAME=VALUE'; repeatable.")
    var fields: [String] = []

    @Option(help: "A stored template's name.")
    var template: String?

    @Option(name: .customLong("template-version"), help: "The template version.")
    var templateVersion: String?

    @Option(name: .customLong("template-vars"), help: "The template variables, a JSON object.")
    var templateVariables: String?

    @Option(name: .customLong("deliver-at"), help: "Schedule delivery: RFC 3339 (2026-11-21T10:00:00Z) or RFC 2822 (Fri, 14 Oct 2033 12:00:00 +0000).")
    var deliverAt: String?

    @Flag(name: .customLong("test-mode"), help: "Accept the message without delivering it.")
    var testMode = false

    @Option(name: .customLong("suppressions-db"), help: "Skip recipients the local suppression mirror lists (default: MAILROOM_SUPPRESSIONS_DB; none when unset).")
    var suppressionsDB: String?

    @OptionGroup var archive: ArchiveDatabaseOptions

    @Flag(help: "Print the receipt as JSON.")
    var json = false

    func run() async throws {
        try await CommandLineFailure.reporting {
            let email = try message.makeEmail { email in
                if let template {
                    email.template = try templateVariables.map {
                        try EmailTemplate(name: template, version: templateVersion, variablesJSON: $0)
                    } ?? EmailTemplate(name: template, version: templateVersion)
                } else if templateVersion != nil || templateVariables != nil {
                    throw MailroomError.missingField("template", "--template-version and --template-vars need --template")
                }
                if let deliverAt { email.options.deliveryTime = try CommandDate.parse(deliverAt, field: "deliver-at") }
                email.options.testMode = testMode
                email.options.mailgun.extra = try Self.parseFields(fields)
            }
            let receipts = try await CommandMailer(connection, suppressionsDB: suppressionsDB, archiveURL: archive.url, archiveSchema: archive.schema).sending { mailer in
                [try await mailer.send(email, logger: CommandLineFailure.logger)]
            }
            try ReceiptPrinter.print(receipts, json: json)
        }
    }

    /// `NAME=VALUE` pairs as raw Mailgun fields.
    static func parseFields(_ pairs: [String]) throws -> [MailgunField] {
        try pairs.enumerated().map { index, pair in
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw MailroomError.invalidValue(field: "option[\(index)]", "expected 'NAME=VALUE' such as o:tracking=yes, got '\(pair.prefix(60))'")
            }
            return MailgunField(String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
    }
}
