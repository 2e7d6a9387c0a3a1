import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Mailroom
import MailroomHummingbird
import MailroomMailgun
import MailroomSQLite

/// `mailroom webhook serve`: the webhook controller on its own, applying events to the local
/// mirror, for local development (behind a tunnel, or with `mailgun-mock --webhook-url`).
struct WebhookServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive Mailgun's webhooks over HTTP and apply them to the local suppression mirror (key from MAILGUN_WEBHOOK_SIGNING_KEY).",
        discussion: "Prints the URL to configure in Mailgun on stdout, then one log line per delivery on stderr; stops on SIGINT or SIGTERM."
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port; 0 picks a free one.")
    var port = 8026

    @Option(help: "The path Mailgun posts to.")
    var path = "/webhooks/mailgun"

    @Option(help: "The mirror's SQLite file (default: MAILROOM_SUPPRESSIONS_DB, else .mailroom/suppressions.sqlite).")
    var db: String?

    @Option(name: .customLong("max-age"), help: "How old, in seconds, a signature may be.")
    var maxAge = 9 * 3_600

    func run() async throws {
        try await CommandLineFailure.reporting {
            let key = try WebhookCommand.signingKey()
            guard (0...65_535).contains(port) else { throw MailroomError.invalidValue(field: "port", "must be between 0 and 65535, got \(port)") }
            guard path.hasPrefix("/"), !path.contains("?") else { throw MailroomError.invalidValue(field: "path", "must start with '/' and have no query, got '\(path)'") }
            guard maxAge > 0 else { throw MailroomError.invalidValue(field: "max-age", "must be a positive number of seconds") }
            var logger = Logger(label: "mailroom.webhook", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = ProcessInfo.processInfo.environment["MAILROOM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            let databasePath = SuppressionsDatabaseLocation.resolved(db)
            try await SQLiteSuppressionStore.withStore(path: databasePath) { store in
                let receiver = MailgunWebhookReceiver(signingKey: key, store: store, configuration: .init(maximumAge: .seconds(maxAge)))
                let router = Router()
                MailgunWebhookController<BasicRequestContext>(receiver: receiver).addRoutes(to: router, atPath: RouterPath(path))
                let path = self.path
                try await CommandServer.run(router, host: host, port: port, serverName: "mailroom-webhook", logger: logger) { base in
                    CommandOutput.say("\(base)\(path) -> \(databasePath)")
                }
            }
        }
    }
}
