import ArgumentParser
import Foundation
import Logging
import Mailroom
import MailroomMailgun
import MailroomSQLite

/// `mailroom webhook verify|receive|serve`: webhook signatures, captured deliveries and a receiving server, with
/// `MAILGUN_WEBHOOK_SIGNING_KEY` (never the API key).
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Webhook tools.",
        subcommands: [Verify.self, Receive.self, WebhookServeCommand.self]
    )

    /// The signing key from the environment, or a configuration error naming the variable.
    static func signingKey() throws -> String {
        guard let key = ProcessInfo.processInfo.environment["MAILGUN_WEBHOOK_SIGNING_KEY"], !key.isEmpty else {
            throw MailroomError(code: .configuration, field: "MAILGUN_WEBHOOK_SIGNING_KEY", message: "is not set; export the webhook signing key")
        }
        return key
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a Mailgun webhook signature (key from MAILGUN_WEBHOOK_SIGNING_KEY, not the API key)."
        )
        @Option(help: "The signature's timestamp.") var timestamp: String
        @Option(help: "The signature's token.") var token: String
        @Option(help: "The signature, 64 hex digits.") var signature: String
        @Option(help: "How old, in seconds, a timestamp may be.") var freshness = 300

        func run() async throws {
            try await CommandLineFailure.reporting {
                let verifier = MailgunWebhookVerifier(signingKey: try WebhookCommand.signingKey(), configuration: .init(freshness: .seconds(freshness)))
                try verifier.verify(timestamp: timestamp, token: token, signature: signature)
                CommandOutput.say("valid")
            }
        }
    }

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Feed a captured webhook delivery to the receiver and apply its suppression to the local mirror.",
            discussion: """
                Prints the answer Mailgun would get and the suppression applied. A refused or failed
                delivery (406, 413, 503) is one line on stderr and exit status 1.
                """
        )

        @Argument(help: "The captured body: JSON, or the legacy form encoding.")
        var file: String

        @Option(name: .customLong("content-type"), help: "The body's Content-Type (default: JSON when it starts with '{', else a URL-encoded form).")
        var contentType: String?

        @Option(help: "The mirror's SQLite file (default: MAILROOM_SUPPRESSIONS_DB, else .mailroom/suppressions.sqlite).")
        var db: String?

        @Option(name: .customLong("max-age"), help: "How old, in seconds, a signature may be (captures are often older than Mailgun's retries).")
        var maxAge = 9 * 3_600

        @Flag(help: "Print the outcome as JSON.")
        var json = false

        func run() async throws {
            try await CommandLineFailure.reporting {
                let key = try WebhookCommand.signingKey()
                guard maxAge > 0 else { throw MailroomError.invalidValue(field: "max-age", "must be a positive number of seconds") }
                guard let body = FileManager.default.contents(atPath: file) else {
                    throw MailroomError.invalidValue(field: "file", "cannot read \(file)")
                }
                let type = contentType ?? (body.first { !$0.isASCIIWhitespace } == UInt8(ascii: "{") ? "application/json" : "application/x-www-form-urlencoded")
                let response = try await SQLiteSuppressionStore.withStore(path: SuppressionsDatabaseLocation.resolved(db)) { store in
                    let receiver = MailgunWebhookReceiver(signingKey: key, store: store, configuration: .init(maximumAge: .seconds(maxAge)))
                    // The command prints the decision itself; the receiver's log line shows with MAILROOM_LOG_LEVEL.
                    var logger = CommandLineFailure.logger
                    if ProcessInfo.processInfo.environment["MAILROOM_LOG_LEVEL"] == nil { logger.logLevel = .critical }
                    return await receiver.receive(body: body, contentType: type, logger: logger)
                }
                guard response.status == 200 else {
                    CommandLineFailure.writeError("\(response.status) \(response.body)")
                    throw ExitCode.failure
                }
                let applied = response.suppression.map(Self.describe) ?? "none"
                if json {
                    let outcome: [String: Any] = [
                        "status": response.status,
                        "answer": response.body,
                        "event": response.event.map { "\($0.kind)" } ?? "",
                        "recipient": response.event?.recipient ?? "",
                        "message-id": response.event?.messageID ?? "",
                        "suppression": applied,
                    ]
                    try CommandOutput.json(outcome)
                } else {
                    CommandOutput.say("\(response.status) \(response.body)")
                    CommandOutput.say("suppression: \(applied)")
                }
            }
        }

        static func describe(_ suppression: Suppression) -> String {
            var text = "\(suppression.kind) \(suppression.address.mailbox)"
            if suppression.kind == .unsubscribe { text += " tags \(suppression.tags.joined(separator: ","))" }
            if suppression.kind == .bounce { text += " code \(suppression.code ?? "")" }
            return text
        }
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
