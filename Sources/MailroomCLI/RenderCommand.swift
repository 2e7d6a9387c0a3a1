import ArgumentParser
import Foundation
import Mailroom

/// `mailroom render`: writes the RFC 5322 MIME of a message to stdout.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write a message's MIME (RFC 5322) to stdout.",
        discussion: "Bad input exits non-zero with one line on stderr naming the field, and writes nothing to stdout."
    )

    @OptionGroup var message: MessageOptions

    @Option(help: "The Date header, RFC 3339 (e.g. 2026-11-21T10:00:00Z); now when absent.")
    var date: String?

    @Option(name: .customLong("message-id"), help: "The Message-ID, id@domain; random when absent.")
    var messageID: String?

    func run() async throws {
        try await CommandLineFailure.reporting {
            var options = MIMERenderOptions(messageID: messageID)
            if let date {
                options.date = try Self.parseDate(date)
            }
            let rendered = try message.makeEmail().renderMIME(options: options)
            for try await chunk in rendered {
                try FileHandle.standardOutput.write(contentsOf: chunk)
            }
        }
    }

    /// An RFC 3339 date-time, with or without fractional seconds; errors name `field`.
    static func parseDate(_ text: String, field: String = "date") throws -> Date {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
            throw MailroomError.invalidValue(field: field, "'\(text)' is not an RFC 3339 date such as 2026-11-21T10:00:00Z")
        }
        return date
    }
}
