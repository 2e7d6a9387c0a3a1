import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MailgunMock

/// `mailgun-mock`: a local Mailgun-compatible server. Prints its base URL on stdout once listening;
/// stops cleanly on SIGINT or SIGTERM.
@main
struct MailgunMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailgun-mock",
        abstract: "Run a local, stateful Mailgun-compatible API server.",
        discussion: """
            Inspect with GET /mock/messages, reset with POST /mock/reset, and queue faults with
            POST /mock/faults {"kind":"429","count":1,"retryAfter":2,"method":"POST","path":"/v3/"}.
            Script what happens to a recipient with POST /mock/outcomes {"recipient":"r@example.com","outcome":"bounce"}
            (delivered, bounce, complain, unsubscribe, temporary-failure); see the events posted with
            GET /mock/webhooks/deliveries and every API request with GET /mock/requests. Script a domain's DNS with
            PUT /mock/domains/NAME/dns {"published":true,"type":"TXT"} (shown after the next verify) and a fired
            send alert with POST /mock/alerts/hits {"name":"…","metric":"…","comparator":">","limit":".05","latest_value":".07"}.
            """
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port; 0 picks a free one.")
    var port = 0

    @Option(name: .customLong("api-key"), help: "An accepted API key; repeatable.")
    var apiKeys: [String] = []

    @Option(name: .customLong("web-key"), help: "An accepted key with a user on it, the only kind /v5/users/me answers; repeatable.")
    var webKeys: [String] = []

    @Option(name: .customLong("domain"), help: "A sending domain that exists; repeatable.")
    var domains: [String] = []

    @Option(name: .customLong("webhook-url"), help: "A URL every event type is posted to, signed with --signing-key; repeatable.")
    var webhookURLs: [String] = []

    @Option(name: .customLong("signing-key"), help: "The HTTP webhook signing key events are signed with.")
    var signingKey: String?

    func validate() throws {
        guard !apiKeys.isEmpty || !webKeys.isEmpty else { throw ValidationError("give at least one --api-key") }
        guard !domains.isEmpty else { throw ValidationError("give at least one --domain") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard webhookURLs.isEmpty || signingKey?.isEmpty == false else { throw ValidationError("--webhook-url needs --signing-key") }
        for url in webhookURLs where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--webhook-url '\(url)' is not an http:// or https:// URL")
        }
    }

    func run() async throws {
        var logger = Logger(label: "mailgun-mock")
        logger.logLevel = .warning
        let webhooks = MockWebhookSettings(signingKey: signingKey, urls: Dictionary(uniqueKeysWithValues: MockWebhookSettings.types.map { ($0, webhookURLs) }))
        let mock = MailgunMock(configuration: .init(apiKeys: apiKeys, webKeys: webKeys, domains: domains, host: host, port: port, webhooks: webhooks))
        let application = mock.makeApplication(logger: logger) { url in
            FileHandle.standardOutput.write(Data("\(url)\n".utf8))
        }
        try await application.runService()
    }
}
