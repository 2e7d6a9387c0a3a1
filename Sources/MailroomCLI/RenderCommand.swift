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
                options.date = try CommandDate.parse(date, field: "date")
            }
            let rendered = try message.makeEmail().renderMIME(options: options)
            for try await chunk in rendered {
                try FileHandle.standardOutput.write(contentsOf: chunk)
            }
        }
    }
}
