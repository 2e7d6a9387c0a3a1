import Foundation
import Hummingbird
import Logging
import Mailroom
import MailroomMailgun
import MailroomSQLite
import NIOCore

// A host app receiving Mailgun's webhooks without an adapter module: one route that hands the raw
// body to `MailgunWebhookReceiver`, which verifies it, applies its suppression to the local SQLite
// mirror and answers by Mailgun's retry rules. Sends made with the same mirror
// (`mailroom send --suppressions-db …`) then skip bounced, complained and unsubscribed recipients.
//
//   MAILGUN_WEBHOOK_SIGNING_KEY=… swift run webhook-receiver-sample --port 8026
//
// Environment: MAILGUN_WEBHOOK_SIGNING_KEY (required), MAILROOM_SUPPRESSIONS_DB (default
// .mailroom/suppressions.sqlite), PORT (when --port is not given). Stops on SIGINT or SIGTERM.

var logger = Logger(label: "webhook-receiver-sample")
logger.logLevel = .info
let environment = ProcessInfo.processInfo.environment
let arguments = CommandLine.arguments
let portText = arguments.firstIndex(of: "--port").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } ?? environment["PORT"] ?? "8026"
guard let port = Int(portText), (0...65_535).contains(port) else {
    FileHandle.standardError.write(Data("webhook-receiver-sample: --port must be a number from 0 to 65535, got '\(portText)'\n".utf8))
    exit(2)
}
guard let signingKey = environment["MAILGUN_WEBHOOK_SIGNING_KEY"], !signingKey.isEmpty else {
    FileHandle.standardError.write(Data("webhook-receiver-sample: MAILGUN_WEBHOOK_SIGNING_KEY is not set\n".utf8))
    exit(2)
}
let databasePath = environment["MAILROOM_SUPPRESSIONS_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? SQLiteSuppressionStore.defaultPath

try await SQLiteSuppressionStore.withStore(path: databasePath) { mirror in
    let receiver = MailgunWebhookReceiver(signingKey: signingKey, store: mirror) { event, logger in
        // The app's own reaction to every verified event would go here (analytics, CRM, …).
        logger.debug("event reached the app", metadata: ["recipient": "\(event.recipient ?? "-")"])
    }
    let router = Router()
    router.get("/health") { _, _ in "ok" }
    router.post("/webhooks/mailgun") { request, context -> Response in
        // One read of the body, bounded by the receiver's limit (plus one byte, so that an
        // oversize body still reaches the receiver and gets its 413).
        let limit = receiver.configuration.maximumBodySize + 1
        let body = try await request.body.collect(upTo: limit)
        let answer = await receiver.receive(body: Array(body.readableBytesView), contentType: request.headers[.contentType], logger: context.logger)
        return Response(status: .init(code: answer.status), headers: [.contentType: answer.contentType], body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "webhook-receiver-sample"),
        onServerRunning: { channel in
            FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(channel.localAddress?.port ?? port)/webhooks/mailgun, mirror \(databasePath)\n".utf8))
        },
        logger: logger
    )
    try await app.runService()
}
