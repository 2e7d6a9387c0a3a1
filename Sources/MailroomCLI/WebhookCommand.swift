import ArgumentParser
import Foundation
import Mailroom
import MailroomMailgun

/// `mailroom webhook verify`: checks a webhook signature with `MAILGUN_WEBHOOK_SIGNING_KEY`.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Webhook tools.",
        subcommands: [Verify.self]
    )

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
                guard let key = ProcessInfo.processInfo.environment["MAILGUN_WEBHOOK_SIGNING_KEY"], !key.isEmpty else {
                    throw MailroomError(code: .configuration, field: "MAILGUN_WEBHOOK_SIGNING_KEY", message: "is not set; export the webhook signing key")
                }
                let verifier = MailgunWebhookVerifier(signingKey: key, configuration: .init(freshness: .seconds(freshness)))
                try verifier.verify(timestamp: timestamp, token: token, signature: signature)
                CommandOutput.say("valid")
            }
        }
    }
}
