import Logging
import Mailroom

/// `req.mailroom.mailer`: the application's mailer bound to the request's logger, as `req.client`
/// is, so Mailroom's lines carry the request's metadata (`request-id`).
struct RequestMailer: Mailer {
    let base: any Mailer
    let logger: Logger

    // The logger a call passes is the request's by construction: the conveniences without one
    // pass a silent logger, which would drop the request's lines.
    func send(_ email: Email, logger _: Logger) async throws -> SendReceipt {
        try await base.send(email, logger: logger)
    }

    func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger _: Logger) async throws -> SendReceipt {
        try await base.sendMIME(message, envelope: envelope, logger: logger)
    }

    func sendBatch(_ batch: BatchEmail, logger _: Logger) async throws -> [SendReceipt] {
        try await base.sendBatch(batch, logger: logger)
    }
}
