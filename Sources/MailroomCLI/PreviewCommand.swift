import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Mailroom
import MailroomArchive
import MailroomPreview

/// `mailroom preview`: sent mail in the browser, from the local outbox or an archive.
struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show sent mail in the browser: the local outbox or an archive (--archive-url or --dir, MAILROOM_ARCHIVE_URL or MAILROOM_ARCHIVE_DIR, else the outbox).",
        discussion: """
            Prints the URL on stdout and serves until SIGINT or SIGTERM; only reads the store. With \
            MAILROOM_LOG_LEVEL=info, logs one line per request (method, path, status) on stderr. It listens on \
            127.0.0.1 and refuses any other address unless --allow-remote is given with a token (--token or \
            MAILROOM_PREVIEW_TOKEN, at least 16 characters), which every request must then carry.
            """
    )

    @OptionGroup var location: ArchiveLocation

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port; 0 picks a free one.")
    var port = 8025

    @Flag(help: "Open the preview in the default browser.")
    var open = false

    @Flag(name: .customLong("allow-remote"), help: "Allow an address other than loopback (needs a token).")
    var allowRemote = false

    @Option(help: "The token remote requests must carry (default: MAILROOM_PREVIEW_TOKEN).")
    var token: String?

    @Option(name: .customLong("poll-interval"), help: "How often, in milliseconds, open pages are told of new messages.")
    var pollInterval = 1_000

    func run() async throws {
        try await CommandLineFailure.reporting {
            let environment = ProcessInfo.processInfo.environment
            let token = (self.token ?? environment["MAILROOM_PREVIEW_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 }
            guard (0...65_535).contains(port) else { throw MailroomError.invalidValue(field: "port", "must be between 0 and 65535, got \(port)") }
            guard (10...60_000).contains(pollInterval) else { throw MailroomError.invalidValue(field: "poll-interval", "must be 10 to 60000 milliseconds, got \(pollInterval)") }
            let loopback = PreviewAccessMiddleware<BasicRequestContext>.isLoopback(host: host.contains(":") ? "[\(host)]" : host)
            if !loopback {
                guard allowRemote else {
                    throw MailroomError.invalidValue(field: "host", "'\(host)' is not a loopback address; the preview shows every message, so add --allow-remote and a token to serve it elsewhere")
                }
                guard token != nil else {
                    throw MailroomError(code: .missingField, field: "token", message: "--allow-remote needs a token (--token or MAILROOM_PREVIEW_TOKEN) that every request must carry")
                }
            }
            // A token given on loopback is required too.
            let access = try PreviewAccessMiddleware<BasicRequestContext>(token: token)
            var logger = Logger(label: "mailroom.preview", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = environment["MAILROOM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning

            let directory = try location.target(environment).name
            try await location.withStore { store in
                let router = Router()
                router.add(middleware: PreviewRequestLog())
                router.add(middleware: access)
                PreviewController<BasicRequestContext>(store: store, configuration: .init(pollInterval: .milliseconds(pollInterval))).addRoutes(to: router)
                let open = self.open
                try await CommandServer.run(router, host: host, port: port, serverName: "mailroom-preview", logger: logger) { base in
                    // The token goes only to this terminal, as part of the URL to open.
                    let url = base + "/" + (token.map { "?token=\($0)" } ?? "")
                    CommandOutput.say("Mailroom preview of \(directory): \(url)")
                    if open { BrowserOpener.open(url) }
                }
            }
        }
    }
}
