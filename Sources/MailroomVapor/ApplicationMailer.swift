import Logging
import Mailroom
import Vapor

/// `app.mailroom.mailer`: sends through the application's stack, opening it on first use when the
/// application was booted without its asynchronous boot.
struct ApplicationMailer: Mailer {
    let application: Application

    func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        try await application.mailroom.stack().mailer.send(email, logger: logger)
    }

    func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try await application.mailroom.stack().mailer.sendMIME(message, envelope: envelope, logger: logger)
    }

    func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try await application.mailroom.stack().mailer.sendBatch(batch, logger: logger)
    }
}
